"""The dossier lifecycle with real dates of the 2026 calendar (RULES.md §6):
Giỗ Tổ observed Monday 27/4, 30/4-3/5 off."""

import re

import pytest
from django.core import mail

from cchc.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, OutsideJurisdiction
from cchc.onestop import services
from cchc.onestop.models import DossierEvent, Status, Timeliness
from cchc.onestop.timeliness import Clock, classify
from tests.onestop.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def walk_to_approval(dossier, world, when):
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at(when))
    services.transfer_dossier(dossier, actor=world.specialist, at=at(when))
    return services.approve_dossier(dossier, actor=world.leader, result="Đã cấp", at=at(when))


def test_reception_allocates_the_code_and_the_due_over_the_holidays(receive, world):
    dossier = receive("2026-04-24 09:00")
    assert re.fullmatch(r"000\.10\.50\.H20-260424-0001", dossier.code)
    assert len(dossier.code) == 25
    assert dossier.status == Status.RECEIVED
    # Fri 24/4 6h; Mon 27/4 (Giỗ Tổ observed) off; Tue-Wed 16h; 30/4-3/5 off; Mon-Tue 16h; Wed 2h.
    assert dossier.due_at == at("2026-05-06 09:00")
    skipped = {d["date"] for d in dossier.due_explanation["skipped_days"]}
    assert {"2026-04-27", "2026-04-30", "2026-05-01"} <= skipped
    assert dossier.procedure_version.number == 1
    assert dossier.steps.get().role == "desk_officer"
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.action, event.actor, event.status_after) == ("receive", world.desk_officer, 2)


def test_codes_are_sequential_per_agency_and_restart_each_day(receive, world):
    first = receive("2026-04-24 09:00")
    second = receive("2026-04-24 10:00")
    next_day = receive("2026-04-28 08:00")
    assert [first.code[-4:], second.code[-4:]] == ["0001", "0002"]
    assert next_day.code.endswith("-260428-0001")
    other = services.receive_dossier(agency=world.other_desk, procedure=world.five_days,
                                     applicant=APPLICANT, actor=world.outsider,
                                     at=at("2026-04-24 09:30"))
    assert other.code == "000.11.50.H20-260424-0001"


def test_a_failed_intake_gives_its_number_back(receive, world):
    receive("2026-04-24 09:00")
    with pytest.raises(InvalidInput):
        services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                 applicant={**APPLICANT, "id_number": "123"},
                                 actor=world.desk_officer, at=at("2026-04-24 09:05"))
    assert receive("2026-04-24 09:10").code.endswith("-0002")


