import pytest

from tests.catalog.orgdata import build_dong_thap
from tests.snapshot import replayed


@pytest.fixture
def dong_thap(db):
    return build_dong_thap()


def _build_demo_catalog():
    from cchc.catalog import demo

    world = build_dong_thap()
    demo.load()
    return world


@pytest.fixture
def demo_catalog(db):
    # Built through the services once per test process, then replayed row for row.
    return replayed("demo_catalog", _build_demo_catalog)
