"""Monthly range partitions of the dossier events table on PostgreSQL (docs/scaling.md).

``onestop_dossierevent`` is the largest table and append-only: every action on a dossier
adds a row, none is changed or deleted. On PostgreSQL it is a ``PARTITION BY RANGE ("at")``
table (migration 0002): one partition per calendar month in the province's time zone
(Asia/Ho_Chi_Minh) from January 2020, a default partition for anything outside the created
months, and the primary key ``(id, "at")`` (a key of a partitioned table must contain the
partition key; ``id`` alone stays unique because it comes from one sequence and nothing
writes it by hand). The partition key is the event's instant: an event is written once, in
the month it happens, so a month's partition stops changing soon after the month ends and
can be archived, vacuumed once and left alone. Nothing references an event, so the
composite key costs no foreign key elsewhere.

``ensure_event_partitions`` creates the months still missing up to ``months_ahead`` after
the current one; run it monthly (``cchc create-partitions``, a systemd timer or cron). Rows
already in the default partition for a month being created are moved into the new
partition in the same transaction (PostgreSQL refuses to attach a range the default
partition holds rows of). On SQLite the table stays a plain table and every function here
is a no-op.
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone

TABLE = "onestop_dossierevent"
DEFAULT_PARTITION = f"{TABLE}_default"
FIRST_MONTH = datetime.date(2020, 1, 1)
MONTHS_AHEAD = 24
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")
# Indexes the queries on events need beyond those Django declares (dossier_id, at, actor_id):
# the last event of an action for a dossier (documents, civil registration), newest first.
EXTRA_INDEXES = {
    "dossierevent_dossier_action_idx": '(dossier_id, action, "at")',
}


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def _bound(month: datetime.date) -> str:
    """The instant a month starts in the province's time zone, as a timestamptz literal."""
    start = datetime.datetime.combine(month, datetime.time(), tzinfo=ZONE)
    return start.isoformat(sep=" ")


def months_until(last: datetime.date, first: datetime.date = FIRST_MONTH) -> list[datetime.date]:
    months, month = [], _month_start(first)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def dossier_events(dossier):
    """The events of one dossier, bounded below by its submission instant: a literal the
    planner sees, so it skips every month before the dossier was submitted (without it a
    lookup by ``dossier_id`` alone plans every partition: ~47 ms of planning over 108 months,
    docs/scaling.md 2.1). No event precedes the submission: the services stamp both with the
    same clock, and the importer refuses an event before the reception (its submission)."""
    from .models import DossierEvent

    return DossierEvent.objects.filter(dossier=dossier, at__gte=dossier.submitted_at)


def is_partitioned(connection=None) -> bool:
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def existing_partitions(connection=None) -> list[str]:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname", [TABLE])
        return [row[0] for row in cursor.fetchall()]


def _create_month(cursor, month: datetime.date, *, has_default: bool) -> None:
    name, start, end = partition_name(month), _bound(month), _bound(_next_month(month))
    if not has_default:
        cursor.execute(f'CREATE TABLE "{name}" PARTITION OF "{TABLE}" '
                       f"FOR VALUES FROM ('{start}') TO ('{end}')")
        return
    # Rows of that month may already sit in the default partition: move them, then attach.
    cursor.execute(f'CREATE TABLE "{name}" (LIKE "{TABLE}" INCLUDING CONSTRAINTS)')
    cursor.execute(
        f'WITH moved AS (DELETE FROM "{DEFAULT_PARTITION}" WHERE "at" >= %s AND "at" < %s '
        f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved', [start, end])
    cursor.execute(f'ALTER TABLE "{TABLE}" ATTACH PARTITION "{name}" '
                   f"FOR VALUES FROM ('{start}') TO ('{end}')")


def ensure_event_partitions(months_ahead: int = MONTHS_AHEAD, *, today=None,
                            connection=None) -> list[str]:
    """Create the monthly partitions missing from January 2020 up to ``months_ahead`` months
    after the current month (and the default partition); return the names created."""
    connection = connection or default_connection
    if not is_partitioned(connection):
        return []
    today = today or timezone.localdate()
    last = _month_start(today)
    for _ in range(months_ahead):
        last = _next_month(last)
    created = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # One creator at a time (two timers, or a timer and a migration).
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])
        present = set(existing_partitions(connection))
        has_default = DEFAULT_PARTITION in present
        for month in months_until(last):
            if partition_name(month) not in present:
                _create_month(cursor, month, has_default=has_default)
                created.append(partition_name(month))
        if not has_default:
            cursor.execute(f'CREATE TABLE "{DEFAULT_PARTITION}" PARTITION OF "{TABLE}" DEFAULT')
            created.append(DEFAULT_PARTITION)
    return created


