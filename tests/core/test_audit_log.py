"""The append-only, hash-chained audit log: what writes to it, and how an inspection proves
it untouched (``cchc audit-log export`` / ``verify``)."""

import io
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from cchc.core import auditlog
from cchc.core.models import AuditRecord
from cchc.core.services import append_audit, record_personal_search
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def verify(*args):
    out = io.StringIO()
    call_command("audit-log", "verify", *args, stdout=out)
    return out.getvalue()


def test_records_chain_from_genesis_and_verify():
    user = UserFactory()  # itself recorded: account.created
    first = append_audit("test.first", actor=user, data={"n": 1, "tên": "Nguyễn Văn A"})
    second = append_audit("test.second", obj=user)
    created = AuditRecord.objects.get(seq=1)
    assert created.action == "account.created" and created.prev_hash == auditlog.GENESIS
    assert (first.seq, second.seq) == (2, 3)
    assert first.prev_hash == created.hash and second.prev_hash == first.hash
    assert first.actor_name == user.get_username()
    assert second.object_type == "org.user" and second.object_id == str(user.pk)
    assert "3 bản ghi" in verify()


def test_a_rolled_back_action_leaves_no_record_and_no_gap():
    append_audit("test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        append_audit("test.rolled_back")
        raise RuntimeError
    third = append_audit("test.after")
    assert third.seq == 2
    assert "2 bản ghi" in verify()


def test_records_cannot_be_changed_through_the_model():
    record = append_audit("test.record")
    record.action = "test.changed"
    with pytest.raises(ValueError):
        record.save()
    with pytest.raises(ValueError):
        record.delete()


def _tamper(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditrecord ENABLE TRIGGER USER")


@pytest.mark.parametrize("sql,problem", [
    ("UPDATE core_auditrecord SET data = '{\"n\": 99}' WHERE seq = %s", "nội dung bản ghi đã bị sửa"),
    ("DELETE FROM core_auditrecord WHERE seq = %s", "số thứ tự không liên tục"),
])
def test_tampering_in_the_database_is_detected(sql, problem):
    for n in range(4):
        append_audit("test.record", data={"n": n})
    _tamper(sql, [2])
    with pytest.raises(CommandError) as error:
        verify()
    assert "KHÔNG toàn vẹn tại bản ghi số" in str(error.value) and problem in str(error.value)


def test_removing_the_last_records_is_detected_by_the_head():
    for n in range(3):
        append_audit("test.record", data={"n": n})
    _tamper("DELETE FROM core_auditrecord WHERE seq = %s", [3])
    with pytest.raises(CommandError):
        verify()


@pytest.mark.postgres
def test_postgresql_refuses_updates_and_deletes():
    append_audit("test.record")
    for sql in ("UPDATE core_auditrecord SET action = 'x'", "DELETE FROM core_auditrecord"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)


def test_export_then_verify_the_file_and_detect_an_edit(tmp_path):
    for n in range(5):
        append_audit("test.record", data={"n": n})
    path = tmp_path / "audit.jsonl"
    call_command("audit-log", "export", str(path), stdout=io.StringIO())
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert "5 bản ghi" in verify("--file", str(path))

    excerpt = tmp_path / "excerpt.jsonl"
    call_command("audit-log", "export", str(excerpt), "--from-seq", "3", stdout=io.StringIO())
    assert "3 bản ghi (số 3 đến 5)" in verify("--file", str(excerpt))

    edited = [json.loads(line) for line in lines]
    edited[3]["data"]["n"] = 42
    path.write_text("\n".join(json.dumps(line) for line in edited), encoding="utf-8")
    with pytest.raises(CommandError, match="bản ghi số 4"):
        verify("--file", str(path))
    path.write_text("không phải JSON", encoding="utf-8")
    with pytest.raises(CommandError, match="Không đọc được tệp nhật ký"):
        verify("--file", str(path))


def test_logins_failed_logins_and_searches_of_people_are_recorded(client):
    user = UserFactory()
    client.post("/dang-nhap/", {"username": user.username, "password": "sai mật khẩu"})
    client.post("/dang-nhap/", {"username": user.username, "password": PASSWORD})
    record_personal_search(user, source="test", params={"q": "Nguyễn"}, result_count=3)
    actions = list(AuditRecord.objects.values_list("action", flat=True))
    # The login's update of last_login is not an account change.
    assert actions == ["account.created", "auth.login_failed", "auth.login",
                       "personal_data.search"]
    assert AuditRecord.objects.get(action="auth.login").actor_id == user.pk
    assert "4 bản ghi" in verify()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_gap_free_chain():
    def write(n):
        try:
            for i in range(10):
                append_audit("test.concurrent", data={"writer": n, "i": i})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert list(AuditRecord.objects.values_list("seq", flat=True)) == list(range(1, 61))
    assert "60 bản ghi" in verify()
