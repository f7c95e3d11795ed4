from datetime import date

import pytest
from django.urls import reverse

from cchc.workcal import services
from cchc.workcal.models import CalendarOverride

pytestmark = pytest.mark.django_db

DUE_URL = "/api/v1/public/calendar/due/"
DAYS_OFF_URL = "/api/v1/public/calendar/days-off/"


def test_the_page_is_public_and_named(client):
    assert reverse("workcal:calendar") == "/lich-lam-viec/"
    response = client.get("/lich-lam-viec/?nam=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tính ngày hẹn trả" in html
    assert "CV 12729/VPCP-KGVX" in html
    assert "10/01/2026" in html and "02/01/2026" in html
    assert "Nghỉ Tết Nguyên đán Bính Ngọ" in html
    assert "24/11/2026: nghỉ" in html


def test_the_home_page_links_to_it(client):
    assert 'href="/lich-lam-viec/"' in client.get("/").content.decode()


@pytest.mark.parametrize("year", ["abc", "1800", "99999", "2026.5", "-1", "%00"])
def test_a_bad_year_gives_a_friendly_message(client, year):
    response = client.get("/lich-lam-viec/", {"nam": year})
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()


def test_the_due_form(client):
    response = client.get("/lich-lam-viec/", {"tiep_nhan": "2025-01-24T09:00", "so_ngay": "5"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'datetime="2025-02-07T09:00:00+07:00"' in html
    assert "Lịch nghỉ Tết Âm lịch 2025" in html


@pytest.mark.parametrize("params", [
    {"tiep_nhan": "hôm nay", "so_ngay": "5"},
    {"tiep_nhan": "2025-01-24T09:00", "so_ngay": "-2"},
    {"tiep_nhan": "2025-01-24T09:00", "so_ngay": "0.2"},
    {"tiep_nhan": "", "so_ngay": ""},
    {"tiep_nhan": "2025-01-24T09:00"},
    {"tiep_nhan": "3000-01-01T09:00", "so_ngay": "1"},
])
def test_the_due_form_with_bad_input(client, params):
    response = client.get("/lich-lam-viec/", params)
    assert response.status_code == 200
    assert 'class="field__error"' in response.content.decode()


def test_api_due(client):
    response = client.get(DUE_URL, {"received": "2025-01-24T09:00:00+07:00", "days": "5"})
    assert response.status_code == 200
    data = response.json()
    assert data["due"] == "2025-02-07T09:00:00+07:00"
    assert data["explanation"]["effective_start"] == "2025-01-24T09:00:00+07:00"
    assert [d["hours"] for d in data["explanation"]["counted_days"]] == [6, 8, 8, 8, 8, 2]
    assert data["explanation"]["skipped_days"][0]["reference"].startswith("Lịch nghỉ Tết Âm lịch 2025")


def test_api_due_with_an_unescaped_plus(client):
    response = client.get(DUE_URL + "?received=2025-01-24T09:00:00+07:00&days=0")
    assert response.status_code == 200
    assert response.json()["due"] == "2025-01-24T17:00:00+07:00"


@pytest.mark.parametrize("params,field", [
    ({"received": "nope", "days": "1"}, "received"),
    ({"received": "2025-01-24T09:00", "days": "1.3"}, "days"),
    ({"received": "2025-01-24T09:00", "days": "-1"}, "days"),
    ({"received": "2025-01-24T09:00", "days": "1e400"}, "days"),
    ({"received": "2025-01-24T09:00"}, "days"),
    ({"days": "1"}, "received"),
    ({"received": "1000-01-24T09:00", "days": "1"}, "received"),
])
def test_api_due_bad_input(client, params, field):
    response = client.get(DUE_URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]


def test_api_days_off(client):
    response = client.get(DAYS_OFF_URL, {"year": "2026"})
    assert response.status_code == 200
    data = response.json()
    off = {d["date"]: d for d in data["days_off"]}
    assert off["2026-01-02"]["reference"] == "CV 12729/VPCP-KGVX"
    assert off["2026-11-24"]["source"] == "holiday"
    assert off["2026-11-24"]["reason"] == "Ngày Văn hóa Việt Nam"
    assert [d["date"] for d in data["working_days"]] == ["2026-01-10", "2026-08-22"]
    assert "2026-01-03" in off  # a Saturday inside the listed range
    assert "2026-01-17" not in off  # an ordinary Saturday is not listed


@pytest.mark.parametrize("year", ["", "x", "1999", "2101", "2026.5"])
def test_api_days_off_bad_year(client, year):
    response = client.get(DAYS_OFF_URL, {"year": year})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_api_days_off_needs_a_year(client):
    assert client.get(DAYS_OFF_URL).status_code == 400


def test_the_endpoints_are_in_the_openapi_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    due = schema["paths"]["/api/v1/public/calendar/due/"]["get"]
    assert {p["name"] for p in due["parameters"]} == {"received", "days"}
    assert due["security"] == [{}]  # no authentication needed
    assert "/api/v1/public/calendar/days-off/" in schema["paths"]


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-dai-1")
    client.force_login(user)
    return client


def test_admin_pages(admin_client):
    base = "/quan-tri/workcal/calendaroverride/"
    response = admin_client.get(base + "?nam=2026&kind__exact=working_day")
    assert response.status_code == 200
    assert "CV 12729/VPCP-KGVX" in response.content.decode()
    override = CalendarOverride.objects.get(date=date(2026, 1, 2))
    assert admin_client.get(f"{base}{override.pk}/history/").status_code == 200
    assert admin_client.get("/quan-tri/workcal/officehours/").status_code == 200
    assert admin_client.get("/quan-tri/workcal/officehours/add/").status_code == 403


def test_admin_cultural_day_form(admin_client):
    url = reverse("admin:workcal_calendaroverride_cultural_day")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"year": "2026", "off": "0", "reference": "CV 7/TEST"})
    assert response.status_code == 302
    assert CalendarOverride.objects.get(date=date(2026, 11, 24)).kind == "working_day"
    response = admin_client.post(url, {"year": "abc", "off": "1", "reference": ""})
    assert response.status_code == 200  # the form again, with its errors


def test_admin_edit_goes_through_the_service_and_invalidates(admin_client):
    from cchc.workcal import deadlines

    override = CalendarOverride.objects.get(date=date(2026, 1, 2))
    url = f"/quan-tri/workcal/calendaroverride/{override.pk}/change/"
    assert deadlines.is_working_day(date(2026, 1, 2)) is False
    response = admin_client.post(url, {"date": "2026-01-02", "kind": "working_day",
                                       "reference": "CV 12729/VPCP-KGVX", "note": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert deadlines.is_working_day(date(2026, 1, 2)) is True
    services.remove_override(date(2026, 1, 2))
    assert deadlines.is_working_day(date(2026, 1, 2)) is True  # the package alone: a working day


def test_the_page_in_english(client):
    response = client.get("/lich-lam-viec/", {"tiep_nhan": "2025-01-24T09:00", "so_ngay": "5"},
                          HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Working calendar and due dates" in html
    assert "09:00 Friday 07/02/2025" in html
