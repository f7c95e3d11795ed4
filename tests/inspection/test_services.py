import datetime
from decimal import Decimal

import pytest

from cchc.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from cchc.inspection import selectors, services
from cchc.inspection.models import (
    EvidenceKind,
    FindingKind,
    InspectionStatus,
    ItemResult,
    RecommendationStatus,
)

from .conftest import walk_to_approval

pytestmark = pytest.mark.django_db


def result_of(inspection, kind):
    return ItemResult.objects.filter(inspection=inspection, item__evidence_kind=kind).first()


def conduct(inspection, inspector, when=None):
    services.start_inspection(inspection, actor=inspector)
    inspection.refresh_from_db()
    return inspection


def test_default_criteria_cover_the_checklist_and_total_100():
    criteria = services.ensure_default_criteria()
    assert services.ensure_default_criteria() == criteria
    items = list(criteria.areas.all().values_list("items__evidence_kind", "items__max_points"))
    assert sum(points for _kind, points in items) == 100
    kinds = {kind for kind, _points in items}
    assert set(EvidenceKind.values) - {EvidenceKind.MANUAL} <= kinds


def test_plan_needs_one_team_leader_and_units(world, inspector):
    with pytest.raises(InvalidInput) as error:
        services.create_inspection_plan(
            actor=inspector, province=world.province, year=2026, title="KH", decision_number="1",
            decision_date=datetime.date(2026, 1, 1), issuer="SNV", units=[],
            period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31),
            team=[{"name": "A", "role": "member"}])
    assert set(error.value.fields) == {"units", "team"}


def test_only_inspectors_plan(world):
    with pytest.raises(Forbidden):
        services.create_inspection_plan(
            actor=world.leader, province=world.province, year=2026, title="KH", decision_number="1",
            decision_date=datetime.date(2026, 1, 1), issuer="SNV", units=[world.commune],
            period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31))


def test_evidence_lists_late_and_overdue_dossiers_and_missing_apologies(
        world, receive, inspection, inspector):
    early = receive("2026-04-24 09:00")
    walk_to_approval(early, world, "2026-04-27 09:00")
    late = receive("2026-04-24 09:00")
    walk_to_approval(late, world, "2026-05-20 09:00")
    overdue = receive("2026-05-04 09:00")
    conduct(inspection, inspector)
    timeliness = result_of(inspection, EvidenceKind.TIMELINESS)
    metrics = timeliness.evidence["metrics"]
    assert metrics["late"] == 1 and metrics["overdue"] == 1 and metrics["early"] == 1
    codes = {row["code"]: row["state"] for row in timeliness.evidence["rows"]}
    assert codes == {late.code: "late", overdue.code: "overdue"}
    assert all(row["url"].endswith(f"/{row['code']}/") for row in timeliness.evidence["rows"])
    assert timeliness.suggested_score == Decimal("6.67")  # 1 of 3 on time, 20 points
    apology = result_of(inspection, EvidenceKind.APOLOGY)
    assert apology.evidence["metrics"] == {"late_or_overdue": 2, "without_apology": 2}
    assert apology.suggested_score == Decimal("0.00")
    staffing = result_of(inspection, EvidenceKind.STAFFING)
    assert staffing.evidence["metrics"] == {"desks": 1, "staffed": 1}


def test_frozen_evidence_does_not_move_when_the_data_changes(
        world, receive, inspection, inspector):
    late = receive("2026-04-24 09:00")
    walk_to_approval(late, world, "2026-05-20 09:00")
    conduct(inspection, inspector)
    services.score_item(inspection, result_of(inspection, EvidenceKind.TIMELINESS).item,
                        actor=inspector)
    services.finalise_inspection(inspection, actor=inspector)
    frozen = result_of(inspection, EvidenceKind.TIMELINESS)
    before = (frozen.evidence, frozen.suggested_score, frozen.score)
    assert frozen.frozen and frozen.evidence["metrics"]["late"] == 1

    for _ in range(3):  # more late dossiers after the freeze
        walk_to_approval(receive("2026-04-24 10:00"), world, "2026-06-01 09:00")

    frozen.refresh_from_db()
    assert (frozen.evidence, frozen.suggested_score, frozen.score) == before
    with pytest.raises(InvalidTransition):
        services.collect_inspection_evidence(inspection, actor=inspector)
    frozen.refresh_from_db()
    assert frozen.evidence["metrics"]["late"] == 1


def test_override_needs_a_reason_and_respects_the_maximum(world, receive, inspection, inspector):
    walk_to_approval(receive("2026-04-24 09:00"), world, "2026-05-20 09:00")
    conduct(inspection, inspector)
    item = result_of(inspection, EvidenceKind.TIMELINESS).item
    with pytest.raises(InvalidInput) as error:
        services.score_item(inspection, item, actor=inspector, score="5")
    assert "reason" in error.value.fields
    with pytest.raises(InvalidInput):
        services.score_item(inspection, item, actor=inspector, score="25", reason="x")
    result = services.score_item(inspection, item, actor=inspector, score="5",
                                 reason="Hồ sơ trễ do lỗi phần mềm")
    assert result.score == Decimal("5") and result.override_reason
    manual = result_of(inspection, EvidenceKind.MANUAL).item
    with pytest.raises(InvalidInput):
        services.score_item(inspection, manual, actor=inspector)  # nothing to accept
    assert services.score_item(inspection, manual, actor=inspector, score="4").score == 4


