"""Histories with real dates of the 2024 calendar (Tết 8/2-14/2; 27/4-1/5 off with
Saturday 4/5 worked), played through the live services or written as import lines."""

import json

import pytest

from cchc.onestop import services
from tests.onestop.conftest import APPLICANT, at


def _ev(kind, when, **extra):
    return {"type": kind, "at": f"{when.replace(' ', 'T')}:00+07:00", **extra}


# (name, channel, procedure ("five" or "same"), received, events)
HISTORIES = [
    ("across Tết, early", "direct", "five", "2024-02-07 09:00", [
        _ev("transferred", "2024-02-07 10:00"), _ev("transferred", "2024-02-15 14:00"),
        _ev("processed", "2024-02-19 10:00", result="Đã cấp giấy chứng nhận"),
        _ev("returned", "2024-02-20 08:00",
            rating={"level": "very_satisfied", "comment": "Nhanh", "at": "2024-02-20T20:00:00+07:00"}),
    ]),
    ("a supplement across Tết", "direct", "five", "2024-02-06 14:00", [
        _ev("transferred", "2024-02-06 15:00"),
        _ev("supplement_requested", "2024-02-07 10:00", reason="Thiếu giấy xác nhận",
            documents=["Giấy xác nhận tình trạng hôn nhân"]),
        _ev("supplement_received", "2024-02-15 09:00"), _ev("transferred", "2024-02-20 09:00"),
        _ev("processed", "2024-02-21 16:00"), _ev("returned", "2024-02-22 09:00"),
    ]),
    ("two supplements", "direct", "five", "2024-03-04 08:00", [
        _ev("transferred", "2024-03-04 08:30"),
        _ev("supplement_requested", "2024-03-05 09:00", reason="Thiếu"),
        _ev("supplement_received", "2024-03-05 10:00"),
        _ev("supplement_requested", "2024-03-06 09:00", reason="Vẫn thiếu"),
        _ev("supplement_received", "2024-03-06 15:00"), _ev("transferred", "2024-03-07 09:00"),
        _ev("processed", "2024-03-07 10:00"),
    ]),
    ("late across 30/4 with Saturday 4/5 worked", "direct", "five", "2024-04-25 10:00", [
        _ev("transferred", "2024-04-25 11:00"), _ev("transferred", "2024-05-06 09:00"),
        _ev("processed", "2024-05-06 14:00"), _ev("returned", "2024-05-07 09:00", rating="dissatisfied"),
    ]),
    ("online, filed on the holiday", "online", "five", "2024-04-27 20:00", [
        _ev("accepted", "2024-05-02 08:00"), _ev("transferred", "2024-05-02 09:00"),
        _ev("transferred", "2024-05-04 10:00"), _ev("processed", "2024-05-04 15:00"),
    ]),
    ("online, refused", "online", "five", "2024-04-29 21:00", [
        _ev("refused", "2024-05-02 08:15", reason="Không thuộc thẩm quyền"),
    ]),
    ("withdrawn", "direct", "five", "2024-05-06 09:00", [
        _ev("transferred", "2024-05-06 10:00"),
        _ev("withdrawn", "2024-05-07 09:00", reason="Công dân xin rút"),
    ]),
    ("stopped while waiting for documents", "direct", "five", "2024-05-06 09:00", [
        _ev("transferred", "2024-05-06 09:30"),
        _ev("supplement_requested", "2024-05-07 09:00", reason="Thiếu"),
        _ev("stopped", "2024-06-10 09:00", reason="Công dân không bổ sung"),
    ]),
    ("apology, still late", "direct", "five", "2024-05-06 09:00", [
        _ev("transferred", "2024-05-06 10:00"),
        _ev("apology", "2024-05-10 09:00", reason="Chờ xác minh",
            new_due_at="2024-05-16T16:00:00+07:00"),
        _ev("transferred", "2024-05-13 14:00"), _ev("processed", "2024-05-14 09:00"),
        _ev("returned", "2024-05-16 10:00"),
    ]),
    ("same day, received after 15h before the holiday", "direct", "same", "2024-04-26 15:30", [
        _ev("transferred", "2024-04-26 16:00"), _ev("transferred", "2024-05-02 09:00"),
        _ev("processed", "2024-05-02 16:00"),
    ]),
    ("financial obligation", "direct", "five", "2024-06-03 09:00", [
        _ev("transferred", "2024-06-03 10:00"),
        _ev("financial_requested", "2024-06-04 09:00", amount=50000),
        _ev("financial_received", "2024-06-05 09:00"), _ev("transferred", "2024-06-05 10:00"),
        _ev("processed", "2024-06-06 09:00"),
    ]),
    ("open at the specialist", "direct", "five", "2024-06-17 09:00", [
        _ev("transferred", "2024-06-17 10:00"),
    ]),
    ("received on Saturday 4/5 (worked)", "direct", "five", "2024-05-04 09:00", [
        _ev("transferred", "2024-05-04 09:30"), _ev("transferred", "2024-05-06 10:00"),
        _ev("processed", "2024-05-06 16:00"),
    ]),
    ("postal, waiting for documents", "postal", "five", "2024-06-18 10:00", [
        _ev("transferred", "2024-06-18 11:00"),
        _ev("supplement_requested", "2024-06-19 09:00", reason="Thiếu bản sao"),
    ]),
    ("just received", "direct", "same", "2024-06-20 08:00", []),
]


