"""The one-stop world (a commune with its desk and staff, another commune) plus a provincial
inspector and Home Affairs administrator, and an inspection plan for the commune in 2026."""

import datetime

import pytest

from cchc.org.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.onestop import conftest as onestop
from tests.onestop.conftest import APPLICANT, at  # noqa: F401

world = onestop.world
receive = onestop.receive


@pytest.fixture
def inspector(world):
    user = UserFactory(username="kiemtra", full_name="Trần Kiểm Tra")
    MembershipFactory(user=user, unit=world.province, role=Role.INSPECTOR)
    return user


@pytest.fixture
def home_affairs(world):
    user = UserFactory(username="noivu", full_name="Lê Nội Vụ")
    MembershipFactory(user=user, unit=world.province, role=Role.HOME_AFFAIRS_ADMIN)
    return user


@pytest.fixture
def plan(world, inspector):
    from cchc.inspection import services

    return services.create_inspection_plan(
        actor=inspector, province=world.province, year=2026, title="Kế hoạch kiểm tra CCHC năm 2026",
        decision_number="123/QĐ-SNV", decision_date=datetime.date(2026, 4, 1),
        issuer="Sở Nội vụ", units=[world.commune, world.other_commune],
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31),
        team=[{"name": "Trần Kiểm Tra", "role": "leader", "user": inspector},
              {"name": "Nguyễn Thành Viên", "role": "member"}])


@pytest.fixture
def inspection(plan, world):
    return plan.inspections.get(unit=world.commune)


def walk_to_approval(dossier, world, when):
    from cchc.onestop import services

    services.transfer_dossier(dossier, actor=world.desk_officer, at=at(when))
    services.transfer_dossier(dossier, actor=world.specialist, at=at(when))
    return services.approve_dossier(dossier, actor=world.leader, result="Đã cấp", at=at(when))