def test_the_whole_way_through_early(receive, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive("2026-04-24 09:00")
    assert mail.outbox[-1].to == [APPLICANT["email"]]
    assert "06/05/2026" in mail.outbox[-1].body
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-24 10:00"))
    dossier.refresh_from_db()
    assert (dossier.status, dossier.current_role, dossier.current_agency) == (4, "specialist", world.ubnd)
    services.transfer_dossier(dossier, actor=world.specialist, at=at("2026-04-28 16:00"))
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_dossier(dossier, actor=world.leader, result="Đã cấp", at=at("2026-04-29 09:00"))
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED
    assert dossier.timeliness == Timeliness.EARLY
    assert "kết quả" in mail.outbox[-1].subject.lower()
    services.return_result(dossier, actor=world.desk_officer, at=at("2026-05-04 08:00"))
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.returned_at == at("2026-05-04 08:00")
    # End of processing is the approval, not the hand-over to the citizen.
    assert dossier.finished_at == at("2026-04-29 09:00")
    steps = list(dossier.steps.order_by("position"))
    assert [s.role for s in steps] == ["desk_officer", "specialist", "leader", "desk_officer"]
    assert all(s.finished_at for s in steps)
    assert [e.status_after for e in dossier.events.all()] == [2, 4, 4, 9, 10]
    rating = services.rate_dossier(dossier, level="very_satisfied", comment="Nhanh")
    assert rating.level == "very_satisfied"
    with pytest.raises(InvalidTransition):
        services.rate_dossier(dossier, level="satisfied")


def test_on_the_due_day_is_on_time_and_after_it_late(receive, world):
    on_time = receive("2026-04-24 09:00")
    walk_to_approval(on_time, world, "2026-05-06 09:00")
    on_time.refresh_from_db()
    assert on_time.timeliness == Timeliness.ON_TIME
    late = receive("2026-04-24 09:00")
    walk_to_approval(late, world, "2026-05-06 09:01")
    late.refresh_from_db()
    assert late.timeliness == Timeliness.LATE


def test_a_supplement_pauses_the_clock(receive, world):
    dossier = receive("2026-04-24 09:00")
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-24 09:30"))
    services.request_supplement(dossier, actor=world.specialist, reason="Thiếu giấy xác nhận",
                                documents=["Giấy xác nhận tình trạng hôn nhân"], at=at("2026-04-28 09:00"))
    services.receive_supplement(dossier, actor=world.desk_officer, at=at("2026-05-05 09:00"))
    dossier.refresh_from_db()
    # Paused from Tue 28/4 09:00 to Tue 5/5 09:00: 28/4 and 29/4 (16h) and Mon 4/5 (8h) = 24h.
    assert dossier.paused_seconds == 24 * 3600
    # The due moves by 24 office hours: from Wed 6/5 09:00 to Mon 11/5 09:00.
    services.transfer_dossier(dossier, actor=world.specialist, at=at("2026-05-08 09:00"))
    services.approve_dossier(dossier, actor=world.leader, at=at("2026-05-11 09:00"))
    dossier.refresh_from_db()
    assert dossier.timeliness == Timeliness.ON_TIME


def test_a_second_supplement_request_makes_the_dossier_late(receive, world):
    dossier = receive("2026-04-24 09:00")
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-24 09:30"))
    for day in ("2026-04-28", "2026-04-29"):
        services.request_supplement(dossier, actor=world.specialist, reason="Thiếu",
                                    at=at(f"{day} 09:00"))
        dossier.refresh_from_db()
        if day == "2026-04-28":
            assert "lần thứ hai" in services.supplement_warning(dossier)
        services.receive_supplement(dossier, actor=world.desk_officer, at=at(f"{day} 10:00"))
    services.transfer_dossier(dossier, actor=world.specialist, at=at("2026-04-29 11:00"))
    services.approve_dossier(dossier, actor=world.leader, at=at("2026-04-29 14:00"))
    dossier.refresh_from_db()
    assert dossier.timeliness == Timeliness.LATE
    event = dossier.events.filter(action="request_supplement").last()
    assert event.data["counts_late"] is True


def test_stopped_while_waiting_for_documents_ends_at_the_request(receive, world):
    dossier = receive("2026-04-24 09:00")
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-24 09:30"))
    services.request_supplement(dossier, actor=world.specialist, reason="Thiếu", at=at("2026-04-28 09:00"))
    # Stopped long after the due, but the end is the request (28/4), before the due.
    services.stop_processing(dossier, actor=world.leader, reason="Công dân không bổ sung",
                             at=at("2026-06-01 09:00"))
    dossier.refresh_from_db()
    assert dossier.status == Status.STOPPED and dossier.timeliness == Timeliness.EARLY


def test_open_dossiers_are_within_due_soon_paused_or_overdue(receive, world):
    dossier = receive("2026-04-24 09:00")
    clock = Clock.of(dossier)
    assert classify(clock, at("2026-04-28 09:00")) == Timeliness.WITHIN
    assert classify(clock, at("2026-05-05 10:00")) == Timeliness.DUE_SOON
    assert classify(clock, at("2026-05-06 09:01")) == Timeliness.OVERDUE
    services.request_supplement(dossier, actor=world.desk_officer, reason="Thiếu", at=at("2026-04-28 09:00"))
    dossier.refresh_from_db()
    assert classify(Clock.of(dossier), at("2026-06-01 09:00")) == Timeliness.PAUSED


def test_apology_gives_a_new_date_once_and_the_dossier_still_counts_late(receive, world,
                                                                          django_capture_on_commit_callbacks):
    dossier = receive("2026-04-24 09:00")
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_apology(dossier, actor=world.leader, reason="Chờ xác minh",
                               new_due_at="2026-05-12T16:00", at=at("2026-05-04 09:00"))
    dossier.refresh_from_db()
    assert dossier.promised_at == at("2026-05-12 16:00")
    assert dossier.events.get(action="apologize").data["timely"] is True
    assert "12/05/2026" in mail.outbox[-1].body
    with pytest.raises(InvalidTransition) as excinfo:
        services.issue_apology(dossier, actor=world.leader, reason="Lần hai",
                               new_due_at="2026-05-20T16:00", at=at("2026-05-05 09:00"))
    assert excinfo.value.code == "apology_already_issued"
    walk_to_approval(dossier, world, "2026-05-12 15:00")
    dossier.refresh_from_db()
    assert dossier.timeliness == Timeliness.LATE


def test_same_day_procedure_after_15h_is_due_the_next_working_day(receive, world):
    dossier = receive("2026-04-29 15:30", procedure=world.same_day)
    # Thu 30/4 - Sun 3/5 are off: next working day is Mon 4/5.
    assert dossier.due_at == at("2026-05-04 17:00")
    morning = receive("2026-04-29 09:00", procedure=world.same_day)
    assert morning.due_at == at("2026-04-29 17:00")


def test_online_submission_waits_for_the_desk(world):
    dossier = services.submit_online(agency=world.desk, procedure=world.five_days,
                                     applicant=APPLICANT, at=at("2026-04-25 20:00"))
    assert dossier.status == Status.NEW and dossier.due_at is None
    assert dossier.code.endswith("-260425-0001")
    services.accept_dossier(dossier, actor=world.desk_officer, at=at("2026-04-28 08:00"))
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at == at("2026-04-28 08:00")
    assert dossier.due_at == at("2026-05-07 08:00")

    refused = services.submit_online(agency=world.desk, procedure=world.five_days,
                                     applicant=APPLICANT, at=at("2026-04-25 20:05"))
    services.refuse_dossier(refused, actor=world.desk_officer, reason="Không thuộc thẩm quyền",
                            at=at("2026-04-28 08:10"))
    refused.refresh_from_db()
    assert refused.status == Status.NOT_RECEIVED and refused.timeliness == ""


def test_withdrawal_ends_a_received_dossier(receive, world):
    dossier = receive("2026-04-24 09:00")
    services.withdraw_dossier(dossier, actor=world.desk_officer, reason="Công dân rút",
                              at=at("2026-04-28 09:00"))
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN and dossier.timeliness == Timeliness.EARLY
    with pytest.raises(InvalidTransition):
        services.transfer_dossier(dossier, actor=world.desk_officer)


def test_transitions_and_actors_are_checked(receive, world):
    dossier = receive("2026-04-24 09:00")
    with pytest.raises(InvalidTransition):
        services.return_result(dossier, actor=world.desk_officer)
    with pytest.raises(InvalidTransition) as excinfo:  # a specialist does not hold the desk's step
        services.transfer_dossier(dossier, actor=world.specialist)
    assert excinfo.value.code == "not_holder"
    with pytest.raises(Forbidden):
        services.approve_dossier(dossier, actor=world.desk_officer)
    with pytest.raises(OutsideJurisdiction):
        services.transfer_dossier(dossier, actor=world.outsider)
    with pytest.raises(Conflict):
        services.transfer_dossier(dossier, actor=world.desk_officer, expected_version=dossier.version + 1)
    with pytest.raises(InvalidInput):
        services.perform(dossier, "fly", actor=world.desk_officer)
    with pytest.raises(InvalidInput):
        services.perform(dossier, "transfer", actor=world.desk_officer, colour="red")
    # Nothing above changed the dossier.
    dossier.refresh_from_db()
    assert dossier.version == 0 and dossier.events.count() == 1


def test_applicant_is_validated_field_by_field(world):
    with pytest.raises(InvalidInput) as excinfo:
        services.receive_dossier(agency=world.desk, procedure=world.five_days, actor=world.desk_officer,
                                 applicant={"name": "", "id_number": "12", "phone": "abc",
                                            "email": "x@"})
    assert set(excinfo.value.fields) == {"applicant.name", "applicant.id_number", "applicant.phone",
                                         "applicant.email"}


def test_only_desks_receive(world):
    with pytest.raises(InvalidInput) as excinfo:
        services.receive_dossier(agency=world.ubnd, procedure=world.five_days, applicant=APPLICANT,
                                 actor=world.desk_officer)
    assert excinfo.value.code == "not_a_reception_desk"
    with pytest.raises(Forbidden):
        services.receive_dossier(agency=world.desk, procedure=world.five_days, applicant=APPLICANT,
                                 actor=world.specialist)
