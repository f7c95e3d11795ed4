import datetime

import pytest

from cchc.inspection import selectors, services
from cchc.inspection.models import EvidenceKind, FindingKind
from cchc.org.models import Role
from tests.factories import MembershipFactory, UserFactory, small_tree

pytestmark = pytest.mark.django_db


def inspect(inspector, province, unit, year, limitation_kind=None):
    plan = services.create_inspection_plan(
        actor=inspector, province=province, year=year, title=f"Kiểm tra {year}",
        decision_number=f"{year}/QĐ", decision_date=datetime.date(year, 3, 1), issuer="Sở Nội vụ",
        units=[unit], period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31), team=[{"name": "Trưởng đoàn", "role": "leader"}])
    inspection = plan.inspections.get()
    services.start_inspection(inspection, actor=inspector)
    if limitation_kind:
        item = plan.criteria_set.areas.get(items__evidence_kind=limitation_kind).items.get(
            evidence_kind=limitation_kind)
        finding = services.add_finding(inspection, actor=inspector, kind=FindingKind.LIMITATION,
                                       text=f"Hạn chế {year}", item=item)
        services.add_recommendation(inspection, actor=inspector, text="Khắc phục",
                                    deadline=datetime.date(year, 12, 31), finding=finding)
    services.finalise_inspection(inspection, actor=inspector)
    return inspection


def test_the_same_limitation_recurs_across_the_reorganisation():
    tree = small_tree()
    inspector = UserFactory(username="kt")
    MembershipFactory(user=inspector, unit=tree["p"], role=Role.INSPECTOR)
    old = inspect(inspector, tree["op"], tree["d"], 2022, EvidenceKind.NEWS)
    new = inspect(inspector, tree["p"], tree["a"], 2026, EvidenceKind.NEWS)
    other = inspect(inspector, tree["p"], tree["b"], 2026, EvidenceKind.NEWS)
    assert selectors.previous_inspection(new) == old
    recurring = selectors.recurring_limitations(new)
    assert [r["item"].evidence_kind for r in recurring] == [EvidenceKind.NEWS]
    assert recurring[0]["previous_texts"] == ["Hạn chế 2022"]
    assert [r.text for r in selectors.previous_recommendations(new)] == ["Khắc phục"]
    news = new.results.get(item__evidence_kind=EvidenceKind.NEWS).evidence
    assert [(p["year"], p["text"]) for p in news["previous_recommendations"]] == [
        (2022, "Khắc phục")]
    assert selectors.previous_inspection(other) is None  # Xã Bình has no predecessor
    assert selectors.recurring_limitations(other) == []


def test_a_different_limitation_does_not_recur():
    tree = small_tree()
    inspector = UserFactory(username="kt")
    MembershipFactory(user=inspector, unit=tree["p"], role=Role.INSPECTOR)
    inspect(inspector, tree["op"], tree["d"], 2022, EvidenceKind.NEWS)
    new = inspect(inspector, tree["p"], tree["a"], 2026, EvidenceKind.TIMELINESS)
    assert selectors.recurring_limitations(new) == []
