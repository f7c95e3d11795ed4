import pytest

from tests.catalog.orgdata import build_dong_thap


@pytest.fixture
def dong_thap(db):
    return build_dong_thap()


@pytest.fixture
def demo_catalog(dong_thap):
    from cchc.catalog import demo

    demo.load()
    return dong_thap
