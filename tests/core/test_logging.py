"""Structured logs: one JSON object per line with the request's id, user, path, status and
duration; X-Request-ID taken from the proxy or made; plain text in debug."""

import contextvars
import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from cchc.core.requestlog import JsonFormatter, RequestContextFilter, RequestIdMiddleware


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    cchc = logging.getLogger("cchc")
    old_level = cchc.level
    cchc.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    cchc.setLevel(old_level)


class FakeUser:
    pk = 42
    is_authenticated = True


def view_that_logs(request):
    logging.getLogger("cchc.onestop").warning("Hồ sơ %s cần chú ý", "000.10.50.H20-260424-0001")
    return HttpResponse("ok", status=201)


def test_a_request_gives_json_lines_with_its_context(json_log):
    request = RequestFactory().get("/mot-cua/ho-so/", HTTP_X_REQUEST_ID="lb-7f3a.01")
    request.user = FakeUser()
    response = RequestIdMiddleware(view_that_logs)(request)
    assert response["X-Request-ID"] == "lb-7f3a.01"
    inside, access = json_log()
    assert inside["message"] == "Hồ sơ 000.10.50.H20-260424-0001 cần chú ý"
    assert (inside["level"], inside["logger"]) == ("WARNING", "cchc.onestop")
    assert (inside["request_id"], inside["user_id"], inside["path"]) == (
        "lb-7f3a.01", "42", "/mot-cua/ho-so/")
    assert access["logger"] == "cchc.request" and access["level"] == "INFO"
    assert (access["status"], access["request_id"], access["path"]) == (
        201, "lb-7f3a.01", "/mot-cua/ho-so/")
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert access["time"].endswith("+07:00") and "T" in access["time"]


def test_a_forged_request_id_is_replaced(json_log):
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID='x"}\n{"level": "CRITICAL')
    response = RequestIdMiddleware(lambda r: HttpResponse())(request)
    new_id = response["X-Request-ID"]
    assert len(new_id) == 32 and new_id.isalnum()
    [access] = json_log()
    assert access["request_id"] == new_id and access["user_id"] is None


def test_a_failing_view_is_logged_as_an_error_with_status_500(json_log):
    def broken(request):
        raise RuntimeError("hỏng")

    with pytest.raises(RuntimeError):
        RequestIdMiddleware(broken)(RequestFactory().get("/bao-cao/"))
    [access] = json_log()
    assert (access["level"], access["status"]) == ("ERROR", 500)


def test_outside_a_request_the_fields_are_empty(json_log):
    # A command or the task worker: a context where no request ever ran.
    contextvars.Context().run(logging.getLogger("cchc.core").warning, "from a command")
    [line] = json_log()
    assert (line["request_id"], line["user_id"], line["path"]) == ("-", None, None)


@pytest.mark.django_db
def test_the_real_stack_sets_the_header(client):
    response = client.get("/thu-tuc/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


SCRIPT = ("import django, logging; django.setup(); "
          "logging.getLogger('cchc.test').warning('xin chào %s', 'Đồng Tháp')")


def run_logging(**env):
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("CCHC_", "PYTEST", "DJANGO_")) and k != "DATABASE_URL"}
    base.update({"DJANGO_SETTINGS_MODULE": "cchc.settings",
                 "CCHC_SECRET_KEY": "s" * 20 + "x7Qp2LmZ9vR4tN8wB6cD1fG5hJ0sA3eU", **env})
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=base, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()


def test_production_logs_are_json_and_debug_logs_are_text(tmp_path):
    [line] = run_logging(CCHC_DATA_DIR=str(tmp_path))
    record = json.loads(line)
    assert record["message"] == "xin chào Đồng Tháp" and record["level"] == "WARNING"
    assert record["logger"] == "cchc.test" and record["request_id"] == "-"
    [text] = run_logging(CCHC_DATA_DIR=str(tmp_path), CCHC_DEBUG="1")
    assert text.endswith("WARNING cchc.test [-] xin chào Đồng Tháp")


@pytest.mark.django_db
def test_djangos_own_error_lines_carry_the_request_id(client, json_log):
    client.get("/khong-co-trang-nay/", HTTP_X_REQUEST_ID="req-404")
    lines = json_log()
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found and not_found[0]["request_id"] == "req-404"
    assert not_found[0]["path"] == "/khong-co-trang-nay/"
