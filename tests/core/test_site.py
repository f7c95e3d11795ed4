import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_api_schema_and_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/token/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_unknown_api_route_needs_auth_then_404_json(client):
    response = client.get("/api/v1/khong-co/")
    assert response.status_code == 404


def test_api_requires_authentication_with_a_code(client):
    from django.urls import get_resolver  # noqa: F401

    response = client.get("/api/v1/auth/token/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def _run_settings(env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    env.pop("DATABASE_URL", None)
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; "
         "django.setup(); print(settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS, settings.DEBUG)"],
        capture_output=True, text=True, env=env, timeout=300,
    )


def test_production_without_secret_key_is_refused_clearly():
    result = _run_settings({"DJANGO_SETTINGS_MODULE": "cchc.settings", "CCHC_DEBUG": "0"})
    assert result.returncode != 0
    assert "Thiếu CCHC_SECRET_KEY" in result.stderr


def test_production_defaults_are_safe():
    result = _run_settings({"DJANGO_SETTINGS_MODULE": "cchc.settings", "CCHC_SECRET_KEY": "x" * 60})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "False"]
