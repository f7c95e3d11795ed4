import re

import pytest

from cchc.errors import InvalidInput
from cchc.org.models import AdministrativeUnit, Agency, AgencyKind, Era, Level
from cchc.org.services import (
    create_agency,
    ensure_standard_agencies,
    standard_agencies_for,
    update_agency,
)

CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.H\d{2}$")


def unit(key):
    era, code = key.split(":")
    return AdministrativeUnit.objects.get(era=era, code=code)


@pytest.fixture
def ubnd(dong_thap):
    return create_agency(
        unit=unit("2025:82"), code="000.00.00.H82", name="Ủy ban nhân dân tỉnh Đồng Tháp",
        kind=AgencyKind.PEOPLES_COMMITTEE,
    )


def test_create(ubnd):
    agency = create_agency(
        unit=unit("2025:82"), code=" 000.00.01.h82 ", name="  Sở Nội vụ tỉnh Đồng Tháp ",
        kind=AgencyKind.DEPARTMENT, parent=ubnd, is_home_affairs=True,
    )
    agency.refresh_from_db()
    assert agency.code == "000.00.01.H82"
    assert agency.name == "Sở Nội vụ tỉnh Đồng Tháp"
    assert agency.name_folded == "so noi vu tinh dong thap"
    assert agency.parent == ubnd and agency.is_home_affairs and agency.active


@pytest.mark.parametrize(
    "changes, field, code",
    [
        ({"code": "000.00.1.H82"}, "code", "invalid_agency_code"),
        ({"code": "000.00.00.82"}, "code", "invalid_agency_code"),
        ({"code": "000.00.00.H82"}, "code", "duplicate_agency_code"),
        ({"name": "   "}, "name", "required"),
        ({"name": "x" * 201}, "name", "too_long"),
        ({"kind": "ministry"}, "kind", "invalid_choice"),
        ({"kind": AgencyKind.PEOPLES_COMMITTEE, "is_home_affairs": True}, "is_home_affairs",
         "invalid_home_affairs"),
    ],
)
def test_create_rejects(ubnd, changes, field, code):
    values = {"unit": unit("2025:82"), "code": "000.00.09.H82", "name": "Sở Công Thương",
              "kind": AgencyKind.DEPARTMENT, **changes}
    with pytest.raises(InvalidInput) as caught:
        create_agency(**values)
    assert caught.value.code == code
    assert field in caught.value.fields
    assert str(caught.value.message) == str(caught.value.fields[field])
    assert Agency.objects.count() == 1


def test_duplicate_message_is_vietnamese(ubnd):
    with pytest.raises(InvalidInput) as caught:
        create_agency(unit=unit("2025:82"), code="000.00.00.H82", name="X", kind="department")
    assert str(caught.value.message) == "Mã định danh 000.00.00.H82 đã được dùng cho cơ quan khác."


def test_one_home_affairs_agency_per_unit(ubnd):
    create_agency(unit=unit("2025:82"), code="000.00.01.H82", name="Sở Nội vụ",
                  kind="department", is_home_affairs=True)
    with pytest.raises(InvalidInput) as caught:
        create_agency(unit=unit("2025:82"), code="000.00.02.H82", name="Sở Nội vụ 2",
                      kind="department", is_home_affairs=True)
    assert caught.value.code == "home_affairs_exists"
    # An inactive one does not count.
    create_agency(unit=unit("2025:82"), code="000.00.02.H82", name="Sở Nội vụ (cũ)",
                  kind="department", is_home_affairs=True, active=False)


def test_parent_must_be_same_or_upper_unit(ubnd):
    commune = unit("2025:29955")
    desk = create_agency(unit=commune, code="000.01.20.H82", name="UBND phường Hồng Ngự",
                         kind="ubnd", parent=ubnd)
    with pytest.raises(InvalidInput) as caught:
        create_agency(unit=unit("2025:82"), code="000.00.05.H82", name="Sở X",
                      kind="department", parent=desk)
    assert caught.value.code == "invalid_parent"
    with pytest.raises(InvalidInput):  # other era
        create_agency(unit=unit("pre2025:87"), code="000.00.50.H87", name="UBND tỉnh",
                      kind="ubnd", parent=ubnd)


