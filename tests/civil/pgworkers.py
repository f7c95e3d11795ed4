"""Worker processes for the PostgreSQL concurrency test of entry numbers.

Spawned processes share nothing with pytest's: each sets Django up itself and points its
connection at the test database whose name it is given. Nothing here may import Django
models at module level (the child imports this module before ``django.setup()``).
"""

import datetime
import os
import time


def setup(db_name: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "cchc.settings"
    os.environ["CCHC_TESTING"] = "1"
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = db_name


def birth_worker(db_name: str, ids: dict, count: int, rollback_every: int, start, results) -> None:
    """``count`` direct birth registrations in the same book, started with the other workers;
    every ``rollback_every``-th one is rolled back after its number was taken."""
    setup(db_name)
    from django.db import connection, transaction

    from cchc.civil import services
    from cchc.org.models import Agency, User
    from tests.civil.conftest import birth

    agency = Agency.objects.get(pk=ids["agency"])
    actor = User.objects.get(pk=ids["actor"])
    at = datetime.datetime.fromisoformat(ids["at"])
    connection.ensure_connection()
    start.wait(60)
    numbers, rolled_back, began = [], 0, time.perf_counter()
    for i in range(count):
        data = birth(full_name=f"Trẻ {os.getpid()} {i}")
        if rollback_every and i % rollback_every == rollback_every - 1:
            try:
                with transaction.atomic():
                    services.register_directly(event_type="birth", data=data, agency=agency,
                                               actor=actor, at=at)
                    raise RuntimeError("rollback")
            except RuntimeError:
                rolled_back += 1
            continue
        entry = services.register_directly(event_type="birth", data=data, agency=agency,
                                           actor=actor, at=at)
        numbers.append(entry.number)
    results.put({"pid": os.getpid(), "numbers": numbers, "rolled_back": rolled_back,
                 "seconds": time.perf_counter() - began})
    connection.close()
