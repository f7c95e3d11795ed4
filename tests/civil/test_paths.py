"""The two ways into the book: through the desk (entry written when the dossier is processed)
and directly by the civil-status officer (dossier and entry in one transaction); the checks
against the registry (currently married, registered dead)."""

import pytest

from cchc.civil import services
from cchc.civil.models import CivilRequest, RegisterEntry, RequestStatus
from cchc.errors import Forbidden, InvalidInput, OutsideJurisdiction
from cchc.onestop import services as onestop
from cchc.onestop.models import DailySequence, Dossier, Status
from cchc.onestop.signals import dossier_processed
from tests.civil.conftest import at, birth, death, marriage


def process(world, dossier, when="2026-04-24 10:00"):
    """Desk -> specialist -> leader, as the one-stop pages do."""
    dossier = onestop.transfer_dossier(dossier, actor=world.desk_officer, at=at(when))
    dossier = onestop.transfer_dossier(dossier, actor=world.officer, at=at(when))
    return onestop.approve_dossier(dossier, actor=world.leader, at=at(when), result="Đã ký")


def at_desk(world, event_type, data, when="2026-04-24 09:00", **kwargs):
    return services.register_at_desk(agency=world.desk, event_type=event_type, data=data,
                                     actor=world.desk_officer, at=at(when), **kwargs)


# -- through the desk ----------------------------------------------------------------------------

def test_a_birth_received_at_the_desk_is_written_when_its_dossier_is_processed(
        world, django_capture_on_commit_callbacks):
    request = at_desk(world, "birth", birth())
    dossier = request.dossier
    assert (dossier.status, dossier.procedure.base_code) == (Status.RECEIVED, "1.001193")
    assert (request.status, request.kind, request.unit) == (RequestStatus.PENDING, "normal",
                                                           world.commune)
    assert dossier.applicant_name == "Nguyễn Văn Hùng"
    assert not RegisterEntry.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        process(world, dossier, "2026-04-24 10:30")
    entry = RegisterEntry.objects.get()
    assert (entry.dossier, entry.number, entry.book.volume) == (dossier, 1, "01/2026")
    assert entry.registered_at == at("2026-04-24 10:30")
    assert entry.registered_by == world.leader
    assert (entry.full_name, entry.mother_name) == ("Nguyễn Thị Bảo Ngọc", "Trần Thị Lan")
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE and request.completed_at


def test_the_entry_is_written_once_however_often_the_signal_comes(
        world, django_capture_on_commit_callbacks):
    request = at_desk(world, "birth", birth())
    with django_capture_on_commit_callbacks(execute=True):
        process(world, request.dossier)
    dossier_processed.send(sender=Dossier, dossier_id=request.dossier_id)
    services.complete_civil_request(request.dossier_id)
    assert RegisterEntry.objects.count() == 1


def test_the_deadline_is_measured_at_reception_not_at_processing(
        world, django_capture_on_commit_callbacks):
    # Born 01/03/2026; received on day 60, processed on day 62: a timely registration.
    request = at_desk(world, "birth", birth(birth_date="2026-03-01"), "2026-04-30 15:30")
    with django_capture_on_commit_callbacks(execute=True):
        process(world, request.dossier, "2026-05-04 08:00")
    entry = RegisterEntry.objects.get()
    assert entry.kind == "normal" and entry.registered_at == at("2026-05-04 08:00")


def test_the_desk_refuses_what_breaks_the_rules_without_receiving_anything(world):
    with pytest.raises(InvalidInput) as caught:
        at_desk(world, "marriage", marriage(wife={"birth_date": "2010-05-01",
                                                  "id_number": "087310013579"}))
    assert "wife.birth_date" in caught.value.fields
    assert not Dossier.objects.exists() and not CivilRequest.objects.exists()
    assert not DailySequence.objects.filter(last__gt=0).exists()


