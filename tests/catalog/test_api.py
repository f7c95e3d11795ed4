"""The catalog API: public reads with the page's matching, 4xx for bad parameters (never 5xx),
writes only for administrators, through the services."""

import datetime
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from cchc.catalog.models import AnnouncementDecision, Procedure
from cchc.org.models import Role
from tests.factories import MembershipFactory, UserFactory

CODE = "1.001193.000.00.00.H20"


@pytest.fixture
def api():
    return APIClient()


def test_search_is_public_paginated_and_folded(demo_catalog, api):
    for query in ("khai sinh", "KHAI SINH", "khải sinh", "dang ky khai sinh"):
        body = api.get("/api/v1/procedures/", {"search": query, "on": "2026-11-27"}).json()
        assert "Đăng ký khai sinh" in [r["name"] for r in body["results"]], query
    body = api.get("/api/v1/procedures/", {"page_size": 10, "on": "2026-11-27"}).json()
    assert body["count"] == 59 and len(body["results"]) == 10 and body["next"]
    first = api.get("/api/v1/procedures/", {"search": "1.001193"}).json()["results"][0]
    assert first["code"] == CODE and first["url"] == f"/thu-tuc/{CODE}/"
    assert first["methods"][0] == {"channel": "direct", "days": "0.0", "fee": 0, "description": ""}


def test_filters(demo_catalog, api):
    def count(**params):
        body = api.get("/api/v1/procedures/", {"on": "2026-11-27", **params}).json()
        assert "count" in body, (params, body)
        return body["count"]

    assert count(level="province") == 7
    assert count(field="viec-lam") == 3
    assert count(channel="postal") == 6
    assert count(status="abolished") == 7
    assert count(agency="000.00.00.H20") == 59
    assert count(on="2022-01-20") == 31


@pytest.mark.parametrize(("params", "field"), [
    ({"level": "thon"}, "level"),
    ({"field": "khong-co"}, "field"),
    ({"agency": "123"}, "agency"),
    ({"agency": "999.99.99.H99"}, "agency"),
    ({"channel": "fax"}, "channel"),
    ({"status": "x"}, "status"),
    ({"on": "2026-13-01"}, "on"),
    ({"on": "0001-01-01"}, "on"),
    ({"search": "a" * 201}, "search"),
    ({"search": "khai\x00sinh"}, "search"),
])
def test_bad_parameters_are_400_with_code(demo_catalog, api, params, field):
    response = api.get("/api/v1/procedures/?" + urlencode(params))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"]


def test_bad_page_is_4xx(demo_catalog, api):
    for query in ("page=abc", "page=999", "page=0", "page_size=-1", "page_size=x"):
        assert 400 <= api.get(f"/api/v1/procedures/?{query}").status_code < 500, query


PARAMS = st.sampled_from(["search", "field", "level", "agency", "channel", "status", "on", "page",
                          "page_size", "x"])
VALUES = st.one_of(st.text(max_size=60), st.sampled_from(["", "0", "-1", "1e9", "2026-02-30",
                                                          "000.00.00.H20", "%", "'", "\\", "ho-tich"]))


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(PARAMS, VALUES), max_size=4))
def test_random_query_strings_never_5xx(demo_catalog, params):
    api = APIClient()
    query = urlencode(params)
    assert api.get(f"/api/v1/procedures/?{query}").status_code < 500
    assert api.get(f"/api/v1/procedures/{CODE}/?{query}").status_code < 500
    assert api.get(f"/api/v1/postings/?{query}").status_code < 500
    assert api.get(f"/thu-tuc/?{query.replace('search', 'q')}").status_code < 500


def test_detail_by_local_or_base_code_and_date(demo_catalog, api):
    body = api.get(f"/api/v1/procedures/{CODE}/", {"on": "2026-03-15"}).json()
    assert body["version"]["version"] == 1 and body["status_on"] == "in_force"
    assert len(body["history"]) == 2
    body = api.get("/api/v1/procedures/1.001193/").json()
    assert body["code"] == CODE and body["version"]["version"] == 2
    assert len(body["version"]["components"]) == 4
    old = api.get("/api/v1/procedures/1.009974/", {"on": "2025-07-01"}).json()
    assert old["status_on"] == "abolished"
    assert old["replaced_by"] == "1.013225.000.00.00.H20"
    assert api.get("/api/v1/procedures/9.999999/").status_code == 404
    assert api.get("/api/v1/procedures/khai-sinh/").status_code == 404
    assert api.get(f"/api/v1/procedures/{CODE}/?on=hom-nay").status_code == 400


def test_announcements_and_postings(demo_catalog, api):
    body = api.get("/api/v1/announcements/").json()
    assert body["count"] == 9
    latest = body["results"][0]
    assert latest["number"] == "415/QĐ-UBND" and latest["items_count"] == 3
    late = [r["number"] for r in body["results"] if r["published_late"]]
    assert late == ["2104/QĐ-UBND", "1632/QĐ-UBND"]
    detail = api.get(f"/api/v1/announcements/{latest['id']}/").json()
    assert [i["action"] for i in detail["items"]] == ["amended"] * 3
    postings = api.get("/api/v1/postings/", {"agency": "000.10.50.H20", "on": "2026-11-27"})
    assert postings.status_code == 200 and len(postings.json()["postings"]) == 50
    assert api.get("/api/v1/postings/", {"agency": "000.00.00.H20"}).status_code == 404
    assert api.get("/api/v1/postings/").status_code == 400
    assert api.get("/api/v1/postings/gaps/", {"agency": "000.10.50.H20"}).status_code in (401, 403)