# -- the migration ---------------------------------------------------------------------------


def _definitions(cursor, table: str):
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(%s) "
        "AND contype IN ('p', 'u'))", [table, table])
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype = 'f'", [table])
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype = 'u'",
        [table])
    if cursor.fetchall():
        raise RuntimeError(f"{table} has unique constraints without the partition key")
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE confrelid = to_regclass(%s)", [table])
    referencing = cursor.fetchall()
    if referencing:
        raise RuntimeError(f"{table} is referenced by {referencing}; it cannot be partitioned "
                           "without changing those foreign keys")
    return indexes, foreign_keys


def _swap(cursor, old: str, create_sql: str | None, primary_key: str, indexes, foreign_keys,
          extra_indexes: dict[str, str]):
    """Copy ``old`` (already renamed) into the new ``TABLE`` built by ``create_sql``, drop
    ``old`` and recreate its indexes, foreign keys and id sequence under the same names
    (``indexes`` and ``foreign_keys`` as read from ``TABLE`` before it was renamed)."""
    if create_sql:
        cursor.execute(create_sql)
    cursor.execute(f'INSERT INTO "{TABLE}" SELECT * FROM "{old}"')
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{old}"')
    max_id = cursor.fetchone()[0]
    cursor.execute(f'DROP TABLE "{old}"')
    cursor.execute(f'CREATE SEQUENCE "{TABLE}_id_seq" OWNED BY "{TABLE}".id')
    cursor.execute(f"SELECT setval('\"{TABLE}_id_seq\"', %s, %s)", [max(max_id, 1), max_id > 0])
    cursor.execute(f'ALTER TABLE "{TABLE}" ALTER COLUMN id SET DEFAULT nextval(\'"{TABLE}_id_seq"\')')
    cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{TABLE}_pkey" PRIMARY KEY {primary_key}')
    for _name, definition in indexes:
        cursor.execute(re.sub(rf'\bON (ONLY )?(public\.)?"?{TABLE}"? ',
                              f'ON "{TABLE}" ', definition))
    for name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" {definition}')
    for name, columns in extra_indexes.items():
        cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLE}" {columns}')


def partition_events(apps, schema_editor):
    """Migration step: the plain events table becomes a partitioned one (PostgreSQL only)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or is_partitioned(connection):
        return
    old = f"{TABLE}_unpartitioned"
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{TABLE}" IN ACCESS EXCLUSIVE MODE')
        indexes, foreign_keys = _definitions(cursor, TABLE)
        cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{old}"')
        # The identity column of the old table keeps its sequence until the table is dropped.
        cursor.execute(f'ALTER TABLE "{old}" ALTER COLUMN id DROP IDENTITY IF EXISTS')
        create = (f'CREATE TABLE "{TABLE}" (LIKE "{old}" INCLUDING CONSTRAINTS)'
                  ' PARTITION BY RANGE ("at")')
        # Partitions before the copy so the rows land in their months, not the default.
        cursor.execute(create)
        today = timezone.localdate()
        last = _month_start(today)
        for _ in range(MONTHS_AHEAD):
            last = _next_month(last)
        for month in months_until(last):
            _create_month(cursor, month, has_default=False)
        cursor.execute(f'CREATE TABLE "{DEFAULT_PARTITION}" PARTITION OF "{TABLE}" DEFAULT')
        _swap(cursor, old, None, '(id, "at")', indexes, foreign_keys, EXTRA_INDEXES)


def unpartition_events(apps, schema_editor):
    """Reverse step: back to one plain table with ``id`` as its key."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not is_partitioned(connection):
        return
    old = f"{TABLE}_partitioned"
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{TABLE}" IN ACCESS EXCLUSIVE MODE')
        indexes, foreign_keys = _definitions(cursor, TABLE)
        indexes = [(n, d) for n, d in indexes if n not in EXTRA_INDEXES]
        cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{old}"')
        cursor.execute(f'ALTER TABLE "{old}" ALTER COLUMN id DROP DEFAULT')
        cursor.execute(f'DROP SEQUENCE IF EXISTS "{TABLE}_id_seq"')
        create = f'CREATE TABLE "{TABLE}" (LIKE "{old}" INCLUDING CONSTRAINTS)'
        _swap(cursor, old, create, "(id)", indexes, foreign_keys, {})
