"""Seeded dossiers are what the services would have made of their events."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db import connection

from cchc.onestop import seeding, services
from cchc.onestop.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    DailySequence,
    Dossier,
    DossierEvent,
    DossierStep,
    Rating,
    Status,
    Timeliness,
)
from cchc.onestop.timeliness import Clock, classify, step_result
from cchc.onestop.transitions import TRANSITIONS
from cchc.workcal.calendar import VN_TZ
from cchc.workcal.deadlines import (
    add_working_time,
    compute_due,
    is_working_day,
    working_days_to_timedelta,
    working_time_between,
)
from tests.onestop.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db

NOW = at("2024-06-20 10:00")
START, END = datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)
METHODS = ["auto", "orm"]


def seed(count, **kwargs):
    kwargs.setdefault("now", NOW)
    return seeding.seed_dossiers(count, START, END, **kwargs)


def assert_like_live(dossier):
    """Every field of a seeded dossier against the rules the services apply."""
    events = [e for e in dossier.events.order_by("at", "id") if e.action != "rate"]
    assert events and all(e.at <= NOW for e in events)
    assert events[0].action in ("receive", "submit") and events[0].status_before is None
    previous = None
    for event in events:
        if previous is not None:
            assert event.status_before == previous.status_after, (dossier.code, event.action)
            assert event.status_before in TRANSITIONS[event.action].sources, (dossier.code, event.action)
            assert event.at >= previous.at
        previous = event
    assert dossier.status == events[-1].status_after
    clock_start = next((e.at for e in events if e.action in ("receive", "accept")), None)
    assert dossier.received_at == clock_start
    assert dossier.submitted_at == events[0].at
    assert dossier.legal_days == services.legal_days(dossier.procedure_version, dossier.channel)
    if clock_start is None:
        assert dossier.due_at is None
    else:
        assert dossier.due_at == compute_due(clock_start, dossier.legal_days)
        if dossier.channel != 2:  # direct and postal: inside office hours on a working day
            local = clock_start.astimezone(VN_TZ)
            assert is_working_day(local.date())
            assert datetime.time(7) <= local.time() < datetime.time(17)
            assert not datetime.time(11, 30) <= local.time() < datetime.time(13, 30)
    requests = [e for e in events if e.action == "request_supplement"]
    assert dossier.supplement_count == len(requests)
    paused, since = 0, None
    for event in events:
        if event.action == "request_supplement":
            since = event.at
        elif event.action == "receive_supplement":
            step = int(working_time_between(since, event.at).total_seconds())
            assert event.data["paused_seconds"] == step
            paused += step
            since = None
    assert (dossier.paused_seconds, dossier.paused_since) == (paused, since)
    ends = [e.at for e in events if e.action in ("approve", "stop", "withdraw", "refuse")]
    assert dossier.finished_at == (ends[0] if ends else None)
    returns = [e.at for e in events if e.action == "return_result"]
    assert dossier.returned_at == (returns[0] if returns else None)
    if dossier.finished_at and dossier.received_at:
        assert dossier.timeliness == classify(Clock.of(dossier))
    else:
        assert dossier.timeliness == ""
    if dossier.apology_issued_at:
        apology = next(e for e in events if e.action == "apologize")
        assert apology.at == dossier.apology_issued_at
        assert dossier.apology_new_due_at > max(dossier.due_at, dossier.apology_issued_at)
        assert apology.data["timely"] == (
            apology.at <= add_working_time(dossier.due_at, -working_days_to_timedelta(1)))
    steps = list(dossier.steps.order_by("started_at", "id"))
    if dossier.received_at:
        total = working_time_between(dossier.received_at, dossier.due_at)
        plan = [share for _n, _r, share in services.DEFAULT_PROCESS]
        for step in steps:
            budget = total * float(plan[step.position - 1])
            assert step.budget_seconds == int(budget.total_seconds())
            assert step.due_at == add_working_time(step.started_at, budget)
            if step.finished_at:
                assert step.result == step_result(step.started_at, step.finished_at, step.due_at)
    if dossier.status in OPEN_STATUSES and dossier.status != Status.NEW or dossier.status == Status.PROCESSED:
        assert dossier.current_step_id == steps[-1].id and steps[-1].finished_at is None
        assert (dossier.current_role, dossier.current_agency_id) == (steps[-1].role, steps[-1].agency_id)
    elif dossier.status == Status.NEW:
        assert (dossier.current_role, dossier.current_agency_id) == ("desk_officer", dossier.receiving_agency_id)
    else:
        assert dossier.current_step_id is None and dossier.current_agency_id is None
    rated = dossier.events.filter(action="rate").exists()
    assert Rating.objects.filter(dossier=dossier).exists() == rated
    if rated:
        assert dossier.status == Status.RETURNED


def assert_codes_without_gaps():
    numbers = defaultdict(list)
    for code, agency_id in Dossier.objects.values_list("code", "receiving_agency_id"):
        numbers[(agency_id, datetime.datetime.strptime(code[14:20], "%y%m%d").date())].append(int(code[-4:]))
    counters = {(s.agency_id, s.day): s.last for s in DailySequence.objects.all()}
    assert set(numbers) == set(counters)
    for key, values in numbers.items():
        assert sorted(values) == list(range(1, len(values) + 1)), key
        assert counters[key] == len(values)


@pytest.mark.parametrize("method", METHODS)
def test_seeded_dossiers_are_classified_like_live_ones(world, method):
    report = seed(1500, seed=7, method=method, chunk_size=600)
    assert report.dossiers == 1500 and report.chunks in (2, 3)
    assert Dossier.objects.count() == 1500
    assert DossierEvent.objects.count() == report.events
    for dossier in Dossier.objects.select_related("procedure_version"):
        assert_like_live(dossier)
    assert_codes_without_gaps()


def test_the_mix_is_realistic(world):
    seed(3000, seed=11)
    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    closed = Counter(Dossier.objects.exclude(timeliness="").values_list("timeliness", flat=True))
    measured = sum(closed.values())
    assert 0.05 <= closed[Timeliness.LATE] / measured <= 0.15
    assert closed[Timeliness.EARLY] > closed[Timeliness.LATE]
    assert statuses[Status.RETURNED] > 0.8 * 3000
    for status in (Status.NOT_RECEIVED, Status.WITHDRAWN, Status.STOPPED, Status.PROCESSED,
                   Status.PROCESSING):
        assert statuses[status] > 0, status
    counts = Counter(Dossier.objects.values_list("supplement_count", flat=True))
    assert counts[1] > counts[2] > 0
    assert Dossier.objects.filter(apology_issued_at__isnull=False).exists()
    returned = Dossier.objects.filter(status=Status.RETURNED).count()
    assert Rating.objects.count() > returned / 2
    open_now = [services.open_timeliness(d, NOW) for d in Dossier.objects.filter(status__in=OPEN_STATUSES)]
    assert {Timeliness.WITHIN, Timeliness.OVERDUE} <= set(open_now)
    assert set(Dossier.objects.values_list("receiving_agency", flat=True)) == {world.desk.pk, world.other_desk.pk}
    assert not Dossier.objects.filter(imported=True).exists()
    assert all(s in FINISHED_STATUSES or s in OPEN_STATUSES for s in statuses)


def test_live_intake_continues_the_seeded_numbers(world):
    seed(200, seed=3)
    day = Dossier.objects.filter(receiving_agency=world.desk).latest("code").submitted_at
    local = day.astimezone(VN_TZ)
    last = DailySequence.objects.get(agency=world.desk, day=local.date()).last
    dossier = services.receive_dossier(agency=world.desk, procedure=world.five_days, applicant=APPLICANT,
                                       actor=world.desk_officer, at=local.replace(hour=16, minute=59))
    assert dossier.code.endswith(f"-{last + 1:04d}")
    # And a second seed continues after both.
    seed(200, seed=4)
    assert_codes_without_gaps()


def test_a_failed_seed_leaves_whole_chunks(world, monkeypatch):
    calls = {"n": 0}
    original = seeding.bulk.write_counters

    def failing(touched, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        calls["first"] = sum(after - before for before, after in touched.values())
        return original(touched, *args, **kwargs)

    monkeypatch.setattr(seeding.bulk, "write_counters", failing)
    with pytest.raises(RuntimeError):
        seed(900, seed=5, chunk_size=300)
    # The first chunk (300 dossiers and the rest of its last reception day) stays whole.
    assert 300 <= calls["first"] < 900
    assert Dossier.objects.count() == calls["first"]
    assert_codes_without_gaps()


def test_same_seed_same_dossiers(world):
    def rows(seed_value):
        plan = seeding.build_plan(START, END, now=NOW, profile=seeding.Profile(),
                                  rng=__import__("random").Random(seed_value))
        sink = seeding.SqliteSink(plan.table, NOW)
        generator = seeding.Generator(plan, 300, seed=seed_value, counters={}, sink=sink)
        generator.next_dossier_id = generator.next_step_id = 1
        generator.next_batch(300)
        return sink.take(300)

    first, again, other = rows(1), rows(1), rows(2)
    assert first.dossiers == again.dossiers and first.events == again.events
    assert first.dossiers != other.dossiers


def test_the_command(world, capsys):
    call_command("seed-dossiers", "--count", "80", "--from", "2024-01-01", "--to", "2024-06-30",
                 "--now", "2024-06-20T10:00", "--seed", "9", "--no-progress")
    out = capsys.readouterr().out
    assert "Đã tạo 80 hồ sơ" in out
    assert Dossier.objects.count() == 80
    # PostgreSQL: the planner's statistics describe the loaded rows, not the empty table.
    assert ("Đã cập nhật thống kê" in out) == (connection.vendor == "postgresql")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s",
                           [DossierStep._meta.db_table])
            assert cursor.fetchone()[0] == DossierStep.objects.count() > 80


@pytest.mark.postgres
@pytest.mark.parametrize("skip_triggers", [None, False])
def test_copy_with_and_without_the_foreign_key_triggers(world, skip_triggers):
    assert connection.vendor == "postgresql"
    report = seed(700, seed=13, method="copy", chunk_size=250, skip_triggers=skip_triggers)
    assert report.chunks in (2, 3) and "COPY" in report.method
    for dossier in Dossier.objects.select_related("procedure_version"):
        assert_like_live(dossier)
    assert_codes_without_gaps()


@pytest.mark.postgres
def test_two_writers_side_by_side(world, transactional_db):
    assert not connection.in_atomic_block
    report = seed(1200, seed=17, chunk_size=150)
    assert "2 kết nối song song" in report.method
    assert report.dossiers == 1200 and report.chunks >= 5
    for dossier in Dossier.objects.select_related("procedure_version"):
        assert_like_live(dossier)
    assert_codes_without_gaps()


@pytest.mark.postgres
def test_binary_numeric_round_trip(db):
    from decimal import Decimal

    from cchc.onestop.bulk import COPY_HEADER, COPY_TRAILER, _numeric

    values = [Decimal(v) for v in ("0", "0.0", "0.5", "1.5", "5.0", "15", "45.0", "1000.5", "9999.9")]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE numbers (n numeric(5, 1))")
        with cursor.cursor.copy("COPY numbers (n) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(COPY_HEADER + b"".join(b"\x00\x01" + _numeric(v) for v in values) + COPY_TRAILER)
        cursor.execute("SELECT n FROM numbers")
        assert [row[0] for row in cursor.fetchall()] == values
