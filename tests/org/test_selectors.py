import datetime

import pytest
from django.test import override_settings

from cchc.errors import InvalidInput, NotFound
from cchc.org import selectors
from cchc.org.models import AdministrativeUnit, Era, Level

BEFORE = datetime.date(2025, 6, 30)
AFTER = datetime.date(2025, 7, 1)


def keys(qs):
    return [u.key for u in qs]


def test_home_province(dong_thap):
    assert selectors.home_province().key == "2025:82"
    with override_settings(CCHC_PROVINCE_CODE="96"):
        assert selectors.home_province() is None


def test_units_under(dong_thap):
    hong_ngu = AdministrativeUnit.objects.get(era=Era.PRE_2025, code="868")
    assert selectors.units_under([hong_ngu]).count() == 1 + 7
    province = selectors.home_province()
    assert selectors.units_under([province]).count() == 103


def test_province_filter(dong_thap):
    assert selectors.units(province="82").count() == 103
    assert selectors.units(province="2025:82").count() == 103
    with_old = selectors.units(province="82", include_predecessors=True)
    assert with_old.count() == 433
    assert keys(with_old)[:2] == ["2025:82", "2025:28249"]
    assert selectors.units(province="pre2025:87").count() == 1 + 12 + 141
    assert selectors.units(province="96").count() == 0
    assert selectors.units(province="pre2025:99").count() == 0


def test_level_era_and_date(dong_thap):
    assert selectors.units(level=Level.DISTRICT).count() == 23
    assert selectors.units(era=Era.PRE_2025, level=Level.PROVINCE).count() == 2
    assert selectors.units(valid_on=BEFORE).count() == 330
    assert not selectors.units(valid_on=BEFORE, era=Era.CURRENT).exists()
    assert selectors.units(valid_on=AFTER).count() == 103
    assert selectors.units(level=Level.DISTRICT, valid_on=AFTER).count() == 0


@pytest.mark.parametrize("term", ["hồng ngự", "HONG NGU", "hông ngu", "Hồng   Ngự"])
def test_folded_search(dong_thap, term):
    found = keys(selectors.units(search=term))
    assert "pre2025:868" in found and "pre2025:870" in found and "2025:29955" in found


def test_search_by_d(dong_thap):
    assert "2025:82" in keys(selectors.units(search="dong thap", level=Level.PROVINCE))
    assert keys(selectors.units(search="29955")) == ["2025:29955", "pre2025:29955"]


def test_parent(dong_thap):
    assert selectors.units(parent="pre2025:868").count() == 7
    assert selectors.units(parent="82").count() == 102
    assert selectors.units(parent="87", era=Era.PRE_2025).count() == 12
    assert selectors.units(parent="pre2025:1").count() == 0


def test_unit_by_key(dong_thap):
    assert selectors.unit_by_key("pre2025:868").name == "Thành phố Hồng Ngự"
    assert selectors.unit_by_key("82").key == "2025:82"
    with pytest.raises(NotFound):
        selectors.unit_by_key("2025:99")
    with pytest.raises(InvalidInput) as caught:
        selectors.unit_by_key("1975:82")
    assert caught.value.code == "invalid_unit_key"


def test_current_successors(dong_thap):
    old = AdministrativeUnit.objects.get(era=Era.PRE_2025, code="29959")
    assert keys(selectors.current_successors(old)) == ["2025:29955"]
    new = AdministrativeUnit.objects.get(era=Era.CURRENT, code="29955")
    assert keys(selectors.current_successors(new)) == ["2025:29955"]


def test_agencies(dong_thap_agencies):
    codes = lambda qs: [a.code for a in qs]  # noqa: E731
    all_agencies = selectors.agencies()
    assert all_agencies.count() == len(dong_thap_agencies)
    assert set(codes(selectors.agencies(province="82"))) == {
        a.code for a in dong_thap_agencies if a.unit.era == Era.CURRENT
    }
    with_old = selectors.agencies(province="82", include_predecessors=True)
    assert with_old.count() == len(dong_thap_agencies)
    home = selectors.agencies(home_affairs=True)
    assert [a.name for a in home] == [
        "Sở Nội vụ tỉnh Đồng Tháp", "Sở Nội vụ tỉnh Tiền Giang", "Sở Nội vụ tỉnh Đồng Tháp",
        "Phòng Nội vụ thành phố Hồng Ngự",
    ]
    assert selectors.agencies(level=Level.DISTRICT).count() == 4
    assert selectors.agencies(kind="reception_desk").count() == 1 + 3  # district + old communes
    assert all(a.unit.era == Era.PRE_2025 for a in selectors.agencies(valid_on=BEFORE))
    assert all(a.unit.era == Era.CURRENT for a in selectors.agencies(valid_on=AFTER))
    assert codes(selectors.agencies(unit="pre2025:868"))[0] == "000.00.62.H87"
    assert selectors.agencies(parent="000.00.62.H87").count() == 3
    assert selectors.agencies(search="noi vu dong thap").count() == 2
    assert codes(selectors.agencies(search="000.00.01.h82")) == ["000.00.01.H82"]
    assert selectors.agency_by_code("000.00.01.h82").name == "Sở Nội vụ tỉnh Đồng Tháp"
    with pytest.raises(NotFound):
        selectors.agency_by_code("000.00.99.H82")
    hong_ngu = AdministrativeUnit.objects.get(era=Era.PRE_2025, code="868")
    assert selectors.home_affairs_agency(hong_ngu).name == "Phòng Nội vụ thành phố Hồng Ngự"
