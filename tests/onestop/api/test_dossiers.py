"""Staff endpoints: reception, list and filters, detail, history, actions, and every error
path (400 naming the fields, 401, 403, 404 for another unit, 409)."""

import re

import pytest
from rest_framework.test import APIClient

from cchc.onestop import selectors, services
from cchc.onestop.models import Dossier, DossierEvent, Status
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.onestop.api.conftest import token_client
from tests.onestop.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^000\.10\.50\.H20-\d{6}-\d{4}$")


def url(code, tail=""):
    return f"/api/v1/dossiers/{code}/{tail}"


def act(client, code, **body):
    return client.post(url(code, "actions/"), body, format="json")


# -- authentication -------------------------------------------------------------------------


def test_a_token_from_the_auth_endpoint_opens_the_api(world):
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": "motcua", "password": PASSWORD},
                        format="json")
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/dossiers/").status_code == 200


@pytest.mark.parametrize("method,path", [
    ("get", "/api/v1/dossiers/"),
    ("post", "/api/v1/dossiers/"),
    ("get", "/api/v1/dossiers/000.10.50.H20-260424-0001/"),
    ("get", "/api/v1/dossiers/000.10.50.H20-260424-0001/history/"),
    ("post", "/api/v1/dossiers/000.10.50.H20-260424-0001/actions/"),
])
def test_staff_endpoints_need_a_token(world, method, path):
    response = getattr(APIClient(), method)(path, {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = getattr(bad, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


# -- reception ------------------------------------------------------------------------------


def test_a_desk_officer_receives_a_dossier(clients, intake, world):
    response = clients.desk.post("/api/v1/dossiers/", intake(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert CODE.match(body["code"])
    assert response["Location"] == f"/api/v1/dossiers/{body['code']}/"
    assert (body["status"], body["status_label"], body["channel"]) == (2, "Được tiếp nhận", 1)
    assert body["procedure"]["code"] == world.five_days.code
    assert body["procedure"]["version"] == 1
    assert body["applicant"] == APPLICANT
    assert body["receiving_agency"] == {"code": world.desk.code, "name": world.desk.name}
    assert body["current_step"]["role"] == "desk_officer"
    assert body["current_role"] == "desk_officer"
    assert body["legal_days"] == 5.0
    assert body["due_at"] and body["promised_at"] == body["due_at"]
    assert body["due_explanation"]["due"]
    assert body["timeliness"] in ("within", "due_soon")
    assert body["version"] == 0
    assert {"transfer", "request_supplement", "withdraw"} <= {
        a["action"] for a in body["available_actions"]}
    dossier = Dossier.objects.get(code=body["code"])
    assert dossier.events.get().actor == world.desk_officer


def test_reception_by_base_code_and_by_post(clients, intake):
    response = clients.desk.post("/api/v1/dossiers/", intake(procedure="1.001612", channel=3,
                                                             sets=2), format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["channel"], response.json()["sets"]) == (3, 2)


def test_sequence_numbers_follow_each_other(clients, intake):
    codes = [clients.desk.post("/api/v1/dossiers/", intake(), format="json").json()["code"]
             for _ in range(3)]
    numbers = [int(code[-4:]) for code in codes]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


@pytest.mark.parametrize("changes,fields", [
    ({"agency": None, "procedure": None, "applicant": None}, {"agency", "procedure", "applicant"}),
    ({"agency": "H20"}, {"agency"}),
    ({"agency": "999.99.99.H99"}, {"agency"}),
    ({"procedure": "9.999999"}, {"procedure"}),
    ({"procedure": ""}, {"procedure"}),
    ({"channel": 2}, {"channel"}),
    ({"channel": "post"}, {"channel"}),
    ({"sets": 0}, {"sets"}),
    ({"sets": 21}, {"sets"}),
    ({"applicant": "Nguyễn Văn An"}, {"applicant"}),
    ({"applicant": {"name": ["x"]}}, {"applicant.name"}),
    ({"applicant": {"name": "", "id_number": "12", "phone": "abc", "email": "x@"}},
     {"applicant.name", "applicant.id_number", "applicant.phone", "applicant.email"}),
    ({"applicant": {**APPLICANT, "address": "x" * 301}}, {"applicant.address"}),
])
def test_reception_errors_name_the_fields(clients, intake, changes, fields):
    body = {k: v for k, v in intake(**changes).items() if v is not None}
    response = clients.desk.post("/api/v1/dossiers/", body, format="json")
    assert response.status_code == 400, response.json()
    assert set(response.json()["errors"]) == fields, response.json()
    assert response.json()["detail"]
    assert not Dossier.objects.exists()


def test_reception_only_at_a_desk_of_ones_own_unit(clients, intake, world):
    response = clients.desk.post("/api/v1/dossiers/", intake(agency=world.ubnd.code), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_reception_desk"
    assert set(response.json()["errors"]) == {"agency"}
    response = clients.desk.post("/api/v1/dossiers/", intake(agency=world.other_desk.code),
                                 format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "agency_outside_jurisdiction"
    assert set(response.json()["errors"]) == {"agency"}


def test_only_desk_officers_receive(clients, intake):
    for client in (clients.specialist, clients.leader):
        response = client.post("/api/v1/dossiers/", intake(), format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
        assert "cán bộ một cửa" in response.json()["detail"]
    assert not Dossier.objects.exists()


def test_a_malformed_body_is_a_400_not_a_500(clients):
    response = clients.desk.post("/api/v1/dossiers/", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    response = clients.desk.post("/api/v1/dossiers/", [1, 2], format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


# -- detail and history ---------------------------------------------------------------------


def test_detail(clients, received, world):
    body = clients.specialist.get(url(received["code"])).json()
    assert body["code"] == received["code"] and body["version"] == 0
    # The specialist may not hand on the desk's step: no transfer offered.
    assert "transfer" not in {a["action"] for a in body["available_actions"]}
    assert body["supplement_warning"] == ""
    assert body["apology"] is None


def test_another_units_dossier_is_not_found_exactly_like_an_unknown_code(clients, received):
    code = received["code"]
    unknown = code[:-4] + "9999"
    for path in ("", "history/"):
        hidden = clients.outsider.get(url(code, path))
        missing = clients.outsider.get(url(unknown, path))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == {"code": "not_found", "detail": f"Không tìm thấy hồ sơ {code}."}
        assert missing.json() == {"code": "not_found", "detail": f"Không tìm thấy hồ sơ {unknown}."}
    hidden = act(clients.outsider, code, action="transfer", version=0)
    missing = act(clients.outsider, unknown, action="transfer", version=0)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == f"Không tìm thấy hồ sơ {code}."
    # ... and even with a body that would be refused.
    assert act(clients.outsider, code, action="fly").json() == hidden.json()
    assert DossierEvent.objects.filter(action="transfer").count() == 0


def test_history_has_events_and_the_control_sheet(clients, received, world):
    code = received["code"]
    assert act(clients.desk, code, action="transfer", version=0, note="Đủ hồ sơ").status_code == 200
    body = clients.leader.get(url(code, "history/")).json()
    assert body["code"] == code
    assert [e["action"] for e in body["events"]] == ["receive", "transfer"]
    transfer = body["events"][1]
    assert transfer["actor"] == {"username": "motcua", "full_name": "Motcua"}
    assert (transfer["status_before"], transfer["status_after"]) == (2, 4)
    assert transfer["status_after_label"] == "Đang xử lý"
    assert transfer["note"] == "Đủ hồ sơ"
    assert transfer["data"]["to_step"] == 2
    assert body["events"][0]["status_before"] is None
    first, second = body["steps"]
    assert first["agency"]["code"] == world.desk.code and first["role"] == "desk_officer"
    assert first["finished_at"] and first["result"] in ("early", "on_time", "late")
    assert first["handed_by"]["username"] == "motcua"
    assert second["agency"]["code"] == world.ubnd.code and second["role"] == "specialist"
    assert second["finished_at"] is None and second["result"] == ""


# -- actions --------------------------------------------------------------------------------


def test_transfer_returns_the_updated_dossier(clients, received):
    response = act(clients.desk, received["code"], action="transfer", version=0)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["current_role"], body["version"]) == (4, "specialist", 1)
    assert body["current_step"]["position"] == 2


def test_stale_version_is_a_409(clients, received):
    code = received["code"]
    assert act(clients.desk, code, action="transfer", version=0).status_code == 200
    response = act(clients.specialist, code, action="transfer", version=0)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert code in response.json()["detail"]
    # Without a version the action goes through.
    assert act(clients.specialist, code, action="transfer").status_code == 200


def test_action_not_allowed_in_the_state_is_a_409(clients, received):
    response = act(clients.desk, received["code"], action="return_result")
    assert response.status_code == 409
    assert response.json() == {
        "code": "invalid_transition",
        "detail": "Không thể “Trả kết quả” khi hồ sơ đang ở trạng thái “Được tiếp nhận”."}
    # A specialist does not hold the desk's step.
    response = act(clients.specialist, received["code"], action="transfer")
    assert response.status_code == 409 and response.json()["code"] == "not_holder"
    # The leader approves only at the approval step.
    act(clients.desk, received["code"], action="transfer")
    response = act(clients.leader, received["code"], action="approve")
    assert response.status_code == 409


def test_wrong_role_is_a_403(clients, received):
    response = act(clients.desk, received["code"], action="approve")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("body,fields", [
    ({}, {"action"}),
    ({"action": "fly"}, {"action"}),
    ({"action": "transfer", "colour": "red"}, {"colour"}),
    ({"action": "transfer", "amount": 5}, {"amount"}),
    ({"action": "transfer", "version": "abc"}, {"version"}),
    ({"action": "transfer", "version": -1}, {"version"}),
    ({"action": "refuse"}, {"reason"}),
    ({"action": "request_supplement", "reason": "  "}, {"reason"}),
    ({"action": "request_supplement", "reason": "Thiếu", "documents": "giấy"}, {"documents"}),
    ({"action": "request_supplement", "reason": "Thiếu", "documents": [["x"]]}, {"documents.0"}),
    ({"action": "apologize", "reason": "Chậm", "new_due_at": "mai"}, {"new_due_at"}),
    ({"action": "apologize", "reason": "Chậm", "new_due_at": "2020-01-01T08:00"}, {"new_due_at"}),
    ({"action": "stop", "reason": "x" * 2001}, {"reason"}),
])
def test_invalid_action_input_is_a_400_naming_the_fields(clients, received, body, fields):
    client = clients.leader if body.get("action") in ("stop", "apologize") else clients.desk
    response = act(client, received["code"], **body)
    assert response.status_code == 400, response.json()
    assert set(response.json()["errors"]) == fields, response.json()
    assert Dossier.objects.get(code=received["code"]).version == 0


def test_a_non_object_body_is_a_400(clients, received):
    response = clients.desk.post(url(received["code"], "actions/"), ["transfer"], format="json")
    assert response.status_code == 400


def test_supplement_financial_and_apology_through_the_api(clients, received):
    code = received["code"]
    assert act(clients.desk, code, action="transfer").status_code == 200
    response = act(clients.specialist, code, action="request_supplement", version=1,
                   reason="Thiếu giấy xác nhận", documents=["Giấy xác nhận tình trạng hôn nhân"])
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == Status.SUPPLEMENT and body["paused_since"]
    assert body["timeliness"] == "paused"
    # The next request would be the second: the warning is shown before it.
    assert "lần thứ hai" in body["supplement_warning"]
    assert act(clients.desk, code, action="receive_supplement", note="Đã nhận").status_code == 200
    response = act(clients.specialist, code, action="request_financial", amount=50000)
    assert response.status_code == 200 and response.json()["status"] == Status.FINANCIAL
    assert act(clients.desk, code, action="receive_financial").status_code == 200
    dossier = Dossier.objects.get(code=code)
    new_due = dossier.due_at.astimezone().replace(tzinfo=None) + (dossier.due_at - dossier.received_at)
    response = act(clients.leader, code, action="apologize", reason="Chờ xác minh",
                   new_due_at=new_due.isoformat(timespec="minutes"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["apology"]["reason"] == "Chờ xác minh"
    assert body["promised_at"] == body["apology"]["new_due_at"] != body["due_at"]
    assert "apologize" not in {a["action"] for a in body["available_actions"]}
    response = act(clients.leader, code, action="apologize", reason="Lần hai",
                   new_due_at=new_due.isoformat())
    assert response.status_code == 409 and response.json()["code"] == "apology_already_issued"
    events = list(Dossier.objects.get(code=code).events.values_list("action", flat=True))
    assert events == ["receive", "transfer", "request_supplement", "receive_supplement",
                      "request_financial", "receive_financial", "apologize"]
    assert DossierEvent.objects.get(action="request_financial").data["amount"] == 50000


def test_an_online_dossier_is_accepted_or_refused_through_the_api(clients, world):
    online = services.submit_online(agency=world.desk, procedure=world.five_days,
                                    applicant=APPLICANT)
    body = clients.desk.get(url(online.code)).json()
    assert body["status"] == 1 and body["timeliness"] == "" and body["due_at"] is None
    assert {a["action"] for a in body["available_actions"]} >= {"accept", "refuse"}
    response = act(clients.desk, online.code, action="accept", version=0)
    assert response.status_code == 200 and response.json()["status"] == 2
    assert response.json()["due_at"]
    other = services.submit_online(agency=world.desk, procedure=world.five_days,
                                   applicant=APPLICANT)
    response = act(clients.desk, other.code, action="refuse", reason="Không thuộc thẩm quyền")
    assert response.status_code == 200 and response.json()["status"] == 3


def test_a_dossier_held_by_another_unit_can_be_seen_but_not_acted_on(clients, received, world):
    """A step passed through the user's unit (inter-agency): visible, but out of their hands."""
    dossier = Dossier.objects.get(code=received["code"])
    dossier.unit = world.other_commune
    dossier.current_agency = world.other_desk
    dossier.save()
    response = act(clients.desk, received["code"], action="transfer")
    assert response.status_code == 403
    assert response.json()["code"] == "outside_jurisdiction"


# -- list and filters -----------------------------------------------------------------------


@pytest.fixture
def many(receive, world):
    """Four dossiers received in April 2026 (all overdue now) and one online submission."""
    a = receive("2026-04-24 09:00")
    b = receive("2026-04-28 09:00", procedure=world.same_day)
    c = receive("2026-05-04 09:00")
    services.transfer_dossier(c, actor=world.desk_officer, at=at("2026-05-04 10:00"))
    d = receive("2026-05-05 09:00")
    services.transfer_dossier(d, actor=world.desk_officer, at=at("2026-05-05 10:00"))
    services.transfer_dossier(d, actor=world.specialist, at=at("2026-05-05 11:00"))
    services.approve_dossier(d, actor=world.leader, at=at("2026-05-05 14:00"))
    e = services.submit_online(agency=world.desk, procedure=world.five_days, applicant=APPLICANT,
                               at=at("2026-05-06 20:00"))
    return [Dossier.objects.get(pk=x.pk) for x in (a, b, c, d, e)]


def codes(client, **params):
    response = client.get("/api/v1/dossiers/", params)
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


def test_list_is_ordered_by_due_and_paginated(clients, many):
    a, b, c, d, e = many
    assert codes(clients.desk) == [b.code, a.code, c.code, d.code, e.code]
    assert codes(clients.desk, ordering="-due") == [d.code, c.code, a.code, b.code, e.code]
    assert codes(clients.desk, ordering="received") == [a.code, b.code, c.code, d.code, e.code]
    body = clients.desk.get("/api/v1/dossiers/", {"page_size": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]
    row = body["results"][0]
    assert row["procedure"]["name"] and row["applicant_name"] == APPLICANT["name"]
    assert "applicant" not in row  # personal data stays in the detail
    assert codes(clients.outsider) == []


def test_filters(clients, many, world):
    a, b, c, d, e = many
    assert codes(clients.desk, status="2") == [b.code, a.code]
    assert codes(clients.desk, status="1, 9") == [d.code, e.code]
    assert codes(clients.desk, procedure=world.same_day.code) == [b.code]
    assert codes(clients.desk, procedure="1.001193") == [b.code]
    # Received at the desk, or held now by the People's Committee (d is back at the desk).
    assert codes(clients.desk, agency=world.ubnd.code) == [c.code]
    assert len(codes(clients.desk, agency=world.desk.code)) == 5
    assert codes(clients.desk, received_from="2026-04-28", received_to="2026-05-04") == [
        b.code, c.code]
    assert codes(clients.desk, received_to="2026-04-24") == [a.code]
    assert codes(clients.desk, code="000.10.50.h20-2604") == [b.code, a.code]
    assert codes(clients.desk, code=a.code) == [a.code]
    assert codes(clients.desk, timeliness="early") == [d.code]
    assert codes(clients.desk, timeliness="overdue") == [b.code, a.code, c.code]
    assert codes(clients.desk, timeliness="overdue,early") == [b.code, a.code, c.code, d.code]
    assert codes(clients.desk, timeliness="within,due_soon,paused") == []


def test_empty_filters_are_ignored(clients, many):
    assert len(codes(clients.desk, status="", code="", timeliness="", queue="")) == 5


def test_queues(clients, many, world):
    a, b, c, d, e = many
    # The API serves the selector's queues, filters on top, soonest due first (the dossiers
    # without a due, online submissions, last on every database).
    for user, client in ((world.desk_officer, clients.desk), (world.specialist, clients.specialist),
                         (world.leader, clients.leader)):
        for queue in selectors.QUEUES:
            expected = selectors.work_queue(user, queue)
            got = codes(client, queue=queue)
            assert sorted(got) == sorted(expected.values_list("code", flat=True)), (user, queue)
            dues = [Dossier.objects.get(code=code).due_at for code in got]
            assert dues == sorted(dues, key=lambda due: (due is None, due)), (user, queue)
    assert codes(clients.specialist, queue="mine") == [c.code]
    assert codes(clients.specialist, queue="overdue") == [c.code]
    assert codes(clients.leader, queue="mine") == []
    assert {b.code, a.code, e.code} <= set(codes(clients.desk, queue="mine"))
    assert c.code not in codes(clients.desk, queue="mine")
    assert codes(clients.desk, queue="all", status="4") == [c.code]
    assert codes(clients.desk, queue="supplement") == []


@pytest.mark.parametrize("params,field", [
    ({"queue": "everything"}, "queue"),
    ({"status": "11"}, "status"),
    ({"status": "2,x"}, "status"),
    ({"agency": "H20"}, "agency"),
    ({"received_from": "24/04/2026"}, "received_from"),
    ({"received_from": "0001-01-01"}, "received_from"),
    ({"received_to": "9999-12-31"}, "received_to"),
    ({"received_from": "2026-05-01", "received_to": "2026-04-01"}, "received_to"),
    ({"timeliness": "soon"}, "timeliness"),
    ({"code": "'; drop table"}, "code"),
    ({"code": "x" * 26}, "code"),
    ({"ordering": "applicant_id_number"}, "ordering"),
    ({"procedure": "\x00"}, "procedure"),
])
def test_malformed_filters_are_a_400_naming_the_field(clients, world, params, field):
    response = clients.desk.get("/api/v1/dossiers/", params)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()


def test_a_user_without_units_sees_nothing(world, receive):
    receive()
    loner = token_client(UserFactory(username="loner"))
    assert loner.get("/api/v1/dossiers/").json()["count"] == 0
    assert loner.get("/api/v1/dossiers/", {"queue": "mine"}).json()["count"] == 0


def test_a_province_officer_sees_the_communes_dossiers(world, receive):
    dossier = receive()
    official = UserFactory(username="tinh")
    MembershipFactory(user=official, unit=world.province, role="home_affairs_admin")
    client = token_client(official)
    assert codes(client) == [dossier.code]
    assert client.get(url(dossier.code)).status_code == 200
    # Seeing is not acting: the role decides.
    assert act(client, dossier.code, action="transfer").status_code == 403
