"""Generated junk for filters, actions, codes and submissions: always an answer in 4xx (with
the fields named on a 400), never a 5xx. And the timeliness filter agrees with
``timeliness.classify`` for any dossier state at any instant."""

import datetime
from urllib.parse import quote

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cchc.onestop.api import filter_timeliness
from cchc.onestop.models import Dossier, Status, Timeliness
from cchc.onestop.timeliness import Clock, classify
from tests.onestop.conftest import VN, at

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

junk_text = st.text(max_size=40)
junk_value = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | junk_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(junk_text, inner, max_size=3),
    max_leaves=6,
)
FILTERS = ["queue", "status", "procedure", "agency", "received_from", "received_to",
           "timeliness", "code", "ordering", "page_size"]
ACTIONS = ["accept", "refuse", "transfer", "send_back", "request_supplement",
           "receive_supplement", "request_financial", "receive_financial", "approve", "stop",
           "withdraw", "return_result", "apologize"]
PARAMS = ["version", "reason", "note", "documents", "amount", "result", "new_due_at"]


def query_text():
    return st.one_of(
        junk_text,
        st.sampled_from(["2", "1,2,3", "10", "0", "-1", "2026-04-24", "2026-02-30", "mine", "all",
                         "overdue,early", "due", "-received", "000.10.50.H20", "1.001612",
                         "9" * 40, "2026-04-24T09:00"]),
    )


@pytest.fixture
def no_throttles(settings):
    settings.CCHC_PUBLIC_LOOKUP_RATE = None
    settings.CCHC_PUBLIC_MISS_RATE = None
    settings.CCHC_PUBLIC_SUBMIT_RATE = None


@FUZZ
@given(params=st.dictionaries(st.sampled_from(FILTERS) | junk_text, query_text(), max_size=5))
def test_junk_filters_never_break_the_list(clients, receive, params):
    if not Dossier.objects.exists():
        receive()
    response = clients.desk.get("/api/v1/dossiers/", params)
    assert response.status_code in (200, 400), (params, response.content)
    if response.status_code == 400:
        assert response.json()["errors"]


@FUZZ
@given(body=st.fixed_dictionaries(
    {}, optional={"action": st.sampled_from(ACTIONS) | junk_value,
                  **{name: junk_value for name in PARAMS}, "colour": junk_value}))
def test_junk_actions_never_break_a_dossier(clients, received, body):
    response = clients.leader.post(f"/api/v1/dossiers/{received['code']}/actions/", body,
                                   format="json")
    assert response.status_code in (200, 400, 403, 409), (body, response.content)
    if response.status_code == 400:
        assert response.json()["code"] and response.json()["detail"]
    dossier = Dossier.objects.get(code=received["code"])
    assert dossier.events.count() == dossier.version + 1