def adopt(plan, inspector, inspections):
    conference = services.hold_conference(
        plan, actor=inspector, held_on=datetime.date(2026, 8, 16), chair="Giám đốc Sở Nội vụ",
        sites=[{"unit": i.unit, "name": f"Điểm cầu {i.unit.name}", "participants": "Lãnh đạo"}
               for i in inspections])
    return conference, services.adopt_inspection_results(conference, actor=inspector,
                                                         inspections=inspections)


def test_adoption_locks_the_results(world, plan, inspection, inspector):
    conduct(inspection, inspector)
    conference = services.hold_conference(plan, actor=inspector, held_on=datetime.date(2026, 8, 16),
                                          chair="Giám đốc Sở")
    with pytest.raises(InvalidTransition):  # not finalised yet
        services.adopt_inspection_results(conference, actor=inspector, inspections=[inspection])
    finding = services.add_finding(inspection, actor=inspector, kind=FindingKind.LIMITATION,
                                   text="Còn hồ sơ trễ hạn")
    services.finalise_inspection(inspection, actor=inspector)
    services.add_recommendation(inspection, actor=inspector, text="Khắc phục hồ sơ trễ hạn",
                                deadline=datetime.date(2026, 12, 31), finding=finding)
    services.adopt_inspection_results(conference, actor=inspector, inspections=[inspection])
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.ADOPTED and inspection.conference == conference
    assert list(inspection.history.values_list("status_after", flat=True)) == [
        "planned", "in_progress", "finalised", "adopted"]
    item = result_of(inspection, EvidenceKind.STAFFING).item
    for attempt in (
        lambda: services.score_item(inspection, item, actor=inspector),
        lambda: services.add_finding(inspection, actor=inspector, kind="strength", text="x"),
        lambda: services.add_recommendation(inspection, actor=inspector, text="x",
                                            deadline=datetime.date(2027, 1, 1)),
        lambda: services.finalise_inspection(inspection, actor=inspector),
        lambda: services.adopt_inspection_results(conference, actor=inspector,
                                                  inspections=[inspection]),
    ):
        with pytest.raises(InvalidTransition):
            attempt()


def test_follow_up_report_verify_reopen_and_overdue(world, plan, inspection, inspector,
                                                    home_affairs):
    conduct(inspection, inspector)
    services.finalise_inspection(inspection, actor=inspector)
    rec = services.add_recommendation(inspection, actor=inspector, text="Đăng tin CCHC đều đặn",
                                      deadline=datetime.date(2026, 9, 30))
    adopt(plan, inspector, [inspection])
    assert rec.is_overdue(datetime.date(2026, 10, 1))
    assert selectors.overdue_recommendations(
        selectors.visible_recommendations(home_affairs), datetime.date(2026, 10, 1)).count() == 1
    with pytest.raises(InvalidTransition):
        services.verify_remediation(rec, actor=home_affairs)
    with pytest.raises(NotFound):  # another commune's officer
        services.report_remediation(rec, actor=world.outsider, text="x")
    services.report_remediation(rec, actor=world.leader, text="Đã đăng 4 tin/tháng")
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.REPORTED and not rec.is_overdue(
        datetime.date(2026, 10, 1))
    with pytest.raises(Forbidden):
        services.verify_remediation(rec, actor=world.leader)
    services.reopen_recommendation(rec, actor=home_affairs, text="Chưa đủ")
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.REOPENED
    services.report_remediation(rec, actor=world.leader, text="Đã bổ sung")
    services.verify_remediation(rec, actor=home_affairs, text="Đạt")
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.VERIFIED
    assert list(rec.reports.values_list("status_after", flat=True)) == [
        "reported", "reopened", "reported", "verified"]


def test_units_see_only_their_own_recommendations(world, plan, inspector):
    mine, other = plan.inspections.get(unit=world.commune), plan.inspections.get(
        unit=world.other_commune)
    recs = {}
    for inspection in (mine, other):
        conduct(inspection, inspector)
        services.finalise_inspection(inspection, actor=inspector)
        recs[inspection.unit.pk] = services.add_recommendation(
            inspection, actor=inspector, text="Kiến nghị", deadline=datetime.date(2026, 12, 1))
    assert list(selectors.visible_recommendations(world.leader)) == [recs[world.commune.pk]]
    assert selectors.visible_recommendations(inspector).count() == 2
    with pytest.raises(NotFound):
        selectors.get_recommendation(world.leader, recs[world.other_commune.pk].pk)


def test_plan_tasks_feed_the_evidence(world, inspection, inspector):
    reform = services.create_reform_plan(actor=inspector, province=world.province, year=2026,
                                         title="Kế hoạch CCHC năm 2026", number="10/KH-UBND")
    done = services.add_reform_task(reform, actor=inspector, area="Cải cách TTHC",
                                    content="Rà soát TTHC", lead_unit=world.commune,
                                    deadline=datetime.date(2026, 6, 30))
    services.add_reform_task(reform, actor=inspector, area="Tuyên truyền",
                             content="Tuyên truyền CCHC", lead_unit=world.commune,
                             deadline=datetime.date(2026, 3, 31))
    services.report_task_progress(done, actor=world.leader, text="Đã rà soát",
                                  document_number="05/BC-UBND",
                                  document_date=datetime.date(2026, 6, 20),
                                  completed_on=datetime.date(2026, 6, 20))
    with pytest.raises(NotFound):
        services.report_task_progress(done, actor=world.outsider, text="x")
    conduct(inspection, inspector)
    tasks = result_of(inspection, EvidenceKind.PLAN_TASKS)
    assert tasks.evidence["metrics"] == {"tasks": 2, "on_time": 1, "documents": 1}
    assert tasks.suggested_score == Decimal("5.00")
