"""PostgreSQL restarts as the API sees them: the connection of the worker is killed by the
server (what a restart or a failover does). An idle connection is replaced at the next
request (health check); a request in flight gets a clean 503 with Retry-After, nothing
half-written; a client that retries a
reception with its Idempotency-Key gets every dossier exactly once, numbers without a gap
(checked with bench/load/check_sequences.py's own function)."""

import importlib.util
import time
from pathlib import Path
from unittest import mock

import psycopg
import pytest
from django.db import connection

from cchc.onestop import services
from cchc.onestop.models import DailySequence, Dossier, DossierEvent, ReceiptKey

# The fixture, not the marker: tests/conftest.py puts back the migrations' rows (calendar)
# after tests that request ``transactional_db``.
pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("transactional_db")]

_spec = importlib.util.spec_from_file_location(
    "check_sequences", Path(__file__).parents[3] / "bench" / "load" / "check_sequences.py")
check_sequences = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_sequences)


def _kill_django_connection():
    """Terminate the server process behind Django's connection from another connection."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432,
                         user=settings["USER"], password=settings["PASSWORD"] or None,
                         dbname=settings["NAME"], autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        for _ in range(200):  # the backend exits asynchronously
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                                 [pid]).fetchone():
                break
            time.sleep(0.01)


def _post(client, body, key):
    response = client.post("/api/v1/dossiers/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    # What Django does at the end of every request outside tests (request_finished ->
    # close_old_connections; the test client disconnects that handler): a connection that
    # failed is dropped, so the next request opens a new one.
    connection.close_if_unusable_or_obsolete()
    return response


@pytest.fixture(autouse=True)
def _usable_connection_at_teardown():
    yield
    connection.close_if_unusable_or_obsolete()


def test_a_killed_connection_is_a_503_and_a_retry_creates_the_dossier_once(clients, intake,
                                                                          world):
    first = _post(clients.desk, intake(), "fault-key-0001")
    assert first.status_code == 201
    # The answer to the first request is lost and the database restarts while the worker is
    # idle: the next request finds the connection dead (CONN_HEALTH_CHECKS), opens a new one,
    # and the retry with the same key gets the dossier of the first request.
    # (If the health check's ping raced the dying backend, that request is a clean 503 and the
    # client's next retry reconnects: either way no 500 and one dossier.)
    _kill_django_connection()
    attempts = [_post(clients.desk, intake(), "fault-key-0001") for _ in range(2)]
    if attempts[0].status_code == 503:
        assert attempts[0].json()["code"] == "database_unavailable"
        retried = attempts[1]
    else:
        retried = attempts[0]
        assert attempts[1].status_code == 200
    assert retried.status_code == 200 and retried["Idempotent-Replayed"] == "true"
    assert retried.json()["code"] == first.json()["code"]
    # The connection dies in the middle of a reception: 503, nothing written.
    real_read = services.version_for_intake

    def dying(code, on):
        answer = real_read(code, on)
        _kill_django_connection()
        return answer

    with mock.patch.object(services, "version_for_intake", side_effect=dying):
        lost = _post(clients.desk, intake(), "fault-key-0002")
    assert lost.status_code == 503
    assert lost["Retry-After"] == "5"
    assert lost.json()["code"] == "database_unavailable"
    assert Dossier.objects.count() == 1 and ReceiptKey.objects.count() == 1
    second = _post(clients.desk, intake(), "fault-key-0002")
    assert second.status_code == 201
    assert second.json()["code"].endswith("-0002")

    assert Dossier.objects.count() == 2
    assert ReceiptKey.objects.count() == 2
    assert DossierEvent.objects.filter(action="receive").count() == 2
    assert DailySequence.objects.get(agency=world.desk).last == 2
    problems, stats = check_sequences.check_dossier_codes()
    assert problems == [] and stats == {"dossiers": 2, "desk_days": 1}


def test_the_check_finds_a_gap_and_a_counter_out_of_step(clients, intake, world):
    for key in ("gap-key-0001", "gap-key-0002", "gap-key-0003"):
        assert _post(clients.desk, intake(), key).status_code == 201
    middle = Dossier.objects.get(code__endswith="-0002")
    Dossier.objects.filter(pk=middle.pk).update(code=middle.code[:-4] + "0009")
    problems, _stats = check_sequences.check_dossier_codes()
    assert len(problems) == 1
    assert "số lớn nhất 9" in problems[0] and "thiếu [2, 4, 5, 6, 7, 8]" in problems[0]
    DailySequence.objects.filter(agency=world.desk).update(last=5)
    problems, _stats = check_sequences.check_dossier_codes()
    assert len(problems) == 2 and "bộ đếm 5 nhưng có 3 hồ sơ" in problems[1]
