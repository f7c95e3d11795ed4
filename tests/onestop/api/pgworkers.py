"""Worker processes for the PostgreSQL concurrency tests.

Spawned processes share nothing with pytest's: each sets Django up itself and points its
connection at the test database whose name it is given. Nothing here may import Django
models at module level (the child imports this module before ``django.setup()``).
"""

import datetime
import os
import time

APPLICANT = {"name": "Nguyễn Văn An", "id_number": "087090001234", "phone": "0912345678",
             "email": "an@example.org", "address": "Phường Hồng Ngự, Đồng Tháp"}


def setup(db_name: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "cchc.settings"
    os.environ["CCHC_TESTING"] = "1"
    os.environ["CCHC_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = db_name


def _fast_commits(sender, connection, **kwargs):
    # Commits that do not wait for the WAL flush: the locks are released at commit just the
    # same, so what is tested (allocation under concurrency) does not change; only the
    # suite's time does (a flush costs 3-20 ms on the CI disk, inside the counter's lock).
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")


def fast_commits() -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(_fast_commits)


def _world(ids: dict):
    from cchc.catalog.models import Procedure
    from cchc.org.models import Agency, User

    return (Agency.objects.get(pk=ids["agency"]), Procedure.objects.get(pk=ids["procedure"]),
            User.objects.get(pk=ids["actor"]), datetime.datetime.fromisoformat(ids["at"]))


def intake_worker(db_name: str, ids: dict, count: int, start, results) -> None:
    """``count`` receptions one after the other, started together with the other workers
    (``start`` is a barrier of all the workers and the parent)."""
    setup(db_name)
    fast_commits()
    from django.db import connection

    from cchc.onestop import services
    from cchc.workcal.selectors import get_calendar

    agency, procedure, actor, at = _world(ids)
    # Built once per process (~1 s): not inside the first reception, where it would hold the
    # counter's lock while the other workers wait.
    get_calendar()
    connection.ensure_connection()
    start.wait(600)
    codes, began = [], time.perf_counter()
    for _ in range(count):
        dossier = services.receive_dossier(agency=agency, procedure=procedure, applicant=APPLICANT,
                                           actor=actor, at=at)
        codes.append(dossier.code)
    results.put({"pid": os.getpid(), "codes": codes, "seconds": time.perf_counter() - began})
    connection.close()


def killed_intake_worker(db_name: str, ids: dict, mode: str, ready) -> None:
    """Begins a reception, stores the dossier, reports, and waits to be killed before commit:
    ``idle`` waits in Python (idle in transaction), ``query`` inside a long ``pg_sleep``."""
    setup(db_name)
    from django.db import connection, transaction

    from cchc.onestop import services

    agency, procedure, actor, at = _world(ids)
    with transaction.atomic():
        dossier = services.receive_dossier(agency=agency, procedure=procedure, applicant=APPLICANT,
                                           actor=actor, at=at)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
            if mode == "query":
                # Lets the server notice a vanished client while a query runs (PostgreSQL 14+).
                cursor.execute("SET client_connection_check_interval = 100")
            ready.put({"code": dossier.code, "backend": backend})
            if mode == "query":
                cursor.execute("SELECT pg_sleep(120)")
            else:
                time.sleep(120)
    raise SystemExit("not killed")  # pragma: no cover
