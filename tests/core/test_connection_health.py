"""The PostgreSQL health check of cchc.core.postgresql: no round trip for an idle connection,
and a connection the server closed is found unusable, so Django opens a new one."""

import time
from unittest import mock

import psycopg
import pytest
from django.db import connection, transaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _other_connection():
    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432,
                           user=settings["USER"], password=settings["PASSWORD"] or None,
                           dbname=settings["NAME"], autocommit=True)


def _wait_until_gone(other, pid):
    for _ in range(300):
        if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            return
        time.sleep(0.01)
    raise AssertionError(f"backend {pid} still running")


@pytest.fixture
def idle_connection():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    yield connection
    connection.close_if_unusable_or_obsolete()


def test_an_idle_live_connection_is_usable_without_a_statement(idle_connection):
    # Every statement, Django's ``SELECT 1`` included, goes through a psycopg cursor.
    with mock.patch.object(type(idle_connection.connection), "cursor",
                           side_effect=AssertionError("no statement expected")) as cursor:
        assert idle_connection.is_usable() is True
    cursor.assert_not_called()


def test_a_connection_the_server_terminated_is_not_usable_and_is_replaced(idle_connection):
    pid = idle_connection.connection.info.backend_pid
    with _other_connection() as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        _wait_until_gone(other, pid)
    assert idle_connection.is_usable() is False
    # What Django does before the first query of a request (CONN_HEALTH_CHECKS).
    idle_connection.health_check_done = False
    with idle_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_anything_waiting_on_an_idle_connection_makes_it_unusable(idle_connection):
    # A notification is harmless, but the check cannot tell it from a termination notice
    # without reading it: it costs a new connection, never a failed request.
    with idle_connection.cursor() as cursor:
        cursor.execute("LISTEN cchc_health_probe")
    assert idle_connection.is_usable() is True
    with _other_connection() as other:
        other.execute("NOTIFY cchc_health_probe")
    for _ in range(100):
        if not idle_connection.is_usable():
            break
        time.sleep(0.01)
    assert idle_connection.is_usable() is False


def test_inside_a_transaction_the_check_asks_the_server():
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        with mock.patch.object(type(connection.connection), "cursor",
                               wraps=connection.connection.cursor) as cursor:
            assert connection.is_usable() is True
        cursor.assert_called_once()
