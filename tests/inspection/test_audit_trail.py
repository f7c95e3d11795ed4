"""Inspection conclusions in the hash-chained audit log: every status change of an
inspection (start, finalise, reopen, adoption), findings, recommendations and their
follow-up, and scores — in the transaction of the change."""

import datetime

import pytest
from django.db import transaction

from cchc.core.models import AuditRecord
from cchc.errors import DomainError
from cchc.inspection import services
from cchc.inspection.models import EvidenceKind, FindingKind, ItemResult

pytestmark = pytest.mark.django_db


def actions(prefix="inspection."):
    return [(r.action, r.actor_id, r.data) for r in
            AuditRecord.objects.filter(action__startswith=prefix).order_by("seq")]


def test_status_changes_findings_and_follow_up_are_recorded(world, plan, inspection, inspector,
                                                            home_affairs):
    services.start_inspection(inspection, actor=inspector)
    finding = services.add_finding(inspection, actor=inspector, kind=FindingKind.LIMITATION,
                                   text="Còn hồ sơ trễ hạn")
    item = ItemResult.objects.filter(inspection=inspection,
                                     item__evidence_kind=EvidenceKind.STAFFING).first().item
    services.score_item(inspection, item, actor=inspector, score="1", reason="Thiếu người")
    services.finalise_inspection(inspection, actor=inspector)
    rec = services.add_recommendation(inspection, actor=inspector, text="Khắc phục",
                                      deadline=datetime.date(2026, 12, 31), finding=finding)
    conference = services.hold_conference(plan, actor=inspector,
                                          held_on=datetime.date(2026, 8, 16), chair="Giám đốc Sở")
    services.adopt_inspection_results(conference, actor=inspector, inspections=[inspection])
    services.report_remediation(rec, actor=world.leader, text="Đã khắc phục")
    services.verify_remediation(rec, actor=home_affairs, text="Đạt")
    found = actions()
    assert [a for a, _actor, _d in found] == [
        "inspection.status_changed", "inspection.finding_added", "inspection.item_scored",
        "inspection.status_changed", "inspection.recommendation_added",
        "inspection.status_changed", "inspection.recommendation_status_changed",
        "inspection.recommendation_status_changed"]
    statuses = [(d["status_before"], d["status_after"]) for a, _x, d in found
                if a.endswith("status_changed")]
    assert statuses == [("planned", "in_progress"), ("in_progress", "finalised"),
                        ("finalised", "adopted"), ("open", "reported"), ("reported", "verified")]
    assert [actor for _a, actor, _d in found][-2:] == [world.leader.pk, home_affairs.pk]
    assert found[2][2]["override_reason"] == "Thiếu người"


def test_a_refused_or_rolled_back_change_leaves_no_record(world, inspection, inspector):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.start_inspection(inspection, actor=inspector)
        assert actions()
        raise RuntimeError
    assert actions() == []
    with pytest.raises(DomainError):  # a commune leader is no inspector
        services.finalise_inspection(inspection, actor=world.leader)
    assert actions() == []
