"""Reopening a finalised inspection (team leader, with a reason, before adoption) and the
per-area charts of an inspection and of a plan."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from cchc.inspection import charts, selectors, services
from cchc.inspection.models import EvidenceKind, InspectionStatus, ItemResult
from cchc.org.models import Role
from tests.factories import MembershipFactory, UserFactory

from .conftest import walk_to_approval

pytestmark = pytest.mark.django_db


def timeliness(inspection):
    return ItemResult.objects.get(inspection=inspection,
                                  item__evidence_kind=EvidenceKind.TIMELINESS)


@pytest.fixture
def member(world):
    """An inspector of the province who is not the team leader."""
    user = UserFactory(username="thanhvien")
    MembershipFactory(user=user, unit=world.province, role=Role.INSPECTOR)
    return user


def test_reopen_keeps_the_snapshot_and_refinalising_freezes_a_new_one(
        world, receive, plan, inspection, inspector):
    walk_to_approval(receive("2026-04-24 09:00"), world, "2026-05-20 09:00")  # late
    services.start_inspection(inspection, actor=inspector)
    item = timeliness(inspection).item
    services.score_item(inspection, item, actor=inspector, score="3", reason="Trễ nhiều")
    services.finalise_inspection(inspection, actor=inspector)
    first = timeliness(inspection)
    assert first.frozen and first.evidence["metrics"]["late"] == 1
    for _ in range(2):  # more late dossiers after the freeze
        walk_to_approval(receive("2026-04-24 10:00"), world, "2026-06-01 09:00")

    with pytest.raises(InvalidInput) as error:
        services.reopen_inspection(inspection, actor=inspector, reason="  ")
    assert "reason" in error.value.fields
    services.reopen_inspection(inspection, actor=inspector,
                               reason="Đơn vị cung cấp thêm hồ sơ trễ hạn chưa được tính")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS and inspection.frozen_at is None
    last = inspection.history.last()
    assert (last.action, last.status_before, last.status_after) == (
        "reopen", "finalised", "in_progress")
    assert last.actor == inspector and "hồ sơ trễ hạn" in last.note
    snapshot = inspection.snapshots.get()
    frozen_row = next(r for r in snapshot.results if r["item_id"] == item.pk)
    assert snapshot.number == 1 and snapshot.reopened_by == inspector
    assert frozen_row["evidence"]["metrics"]["late"] == 1 and frozen_row["score"] == "3.00"
    assert frozen_row["override_reason"] == "Trễ nhiều"
    assert not timeliness(inspection).frozen

    # Scores and evidence are editable again; finalising freezes a new snapshot.
    services.collect_inspection_evidence(inspection, actor=inspector)
    assert timeliness(inspection).evidence["metrics"]["late"] == 3
    services.score_item(inspection, item, actor=inspector)  # accept the new suggestion
    services.finalise_inspection(inspection, actor=inspector)
    second = timeliness(inspection)
    assert second.frozen and second.evidence["metrics"]["late"] == 3
    assert second.score == second.suggested_score
    snapshot.refresh_from_db()  # the earlier snapshot did not move
    assert next(r for r in snapshot.results
                if r["item_id"] == item.pk)["evidence"]["metrics"]["late"] == 1
    assert list(inspection.history.values_list("status_after", flat=True)) == [
        "planned", "in_progress", "finalised", "in_progress", "finalised"]


def test_only_the_team_leader_reopens_and_never_once_adopted(
        world, plan, inspection, inspector, member):
    with pytest.raises(InvalidTransition) as error:  # not finalised yet
        services.reopen_inspection(inspection, actor=inspector, reason="x")
    assert "chưa được thông qua" in str(error.value.message)
    services.start_inspection(inspection, actor=inspector)
    services.finalise_inspection(inspection, actor=inspector)
    with pytest.raises(Forbidden) as error:
        services.reopen_inspection(inspection, actor=member, reason="x")
    assert str(error.value.message) == "Chỉ trưởng đoàn kiểm tra mới được thực hiện thao tác này."
    elsewhere = UserFactory(username="kiemtra.khac")  # an inspector of another commune
    MembershipFactory(user=elsewhere, unit=world.other_commune, role=Role.INSPECTOR)
    with pytest.raises(NotFound):
        services.reopen_inspection(inspection, actor=elsewhere, reason="x")
    with pytest.raises(Forbidden):  # not an inspector at all
        services.reopen_inspection(inspection, actor=world.leader, reason="x")
    conference = services.hold_conference(plan, actor=inspector,
                                          held_on=datetime.date(2026, 8, 16), chair="Sở")
    services.adopt_inspection_results(conference, actor=inspector, inspections=[inspection])
    with pytest.raises(InvalidTransition) as error:
        services.reopen_inspection(inspection, actor=inspector, reason="Sai sót")
    assert str(error.value.message) == "Kết quả kiểm tra đã được thông qua, không thể sửa đổi."
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.ADOPTED and not inspection.snapshots.exists()


def test_reopen_over_http_and_api(client, world, plan, inspection, inspector, member):
    services.start_inspection(inspection, actor=inspector)
    services.finalise_inspection(inspection, actor=inspector)
    page_url = reverse("inspection:inspection", args=[inspection.pk])
    action = reverse("inspection:inspection_action", args=[inspection.pk, "mo-lai"])
    client.force_login(member)
    assert "Mở lại kết quả kiểm tra" not in client.get(page_url).content.decode()
    client.post(action, {"reason": "Thử"})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FINALISED
    client.force_login(world.outsider)
    assert client.post(action, {"reason": "Thử"}).status_code == 404
    assert client.post(f"/api/v1/inspection/inspections/{inspection.pk}/reopen/",
                       {"reason": "Thử"}).status_code == 404
    client.force_login(inspector)
    assert 'id="reopen"' in client.get(page_url).content.decode()
    client.post(action, {"reason": "Bổ sung minh chứng"})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS
    text = client.get(page_url).content.decode()
    assert "Các lần chốt minh chứng trước" in text and "Bổ sung minh chứng" in text
    api = f"/api/v1/inspection/inspections/{inspection.pk}"
    response = client.post(f"{api}/reopen/", {"reason": "Lần nữa"})
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert client.post(f"{api}/finalise/").status_code == 200
    response = client.post(f"{api}/reopen/", {"reason": ""})
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"
    response = client.post(f"{api}/reopen/", {"reason": "Lần nữa"})
    assert response.status_code == 200
    assert [s["reason"] for s in response.json()["snapshots"]] == [
        "Bổ sung minh chứng", "Lần nữa"]


# --- charts -----------------------------------------------------------------------------------


def test_area_chart_shows_each_area_against_its_maximum(world, plan, inspection, inspector):
    services.start_inspection(inspection, actor=inspector)
    staffing = ItemResult.objects.get(inspection=inspection,
                                      item__evidence_kind=EvidenceKind.STAFFING)
    services.score_item(inspection, staffing.item, actor=inspector, score="2.5", reason="Thiếu")
    areas = selectors.area_scores(inspection)
    assert [a["code"] for a in areas] == ["I", "II", "III", "IV", "V", "VI"]
    assert sum(a["max"] for a in areas) == 100
    area_v = next(a for a in areas if a["code"] == "V")
    assert (area_v["score"], area_v["max"]) == (Decimal("2.5"), Decimal(5))
    svg = charts.area_bars(areas)
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert "V. Bộ phận Tiếp nhận và Trả kết quả: 2,5/5" in desc
    assert "2,5 / 5" in svg  # the value printed beside the bar
    # Before any evidence: no score, said in words.
    other = plan.inspections.get(unit=world.other_commune)
    assert "chưa chấm" in charts.area_bars(selectors.area_scores(other))


def test_pages_render_the_area_charts_and_hide_other_units(client, world, plan, inspection,
                                                          inspector):
    services.start_inspection(inspection, actor=inspector)
    client.force_login(inspector)
    text = client.get(reverse("inspection:inspection", args=[inspection.pk])).content.decode()
    assert 'id="area-chart"' in text and "<svg" in text and 'id="area-scores"' in text
    plan_page = client.get(reverse("inspection:plan", args=[plan.pk])).content.decode()
    figure = plan_page[plan_page.index('id="area-comparison"'):]
    assert "<svg" in figure and world.commune.name in figure and world.other_commune.name in figure
    assert "<script" not in plan_page.split("<main", 1)[-1]
    # A commune leader sees its own inspection, not the other commune's.
    client.force_login(world.leader)
    assert client.get(reverse("inspection:inspection", args=[inspection.pk])).status_code == 200
    other = plan.inspections.get(unit=world.other_commune)
    assert client.get(reverse("inspection:inspection", args=[other.pk])).status_code == 404
    mine = client.get(reverse("inspection:plan", args=[plan.pk])).content.decode()
    assert world.other_commune.name not in mine[mine.index('id="area-comparison"'):]