def test_a_rule_broken_by_processing_time_is_recorded_not_raised(
        world, register, django_capture_on_commit_callbacks):
    request = at_desk(world, "marriage", marriage())
    # Meanwhile the husband married someone else, registered directly.
    register("marriage", marriage(wife={"full_name": "Đặng Thị Mỹ", "birth_date": "1999-01-01",
                                        "id_number": "087199000777"}), "2026-04-24 09:30")
    with django_capture_on_commit_callbacks(execute=True):
        dossier = process(world, request.dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED  # the approval stands
    request.refresh_from_db()
    assert request.status == RequestStatus.FAILED
    assert "Lê Minh Tuấn" in request.error and "đang có vợ, có chồng" in request.error
    assert "husband.full_name" in request.error_fields
    assert RegisterEntry.objects.count() == 1  # only the other marriage
    with pytest.raises(Forbidden):
        services.retry_civil_request(request, actor=world.inspector)


def test_an_unexpected_error_is_recorded_and_logged(world, django_capture_on_commit_callbacks,
                                                    monkeypatch, caplog):
    request = at_desk(world, "birth", birth())

    def broken(**kwargs):
        raise RuntimeError("ổ đĩa đầy")

    monkeypatch.setattr(services.registration, "_write_entry", broken)
    with django_capture_on_commit_callbacks(execute=True):
        process(world, request.dossier)
    request.refresh_from_db()
    assert request.status == RequestStatus.FAILED and "ổ đĩa đầy" in request.error
    assert "failed" in caplog.text
    monkeypatch.undo()
    assert services.retry_civil_request(request, actor=world.officer).status == RequestStatus.DONE
    assert RegisterEntry.objects.get().dossier == request.dossier


def test_only_a_desk_officer_receives(world):
    with pytest.raises(Forbidden):
        services.register_at_desk(agency=world.desk, event_type="birth", data=birth(),
                                  actor=world.officer, at=at("2026-04-24 09:00"))


# -- directly by the officer ------------------------------------------------------------------------

def test_a_direct_registration_creates_and_processes_the_dossier_with_the_entry(world, register):
    entry = register("birth", birth())
    dossier = Dossier.objects.get()
    assert entry.dossier == dossier and entry.registered_by == world.officer
    assert dossier.status == Status.PROCESSED and dossier.procedure.base_code == "1.001193"
    assert dossier.result_note == "Đã ghi vào Sổ đăng ký khai sinh quyển 01/2026, số 1."
    assert dossier.received_at == dossier.finished_at == at("2026-04-24 09:00")
    assert CivilRequest.objects.get().status == RequestStatus.DONE
    actions = list(dossier.events.values_list("action", flat=True))
    assert actions == ["receive", "transfer", "transfer", "approve"]


def test_a_rule_failure_in_the_direct_path_leaves_neither_dossier_nor_entry(world, register):
    with pytest.raises(InvalidInput):
        register("marriage", marriage(wife={"birth_date": "2008-04-25",
                                            "id_number": "087308013579"}), "2026-04-24 09:00")
    assert not Dossier.objects.exists() and not RegisterEntry.objects.exists()


def test_a_failure_after_the_dossier_was_received_undoes_everything(world, register, monkeypatch):
    def broken(*args, **kwargs):
        raise InvalidInput("Lỗi giả lập sau khi tiếp nhận.")

    monkeypatch.setattr(services.registration, "_process_same_day", broken)
    with pytest.raises(InvalidInput):
        register("birth", birth())
    assert not Dossier.objects.exists() and not RegisterEntry.objects.exists()
    assert not CivilRequest.objects.exists()
    monkeypatch.undo()
    entry = register("birth", birth())
    assert entry.number == 1 and entry.dossier.code.endswith("-0001")


def test_the_officer_registers_only_in_their_own_unit(world, register):
    with pytest.raises(OutsideJurisdiction):
        register("birth", birth(), actor=world.outsider)
    with pytest.raises(Forbidden):
        register("birth", birth(), actor=world.inspector)
    assert not Dossier.objects.exists()


def test_late_and_reregistration_use_their_procedures(world, register):
    late = register("birth", birth(birth_date="2025-12-01"))
    assert (late.kind, late.dossier.procedure.base_code) == ("late", "1.001193")
    data = death(date="2012-03-04", deceased={"id_number": ""})
    data["original_registered_on"] = "2012-03-10"
    again = register("death", data, kind="reregistration")
    assert (again.kind, again.dossier.procedure.base_code) == ("reregistration", "1.005461")
    assert again.original_registered_on.isoformat() == "2012-03-10"


def test_a_procedure_of_another_event_is_refused(world, register):
    with pytest.raises(InvalidInput) as caught:
        register("birth", birth(), procedure="1.000894")
    assert "procedure" in caught.value.fields


# -- the registry ---------------------------------------------------------------------------------

def test_neither_party_may_be_currently_married(world, register):
    register("marriage", marriage())
    with pytest.raises(InvalidInput) as caught:  # the wife, now with another man
        register("marriage", marriage(husband={"full_name": "Trương Văn Khải",
                                               "birth_date": "1995-02-02",
                                               "id_number": "087095000555"}))
    assert list(caught.value.fields) == ["wife.full_name"]
    assert "Sổ đăng ký kết hôn của Phường Hồng Ngự, quyển 01/2026, số 1" in caught.value.message
    assert "Điều 5" in caught.value.message


def test_a_marriage_registered_in_another_unit_counts_too(world, register):
    register("marriage", marriage(), agency=world.other_desk, actor=world.outsider)
    with pytest.raises(InvalidInput) as caught:
        register("marriage", marriage(wife={"full_name": "Cao Thị Lệ", "birth_date": "2001-01-01",
                                            "id_number": "087301000999"}))
    assert "Xã Tân Hồng" in caught.value.message


def test_a_person_is_recognised_by_name_and_birth_date_when_ids_differ(world, register):
    register("marriage", marriage())
    with pytest.raises(InvalidInput):
        register("marriage", marriage(
            husband={"full_name": "LÊ MINH TUẤN", "id_number": "087098009999"},
            wife={"full_name": "Cao Thị Lệ", "birth_date": "2001-01-01",
                  "id_number": "087301000999"}))


def test_after_a_divorce_or_the_spouses_death_a_person_may_marry_again(world, register):
    first = register("marriage", marriage())
    services.record_note_directly(entry=first, kind="divorce", actor=world.officer,
                                  basis="Bản án số 12/2026/HNGĐ-ST ngày 05/3/2026",
                                  at=at("2026-05-01 09:00"))
    second = register("marriage", marriage(wife={"full_name": "Cao Thị Lệ",
                                                 "birth_date": "2001-01-01",
                                                 "id_number": "087301000999"}),
                      "2026-05-04 09:00")
    register("death", death(deceased={"full_name": "Cao Thị Lệ", "sex": "F",
                                      "birth_date": "2001-01-01", "id_number": "087301000999"},
                            date="2026-06-01"), "2026-06-02 09:00")
    third = register("marriage", marriage(wife={"full_name": "Mai Thị Hồng",
                                                "birth_date": "2002-02-02",
                                                "id_number": "087302000888"}),
                     "2026-07-01 09:00")
    assert [first.number, second.number, third.number] == [1, 2, 3]


def test_no_marriage_of_a_person_registered_dead(world, register):
    # The death entry has no ID number: the person is recognised by name and birth date.
    register("death", death(deceased={"full_name": "Phạm Thị Thu Hà", "sex": "F",
                                      "birth_date": "2000-09-02", "id_number": ""},
                            date="2026-04-20"))
    with pytest.raises(InvalidInput) as caught:
        register("marriage", marriage())
    assert "đã được đăng ký khai tử" in caught.value.message
    assert list(caught.value.fields) == ["wife.full_name"]


def test_a_death_is_registered_once(world, register):
    register("death", death())
    with pytest.raises(InvalidInput) as caught:
        register("death", death(), "2026-04-25 09:00", agency=world.other_desk,
                 actor=world.outsider)
    assert "đã được đăng ký khai tử" in caught.value.message


def test_a_childs_id_number_is_not_given_twice(world, register):
    register("birth", birth(id_number="087326000001"))
    with pytest.raises(InvalidInput) as caught:
        register("birth", birth(full_name="Nguyễn Văn Khác", sex="M", id_number="087326000001"))
    assert "child.id_number" in caught.value.fields
