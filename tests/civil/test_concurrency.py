"""Entry numbers under real concurrency on PostgreSQL: separate processes and connections
register births in the same book at once; some transactions roll back after taking a number.
The book must read 1..N with no gap and no duplicate."""

import multiprocessing

import pytest
from django.db import connection

from cchc.civil.models import RegisterBook, RegisterEntry
from cchc.onestop.models import Dossier
from tests.civil import pgworkers
from tests.civil.conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SPAWN = multiprocessing.get_context("spawn")


def test_concurrent_births_in_one_book_get_numbers_1_to_n(world):
    processes, per_process, rollback_every = 6, 30, 5
    ids = {"agency": world.desk.pk, "actor": world.officer.pk,
           "at": at("2026-04-24 09:00").isoformat()}
    start, results = SPAWN.Event(), SPAWN.Queue()
    workers = [SPAWN.Process(target=pgworkers.birth_worker,
                             args=(connection.settings_dict["NAME"], ids, per_process,
                                   rollback_every, start, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        start.set()
        reports = [results.get(timeout=300) for _ in workers]
    finally:
        for worker in workers:
            worker.join(30)
            if worker.is_alive():  # pragma: no cover
                worker.kill()
    assert [w.exitcode for w in workers] == [0] * processes
    kept = processes * (per_process - per_process // rollback_every)
    numbers = sorted(n for report in reports for n in report["numbers"])
    assert numbers == list(range(1, kept + 1))
    assert sum(r["rolled_back"] for r in reports) == processes * (per_process // rollback_every)
    book = RegisterBook.objects.get()
    assert (book.volume, book.first_number, book.last_number) == ("01/2026", 1, kept)
    stored = list(RegisterEntry.objects.order_by("number").values_list("number", flat=True))
    assert stored == list(range(1, kept + 1))
    assert Dossier.objects.count() == kept  # the rolled-back ones left no dossier either
    # The workers really interleaved: some process's numbers are not one contiguous run.
    assert any(r["numbers"][-1] - r["numbers"][0] + 1 > len(r["numbers"]) for r in reports)
