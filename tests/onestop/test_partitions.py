"""Partitions of the dossier events table, yearly for closed years and monthly for the
current one (PostgreSQL; cchc.onestop.partitions)."""

import datetime
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from cchc.onestop import partitions
from cchc.onestop.models import DossierEvent, Status
from tests.onestop.conftest import at


def _partition_of(event) -> str:
    with connection.cursor() as cursor:
        cursor.execute('SELECT tableoid::regclass::text FROM onestop_dossierevent WHERE id = %s',
                       [event.pk])
        return cursor.fetchone()[0]


def expected_partition(table: str, month: str) -> str:
    """The partition of ``month`` ('2026-04') in a database created today."""
    year = int(month[:4])
    if year < timezone.localdate().year:
        return f"{table}_y{year}"
    return f"{table}_y{year}m{month[5:7]}"


def check_deferred():
    """Run the deferred checks now, as a commit would: a partition with pending trigger
    events (the deferred foreign keys of rows just written) cannot be detached or dropped,
    which the partitions job, in a transaction of its own, never meets."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _months_after(month: datetime.date, n: int) -> datetime.date:
    for _ in range(n):
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return month


@pytest.mark.postgres
def test_the_events_table_has_closed_years_months_of_this_year_and_a_default(db):
    assert partitions.is_partitioned(connection)
    names = set(partitions.existing_partitions(connection))
    today = timezone.localdate()
    this_month = today.replace(day=1)
    years = {f"onestop_dossierevent_y{year}" for year in range(2020, today.year)}
    months = {partitions.partition_name(_months_after(datetime.date(today.year, 1, 1), n))
              for n in range(today.month + partitions.MONTHS_AHEAD)}
    assert names == years | months | {partitions.DEFAULT_PARTITION}
    # Few partitions: every query that cannot prune plans each of them.
    assert len(names) <= (today.year - 2020) + 12 + partitions.MONTHS_AHEAD + 1
    assert partitions.partition_name(_months_after(this_month, partitions.MONTHS_AHEAD)) in names
    assert partitions.partition_name(_months_after(this_month, partitions.MONTHS_AHEAD + 1)) not in names
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'onestop_dossierevent'::regclass AND contype = 'p'")
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, at)"
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'onestop_dossierevent'")
        indexes = " ".join(row[0] for row in cursor.fetchall())
        # A year's bounds are month starts in Việt Nam time, like a month's (shown in UTC).
        cursor.execute("SELECT pg_get_expr(relpartbound, oid) FROM pg_class "
                       "WHERE relname = 'onestop_dossierevent_y2024'")
        assert cursor.fetchone()[0] == ("FOR VALUES FROM ('2023-12-31 17:00:00+00') "
                                        "TO ('2024-12-31 17:00:00+00')")
    # A dossier's events by the composite index; no single-column one beside it (onestop 0009).
    assert "event_dossier_action_idx ON ONLY public.onestop_dossierevent USING btree (dossier_id, action, at)" in indexes
    assert "(dossier_id)" not in indexes


@pytest.mark.postgres
def test_events_land_in_their_month_in_vietnam_time(receive):
    dossier = receive("2026-04-30 16:00")
    # 00:30 on 1 May in Việt Nam is still 30 April in UTC: the month is Việt Nam's.
    late = DossierEvent.objects.create(dossier=dossier, action="note", at=at("2026-05-01 00:30"),
                                       status_after=Status.RECEIVED)
    assert _partition_of(dossier.events.get(action="receive")) == expected_partition("onestop_dossierevent", "2026-04")
    assert _partition_of(late) == expected_partition("onestop_dossierevent", "2026-05")
    old = DossierEvent.objects.create(dossier=dossier, action="note", at=at("2019-12-31 10:00"),
                                      status_after=Status.RECEIVED)
    assert _partition_of(old) == partitions.DEFAULT_PARTITION
    # The ORM sees one table: ordering, filters and the primary key work as before.
    assert list(dossier.events.order_by("at").values_list("pk", flat=True)) == [
        old.pk, dossier.events.get(action="receive").pk, late.pk]
    assert DossierEvent.objects.get(pk=late.pk).action == "note"


@pytest.mark.postgres
def test_new_years_and_months_are_created_and_take_their_rows_from_the_default(receive):
    dossier = receive("2026-04-24 09:00")
    far = DossierEvent.objects.create(dossier=dossier, action="note", at=at("2031-03-10 09:00"),
                                      status_after=Status.RECEIVED)
    assert _partition_of(far) == partitions.DEFAULT_PARTITION
    check_deferred()
    created = partitions.ensure_event_partitions(0, today=datetime.date(2031, 3, 5))
    # The months of the years closed by then become years, the years in between are
    # created as years, and 2031 gets its months.
    assert created[-3:] == [f"onestop_dossierevent_y2031m0{m}" for m in (1, 2, 3)]
    assert {"onestop_dossierevent_y2028", "onestop_dossierevent_y2030"} <= set(created)
    assert _partition_of(far) == "onestop_dossierevent_y2031m03"
    assert partitions.ensure_event_partitions(0, today=datetime.date(2031, 3, 5)) == []
    assert DossierEvent.objects.filter(dossier=dossier).count() == 2
    assert not [name for name in partitions.existing_partitions(connection)
                if "y2030m" in name or "y2026m" in name]


@pytest.mark.postgres
def test_a_closed_years_months_roll_up_into_one_partition_with_its_indexes(receive):
    year = timezone.localdate().year
    dossier = receive(f"{year}-01-05 09:00")
    note = DossierEvent.objects.create(dossier=dossier, action="note", at=at(f"{year}-06-30 23:30"),
                                       status_after=Status.RECEIVED)
    check_deferred()
    # Next January, without the roll-up: the months stay, the new year's months appear.
    january = datetime.date(year + 1, 1, 20)
    created = partitions.ensure_event_partitions(today=january, roll_up=False)
    assert f"onestop_dossierevent_y{year}" not in created
    assert _partition_of(note) == f"onestop_dossierevent_y{year}m06"
    created = partitions.ensure_event_partitions(today=january)
    assert created == [f"onestop_dossierevent_y{year}"]
    assert _partition_of(note) == f"onestop_dossierevent_y{year}"
    assert not [name for name in partitions.existing_partitions(connection)
                if name.startswith(f"onestop_dossierevent_y{year}m")]
    assert partitions.dossier_events(dossier).count() == dossier.events.count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s",
                       [f"onestop_dossierevent_y{year}"])
        indexes = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(%s) "
                       "AND contype = 'c'", [f"onestop_dossierevent_y{year}"])
        checks = [row[0] for row in cursor.fetchall()]
    assert checks and not [name for name in checks if name.endswith("_bounds")]  # attach's only
    assert "(dossier_id, action, at)" in indexes and "(id, at)" in indexes
    # Outside its year it is refused, as by any partition.
    with pytest.raises(Exception, match="partition"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'UPDATE "onestop_dossierevent_y{year}" SET "at" = %s WHERE id = %s',
                           [at(f"{year + 1}-01-01 00:00"), note.pk])


@pytest.mark.postgres
def test_the_conversion_drops_empty_months_beyond_the_horizon_only(receive):
    """What migration 0007 does to a database partitioned the old way (24 months ahead)."""
    dossier = receive("2026-04-24 09:00")
    today = timezone.localdate()
    partitions.ensure_event_partitions(24, today=today)
    far_month = _months_after(today.replace(day=1), 20)
    kept = DossierEvent.objects.create(dossier=dossier, action="note",
                                       at=at(f"{far_month:%Y-%m}-10 09:00"),
                                       status_after=Status.RECEIVED)
    check_deferred()
    partitions.ensure_partitions(partitions.EVENTS, today=today, trim=True)
    names = set(partitions.existing_partitions(connection))
    assert partitions.partition_name(_months_after(today.replace(day=1), 19)) not in names
    assert _partition_of(kept) == partitions.partition_name(far_month)  # not empty: kept
    assert partitions.partition_name(_months_after(today.replace(day=1), 3)) in names


@pytest.mark.postgres
def test_the_command_creates_the_coming_months(db, capsys):
    call_command("create-partitions", "--months", "30")
    out = capsys.readouterr().out
    # the months 4 to 30 ahead, of events and of dossiers
    assert f"Đã tạo {2 * (30 - partitions.MONTHS_AHEAD)} phân vùng" in out
    call_command("create-partitions", "--months", "30")
    assert "Đã đủ phân vùng" in capsys.readouterr().out


def test_the_command_refuses_a_silly_horizon(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--months phải từ 0 đến 120"):
        call_command("create-partitions", "--months", "500")


def test_on_sqlite_nothing_is_partitioned(db, capsys):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert not partitions.is_partitioned(connection)
    assert partitions.ensure_event_partitions() == []
    call_command("create-partitions")
    assert "không có gì để tạo" in capsys.readouterr().out


def test_the_bounded_event_reads_return_the_whole_history(world, receive, client):
    """``partitions.dossier_events`` adds ``at >= submitted_at`` (pruning); the history, the
    forms' "last event" and the civil approval lookup see exactly what they saw before."""
    from cchc.onestop import documents, services

    dossier = receive("2026-04-30 16:00")  # the month ends while it is processed
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-30 16:30"))
    services.request_supplement(dossier, actor=world.specialist, reason="Thiếu giấy khai sinh",
                                at=at("2026-05-04 09:00"))
    everything = list(dossier.events.order_by("at", "id").values_list("pk", flat=True))
    assert len(everything) == 3
    assert list(partitions.dossier_events(dossier).order_by("at", "id")
                .values_list("pk", flat=True)) == everything
    assert documents._last_event(dossier, "request_supplement").pk == everything[-1]  # noqa: SLF001
    client.force_login(world.leader)
    body = client.get(f"/api/v1/dossiers/{dossier.code}/history/").json()
    assert [e["action"] for e in body["events"]] == ["receive", "transfer", "request_supplement"]


