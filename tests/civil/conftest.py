"""A commune after 1/7/2025 (Phường Hồng Ngự) with its desk and People's Committee, the
commune it took over (Phường An Thạnh, pre-2025, with its desk), another commune, staff of
each role, and the civil-status procedures of the catalog (same-day)."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from cchc.catalog.services import ensure_field, register_procedure
from cchc.org.models import AgencyKind, Era, Level, Role
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory, UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OLD_END = datetime.date(2025, 6, 30)

PROCEDURES = [
    ("1.001193", "Đăng ký khai sinh", 0),
    ("1.000894", "Đăng ký kết hôn", 0),
    ("1.000656", "Đăng ký khai tử", 0),
    ("1.004884", "Thủ tục đăng ký lại khai sinh", 5),
    ("1.004746", "Thủ tục đăng ký lại kết hôn", 5),
    ("1.005461", "Thủ tục đăng ký lại khai tử", 5),
    ("1.004859", "Thủ tục thay đổi, cải chính, bổ sung thông tin hộ tịch", 3),
    ("2.000635", "Cấp bản sao trích lục hộ tịch", 0),
]


def at(text: str) -> datetime.datetime:
    """'2026-04-24 09:00' in Việt Nam time."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VN)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@dataclass
class World:
    province: object
    commune: object
    other_commune: object
    old_province: object
    old_district: object
    old_commune: object
    desk: object
    ubnd: object
    other_desk: object
    old_desk: object
    desk_officer: object
    officer: object  # công chức tư pháp - hộ tịch (specialist)
    leader: object
    outsider: object
    inspector: object
    old_officer: object