def test_update(ubnd):
    department = create_agency(unit=unit("2025:82"), code="000.00.03.H82", name="Sở Tư pháp",
                               kind="department", parent=ubnd)
    update_agency(department, name="Sở Tư pháp tỉnh Đồng Tháp", code="000.00.04.h82")
    department.refresh_from_db()
    assert (department.code, department.name_folded) == (
        "000.00.04.H82", "so tu phap tinh dong thap"
    )
    with pytest.raises(InvalidInput) as caught:
        update_agency(department, code="000.00.00.H82")
    assert caught.value.code == "duplicate_agency_code"
    with pytest.raises(InvalidInput) as caught:
        update_agency(ubnd, parent=department)  # a cycle
    assert caught.value.code == "invalid_parent"
    with pytest.raises(InvalidInput) as caught:
        update_agency(ubnd, parent=ubnd)
    assert caught.value.code == "invalid_parent"
    with pytest.raises(InvalidInput) as caught:
        update_agency(ubnd, unit=unit("2025:29955"))
    assert caught.value.code == "unknown_field"
    update_agency(department, active=False)
    assert not Agency.objects.get(pk=department.pk).active


def test_standard_agencies_of_each_level(dong_thap):
    province = standard_agencies_for(unit("2025:82"))
    assert [(s.code, s.name) for s in province[:3]] == [
        ("000.00.00.H82", "Ủy ban nhân dân tỉnh Đồng Tháp"),
        ("000.00.01.H82", "Sở Nội vụ tỉnh Đồng Tháp"),
        ("000.00.02.H82", "Trung tâm Phục vụ hành chính công tỉnh Đồng Tháp"),
    ]
    assert [s.is_home_affairs for s in province].count(True) == 1
    assert province[1].is_home_affairs and province[1].kind == AgencyKind.DEPARTMENT

    old_province = standard_agencies_for(unit("pre2025:87"))
    assert old_province[0].code == "000.00.50.H87"

    district = standard_agencies_for(unit("pre2025:868"))  # 3rd district of old 87
    assert [(s.code, s.name, s.kind, s.is_home_affairs) for s in district] == [
        ("000.00.62.H87", "Ủy ban nhân dân thành phố Hồng Ngự", "ubnd", False),
        ("000.01.62.H87", "Phòng Nội vụ thành phố Hồng Ngự", "office", True),
        ("000.02.62.H87", "Bộ phận Tiếp nhận và Trả kết quả thành phố Hồng Ngự",
         "reception_desk", False),
        ("000.03.62.H87", "Phòng Tư pháp thành phố Hồng Ngự", "office", False),
    ]

    old_commune = standard_agencies_for(unit("pre2025:29955"))  # 2nd commune of 868
    assert [(s.code, s.name, s.kind) for s in old_commune] == [
        ("000.11.62.H87", "Ủy ban nhân dân phường An Thạnh", "ubnd"),
        ("001.11.62.H87", "Bộ phận Tiếp nhận và Trả kết quả phường An Thạnh", "reception_desk"),
    ]
    assert old_commune[1].parent_code == old_commune[0].code

    ranks = sorted(AdministrativeUnit.objects.filter(parent=unit("2025:82")).values_list(
        "code", flat=True))
    n = ranks.index("29955")
    new_commune = standard_agencies_for(unit("2025:29955"))
    assert new_commune[0].code == f"000.{1 + n % 99:02d}.{20 + n // 99:02d}.H82"
    assert new_commune[1].name == "Trung tâm Phục vụ hành chính công phường Hồng Ngự"
    assert new_commune[1].kind == AgencyKind.SERVICE_CENTRE


def test_numbered_names_keep_capital(db):
    from cchc.org.services import load_units

    load_units("80")
    ward = AdministrativeUnit.objects.get(era=Era.PRE_2025, code="27691")
    assert standard_agencies_for(ward)[0].name == "Ủy ban nhân dân Phường 4"


def test_standard_codes_unique_across_eras(dong_thap):
    units = list(AdministrativeUnit.objects.select_related("parent"))
    created = ensure_standard_agencies(units)
    codes = [a.code for a in created]
    assert len(codes) == len(set(codes)) == Agency.objects.count()
    assert all(CODE.match(c) for c in codes)
    # The 13-character validator of the model agrees.
    for agency in Agency.objects.all()[:50]:
        agency.full_clean()
    assert Agency.objects.filter(unit__level=Level.PROVINCE, kind="ubnd").count() == 3
    home = Agency.objects.filter(is_home_affairs=True)
    assert home.count() == 3 + 23  # one per province (1 new + 2 old) and per old district
    # Parents are in place.
    assert not Agency.objects.exclude(kind="ubnd").filter(parent__isnull=True).exists()
    # Idempotent.
    again = ensure_standard_agencies(units)
    assert [a.pk for a in again] == [a.pk for a in created]
    assert Agency.objects.count() == len(codes)


def test_ensure_keeps_edits(dong_thap):
    province = unit("2025:82")
    first = ensure_standard_agencies(province)
    update_agency(first[0], name="UBND tỉnh Đồng Tháp")
    again = ensure_standard_agencies(province)
    assert again[0].name == "UBND tỉnh Đồng Tháp"
    assert again[0].pk == first[0].pk
