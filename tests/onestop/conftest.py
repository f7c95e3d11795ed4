"""A commune with a reception desk and its People's Committee, its three kinds of staff,
a second commune (another jurisdiction), and two procedures: 5 working days and same-day."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from cchc.catalog.services import ensure_field, register_procedure
from cchc.org.models import AgencyKind, Era, Level, Role
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory, UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime.datetime:
    """'2026-04-24 09:00' in Việt Nam time."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VN)


@dataclass
class World:
    province: object
    commune: object
    other_commune: object
    desk: object
    ubnd: object
    other_desk: object
    desk_officer: object
    specialist: object
    leader: object
    outsider: object
    five_days: object
    same_day: object


@pytest.fixture
def world(db) -> World:
    province = UnitFactory(era=Era.CURRENT, code="82", name="Đồng Tháp", level=Level.PROVINCE)
    commune = UnitFactory(era=Era.CURRENT, code="30280", name="Phường Hồng Ngự",
                          level=Level.COMMUNE, parent=province)
    other = UnitFactory(era=Era.CURRENT, code="30316", name="Xã Tân Hồng", level=Level.COMMUNE,
                        parent=province)
    desk = AgencyFactory(unit=commune, code="000.10.50.H20", kind=AgencyKind.RECEPTION_DESK,
                         name="Bộ phận Tiếp nhận và Trả kết quả Phường Hồng Ngự")
    ubnd = AgencyFactory(unit=commune, code="000.10.51.H20", kind=AgencyKind.PEOPLES_COMMITTEE,
                         name="Ủy ban nhân dân Phường Hồng Ngự")
    other_desk = AgencyFactory(unit=other, code="000.11.50.H20", kind=AgencyKind.RECEPTION_DESK,
                               name="Bộ phận Tiếp nhận và Trả kết quả Xã Tân Hồng")

    def staff(username, role, unit, agency):
        user = UserFactory(username=username, full_name=username.title())
        MembershipFactory(user=user, unit=unit, agency=agency, role=role)
        return user

    field = ensure_field("HT", "Hộ tịch")
    common = {"level": "commune", "field": field.code, "implementing_agency": ubnd.code}
    five = register_procedure(
        base_code="1.001612", agency=ubnd, effective_from=datetime.date(2020, 1, 1),
        data={**common, "name": "Đăng ký kết hôn có yếu tố nước ngoài",
              "methods": [{"channel": "direct", "days": 5, "fee": 0},
                          {"channel": "online", "days": 5, "fee": 0}]},
    )
    same = register_procedure(
        base_code="1.001193", agency=ubnd, effective_from=datetime.date(2020, 1, 1),
        data={**common, "name": "Đăng ký khai sinh", "methods": [{"channel": "direct", "days": 0}]},
    )
    return World(
        province=province, commune=commune, other_commune=other, desk=desk, ubnd=ubnd,
        other_desk=other_desk,
        desk_officer=staff("motcua", Role.DESK_OFFICER, commune, desk),
        specialist=staff("chuyenvien", Role.SPECIALIST, commune, ubnd),
        leader=staff("lanhdao", Role.LEADER, commune, ubnd),
        outsider=staff("motcua.khac", Role.DESK_OFFICER, other, other_desk),
        five_days=five, same_day=same,
    )


APPLICANT = {"name": "Nguyễn Văn An", "id_number": "087090001234", "phone": "0912345678",
             "email": "an@example.org", "address": "Phường Hồng Ngự, Đồng Tháp"}


@pytest.fixture
def receive(world):
    from cchc.onestop import services

    def _receive(when="2026-04-24 09:00", procedure=None, **kwargs):
        return services.receive_dossier(
            agency=world.desk, procedure=procedure or world.five_days, applicant=APPLICANT,
            actor=world.desk_officer, at=at(when), **kwargs)

    return _receive
