import datetime
from io import StringIO

import pytest
import vietnam_provinces as vp
from django.core.management import call_command
from vietnam_provinces import legacy

from cchc.errors import InvalidInput
from cchc.org.models import AdministrativeUnit, Era, Level
from cchc.org.services import load_units, predecessor_province_codes, province_codes

U = AdministrativeUnit.objects


def unit(key: str) -> AdministrativeUnit:
    era, code = key.split(":")
    return U.get(era=era, code=code)


def successor_keys(key: str) -> set[str]:
    return {s.key for s in unit(key).successors.all()}


def test_dong_thap_new_tree(dong_thap):
    province = unit("2025:82")
    assert province.name == "Tỉnh Đồng Tháp"
    assert province.level == Level.PROVINCE
    assert province.division_type == "tỉnh"
    assert (province.valid_from, province.valid_to) == (datetime.date(2025, 7, 1), None)
    communes = U.filter(era=Era.CURRENT, parent=province)
    assert communes.count() == len(list(vp.Ward.iter_by_province(vp.ProvinceCode(82)))) == 102
    assert set(communes.values_list("level", flat=True)) == {Level.COMMUNE}
    assert set(communes.values_list("division_type", flat=True)) == {"phường", "xã"}
    assert not communes.exclude(valid_from=datetime.date(2025, 7, 1)).exists()
    assert not communes.filter(valid_to__isnull=False).exists()
    ward = unit("2025:29955")
    assert ward.name == "Phường Hồng Ngự"
    assert ward.path == "82/29955/"


def test_dong_thap_old_trees(dong_thap):
    assert dong_thap.predecessor_codes == ["82", "87"]
    old_dt = unit("pre2025:87")
    assert old_dt.name == "Tỉnh Đồng Tháp"
    assert (old_dt.valid_from, old_dt.valid_to) == (None, datetime.date(2025, 6, 30))
    districts = U.filter(parent=old_dt)
    assert districts.count() == 12
    names = set(districts.values_list("name", flat=True))
    assert {"Thành phố Hồng Ngự", "Huyện Hồng Ngự", "Huyện Tân Hồng", "Huyện Tam Nông"} <= names
    assert unit("pre2025:868").division_type == "thành phố"
    assert unit("pre2025:869").division_type == "huyện"
    assert unit("pre2025:82").name == "Tỉnh Tiền Giang"
    old = U.filter(era=Era.PRE_2025)
    assert not old.exclude(valid_to=datetime.date(2025, 6, 30)).exists()
    assert not old.filter(valid_from__isnull=False).exists()
    commune = unit("pre2025:29986")
    assert (commune.name, commune.level, commune.parent.key) == (
        "Phường An Bình B", Level.COMMUNE, "pre2025:868"
    )
    assert commune.path == "87/868/29986/"


def test_dong_thap_successors(dong_thap):
    assert successor_keys("pre2025:87") == {"2025:82"}
    assert successor_keys("pre2025:82") == {"2025:82"}
    assert {p.key for p in unit("2025:82").predecessors.all()} == {"pre2025:82", "pre2025:87"}
    # Old communes -> the new communes that took them over.
    assert successor_keys("pre2025:29986") == {"2025:29954"}  # P. An Bình B -> P. An Bình
    assert successor_keys("pre2025:29959") == {"2025:29955"}  # X. Bình Thạnh -> P. Hồng Ngự
    assert successor_keys("pre2025:29978") == {"2025:29978"}  # P. An Lạc -> P. Thường Lạc
    assert {p.key for p in unit("2025:29955").predecessors.filter(level="commune")} == {
        "pre2025:29955", "pre2025:29959", "pre2025:29965"
    }
    # Old district -> the distinct new communes its communes went to.
    assert successor_keys("pre2025:868") == {"2025:29954", "2025:29955", "2025:29978"}
    assert successor_keys("pre2025:869") == {
        "2025:29926", "2025:29929", "2025:29938", "2025:29944"
    }
    # Every link goes from the old era to the new one.
    through = AdministrativeUnit.successors.through.objects
    assert not through.exclude(from_administrativeunit__era=Era.PRE_2025).exists()
    assert not through.exclude(to_administrativeunit__era=Era.CURRENT).exists()


def test_counts_reported(dong_thap):
    assert dong_thap.created == {
        (Era.CURRENT, Level.PROVINCE): 1,
        (Era.CURRENT, Level.COMMUNE): 102,
        (Era.PRE_2025, Level.PROVINCE): 2,
        (Era.PRE_2025, Level.DISTRICT): 23,
        (Era.PRE_2025, Level.COMMUNE): 305,
    }
    assert dong_thap.total_created == U.count() == 433
    assert dong_thap.total_updated == 0
    assert dong_thap.successors_added == AdministrativeUnit.successors.through.objects.count()
    assert "Tỉnh Đồng Tháp (82)" in dong_thap.summary()


def test_idempotent(dong_thap, django_assert_max_num_queries):
    links = set(AdministrativeUnit.successors.through.objects.values_list(
        "from_administrativeunit_id", "to_administrativeunit_id"))
    before = list(U.order_by("pk").values())
    with django_assert_max_num_queries(20):
        again = load_units("82")
    assert not again.changed
    assert again.unchanged == 433
    assert list(U.order_by("pk").values()) == before
    assert set(AdministrativeUnit.successors.through.objects.values_list(
        "from_administrativeunit_id", "to_administrativeunit_id")) == links