def build_world() -> World:
    province = UnitFactory(era=Era.CURRENT, code="82", name="Đồng Tháp", level=Level.PROVINCE)
    commune = UnitFactory(era=Era.CURRENT, code="30280", name="Phường Hồng Ngự",
                          level=Level.COMMUNE, parent=province)
    other = UnitFactory(era=Era.CURRENT, code="30316", name="Xã Tân Hồng", level=Level.COMMUNE,
                        parent=province)
    old_province = UnitFactory(era=Era.PRE_2025, code="87", name="Đồng Tháp",
                               level=Level.PROVINCE, valid_from=None, valid_to=OLD_END)
    old_district = UnitFactory(era=Era.PRE_2025, code="868", name="Thành phố Hồng Ngự",
                               level=Level.DISTRICT, parent=old_province, valid_from=None,
                               valid_to=OLD_END)
    old_commune = UnitFactory(era=Era.PRE_2025, code="30283", name="Phường An Thạnh",
                              level=Level.COMMUNE, parent=old_district, valid_from=None,
                              valid_to=OLD_END)
    old_province.successors.add(province)
    old_commune.successors.add(commune)
    desk = AgencyFactory(unit=commune, code="000.10.50.H20", kind=AgencyKind.RECEPTION_DESK,
                         name="Bộ phận Tiếp nhận và Trả kết quả Phường Hồng Ngự")
    ubnd = AgencyFactory(unit=commune, code="000.10.51.H20", kind=AgencyKind.PEOPLES_COMMITTEE,
                         name="Ủy ban nhân dân Phường Hồng Ngự")
    other_desk = AgencyFactory(unit=other, code="000.11.50.H20", kind=AgencyKind.RECEPTION_DESK,
                               name="Bộ phận Tiếp nhận và Trả kết quả Xã Tân Hồng")
    old_desk = AgencyFactory(unit=old_commune, code="000.12.50.H20",
                             kind=AgencyKind.RECEPTION_DESK,
                             name="Bộ phận Tiếp nhận và Trả kết quả Phường An Thạnh")
    AgencyFactory(unit=old_commune, code="000.12.51.H20", kind=AgencyKind.PEOPLES_COMMITTEE,
                  name="Ủy ban nhân dân Phường An Thạnh")

    def staff(username, full_name, role, unit, agency):
        user = UserFactory(username=username, full_name=full_name)
        MembershipFactory(user=user, unit=unit, agency=agency, role=role)
        return user

    field = ensure_field("HT", "Hộ tịch")
    for code, name, days in PROCEDURES:
        register_procedure(
            base_code=code, agency=ubnd, effective_from=datetime.date(2015, 1, 1),
            data={"level": "commune", "field": field.code, "name": name,
                  "methods": [{"channel": "direct", "days": days, "fee": 0}]})
    old_officer = staff("hotich.anthanh", "Trần Thị Mai", Role.SPECIALIST, old_commune, None)
    MembershipFactory(user=old_officer, unit=old_commune, role=Role.DESK_OFFICER)
    MembershipFactory(user=old_officer, unit=old_commune, role=Role.LEADER)
    return World(
        province=province, commune=commune, other_commune=other, old_province=old_province,
        old_district=old_district, old_commune=old_commune, desk=desk, ubnd=ubnd,
        other_desk=other_desk, old_desk=old_desk,
        desk_officer=staff("motcua", "Phan Thị Hồng Nhung", Role.DESK_OFFICER, commune, desk),
        officer=staff("hotich", "Đỗ Văn Hiếu", Role.SPECIALIST, commune, ubnd),
        leader=staff("lanhdao", "Mai Thanh Sơn", Role.LEADER, commune, ubnd),
        outsider=staff("hotich.tanhong", "Lê Văn Tư", Role.SPECIALIST, other, None),
        inspector=staff("kiemtra", "Trần Văn Minh", Role.INSPECTOR, province, None),
        old_officer=old_officer,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


# -- facts ----------------------------------------------------------------------------------------

def birth(**child) -> dict:
    """A child born 2026-04-10 in Hồng Ngự to parents with consistent ID numbers."""
    data = {
        "child": {"full_name": "Nguyễn Thị Bảo Ngọc", "sex": "F", "birth_date": "2026-04-10",
                  "birth_place": "Bệnh viện Đa khoa khu vực Hồng Ngự, Đồng Tháp",
                  "hometown": "Đồng Tháp", "ethnicity": "Kinh", "nationality": "Việt Nam"},
        "father": {"full_name": "Nguyễn Văn Hùng", "birth_year": "1995", "ethnicity": "Kinh",
                   "nationality": "Việt Nam", "residence": "Phường Hồng Ngự, Đồng Tháp",
                   "id_number": "087095001234"},
        "mother": {"full_name": "Trần Thị Lan", "birth_year": "1997", "ethnicity": "Kinh",
                   "nationality": "Việt Nam", "residence": "Phường Hồng Ngự, Đồng Tháp",
                   "id_number": "087197004321"},
        "declarant": {"full_name": "Nguyễn Văn Hùng", "id_number": "087095001234",
                      "relationship": "Cha"},
    }
    data["child"].update(child)
    return data


def marriage(husband=None, wife=None) -> dict:
    data = {
        "husband": {"full_name": "Lê Minh Tuấn", "birth_date": "1998-05-20", "ethnicity": "Kinh",
                    "nationality": "Việt Nam", "residence": "Phường Hồng Ngự, Đồng Tháp",
                    "id_number": "087098002468"},
        "wife": {"full_name": "Phạm Thị Thu Hà", "birth_date": "2000-09-02", "ethnicity": "Kinh",
                 "nationality": "Việt Nam", "residence": "Xã Tân Hồng, Đồng Tháp",
                 "id_number": "087300013579"},
    }
    data["husband"].update(husband or {})
    data["wife"].update(wife or {})
    return data


def death(deceased=None, **event) -> dict:
    data = {
        "deceased": {"full_name": "Võ Văn Lợi", "sex": "M", "birth_date": "1940-02-14",
                     "ethnicity": "Kinh", "nationality": "Việt Nam",
                     "residence": "Phường Hồng Ngự, Đồng Tháp", "id_number": "087040000111"},
        "death": {"date": "2026-04-20", "time": "05:30", "place": "Tại nhà, Phường Hồng Ngự",
                  "cause": "Bệnh già"},
        "declarant": {"full_name": "Võ Thị Hoa", "id_number": "087170000222",
                      "relationship": "Con"},
    }
    data["deceased"].update(deceased or {})
    data["death"].update(event)
    return data


@pytest.fixture
def register(world):
    """Register directly as the commune's civil-status officer."""
    from cchc.civil import services

    def _register(event_type, data, when="2026-04-24 09:00", **kwargs):
        kwargs.setdefault("agency", world.desk)
        kwargs.setdefault("actor", world.officer)
        return services.register_directly(event_type=event_type, data=data, at=at(when), **kwargs)

    return _register
