"""The one-stop world of ``tests/onestop/conftest.py`` (new-era province 82 with communes
30280 and 30316) plus what the reports need: the pre-2025 tree it succeeded (old province 87,
district 868 with a desk, old commune 30281 merged into 30280, old commune 30283 split between
30280 and 30316), a third procedure in another field with dossier components, a Home Affairs
administrator at the province and a leader at the other commune.
"""

import datetime
from dataclasses import dataclass

import pytest

from cchc.catalog.services import ensure_field, register_procedure
from cchc.onestop import services
from cchc.org.models import AgencyKind, Era, Level, Role
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory, UserFactory
from tests.onestop.conftest import APPLICANT, at, world  # noqa: F401

OLD_END = datetime.date(2025, 6, 30)


@dataclass
class Reports:
    w: object
    old_province: object
    district: object
    old_commune: object
    split_commune: object
    district_desk: object
    old_commune_desk: object
    certify: object
    home_affairs: object
    other_leader: object
    district_leader: object


@pytest.fixture
def rw(world):  # noqa: F811
    old = dict(era=Era.PRE_2025, valid_from=None, valid_to=OLD_END)
    old_province = UnitFactory(code="87", name="Tỉnh Đồng Tháp (cũ)", level=Level.PROVINCE, **old)
    district = UnitFactory(code="868", name="Thành phố Hồng Ngự", level=Level.DISTRICT,
                           parent=old_province, **old)
    old_commune = UnitFactory(code="30281", name="Phường An Thạnh", level=Level.COMMUNE,
                              parent=district, **old)
    split = UnitFactory(code="30283", name="Xã Bình Thạnh", level=Level.COMMUNE, parent=district,
                        **old)
    old_province.successors.add(world.province)
    old_commune.successors.add(world.commune)
    split.successors.add(world.commune, world.other_commune)
    district_desk = AgencyFactory(unit=district, code="000.20.50.H20", kind=AgencyKind.RECEPTION_DESK,
                                  name="Bộ phận Một cửa Thành phố Hồng Ngự")
    commune_desk = AgencyFactory(unit=old_commune, code="000.21.50.H20",
                                 kind=AgencyKind.RECEPTION_DESK, name="Bộ phận Một cửa Phường An Thạnh")
    field = ensure_field("CT", "Chứng thực")
    certify = register_procedure(
        base_code="2.000815", agency=world.ubnd, effective_from=datetime.date(2020, 1, 1),
        data={"level": "commune", "field": field.code, "implementing_agency": world.ubnd.code,
              "name": "Chứng thực hợp đồng, giao dịch",
              "methods": [{"channel": "direct", "days": 2}, {"channel": "online", "days": 2},
                          {"channel": "postal", "days": 3}],
              "components": [{"name": "Dự thảo hợp đồng, giao dịch", "originals": 1},
                             {"name": "Giấy tờ tùy thân", "copies": 1},
                             {"name": "Giấy chứng nhận quyền sử dụng đất", "certified_copies": 1}]},
    )

    def staff(username, role, unit):
        user = UserFactory(username=username, full_name=username.title())
        MembershipFactory(user=user, unit=unit, agency=None, role=role)
        return user

    return Reports(
        w=world, old_province=old_province, district=district, old_commune=old_commune,
        split_commune=split, district_desk=district_desk, old_commune_desk=commune_desk,
        certify=certify,
        home_affairs=staff("noivu", Role.HOME_AFFAIRS_ADMIN, world.province),
        other_leader=staff("lanhdao.tanhong", Role.LEADER, world.other_commune),
        district_leader=staff("lanhdao.huyen", Role.LEADER, district),
    )


def walk(dossier, when, *, to_approval=True):
    """Desk -> specialist -> leader (-> approved) at ``when``, with no actor."""
    services.transfer_dossier(dossier, actor=None, at=at(when))
    services.transfer_dossier(dossier, actor=None, at=at(when))
    if to_approval:
        services.approve_dossier(dossier, actor=None, at=at(when))


def receive_at(agency, when, procedure, channel=1):
    return services.receive_dossier(agency=agency, procedure=procedure, applicant=APPLICANT,
                                    actor=None, channel=channel, at=at(when))
