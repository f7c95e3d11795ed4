"""/healthz and /readyz: no login, no CSRF, no host check; /readyz names the failing check
with 503 (a database on a closed port, a cache that loses values, pending migrations)."""

import pytest
from django.db.utils import ConnectionHandler
from django.test import Client

from cchc.core import health


@pytest.fixture(autouse=True)
def fresh_migration_state(monkeypatch):
    monkeypatch.setattr(health, "_migrations_ok", False)


def test_healthz_answers_without_touching_the_database(client):
    response = client.get("/healthz")  # no db mark: any query would raise
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_readyz_reports_every_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": {"ok": True}, "migrations": {"ok": True},
                              "cache": {"ok": True}}


@pytest.mark.django_db
def test_probes_need_no_login_no_csrf_and_no_allowed_host(settings):
    settings.ALLOWED_HOSTS = ["cchc.dongthap.gov.vn"]
    client = Client(enforce_csrf_checks=True, HTTP_HOST="10.0.0.7")  # a load balancer by address
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.head("/readyz/").status_code == 200
    assert "sessionid" not in client.cookies
    assert client.get("/").status_code == 400  # every other page still checks the host


@pytest.mark.django_db
def test_readyz_fails_with_503_when_the_database_port_is_closed(client, monkeypatch):
    closed = ConnectionHandler({"default": {
        "ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": "1",
        "NAME": "cchc", "USER": "cchc", "OPTIONS": {"connect_timeout": 2}}})
    monkeypatch.setattr(health, "connections", closed)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database", "migrations"]
    assert body["checks"]["database"] == {"ok": False, "error": "database_unavailable",
                                          "detail": "OperationalError"}
    assert body["checks"]["migrations"]["error"] == "skipped"
    assert body["checks"]["cache"] == {"ok": True}
    assert "127.0.0.1" not in response.content.decode()  # the driver's text stays in the log


@pytest.mark.django_db
def test_readyz_fails_when_the_cache_loses_values(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["cache"]["error"] == "cache_unavailable"


@pytest.mark.django_db
def test_readyz_fails_while_migrations_are_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    class Pending:
        app_label, name = "onestop", "9999_next"

    monkeypatch.setattr(MigrationExecutor, "migration_plan",
                        lambda self, targets: [(Pending, False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.json()["checks"]["migrations"]
    assert check["error"] == "migrations_unavailable"
    assert "onestop.9999_next" in check["detail"]
    monkeypatch.undo()
    assert client.get("/readyz").status_code == 200  # re-checked once applied


def test_other_methods_go_through_the_normal_stack(client):
    response = Client(enforce_csrf_checks=True).post("/healthz")
    assert response.status_code in (403, 404, 405)
