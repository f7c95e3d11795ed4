"""The report pages and the API: who sees what, every number of the page links to as many
dossiers as it says, charts are inline SVG, exports download, bad parameters are 400 naming
the fields."""

import io
import re
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cchc.onestop import services
from cchc.onestop.models import Status
from tests.reports.oracle import local, period_ends, play
from tests.reports.test_timeliness import PERIODS, scenarios

pytestmark = pytest.mark.django_db
MAY = {"tu_ngay": "2026-05-01", "den_ngay": "2026-05-31"}


def rate_the_returned(histories):
    for history in histories:
        if history.dossier.status == Status.RETURNED:
            services.rate_dossier(history.dossier, level="satisfied", at=local("2026-05-05 10:00"))


@pytest.fixture
def data(rw):
    histories = scenarios(rw)
    play(histories, period_ends(PERIODS))
    rate_the_returned(histories)
    return rw


@pytest.fixture
def ha_client(client, data):
    client.force_login(data.home_affairs)
    return client


def test_dashboard_renders_svg_charts_and_exports(ha_client):
    response = ha_client.get(reverse("reports:dashboard"), MAY)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") >= 4
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn theo tháng" in html
    assert "100,0%" in html  # the one rating: satisfied
    assert "http://" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", html).split("<main")[1]
    for table in ("xu-huong", "qua-han", "thu-tuc-tre", "buoc-tre", "thoi-gian", "hai-long"):
        export = ha_client.get(reverse("reports:dashboard_export", args=[table]), MAY)
        assert export.status_code == 200
        ws = load_workbook(io.BytesIO(export.content)).active
        assert ws["A1"].value and ws["A4"].value
    assert ha_client.get(reverse("reports:dashboard_export", args=["khac"]), MAY).status_code == 404


def test_every_number_on_the_page_links_to_as_many_dossiers(ha_client):
    response = ha_client.get(reverse("reports:timeliness"), {**MAY, "nhom": "unit"})
    html = response.content.decode()
    links = re.findall(r'<td class="num"><a href="([^"]+)">(\d+)</a></td>', html)
    assert len(links) >= 15
    for href, number in links:
        page = ha_client.get(unescape(href))
        assert page.status_code == 200
        listed = re.search(r"(\d+) hồ sơ, kỳ từ", page.content.decode())
        assert listed and int(listed.group(1)) == int(number), href
    for fmt, kind in (("xlsx", "spreadsheetml"), ("pdf", "pdf")):
        export = ha_client.get(reverse("reports:timeliness_export", args=[fmt]), MAY)
        assert export.status_code == 200 and kind in export["Content-Type"]
    assert ha_client.get(reverse("reports:timeliness_export", args=["doc"]), MAY).status_code == 404


def test_bad_filters_show_field_errors(ha_client):
    response = ha_client.get(reverse("reports:timeliness"), {"tu_ngay": "2026-05-31", "den_ngay": "2026-05-01"})
    assert response.status_code == 200
    assert "Ngày cuối kỳ phải sau" in response.content.decode() or "Trước ngày đầu kỳ" in response.content.decode()
    response = ha_client.get(reverse("reports:timeliness"), {**MAY, "don_vi": "77777"})
    assert "Không tìm thấy đơn vị" in response.content.decode()


def test_scorecard_review_and_proposal_pages(ha_client, data, client):
    assert ha_client.get(reverse("reports:scorecard"), {"thang": "2026-05"}).status_code == 200
    html = ha_client.get(reverse("reports:scorecard"), {"thang": "2026-05"}).content.decode()
    assert "không có dữ liệu" in html and "2.1" in html
    review = ha_client.get(reverse("reports:review"), {"nam": "2026"})
    assert data.w.five_days.code in review.content.decode()
    url = reverse("reports:review_procedure", args=[data.w.five_days.code])
    assert ha_client.get(url, {"nam": "2026"}).status_code == 200
    created = ha_client.post(url + "?nam=2026", {
        "kind": "cut_time", "proposed_days": "4", "unit": str(data.w.province.pk),
        "justification": "Phần lớn hồ sơ xong trong 3 ngày."})
    assert created.status_code == 302
    detail = created["Location"]
    assert "Trình phê duyệt" in ha_client.get(detail).content.decode()
    pk = int(detail.rstrip("/").split("/")[-1])
    ha_client.post(reverse("reports:proposal_act", args=[pk, "trinh"]), {"note": ""})
    page = ha_client.get(detail).content.decode()
    assert "Đã trình" in page
    # The submitter does not approve their own proposal.
    ha_client.post(reverse("reports:proposal_act", args=[pk, "phe-duyet"]), {"note": ""})
    assert "Đã trình" in ha_client.get(detail).content.decode()
    assert ha_client.get(reverse("reports:proposals")).status_code == 200
    export = ha_client.get(reverse("reports:proposals_approved_export"))
    assert load_workbook(io.BytesIO(export.content)).active["A1"].value