def import_line(world, channel, procedure, received, events, **extra) -> str:
    proc = world.five_days if procedure == "five" else world.same_day
    line = {"procedure": proc.code, "agency": world.desk.code, "channel": channel,
            "applicant": dict(APPLICANT), "received_at": f"{received.replace(' ', 'T')}:00+07:00",
            "events": events, **extra}
    return json.dumps(line, ensure_ascii=False)


@pytest.fixture(autouse=True)
def desks_since_2020(request):
    """The fixture's communes are post-2025 units; these histories are from 2024."""
    if "world" not in request.fixturenames:
        return
    from cchc.org.models import AdministrativeUnit

    world = request.getfixturevalue("world")
    AdministrativeUnit.objects.filter(pk__in=[world.commune.pk, world.other_commune.pk]).update(
        valid_from=None)


@pytest.fixture
def write_lines(tmp_path):
    def _write(lines, name="dossiers.jsonl"):
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return _write


def play_live(world, channel, procedure, received, events):
    """The same history through the services, each action by a user who may take it."""
    from datetime import datetime

    proc = world.five_days if procedure == "five" else world.same_day
    when = at(received)
    by_role = {"desk_officer": world.desk_officer, "specialist": world.specialist,
               "leader": world.leader}
    channel_number = {"direct": 1, "online": 2, "postal": 3}[channel]
    kinds = [e["type"] for e in events]
    if channel == "online" and ("accepted" in kinds or "refused" in kinds):
        dossier = services.submit_online(agency=world.desk, procedure=proc, applicant=APPLICANT,
                                         at=when)
    else:
        dossier = services.receive_dossier(agency=world.desk, procedure=proc, applicant=APPLICANT,
                                           actor=world.desk_officer, channel=channel_number, at=when)
    for event in events:
        moment = datetime.fromisoformat(event["at"])
        dossier.refresh_from_db()
        holder = by_role.get(dossier.current_role, world.desk_officer)
        reason = event.get("reason", "")
        kind = event["type"]
        if kind == "accepted":
            services.accept_dossier(dossier, actor=world.desk_officer, at=moment)
        elif kind == "refused":
            services.refuse_dossier(dossier, actor=world.desk_officer, reason=reason, at=moment)
        elif kind == "transferred":
            services.transfer_dossier(dossier, actor=holder, at=moment)
        elif kind == "supplement_requested":
            services.request_supplement(dossier, actor=holder, reason=reason,
                                        documents=event.get("documents", []), at=moment)
        elif kind == "supplement_received":
            services.receive_supplement(dossier, actor=world.desk_officer, at=moment)
        elif kind == "financial_requested":
            services.request_financial(dossier, actor=holder, amount=event.get("amount"), at=moment)
        elif kind == "financial_received":
            services.receive_financial(dossier, actor=world.desk_officer, at=moment)
        elif kind == "processed":
            services.approve_dossier(dossier, actor=world.leader, result=event.get("result", ""),
                                     at=moment)
        elif kind == "returned":
            services.return_result(dossier, actor=world.desk_officer, at=moment)
            rating = event.get("rating")
            if rating:
                rating = {"level": rating} if isinstance(rating, str) else rating
                rated_at = datetime.fromisoformat(rating["at"]) if "at" in rating else moment
                services.rate_dossier(dossier, level=rating["level"],
                                      comment=rating.get("comment", ""), at=rated_at)
        elif kind == "stopped":
            services.stop_processing(dossier, actor=world.leader, reason=reason, at=moment)
        elif kind == "withdrawn":
            services.withdraw_dossier(dossier, actor=world.desk_officer, reason=reason, at=moment)
        elif kind == "apology":
            services.issue_apology(dossier, actor=world.leader, reason=reason,
                                   new_due_at=event["new_due_at"], at=moment)
        else:  # pragma: no cover
            raise AssertionError(kind)
    dossier.refresh_from_db()
    return dossier
