"""Health and readiness probes for the load balancer and the service manager.

- ``GET /healthz``: the process is alive and answers; touches neither the database nor the
  cache. Always 200 ``{"status": "ok"}``.
- ``GET /readyz``: the instance can serve: the database answers a ``SELECT 1``, every
  migration of the code is applied, the cache stores and reads back a value. 200 with each
  check's result, or 503 with ``{"status": "unavailable", "failed": [...], "checks":
  {name: {"ok": false, "error": code, "detail": ...}}}`` naming what failed.

Both are answered by ``HealthCheckMiddleware``, placed before every other middleware but the
request id: no login, no session, no CSRF, no host check (a load balancer probes by
address), no HTTPS redirect, no lockout (axes) and no throttle. They never show data.
Once the migrations were found applied the answer is kept for the life of the process
(the code cannot gain a migration without a restart), so a probe costs one query and one
cache round trip.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"

_migrations_ok = False


class NotReady(Exception):
    """A check's own finding (its text is safe to show)."""


def check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_migrations() -> None:
    global _migrations_ok
    if _migrations_ok:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        pending = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        raise NotReady(f"{len(plan)} migration(s) not applied: {pending}")
    _migrations_ok = True


def check_cache() -> None:
    key = "cchc:readyz"
    value = uuid.uuid4().hex
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise NotReady("the cache did not return the value just stored")


CHECKS = {"database": check_database, "migrations": check_migrations, "cache": check_cache}
# A check that cannot run without an earlier one is skipped when that one failed.
_NEEDS = {"migrations": "database"}


def readiness() -> tuple[bool, dict]:
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        needed = _NEEDS.get(name)
        if needed and not results[needed]["ok"]:
            results[name] = {"ok": False, "error": "skipped", "detail": f"{needed} failed"}
            continue
        try:
            check()
        except Exception as exc:  # a probe reports every failure, it never raises
            # The full text goes to the log only: the probe is public, and a driver's
            # message names hosts and ports.
            logger.warning("Readiness check %s failed: %s", name, exc)
            detail = str(exc) if isinstance(exc, NotReady) else type(exc).__name__
            results[name] = {"ok": False, "error": f"{name}_unavailable", "detail": detail[:300]}
        else:
            results[name] = {"ok": True}
    return all(r["ok"] for r in results.values()), results


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    return _no_store(JsonResponse({"status": "ok"}))


def readyz(request):
    ok, results = readiness()
    if ok:
        return _no_store(JsonResponse({"status": "ok", "checks": results}))
    failed = [name for name, r in results.items() if not r["ok"]]
    return _no_store(JsonResponse({"status": "unavailable", "failed": failed, "checks": results},
                                  status=503))


class HealthCheckMiddleware:
    """Answers the two probes before the rest of the stack (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/") or "/"
        if path in (HEALTH_PATH, READY_PATH) and request.method in ("GET", "HEAD"):
            return healthz(request) if path == HEALTH_PATH else readyz(request)
        return self.get_response(request)
