"""Civil-status writes and downloads in the hash-chained audit log (core.audittrail): entries,
marginal notes (corrections), book closings, imported history and the PDFs of an entry —
in the transaction of the change, and without the personal data itself."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cchc.civil import rules, services
from cchc.civil.models import RegisterBook
from cchc.core.models import AuditRecord
from tests.civil.conftest import at, birth

pytestmark = pytest.mark.django_db


def audit(action):
    return list(AuditRecord.objects.filter(action=action).order_by("seq"))


def test_a_registration_is_recorded_with_its_place_in_the_book(world, register):
    entry = register("birth", birth())
    [record] = audit("civil.entry_registered")
    assert (record.actor_id, record.object_type, record.object_id) == (
        world.officer.pk, "civil.registerentry", str(entry.pk))
    assert record.data["number"] == entry.number and record.data["book_id"] == entry.book_id
    assert entry.full_name not in str(record.data)  # the book holds the facts, not the log
    out = io.StringIO()
    call_command("audit-log", "verify", stdout=out)
    assert "toàn vẹn" in out.getvalue()


def test_a_rolled_back_registration_leaves_no_record(world, register):
    with pytest.raises(RuntimeError), transaction.atomic():
        register("birth", birth())
        assert audit("civil.entry_registered")
        raise RuntimeError
    assert audit("civil.entry_registered") == []


def test_a_correction_records_which_facts_changed(world, register):
    entry = register("birth", birth())
    note = services.record_note_directly(
        entry=entry, kind="correction", changes={"child.full_name": "Nguyễn Thị Bảo Ngân"},
        actor=world.officer, at=at("2026-05-04 09:00"), basis="Giấy chứng sinh số 15/GCS")
    [record] = audit("civil.note_recorded")
    assert record.object_id == str(note.pk) and record.actor_id == world.officer.pk
    assert record.data["entry_id"] == entry.pk and record.data["fields"] == ["full_name"]
    assert record.data["kind"] == "correction" and "Ngân" not in str(record.data)


def test_closing_a_book_is_recorded(world, register):
    register("birth", birth(birth_date="2025-12-20"), "2025-12-30 09:00")
    book = RegisterBook.objects.get()
    services.close_book(book, actor=world.leader, at=at("2025-12-31 16:30"))
    [record] = audit("civil.book_closed")
    assert record.actor_id == world.leader.pk and record.object_id == str(book.pk)
    assert (record.data["total_entries"], record.data["year"]) == (1, 2025)


def test_imported_history_is_one_record_with_the_numbers(world):
    records = [{"registered_at": at(f"2025-09-0{day} 09:00"), "kind": rules.NORMAL,
                "full_name": f"Lê Văn {name}", "sex": rules.MALE}
               for day, name in ((2, "Một"), (3, "Hai"), (4, "Ba"))]
    assert services.import_entries(unit=world.commune, event_type="birth", records=records,
                                   actor=world.officer) == 3
    [record] = audit("civil.entries_imported")
    book = RegisterBook.objects.get()
    assert record.data["count"] == 3
    assert record.data["books"] == {str(book.pk): {"first": 1, "last": 3}}


def test_downloading_an_extract_is_a_personal_data_export(world, register, client):
    entry = register("birth", birth())
    client.force_login(world.officer)
    assert client.get(f"/ho-tich/muc/{entry.pk}/trich-luc.pdf").status_code == 200
    token, _ = Token.objects.get_or_create(user=world.officer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(f"/api/v1/civil/entries/{entry.pk}/extract.pdf").status_code == 200
    records = audit("personal_data.export")
    assert [(r.actor_id, r.object_id, r.data["kind"]) for r in records] == [
        (world.officer.pk, str(entry.pk), "civil.extract")] * 2
    # A refused download is not an export.
    client.force_login(world.inspector)
    assert client.get(f"/ho-tich/muc/{entry.pk}/trich-luc.pdf").status_code == 403
    assert len(audit("personal_data.export")) == 2
