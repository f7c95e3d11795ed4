"""Dossier events are not in the synchronous audit chain: periodic seals (chained audit
records with the id range, count and digest of the events since the previous seal) let
``cchc audit-log verify`` detect an event deleted, altered or slipped in afterwards."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.urls import reverse

from cchc.core.models import AuditRecord
from cchc.onestop import audit
from cchc.onestop.models import DossierEvent

pytestmark = pytest.mark.django_db


def seal():
    out = io.StringIO()
    call_command("audit-log", "seal", stdout=out)
    return out.getvalue()


def verify():
    out = io.StringIO()
    call_command("audit-log", "verify", stdout=out)
    return out.getvalue()


def seals():
    return [r.data for r in AuditRecord.objects.filter(action=audit.SEAL_ACTION).order_by("seq")]


def event_ids():
    return list(DossierEvent.objects.order_by("id").values_list("id", flat=True))


def test_seals_cover_the_new_events_contiguously(world, receive):
    receive()
    receive("2026-04-24 10:00")
    assert "1 dấu niêm phong mới" in seal()
    ids = event_ids()
    [first] = seals()
    assert (first["after_id"], first["last_id"], first["count"]) == (0, ids[-1], len(ids))
    assert audit.seal_dossier_events() is None  # nothing new: no record
    receive("2026-04-24 11:00")
    seal()
    [_first, second] = seals()
    assert second["after_id"] == first["last_id"] and second["count"] == 1
    assert "toàn vẹn" in verify()
    # The dossier events are in the chain only as seals, not one record each.
    assert not AuditRecord.objects.filter(action__startswith="dossier").exists()


def test_a_batch_splits_a_long_history_into_several_seals(world, receive):
    for hour in range(9, 14):
        receive(f"2026-04-24 {hour:02d}:00")
    ids = event_ids()
    while audit.seal_dossier_events(batch=2):
        pass
    found = seals()
    assert [s["count"] for s in found] == [2, 2, 1] and found[-1]["last_id"] == ids[-1]
    assert "toàn vẹn" in verify()


def _tamper(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("how,message", [
    ("delete", "niêm phong 3 sự kiện, nay còn 2 — có sự kiện bị xóa hoặc chèn thêm"),
    ("alter", "nội dung sự kiện đã bị sửa sau khi niêm phong"),
    ("backdate", "nội dung sự kiện đã bị sửa sau khi niêm phong"),
    ("unlink", "nội dung sự kiện đã bị sửa sau khi niêm phong"),
    ("insert", "niêm phong 2 sự kiện, nay còn 3 — có sự kiện bị xóa hoặc chèn thêm"),
])
def test_a_sealed_event_deleted_altered_or_slipped_in_is_reported(world, receive, how, message):
    for hour in (9, 10, 11):
        receive(f"2026-04-24 {hour:02d}:00")
    ids = event_ids()
    assert len(ids) == 3
    if how == "insert":  # an id left unused (a rolled-back intake) is filled in afterwards
        forged = DossierEvent.objects.get(pk=ids[1])
        DossierEvent.objects.filter(pk=ids[1]).delete()
    seal()
    if how == "delete":
        _tamper("DELETE FROM onestop_dossierevent WHERE id = %s", [ids[1]])
    elif how == "alter":
        _tamper("UPDATE onestop_dossierevent SET note = %s WHERE id = %s", ["sửa lén", ids[1]])
    elif how == "backdate":
        _tamper("UPDATE onestop_dossierevent SET at = at - interval '1 hour' WHERE id = %s"
                if connection.vendor == "postgresql" else
                "UPDATE onestop_dossierevent SET at = '2026-04-24 01:00:00' WHERE id = %s",
                [ids[1]])
    elif how == "unlink":
        _tamper("UPDATE onestop_dossierevent SET actor_id = NULL WHERE id = %s", [ids[1]])
    else:
        forged.note = "giả"
        forged.save(force_insert=True)
    with pytest.raises(CommandError) as error:
        verify()
    text = str(error.value)
    assert "Bản ghi đã niêm phong KHÔNG toàn vẹn" in text
    assert f"sự kiện hồ sơ số 1 đến {ids[2]}" in text and message in text
    # The chain of audit records itself is intact: only the recomputed seal differs.
    out = io.StringIO()
    call_command("audit-log", "verify", "--skip-seals", stdout=out)
    assert "toàn vẹn" in out.getvalue()


def test_a_rolled_back_seal_leaves_nothing_and_the_next_one_covers_the_events(world, receive):
    receive()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert audit.seal_dossier_events() is not None
        raise RuntimeError
    assert seals() == []
    assert audit.seal_dossier_events().data["count"] == len(event_ids())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_seals_wait_for_transactions_that_may_still_commit_older_ids(world, receive):
    receive("2026-04-24 09:00")
    # Another transaction has taken an event id (it wrote a dossier) and is still running.
    started, finish = threading.Event(), threading.Event()

    def slow_intake():
        try:
            with transaction.atomic():
                receive("2026-04-24 10:00")
                started.set()
                finish.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_intake)
    thread.start()
    try:
        assert started.wait(30)
        receive("2026-04-27 11:00")  # a later id (another day: no shared sequence row)
        first = audit.seal_dossier_events()
        # Nothing is sealed while the slow transaction may still commit an older id; the
        # horizon is recorded.
        assert first.data["count"] == 0 and first.data["next"]["xids"]
        assert audit.seal_dossier_events() is None
    finally:
        finish.set()
        thread.join()
    audit.seal_dossier_events()
    assert sum(s["count"] for s in seals()) == len(event_ids()) == 3
    assert "toàn vẹn" in verify()


def test_register_and_form_downloads_are_personal_data_exports(client, world, receive):
    dossier = receive()
    client.force_login(world.desk_officer)
    for fmt in ("pdf", "xlsx"):
        response = client.get(f"/mot-cua/so-theo-doi/{world.desk.code}.{fmt}"
                              "?tu=2026-04-01&den=2026-04-30")
        assert response.status_code == 200
    assert client.get(f"/mot-cua/ho-so/{dossier.code}/mau-01.pdf").status_code == 200
    assert client.get(f"/mot-cua/so-theo-doi/{world.desk.code}.xlsx?tu=sai").status_code == 400
    records = AuditRecord.objects.filter(action="personal_data.export").order_by("seq")
    assert [(r.actor_id, r.object_type, r.data["kind"], r.data["format"]) for r in records] == [
        (world.desk_officer.pk, "org.agency", "onestop.register", "pdf"),
        (world.desk_officer.pk, "org.agency", "onestop.register", "xlsx"),
        (world.desk_officer.pk, "onestop.dossier", "onestop.form_01", "pdf")]
    assert records[0].data["from"] == "2026-04-01" and records[2].data["code"] == dossier.code


def test_downloading_a_citizens_document_is_a_personal_data_export(client, world, receive):
    from cchc.onestop import uploads
    from tests.onestop.pages.conftest import pdf

    dossier = receive()
    [document] = uploads.attach_documents(dossier, [pdf()])
    url = reverse("onestop:document", args=[dossier.code, document.pk])
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.specialist)
    assert client.get(url).status_code == 200
    [record] = AuditRecord.objects.filter(action="personal_data.export")
    assert (record.actor_id, record.data["kind"], record.data["document_id"]) == (
        world.specialist.pk, "onestop.document", document.pk)