def test_desk_officers_and_anonymous_are_refused(client, data):
    assert client.get(reverse("reports:dashboard")).status_code == 302  # to the login page
    client.force_login(data.w.desk_officer)
    assert client.get(reverse("reports:dashboard")).status_code == 403
    assert client.get(reverse("reports:timeliness"), MAY).status_code == 403


def test_a_commune_leader_sees_only_the_commune(client, data):
    client.force_login(data.other_leader)
    html = client.get(reverse("reports:timeliness"), MAY).content.decode()
    assert "Xã Tân Hồng" in html and "Phường Hồng Ngự" not in html


# -- API ------------------------------------------------------------------------------------------


@pytest.fixture
def api(data):
    client = APIClient()
    client.force_authenticate(data.home_affairs)
    return client


def test_api_timeliness_json_and_drill_down(api):
    response = api.get("/api/v1/reports/timeliness/", {"from": "2026-05-01", "to": "2026-05-31"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"from", "to", "rows", "totals"}
    row = body["rows"][0]
    assert set(row) == {"unit", "unit_name", "received", "resolved", "pending"}
    listed = api.get("/api/v1/reports/timeliness/dossiers/", {
        "from": "2026-05-01", "to": "2026-05-31", "measure": "overdue", "key": row["unit"], "page_size": 500})
    assert listed.status_code == 200
    assert listed.json()["count"] == row["pending"]["overdue"]
    by_field = api.get("/api/v1/reports/timeliness/", {"from": "2026-05-01", "to": "2026-05-31", "group": "field"})
    assert {r["field"] for r in by_field.json()["rows"]} == {"HT", "CT"}


def test_api_bad_parameters_are_400_naming_the_fields(api):
    response = api.get("/api/v1/reports/timeliness/", {"from": "2026-13-01", "to": "x", "mode": "y",
                                                      "group": "z", "unit": "nope"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"from", "to", "mode", "group", "unit"}
    missing = api.get("/api/v1/reports/timeliness/dossiers/", {"from": "2026-05-01", "to": "2026-05-31",
                                                               "measure": "all"})
    assert missing.status_code == 400 and "measure" in missing.json()["errors"]
    assert api.get("/api/v1/reports/scorecard/", {"month": "2026-13"}).status_code == 400
    assert api.get("/api/v1/reports/procedures/x/review/", {"year": "2026"}).status_code == 404


def test_api_scorecard_dashboard_review_and_proposals(api, data):
    card = api.get("/api/v1/reports/scorecard/", {"month": "2026-05"}).json()
    assert card["rows"] and card["rows"][0]["indicators"][0]["code"] == "1.1"
    board = api.get("/api/v1/reports/dashboard/", {"from": "2026-04-01", "to": "2026-05-31"}).json()
    assert [t["month"] for t in board["on_time_trend"]] == ["2026-04", "2026-05"]
    assert board["totals"]["received"]["total"] >= 1
    assert board["satisfaction"]["levels"]
    code = data.w.five_days.code
    review = api.get(f"/api/v1/reports/procedures/{code}/review/", {"year": "2026"})
    assert review.status_code == 200 and review.json()["procedure"] == code
    assert api.get(f"/api/v1/reports/procedures/{code}/review/", {"year": "x"}).status_code == 400
    assert api.get("/api/v1/reports/proposals/", {"status": "approved"}).json()["count"] == 0
    assert api.get("/api/v1/reports/proposals/", {"status": "maybe"}).status_code == 400


def test_api_refuses_desk_officers(data):
    client = APIClient()
    client.force_authenticate(data.w.desk_officer)
    response = client.get("/api/v1/reports/timeliness/", {"from": "2026-05-01", "to": "2026-05-31"})
    assert response.status_code == 403
    assert APIClient().get("/api/v1/reports/timeliness/").status_code in (401, 403)