@pytest.mark.postgres
def test_one_dossiers_events_are_read_from_its_months_only(receive):
    dossier = receive("2026-04-24 09:00")
    sql, params = partitions.dossier_events(dossier).order_by("at", "id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert expected_partition("onestop_dossierevent", "2026-04") in plan
    # Planned without the months and years before the submission (only the default
    # partition, which may hold anything, stays in).
    assert "onestop_dossierevent_y2026m03" not in plan and "y2020" not in plan


def test_a_lookup_by_code_finds_the_dossier_whatever_its_submission_day(receive, world):
    """``selectors.dossier_by_code`` tries the day the code names first (pruning on
    PostgreSQL) and falls back to the code alone: a dossier whose submission does not match
    its code's day (an import, a hand correction) is still found, a missing one is not."""
    from cchc.errors import NotFound
    from cchc.onestop import selectors
    from cchc.onestop.models import Dossier

    dossier = receive("2026-04-24 09:00")
    moved = receive("2026-04-24 09:30")
    Dossier.objects.filter(pk=moved.pk).update(submitted_at=at("2026-03-02 08:00"))
    assert partitions.submission_day_bounds(dossier.code) == (at("2026-04-24 00:00"),
                                                              at("2026-04-25 00:00"))
    assert partitions.submission_day_bounds("HS-2026-0001") is None
    assert partitions.submission_day_bounds("000.10.50.H20-260231-0001") is None  # 31 Feb
    assert selectors.dossier_by_code(Dossier.objects.all(), dossier.code).pk == dossier.pk
    assert selectors.dossier_by_code(Dossier.objects.all(), moved.code).pk == moved.pk
    assert selectors.get_dossier(world.leader, moved.code).pk == moved.pk
    assert selectors.public_lookup(moved.code.lower()).code == moved.code
    assert selectors.dossier_by_code(Dossier.objects.all(), moved.code[:-1] + "9") is None
    with pytest.raises(NotFound):
        selectors.public_lookup("000.10.50.H20-260424-9999")


@pytest.mark.postgres
def test_steps_that_cannot_get_their_lock_soon_are_left_for_the_next_run(receive, monkeypatch):
    """Every query on the table would queue behind a waiting exclusive lock: the roll-up, and
    a new month next to the default partition, wait ``LOCK_TIMEOUT`` at most; what could not
    be done is done by the next run."""
    import psycopg

    year = timezone.localdate().year
    receive(f"{year}-01-05 09:00")
    check_deferred()
    monkeypatch.setattr(partitions, "LOCK_TIMEOUT", "200ms")
    settings = connection.settings_dict
    reader = psycopg.connect(dbname=settings["NAME"], user=settings["USER"] or None,
                             host=settings["HOST"] or None, port=settings["PORT"] or None,
                             password=settings["PASSWORD"] or None)
    january = datetime.date(year + 1, 1, 20)
    try:
        reader.execute("SELECT count(*) FROM onestop_dossierevent")  # a long report, say
        started = time.monotonic()
        assert partitions.ensure_event_partitions(today=january) == []
        assert time.monotonic() - started < 10
    finally:
        reader.close()
    assert partitions.months_to_roll_up(partitions.EVENTS, today=january) == [year]
    created = partitions.ensure_event_partitions(today=january)
    assert created[0] == f"onestop_dossierevent_y{year}"
    assert f"onestop_dossierevent_y{year + 1}m04" in created
    assert partitions.months_to_roll_up(partitions.EVENTS, today=january) == []
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"  # the caller's setting is given back
