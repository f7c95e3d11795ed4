import pytest
from rest_framework.test import APIClient

from cchc.org.services import ensure_standard_agencies, load_units


@pytest.fixture
def dong_thap(db):
    """Đồng Tháp after the merger (new 82) with old Tiền Giang (82) and old Đồng Tháp (87)."""
    return load_units("82")


@pytest.fixture
def dong_thap_agencies(dong_thap):
    from cchc.org.models import AdministrativeUnit

    units = AdministrativeUnit.objects.filter(
        era__in=["2025", "pre2025"], code__in=["82", "87", "868", "29954", "29955", "29926"]
    ).select_related("parent")
    return ensure_standard_agencies(units)


@pytest.fixture
def api():
    return APIClient()