def test_non_finite_numbers_are_a_parse_error(clients, received):
    response = clients.desk.post(f"/api/v1/dossiers/{received['code']}/actions/",
                                 '{"action": "request_financial", "amount": NaN}',
                                 content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


@pytest.mark.parametrize("code", ["%00", "000.10.50.H20-260424-0001%00", "%20", "%E2%80%AE"])
def test_odd_codes_are_not_found(clients, no_throttles, received, code):
    for client, path in ((clients.anon, f"/api/v1/public/dossiers/{code}/"),
                         (clients.desk, f"/api/v1/dossiers/{code}/"),
                         (clients.desk, f"/api/v1/dossiers/{code}/history/")):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = clients.desk.post(f"/api/v1/dossiers/{code}/actions/", {"action": "transfer"},
                                 format="json")
    assert response.status_code == 404
    response = clients.anon.post(f"/api/v1/public/dossiers/{code}/rating/", {"level": "satisfied"},
                                 format="json")
    assert response.status_code == 404


@FUZZ
@given(code=st.text(min_size=1, max_size=60).filter(lambda c: c not in (".", "..")))
def test_junk_codes_are_not_found(clients, no_throttles, world, code):
    path = quote(code, safe="")
    for client, prefix in ((clients.anon, "/api/v1/public/dossiers/"),
                           (clients.desk, "/api/v1/dossiers/")):
        response = client.get(f"{prefix}{path}/")
        assert response.status_code == 404, (code, response.content)
    response = clients.anon.post(f"/api/v1/public/dossiers/{path}/rating/", {"level": "satisfied"},
                                 format="json")
    assert response.status_code == 404


@FUZZ
@given(body=st.fixed_dictionaries({}, optional={
    "agency": st.sampled_from(["000.10.50.H20", "000.10.51.H20"]) | junk_value,
    "procedure": st.sampled_from(["1.001612", "1.001193.000.10.51.H20"]) | junk_value,
    "applicant": st.fixed_dictionaries({}, optional={
        k: junk_value | st.just("0912345678") for k in ("name", "id_number", "phone", "email",
                                                         "address")}) | junk_value,
    "request": junk_value, "channel": junk_value, "sets": junk_value}))
def test_junk_submissions_and_receptions_never_break(clients, no_throttles, world, body):
    cache.clear()
    response = clients.anon.post("/api/v1/public/dossiers/", body, format="json")
    assert response.status_code in (201, 400), (body, response.content)
    response = clients.desk.post("/api/v1/dossiers/", body, format="json")
    assert response.status_code in (201, 400), (body, response.content)
    if response.status_code == 400:
        assert response.json().get("errors"), response.json()


# -- the timeliness filter ------------------------------------------------------------------

instants = st.builds(
    lambda day, minutes: datetime.datetime(2026, 4, 20, tzinfo=VN)
    + datetime.timedelta(days=day, minutes=minutes),
    st.integers(0, 25), st.sampled_from([0, 420, 421, 600, 690, 691, 750, 810, 811, 1019, 1020,
                                         1021, 1439]) | st.integers(0, 1439),
)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(received=instants, due=instants, now=instants, paused_since=st.none() | instants,
       paused_hours=st.sampled_from([0, 0, 3, 16]), supplements=st.integers(0, 3),
       status=st.sampled_from([Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT,
                               Status.FINANCIAL]))
def test_the_timeliness_filter_agrees_with_classify(receive, received, due, now, paused_since,
                                                    paused_hours, supplements, status):
    assume(due >= received)
    dossier = Dossier.objects.first() or receive("2026-04-24 09:00")
    Dossier.objects.filter(pk=dossier.pk).update(
        status=status, received_at=received, due_at=due, paused_since=paused_since,
        paused_seconds=paused_hours * 3600, supplement_count=supplements, timeliness="")
    dossier.refresh_from_db()
    expected = classify(Clock.of(dossier), now)
    found = {value for value in (Timeliness.WITHIN, Timeliness.DUE_SOON, Timeliness.OVERDUE,
                                 Timeliness.PAUSED)
             if filter_timeliness(Dossier.objects.all(), [value], now).exists()}
    assert found == {expected}


def test_the_timeliness_filter_at_the_edges_of_the_office_day(receive):
    dossier = receive("2026-04-24 09:00")
    for due, now, expected in [
        ("2026-04-28 17:00", "2026-04-27 17:00", Timeliness.DUE_SOON),  # Mon 27/4 is a holiday
        ("2026-04-29 07:00", "2026-04-28 07:00", Timeliness.DUE_SOON),
        ("2026-04-29 07:01", "2026-04-28 07:00", Timeliness.WITHIN),
        ("2026-04-28 13:30", "2026-04-27 11:30", Timeliness.DUE_SOON),
        ("2026-04-29 11:30", "2026-04-28 11:30", Timeliness.DUE_SOON),
        ("2026-04-29 13:30", "2026-04-28 11:30", Timeliness.DUE_SOON),
        ("2026-04-29 13:31", "2026-04-28 11:30", Timeliness.WITHIN),
        ("2026-04-28 09:00", "2026-04-28 09:00", Timeliness.DUE_SOON),
        ("2026-04-28 09:00", "2026-04-28 09:01", Timeliness.OVERDUE),
    ]:
        Dossier.objects.filter(pk=dossier.pk).update(due_at=at(due))
        dossier.refresh_from_db()
        assert classify(Clock.of(dossier), at(now)) == expected, (due, now)
        assert filter_timeliness(Dossier.objects.all(), [expected], at(now)).exists(), (due, now)
