import datetime
import io

import pytest
from django.urls import reverse

from cchc.inspection import services
from cchc.inspection.models import EvidenceKind, InspectionStatus

from .conftest import walk_to_approval

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_inspection_from_plan_to_adopted_report_over_http(client, world, receive, plan,
                                                         inspection, inspector):
    walk_to_approval(receive("2026-04-24 09:00"), world, "2026-05-20 09:00")
    login(client, inspector)
    assert client.get(reverse("inspection:home")).status_code == 200
    assert client.get(reverse("inspection:plan", args=[plan.pk])).status_code == 200
    act = lambda action, **data: client.post(  # noqa: E731
        reverse("inspection:inspection_action", args=[inspection.pk, action]), data)
    act("bat-dau")
    item = inspection.plan.criteria_set.areas.get(code="III").items.get(
        evidence_kind=EvidenceKind.TIMELINESS)
    act("cham-diem", item=item.pk, score="")
    act("nhan-xet", kind="limitation", item=item.pk, text="Còn hồ sơ trễ hạn")
    act("kien-nghi", item=item.pk, text="Giải quyết hồ sơ đúng hạn", deadline="2026-12-31")
    act("hoan-thanh")
    page = client.get(reverse("inspection:inspection", args=[inspection.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Còn hồ sơ trễ hạn" in text and "Giải quyết hồ sơ đúng hạn" in text
    client.post(reverse("inspection:conference_create", args=[plan.pk]),
                {"held_on": "2026-08-16", "chair": "Giám đốc Sở Nội vụ", "online": "on"})
    conference = plan.conferences.get()
    client.post(reverse("inspection:conference_adopt", args=[conference.pk]),
                {"minutes": "Thống nhất thông qua"})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.ADOPTED
    chart = client.get(reverse("inspection:plan_chart", args=[plan.pk]))
    assert chart["Content-Type"] == "image/svg+xml" and b"Ph\xc6\xb0\xe1\xbb\x9dng H\xe1\xbb\x93ng Ng\xe1\xbb\xb1" in chart.content
    docx = client.get(reverse("inspection:document", args=[inspection.pk, "bao-cao", "docx"]))
    assert docx.status_code == 200
    from docx import Document

    body = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Phường Hồng Ngự" in body and "Còn hồ sơ trễ hạn" in body and "{{" not in body
    pdf = client.get(reverse("inspection:document", args=[inspection.pk, "ket-luan", "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_unit_sees_only_its_own_follow_ups(client, world, plan, inspector):
    recs = {}
    for inspection in plan.inspections.all():
        services.start_inspection(inspection, actor=inspector)
        services.finalise_inspection(inspection, actor=inspector)
        recs[inspection.unit_id] = services.add_recommendation(
            inspection, actor=inspector, text=f"Kiến nghị {inspection.unit.name}",
            deadline=datetime.date(2026, 12, 1))
    conference = services.hold_conference(plan, actor=inspector,
                                          held_on=datetime.date(2026, 8, 16), chair="Sở")
    services.adopt_inspection_results(conference, actor=inspector)
    login(client, world.leader)
    mine, other = recs[world.commune.pk], recs[world.other_commune.pk]
    listing = client.get(reverse("inspection:recommendations")).content.decode()
    assert mine.text in listing and other.text not in listing
    assert client.get(reverse("inspection:recommendation", args=[other.pk])).status_code == 404
    response = client.post(reverse("inspection:recommendation", args=[mine.pk]),
                           {"action": "report", "text": "Đã khắc phục"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "reported"
    api = client.get("/api/v1/inspection/recommendations/").json()
    ids = [r["id"] for r in (api["results"] if isinstance(api, dict) else api)]
    assert ids == [mine.pk]
    assert client.get(f"/api/v1/inspection/recommendations/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/inspection/recommendations/{other.pk}/report/",
                       {"text": "x"}).status_code == 404


def test_api_locked_inspection_answers_409(client, world, plan, inspection, inspector):
    login(client, inspector)
    base = f"/api/v1/inspection/inspections/{inspection.pk}"
    assert client.post(f"{base}/start/").status_code == 200
    evidence = client.get(f"{base}/evidence/").json()
    assert {row["evidence_kind"] for row in evidence} >= {"timeliness", "staffing"}
    assert client.post(f"{base}/finalise/").status_code == 200
    conference = services.hold_conference(plan, actor=inspector,
                                          held_on=datetime.date(2026, 8, 16), chair="Sở")
    services.adopt_inspection_results(conference, actor=inspector, inspections=[inspection])
    response = client.post(f"{base}/finding/", {"kind": "strength", "text": "Tốt"})
    assert response.status_code == 409
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/inspection/inspections/{id}/evidence/" in schema


def test_task_report_quarterly_and_annual(client, world, inspector):
    reform = services.create_reform_plan(actor=inspector, province=world.province, year=2026,
                                         title="Kế hoạch CCHC năm 2026")
    services.add_reform_task(reform, actor=inspector, area="Cải cách TTHC",
                             content="Rà soát TTHC quý 1", lead_unit=world.commune,
                             deadline=datetime.date(2026, 3, 31))
    services.add_reform_task(reform, actor=inspector, area="Tuyên truyền",
                             content="Tuyên truyền quý 4", lead_unit=world.commune,
                             deadline=datetime.date(2026, 12, 15))
    login(client, inspector)
    from docx import Document

    response = client.get(reverse("inspection:task_report", args=[reform.pk, "docx"]) + "?quy=1")
    cells = [c.text for t in Document(io.BytesIO(response.content)).tables for r in t.rows
             for c in r.cells]
    assert "Rà soát TTHC quý 1" in cells and "Tuyên truyền quý 4" not in cells
    pdf = client.get(reverse("inspection:task_report", args=[reform.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    login(client, world.leader)
    assert client.get(reverse("inspection:task_report", args=[reform.pk, "pdf"])).status_code == 404
    assert client.get(reverse("inspection:tasks")).status_code == 200
