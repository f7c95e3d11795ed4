import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cchc.news import selectors, services
from cchc.news.models import PostingPolicy
from tests.news.conftest import make_article

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(7 * 60)


def at(y, m, d):
    return datetime.datetime(y, m, d, 9, 0, tzinfo=TZ)


@pytest.fixture
def history(portal):
    make_article(portal, "a", title="A1", when=at(2026, 1, 5))
    make_article(portal, "a", title="A2", when=at(2026, 1, 20))
    make_article(portal, "a", title="A3", when=at(2026, 2, 10))
    make_article(portal, "a", title="A4", when=at(2026, 3, 28))
    make_article(portal, "b", title="B1", when=at(2025, 12, 1))
    make_article(portal, "d", title="D1", when=at(2022, 8, 16))
    unpublished = make_article(portal, "a", title="A5 gỡ", when=at(2026, 3, 29))
    unpublished.unpublish()
    return portal


def test_posting_activity_per_unit_per_month(history):
    units = [history["units"]["a"], history["units"]["b"]]
    report = selectors.posting_activity(units, datetime.date(2026, 1, 1),
                                        datetime.date(2026, 3, 1), today=datetime.date(2026, 4, 15))
    assert report.months == ["2026-01", "2026-02", "2026-03"]
    a, b = report.rows
    assert [m.articles for m in a.months] == [2, 1, 1]
    assert a.total == 4
    assert a.last_published_at.date() == datetime.date(2026, 3, 28)
    assert a.days_since_last == 3  # as of the end of the period (31/3)
    assert [m.below_minimum for m in a.months] == [False, True, True]
    assert a.months_below_minimum == 2 and not a.overdue and not a.meets_policy
    assert [m.articles for m in b.months] == [0, 0, 0]
    assert b.last_published_at.date() == datetime.date(2025, 12, 1)  # before the period
    assert b.days_since_last == 120 and b.overdue
    assert b.longest_gap_days == 120


def test_threshold_is_the_province_policy(history):
    ha = history["users"]["ha_province"]
    services.set_posting_policy(ha, max_days_without_article=150, min_articles_per_month=1)
    report = selectors.posting_activity([history["units"]["a"], history["units"]["b"]],
                                        datetime.date(2026, 1, 1), datetime.date(2026, 3, 1),
                                        today=datetime.date(2026, 4, 15))
    assert report.rows[0].meets_policy
    assert not report.rows[1].overdue


def test_only_province_home_affairs_sets_the_policy(portal):
    from cchc.errors import Forbidden

    with pytest.raises(Forbidden):
        services.set_posting_policy(portal["users"]["ha_district"], max_days_without_article=10,
                                    min_articles_per_month=1)
    assert PostingPolicy.current().max_days_without_article == 30


def test_a_unit_that_never_posted_is_overdue(portal):
    row = selectors.posting_activity([portal["units"]["b"]], datetime.date(2026, 1, 1),
                                     datetime.date(2026, 1, 1)).rows[0]
    assert row.last_published_at is None and row.days_since_last is None and row.overdue


def test_page_is_scoped_to_the_users_units(client, history):
    client.force_login(history["users"]["ha_district"])
    response = client.get("/hoat-dong-dang-tin/", {"from": "2022-01", "to": "2022-12"})
    assert response.status_code == 200
    assert "Thành phố Hồng Ngự" in response.text
    assert "Xã Tân Hồng" not in response.text
    client.force_login(history["users"]["ha_province"])
    response = client.get("/hoat-dong-dang-tin/", {"from": "2025-12", "to": "2026-03"})
    assert "Xã Tân Hồng" in response.text and "Thành phố Hồng Ngự" in response.text
    assert "Ngưỡng đăng tin của tỉnh" in response.text  # the province may set it


def test_page_needs_a_home_affairs_role(client, portal):
    assert client.get("/hoat-dong-dang-tin/").status_code == 302
    client.force_login(portal["users"]["desk_a"])
    assert client.get("/hoat-dong-dang-tin/").status_code == 403


def test_page_sets_the_policy(client, portal):
    client.force_login(portal["users"]["ha_province"])
    response = client.post("/hoat-dong-dang-tin/nguong/", {"max_days_without_article": 20,
                                                           "min_articles_per_month": 3})
    assert response.status_code == 302
    assert PostingPolicy.current().min_articles_per_month == 3
    client.force_login(portal["users"]["ha_district"])
    assert client.post("/hoat-dong-dang-tin/nguong/", {"max_days_without_article": 5,
                                                       "min_articles_per_month": 0}).status_code == 403


def api(client, user, **params):
    token = Token.objects.create(user=user)
    return client.get("/api/v1/news/activity/", params, HTTP_AUTHORIZATION=f"Token {token.key}")


def test_api_returns_the_activity(client, history):
    response = api(client, history["users"]["ha_province"], **{"from": "2026-01", "to": "2026-03",
                                                              "unit": "2025:29955"})
    assert response.status_code == 200
    body = response.json()
    assert body["from"] == "2026-01" and body["policy"]["max_days_without_article"] == 30
    [row] = body["units"]
    assert row["unit"] == "2025:29955" and row["total"] == 4
    assert [m["articles"] for m in row["months"]] == [2, 1, 1]


@pytest.mark.parametrize(("params", "status", "code"), [
    ({"from": "2026-13"}, 400, "invalid_month"),
    ({"from": "hôm qua"}, 400, "invalid_month"),
    ({"from": "2026-03", "to": "2026-01"}, 400, "invalid_period"),
    ({"from": "2000-01", "to": "2026-01"}, 400, "period_too_long"),
    ({"unit": "xa-an"}, 400, "invalid_unit_key"),
    ({"unit": "2025:29926"}, 404, "not_found"),  # outside the district's scope
])
def test_api_rejects_bad_parameters(client, portal, params, status, code):
    response = api(client, portal["users"]["ha_district"], **params)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_api_needs_a_token_and_a_role(client, portal):
    assert client.get("/api/v1/news/activity/").status_code == 401
    assert api(client, portal["users"]["desk_a"]).status_code == 403


def test_schema_of_the_activity_endpoint_has_no_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.news.urls_api").get_schema(request=None, public=True)
    problems = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert problems == []
    validate_schema(schema)
    operation = schema["paths"]["/api/v1/news/activity/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "unit"}
