"""A dossier the whole way through the API, as the desk, the specialist, the leader and the
citizen see it."""

import json

import pytest

from tests.onestop.conftest import APPLICANT

pytestmark = pytest.mark.django_db


def test_the_whole_way_through_the_api(clients, intake, world, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = clients.desk.post("/api/v1/dossiers/", intake(), format="json")
    assert response.status_code == 201
    dossier = response.json()
    code = dossier["code"]
    assert mail.outbox[-1].to == [APPLICANT["email"]] and code in mail.outbox[-1].subject

    def act(client, action, **params):
        nonlocal dossier
        response = client.post(f"/api/v1/dossiers/{code}/actions/",
                               {"action": action, "version": dossier["version"], **params},
                               format="json")
        assert response.status_code == 200, (action, response.json())
        dossier = response.json()
        return dossier

    assert act(clients.desk, "transfer", note="Hồ sơ đầy đủ")["current_role"] == "specialist"
    assert {a["action"] for a in clients.specialist.get(
        f"/api/v1/dossiers/{code}/").json()["available_actions"]} >= {"transfer", "send_back"}
    assert act(clients.specialist, "transfer", note="Đề nghị cấp")["current_role"] == "leader"
    assert "approve" in {a["action"] for a in clients.leader.get(
        f"/api/v1/dossiers/{code}/").json()["available_actions"]}
    approved = act(clients.leader, "approve", result="Đã cấp giấy chứng nhận kết hôn")
    assert approved["status"] == 9 and approved["timeliness"] in ("early", "on_time")
    assert approved["current_role"] == "desk_officer"
    returned = act(clients.desk, "return_result", note="Công dân đã nhận")
    assert returned["status"] == 10 and returned["status_label"] == "Đã trả kết quả"
    assert returned["available_actions"] == []

    history = clients.leader.get(f"/api/v1/dossiers/{code}/history/").json()
    assert [e["action"] for e in history["events"]] == [
        "receive", "transfer", "transfer", "approve", "return_result"]
    assert [e["status_after"] for e in history["events"]] == [2, 4, 4, 9, 10]
    assert [s["role"] for s in history["steps"]] == [
        "desk_officer", "specialist", "leader", "desk_officer"]
    assert all(s["finished_at"] and s["result"] for s in history["steps"])

    public = clients.anon.get(f"/api/v1/public/dossiers/{code}/")
    assert public.status_code == 200
    body = public.json()
    assert body["applicant_initials"] == "N. V. A." and body["result_ready"] and body["can_rate"]
    text = json.dumps(body, ensure_ascii=False)
    for secret in (APPLICANT["id_number"], APPLICANT["phone"], APPLICANT["address"],
                   APPLICANT["email"], APPLICANT["name"], "Nguyễn", "Văn An"):
        assert secret not in text

    rating = clients.anon.post(f"/api/v1/public/dossiers/{code}/rating/",
                               {"level": "satisfied", "comment": "Đúng hẹn"}, format="json")
    assert rating.status_code == 201
    assert clients.anon.get(f"/api/v1/public/dossiers/{code}/").json()["can_rate"] is False
    events = clients.desk.get(f"/api/v1/dossiers/{code}/history/").json()["events"]
    assert events[-1]["action"] == "rate" and events[-1]["actor"] is None
    assert events[-1]["action_label"] == "Đánh giá mức độ hài lòng"