NEW_PROCEDURE = {
    "base_code": "1.999999", "agency": "000.00.00.H20", "effective_from": "2026-01-01",
    "name": "Thủ tục thử nghiệm", "level": "commune", "field": "ho-tich",
    "methods": [{"channel": "direct", "days": "0.5", "fee": 1000}],
    "components": [{"name": "Đơn", "originals": 1}],
}


def admin_client(role):
    client = APIClient()
    user = UserFactory()
    MembershipFactory(user=user, role=role)
    client.force_authenticate(user)
    return client


def test_writes_need_an_administrator(demo_catalog, api):
    assert api.post("/api/v1/procedures/", NEW_PROCEDURE, format="json").status_code in (401, 403)
    officer = admin_client(Role.DESK_OFFICER)
    response = officer.post("/api/v1/procedures/", NEW_PROCEDURE, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    for role in (Role.SYSTEM_ADMIN, Role.HOME_AFFAIRS_ADMIN):
        client = admin_client(role)
        payload = {**NEW_PROCEDURE, "base_code": "1.99999" + ("8" if role == "system_admin" else "7")}
        response = client.post("/api/v1/procedures/", payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["version"]["methods"][0]["days"] == "0.5"


def test_invalid_write_names_the_fields(demo_catalog):
    client = admin_client(Role.SYSTEM_ADMIN)
    response = client.post("/api/v1/procedures/", {**NEW_PROCEDURE, "base_code": "1.99",
                                                   "methods": [{"channel": "direct", "days": -1}],
                                                   "level": "x"}, format="json")
    assert response.status_code == 400
    assert {"methods", "level"} <= set(response.json()["errors"])
    response = client.post("/api/v1/procedures/", {**NEW_PROCEDURE, "base_code": "1.99"},
                           format="json")
    assert response.status_code == 400 and "base_code" in response.json()["errors"]
    response = client.post("/api/v1/procedures/", {**NEW_PROCEDURE, "base_code": "1.001193"},
                           format="json")
    assert response.status_code == 400 and response.json()["code"] == "duplicate_code"


def test_patch_only_without_announcements(demo_catalog):
    client = admin_client(Role.SYSTEM_ADMIN)
    client.post("/api/v1/procedures/", NEW_PROCEDURE, format="json")
    response = client.patch("/api/v1/procedures/1.999999.000.00.00.H20/",
                            {"name": "Tên đã sửa"}, format="json")
    assert response.status_code == 200 and response.json()["version"]["name"] == "Tên đã sửa"
    response = client.patch(f"/api/v1/procedures/{CODE}/", {"name": "x"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "announced_procedure"


def test_create_announcement(demo_catalog):
    client = admin_client(Role.HOME_AFFAIRS_ADMIN)
    payload = {
        "number": "99/QĐ-UBND", "issued_on": "2026-11-20", "effective_on": "2026-12-01",
        "issuer": "Chủ tịch Ủy ban nhân dân tỉnh Đồng Tháp", "issuing_agency": "000.00.00.H20",
        "legal_text": "Nghị định thử", "legal_effective_on": "2026-12-01",
        "items": [
            {"action": "amended", "procedure": CODE,
             "data": {"methods": [{"channel": "online", "days": 0, "fee": 0}]}},
            {"action": "abolished", "procedure": "1.004772.000.00.00.H20"},
            {"action": "replaced", "procedure": "1.004884.000.00.00.H20",
             "replacement": {"base_code": "1.999990", "data": {"name": "Đăng ký lại khai sinh (mới)"}}},
            {"action": "new", "base_code": "1.999991", "data": {**{k: NEW_PROCEDURE[k] for k in (
                "name", "level", "field", "methods", "components")}}},
        ],
    }
    response = client.post("/api/v1/announcements/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["published_late"] is False and body["items_count"] == 4
    procedure = Procedure.objects.get(code=CODE)
    from cchc.catalog.selectors import version_in_force

    assert version_in_force(procedure, datetime.date(2026, 12, 1)).methods.get().channel == "online"
    replaced = Procedure.objects.get(base_code="1.004884")
    assert replaced.replaced_by.base_code == "1.999990"
    assert replaced.replaced_by.versions.get().components.count() == 2  # copied from the old one

    again = client.post("/api/v1/announcements/", payload, format="json")
    assert again.status_code == 400 and "number" in again.json()["errors"]
    bad = client.post("/api/v1/announcements/", {**payload, "number": "100/QĐ", "items": [
        {"action": "amended", "procedure": CODE, "effective_on": "2020-01-01",
         "data": {"name": "x"}}]}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "effective_date_order"
    assert not AnnouncementDecision.objects.filter(number="100/QĐ").exists()
    bad = client.post("/api/v1/announcements/", {**payload, "number": "101/QĐ", "items": [
        {"action": "new", "base_code": "1.999992", "data": {"name": "x"}}]}, format="json")
    assert bad.status_code == 400 and "items" in bad.json()["errors"]
    officer = admin_client(Role.INSPECTOR)
    assert officer.post("/api/v1/announcements/", payload, format="json").status_code == 403


def test_schema_documents_the_catalog(db, api):
    schema = api.get("/api/schema/").content.decode()
    assert "/api/v1/procedures/" in schema and "/api/v1/postings/gaps/" in schema
