"""Real concurrency on PostgreSQL: separate processes and connections, committed data.

- 8 processes x 250 receptions at one desk on one day: 2,000 codes, sequence 0001..2000.
- Two officers hand on the same dossier with the same version at once: one wins, one 409.
- A reception killed before its commit leaves nothing, and its number is given back.
"""

import multiprocessing
import os
import signal
import threading
import time

import pytest
from django.db import connection

from cchc.onestop import services
from cchc.onestop.models import DailySequence, Dossier, DossierEvent, DossierStep
from cchc.org.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.onestop.api import pgworkers
from tests.onestop.api.conftest import token_client
from tests.onestop.conftest import APPLICANT, at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SPAWN = multiprocessing.get_context("spawn")


def ids_of(world, when="2026-04-24 09:00"):
    return {"agency": world.desk.pk, "procedure": world.five_days.pk,
            "actor": world.desk_officer.pk, "at": at(when).isoformat()}


def test_2000_concurrent_receptions_get_2000_numbers_without_a_gap(world):
    processes, per_process = 8, 250
    # Everyone waits at the barrier once set up, so that the receptions start together.
    start, results = SPAWN.Barrier(processes + 1), SPAWN.Queue()
    workers = [SPAWN.Process(target=pgworkers.intake_worker,
                             args=(connection.settings_dict["NAME"], ids_of(world), per_process,
                                   start, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        start.wait(600)
        began = time.monotonic()
        reports = [results.get(timeout=600) for _ in workers]
        elapsed = time.monotonic() - began
    finally:
        for worker in workers:
            worker.join(30)
            if worker.is_alive():  # pragma: no cover
                worker.kill()
    assert [w.exitcode for w in workers] == [0] * processes
    codes = [code for report in reports for code in report["codes"]]
    assert len(codes) == len(set(codes)) == processes * per_process
    assert {code[:-5] for code in codes} == {"000.10.50.H20-260424"}
    assert sorted(int(code[-4:]) for code in codes) == list(range(1, processes * per_process + 1))
    # They really ran together: every process's numbers interleave with the others'.
    for report in reports:
        numbers = [int(code[-4:]) for code in report["codes"]]
        assert numbers[-1] - numbers[0] > per_process, numbers
    assert DailySequence.objects.get(agency=world.desk).last == processes * per_process
    assert Dossier.objects.count() == DossierEvent.objects.count() == processes * per_process
    print(f"\n{processes * per_process} receptions by {processes} processes: {elapsed:.1f} s "
          f"({processes * per_process / elapsed:.0f}/s)")


def test_two_officers_transfer_the_same_dossier_at_once(world):
    second = UserFactory(username="motcua2")
    MembershipFactory(user=second, unit=world.commune, agency=world.desk, role=Role.DESK_OFFICER)
    first_client, second_client = token_client(world.desk_officer), token_client(second)
    for round_ in range(5):
        dossier = services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                           applicant=APPLICANT, actor=world.desk_officer)
        barrier = threading.Barrier(2)
        answers = {}

        def transfer(name, client, code=dossier.code, barrier=barrier, answers=answers):
            try:
                barrier.wait(10)
                answers[name] = client.post(f"/api/v1/dossiers/{code}/actions/",
                                            {"action": "transfer", "version": 0}, format="json")
            finally:
                connection.close()

        threads = [threading.Thread(target=transfer, args=(name, client))
                   for name, client in (("a", first_client), ("b", second_client))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        statuses = sorted(answer.status_code for answer in answers.values())
        assert statuses == [200, 409], (round_, {k: v.json() for k, v in answers.items()})
        loser = next(a for a in answers.values() if a.status_code == 409)
        assert loser.json()["code"] in ("stale_version", "not_holder", "invalid_transition")
        dossier.refresh_from_db()
        assert dossier.version == 1 and dossier.current_role == Role.SPECIALIST
        assert dossier.events.filter(action="transfer").count() == 1
        assert dossier.steps.count() == 2


def _wait_for_backend_to_go(backend: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {backend} still there after {timeout} s")


@pytest.mark.parametrize("mode", ["idle", "query"])
def test_a_reception_killed_before_commit_leaves_nothing(world, mode):
    first = services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                     applicant=APPLICANT, actor=world.desk_officer,
                                     at=at("2026-04-24 09:00"))
    assert first.code.endswith("-0001")
    ready = SPAWN.Queue()
    child = SPAWN.Process(target=pgworkers.killed_intake_worker,
                          args=(connection.settings_dict["NAME"], ids_of(world), mode, ready))
    child.start()
    try:
        info = ready.get(timeout=60)
        # Stored in the child's open transaction, invisible to anyone else.
        assert info["code"].endswith("-260424-0002")
        assert not Dossier.objects.filter(code=info["code"]).exists()
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        assert child.exitcode == -signal.SIGKILL
        _wait_for_backend_to_go(info["backend"])
    finally:
        if child.is_alive():  # pragma: no cover
            child.kill()
    assert list(Dossier.objects.values_list("code", flat=True)) == [first.code]
    assert DossierEvent.objects.count() == DossierStep.objects.count() == 1
    assert DailySequence.objects.get().last == 1
    after = services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                     applicant=APPLICANT, actor=world.desk_officer,
                                     at=at("2026-04-24 10:00"))
    assert after.code == info["code"]