def test_reload_repairs_changes(dong_thap):
    U.filter(era=Era.PRE_2025, code="868").update(name="Thị xã Hồng Ngự", path="x/")
    hong_ngu = unit("pre2025:868")
    hong_ngu.successors.remove(unit("2025:29954"))
    hong_ngu.successors.add(unit("2025:30001"))
    result = load_units("82")
    assert result.updated == {(Era.PRE_2025, Level.DISTRICT): 1}
    assert (result.successors_added, result.successors_removed) == (1, 1)
    assert unit("pre2025:868").name == "Thành phố Hồng Ngự"
    assert unit("pre2025:868").path == "87/868/"
    assert successor_keys("pre2025:868") == {"2025:29954", "2025:29955", "2025:29978"}


@pytest.mark.parametrize("code", ["99", "87", "abc", "", "820", "-1"])
def test_unknown_province(db, code):
    with pytest.raises(InvalidInput) as caught:
        load_units(code)
    assert caught.value.code == "unknown_province"
    message = str(caught.value.message)
    assert "34 tỉnh" in message and "01, 04, 08" in message and "82" in message
    assert not U.exists()


def test_code_normalised(db):
    result = load_units("1")
    assert result.province_code == "01"
    assert unit("2025:01").name == "Thành phố Hà Nội"
    assert unit("2025:00004").path == "01/00004/"
    assert unit("pre2025:001").path == "01/001/"


def test_tay_ninh_does_not_take_tien_giang(db):
    # The package's province table lists old 82 under new 80 because of one mislabelled
    # commune row; the commune table, read against the old tree, does not.
    assert predecessor_province_codes("80") == ["72", "80"]
    assert {p.code.value for p in vp.Province.from_code(vp.ProvinceCode(80)).get_legacy_sources()} == {72, 80, 82}
    load_units("80")
    assert not U.filter(era=Era.PRE_2025, code="82").exists()
    assert successor_keys("pre2025:27691") == {"2025:27694"}  # Phường 4, TP Tân An


def test_island_district_maps_to_special_zone(db):
    load_units("79")
    con_dao = U.get(era=Era.PRE_2025, level=Level.DISTRICT, name="Huyện Côn Đảo")
    assert not con_dao.children.exists()
    assert [s.name for s in con_dao.successors.all()] == ["Đặc khu Côn Đảo"]


def test_all_34_provinces(db):
    """`cchc load-units` for every province, checked against the package."""
    assert len(province_codes()) == 34
    old_seen: list[int] = []
    for code in province_codes():
        out = StringIO()
        call_command("load-units", "--province", code, "--no-progress", stdout=out)
        new = vp.Province.from_code(vp.ProvinceCode(int(code)))
        assert f"{new.name} ({code})" in out.getvalue()
        province = unit(f"2025:{code}")
        assert province.name == new.name
        assert U.filter(era=Era.CURRENT, path__startswith=f"{code}/").count() == 1 + len(
            list(vp.Ward.iter_by_province(new.code))
        )
        old_codes = [int(p.code) for p in province.predecessors.filter(level=Level.PROVINCE)]
        declared = {p.code.value for p in new.get_legacy_sources()}
        assert old_codes and set(old_codes) <= declared, code
        for old_code in old_codes:
            tree = U.filter(era=Era.PRE_2025, path__startswith=f"{old_code:02d}/")
            assert tree.filter(level=Level.DISTRICT).count() == len(
                list(legacy.District.iter_by_province(legacy.ProvinceCode(old_code)))
            )
            assert tree.filter(level=Level.COMMUNE).count() == len(
                list(legacy.Ward.iter_by_province(legacy.ProvinceCode(old_code)))
            )
        old_seen += old_codes
    # Every old province merged into exactly one new province.
    assert sorted(old_seen) == sorted(p.code.value for p in legacy.Province.iter_all())
    counts = {
        (era, level): U.filter(era=era, level=level).count()
        for era, level in [
            (Era.CURRENT, Level.PROVINCE), (Era.CURRENT, Level.COMMUNE),
            (Era.PRE_2025, Level.PROVINCE), (Era.PRE_2025, Level.DISTRICT),
            (Era.PRE_2025, Level.COMMUNE),
        ]
    }
    assert list(counts.values()) == [34, 3321, 63, 696, 10051]

    # Successors match the package's public old->new lookups.
    links: dict[str, set[str]] = {}
    for src, dst in AdministrativeUnit.successors.through.objects.values_list(
        "from_administrativeunit__code", "to_administrativeunit__code"
    ):
        links.setdefault(src, set()).add(dst)
    old_communes = U.filter(era=Era.PRE_2025, level=Level.COMMUNE).values_list("code", flat=True)
    unmapped = 0
    for code in old_communes:
        expected = {f"{w.ward.code.value:05d}" for w in vp.Ward.search_from_legacy(code=int(code))}
        unmapped += not expected
        assert links.get(code, set()) == expected, code
    assert unmapped < 30  # the package's old tree has a few communes its table leaves out
    for district in U.filter(era=Era.PRE_2025, level=Level.DISTRICT):
        expected = {
            f"{w.ward.code.value:05d}"
            for w in vp.Ward.search_from_legacy_district(code=int(district.code))
        }
        if expected:
            assert links[district.code] == expected, district.code
        else:  # island districts without communes
            assert len(links[district.code]) == 1, district.name

    # And again: nothing changes.
    for code in province_codes():
        assert not load_units(code).changed
