"""Monthly partitions of the dossier events table (PostgreSQL; cchc.onestop.partitions)."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from cchc.onestop import partitions
from cchc.onestop.models import DossierEvent, Status
from tests.onestop.conftest import at


def _partition_of(event) -> str:
    with connection.cursor() as cursor:
        cursor.execute('SELECT tableoid::regclass::text FROM onestop_dossierevent WHERE id = %s',
                       [event.pk])
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_the_events_table_is_partitioned_by_month_with_a_default(db):
    assert partitions.is_partitioned(connection)
    names = set(partitions.existing_partitions(connection))
    assert "onestop_dossierevent_y2020m01" in names
    assert partitions.DEFAULT_PARTITION in names
    ahead = datetime.date.today().replace(day=1)
    for _ in range(24):
        ahead = (ahead + datetime.timedelta(days=32)).replace(day=1)
    assert partitions.partition_name(ahead) in names
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'onestop_dossierevent'::regclass AND contype = 'p'")
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, at)"
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'onestop_dossierevent'")
        indexes = " ".join(row[0] for row in cursor.fetchall())
    assert "(dossier_id, action, at)" in indexes and "(dossier_id)" in indexes


@pytest.mark.postgres
def test_events_land_in_their_month_in_vietnam_time(receive):
    dossier = receive("2026-04-30 16:00")
    # 00:30 on 1 May in Việt Nam is still 30 April in UTC: the month is Việt Nam's.
    late = DossierEvent.objects.create(dossier=dossier, action="note", at=at("2026-05-01 00:30"),
                                       status_after=Status.RECEIVED)
    assert _partition_of(dossier.events.get(action="receive")) == "onestop_dossierevent_y2026m04"
    assert _partition_of(late) == "onestop_dossierevent_y2026m05"
    old = DossierEvent.objects.create(dossier=dossier, action="note", at=at("2019-12-31 10:00"),
                                      status_after=Status.RECEIVED)
    assert _partition_of(old) == partitions.DEFAULT_PARTITION
    # The ORM sees one table: ordering, filters and the primary key work as before.
    assert list(dossier.events.order_by("at").values_list("pk", flat=True)) == [
        old.pk, dossier.events.get(action="receive").pk, late.pk]
    assert DossierEvent.objects.get(pk=late.pk).action == "note"


@pytest.mark.postgres
def test_new_months_are_created_and_take_their_rows_from_the_default(receive):
    dossier = receive("2026-04-24 09:00")
    far = DossierEvent.objects.create(dossier=dossier, action="note", at=at("2031-03-10 09:00"),
                                      status_after=Status.RECEIVED)
    assert _partition_of(far) == partitions.DEFAULT_PARTITION
    created = partitions.ensure_event_partitions(0, today=datetime.date(2031, 3, 5))
    assert created[0] == "onestop_dossierevent_y2028m12"
    assert created[-1] == "onestop_dossierevent_y2031m03"
    assert _partition_of(far) == "onestop_dossierevent_y2031m03"
    assert partitions.ensure_event_partitions(0, today=datetime.date(2031, 3, 5)) == []
    assert DossierEvent.objects.filter(dossier=dossier).count() == 2


@pytest.mark.postgres
def test_the_command_creates_the_coming_months(db, capsys):
    call_command("create-partitions", "--months", "30")
    out = capsys.readouterr().out
    assert "Đã tạo 12 phân vùng" in out  # 6 months of events and 6 of dossiers
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
    assert "onestop_dossierevent_y2026m04" in plan
    # Planned without the 75 months before the submission (only the default partition,
    # which may hold anything, stays in).
    assert "onestop_dossierevent_y2026m03" not in plan and "y2020m01" not in plan
