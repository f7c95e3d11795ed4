"""Structured logs and request ids.

``RequestIdMiddleware`` (first in MIDDLEWARE) takes the ``X-Request-ID`` a proxy sent (when
it looks like an id: 1-128 letters, digits, ``.``, ``_``, ``-``; anything else is replaced,
so that a client cannot forge log lines) or makes a new one, returns it in the response
header, and writes one line per request on the ``cchc.request`` logger: method, path,
status, duration in milliseconds. The load balancer's probes (``/healthz``, ``/readyz``)
are logged only when they fail, at DEBUG otherwise.

``RequestContextFilter`` adds the current request id, user id and path to every record
logged while the request runs (``-`` outside a request: commands, the task worker), and
``JsonFormatter`` writes each record as one JSON object per line (python-json-logger):
time (ISO 8601 with offset), level, logger, message, request_id, user_id, path, status,
duration_ms, plus the exception text when there is one. ``CCHC_LOG_FORMAT`` chooses
JSON (production default) or plain text (debug, tests).
"""

import contextvars
import datetime
import logging
import re
import time
import uuid

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

logger = logging.getLogger("cchc.request")

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_QUIET_PATHS = {"/healthz", "/readyz"}

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cchc_request_id", default=None)
_request_var: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "cchc_request", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


def _incoming_id(request) -> str:
    value = request.META.get(_META_KEY, "")
    return value if _VALID_ID.match(value) else uuid.uuid4().hex


def _user_id(request) -> str | None:
    user = getattr(request, "user", None)  # set later by AuthenticationMiddleware, if at all
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return str(user.pk)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _incoming_id(request)
        request.request_id = request_id
        # Not reset when the response leaves: Django logs 4xx/5xx ("django.request") and
        # runs request_finished after the middleware, and those lines belong to this request.
        # The next request in this thread (or task, under ASGI) sets its own.
        request_id_var.set(request_id)
        _request_var.set(request)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[HEADER] = request_id
            return response
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            level = logging.INFO
            if request.path in _QUIET_PATHS:
                level = logging.DEBUG if status < 400 else logging.WARNING
            elif status >= 500:
                level = logging.ERROR
            logger.log(level, "%s %s %s %.1fms", request.method, request.path, status,
                       duration_ms, extra={"status": status, "duration_ms": duration_ms,
                                           "method": request.method})


class RequestContextFilter(logging.Filter):
    """Adds request_id, user_id and path to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _request_var.get()
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or "-"
        if not hasattr(record, "user_id"):
            record.user_id = _user_id(request) if request is not None else None
        if not hasattr(record, "path"):
            record.path = getattr(request, "path", None)
        return True


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per line with the fields named in the module docstring."""

    FIELDS = ("request_id", "user_id", "path", "status", "duration_ms", "method")

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        log_data["time"] = datetime.datetime.fromtimestamp(
            record.created, tz=datetime.UTC).astimezone().isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.getMessage()
        for field in self.FIELDS:
            log_data.setdefault(field, getattr(record, field, None))
