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
import logging
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import OperationalError, transaction
from django.db import connection as default_connection
from django.utils import timezone

logger = logging.getLogger(__name__)

FIRST_MONTH = datetime.date(2020, 1, 1)
# Months created after the current one. Few on purpose: every partition costs planning time
# in each query that cannot prune (a lookup by id, the work queues); the monthly
# ``cchc create-partitions`` keeps the horizon, and the default partition takes any row that
# arrives before its month exists (the command moves them in).
MONTHS_AHEAD = 3
# How long each step of ``ensure_partitions`` waits for its lock. The roll-up locks the table
# ACCESS EXCLUSIVE, and creating a partition next to a default one locks the default
# partition so (PostgreSQL checks it holds no row of the new range); every query on the
# table then queues behind the waiting request. So a long transaction (a big report) must not
# make a step wait long: the step gives up, and the next run does it.
LOCK_TIMEOUT = "10s"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class PartitionedTable:
    """A table range-partitioned on one instant column (its partition key): one partition
    per closed year, one per month from January of the current year, and a default."""

    table: str
    key: str
    # Indexes the queries need beyond those Django declares, created on the parent.
    extra_indexes: dict[str, str] = field(default_factory=dict)

    @property
    def default_partition(self) -> str:
        return f"{self.table}_default"

    def partition_name(self, month: datetime.date) -> str:
        return f"{self.table}_y{month.year:04d}m{month.month:02d}"

    def year_name(self, year: int) -> str:
        return f"{self.table}_y{year:04d}"

    def parse(self, name: str) -> tuple[int, int | None] | None:
        """(year, month) of a monthly partition's name, (year, None) of a yearly one."""
        match = re.fullmatch(rf"{re.escape(self.table)}_y(\d{{4}})(?:m(\d{{2}}))?", name)
        if match is None:
            return None
        return int(match[1]), int(match[2]) if match[2] else None


EVENTS = PartitionedTable("onestop_dossierevent", "at", {
    # The last event of an action for a dossier (documents, civil registration), newest first.
    "event_dossier_action_idx": '(dossier_id, action, "at")',
})
# The dossiers, by submission instant (see partition_dossiers and docs/scaling.md 2.3).
DOSSIERS = PartitionedTable("onestop_dossier", "submitted_at")

# The events' names, kept for the callers that knew only the events table.
TABLE = EVENTS.table
DEFAULT_PARTITION = EVENTS.default_partition
EXTRA_INDEXES = EVENTS.extra_indexes


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def partition_name(month: datetime.date, spec: PartitionedTable = EVENTS) -> str:
    return spec.partition_name(month)


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


def _last_month(today: datetime.date, months_ahead: int) -> datetime.date:
    last = _month_start(today)
    for _ in range(months_ahead):
        last = _next_month(last)
    return last


@dataclass(frozen=True)
class Range:
    """One partition of the layout: a closed year or a month, bounds at 00:00 +07:00."""

    name: str
    start: datetime.date
    end: datetime.date
    year: int
    month: int | None


def layout(spec: PartitionedTable, today: datetime.date, months_ahead: int) -> list[Range]:
    """The partitions ``spec`` should have on ``today``: one per year from FIRST_MONTH's to
    the last closed one, then one per month from January of the current year to
    ``months_ahead`` months after the current month (still "by month": a year's bounds are
    its first and its thirteenth month start)."""
    ranges = [Range(spec.year_name(year), datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1),
                    year, None)
              for year in range(FIRST_MONTH.year, today.year)]
    for month in months_until(_last_month(today, months_ahead), datetime.date(today.year, 1, 1)):
        ranges.append(Range(spec.partition_name(month), month, _next_month(month), month.year,
                            month.month))
    return ranges


def dossier_events(dossier):
    """The events of one dossier, bounded below by its submission instant: a literal the
    planner sees, so it skips every partition before the dossier was submitted (without it a
    lookup by ``dossier_id`` alone plans every partition, docs/scaling.md 2.2). No event
    precedes the submission: the services stamp both with the same clock, and the importer
    refuses an event before the reception (its submission)."""
    from .models import DossierEvent

    return DossierEvent.objects.filter(dossier=dossier, at__gte=dossier.submitted_at)


def submission_day_bounds(code: str) -> tuple[datetime.datetime, datetime.datetime] | None:
    """The local day a well-formed dossier code names (``<agency>-<YYMMDD>-<NNNN>``,
    RULES.md 2), as ``[00:00, next 00:00)`` in Việt Nam time, or None for any other code.

    Every writer takes the day of the code from the submission instant (the services'
    ``allocate_code(agency, local day of submitted_at)``, the importer's reception, which is
    an imported dossier's submission, the seeding), so ``submitted_at`` falls in that day.
    Callers still treat the bound as a hint: codes are unique, so a dossier found with the
    bound is the one, and one not found is looked for again without it."""
    from .bulk import CODE_PATTERN

    match = CODE_PATTERN.fullmatch(code)
    if match is None:
        return None
    try:
        day = datetime.date(2000 + int(match[2]), int(match[3]), int(match[4]))
    except ValueError:
        return None
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=ZONE)
    return start, start + datetime.timedelta(days=1)


def is_partitioned(connection=None, spec: PartitionedTable = EVENTS) -> bool:
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [spec.table])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def existing_partitions(connection=None, spec: PartitionedTable = EVENTS) -> list[str]:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname", [spec.table])
        return [row[0] for row in cursor.fetchall()]


def _register_codes(cursor, spec: PartitionedTable, name: str) -> None:
    if spec is DOSSIERS:
        # Rows moved out of the default partition released their codes (its delete trigger);
        # the insert into a table not yet attached fired none: register them again.
        cursor.execute(f'INSERT INTO "{CODE_TABLE}" (code, dossier_id) '
                       f'SELECT code, id FROM "{name}" ON CONFLICT DO NOTHING')


def _create_range(cursor, spec: PartitionedTable, name: str, first: datetime.date,
                  end_month: datetime.date, *, has_default: bool, sources=()) -> None:
    """Create partition ``name`` for ``[first, end_month)``. With a default partition, its rows
    of that range move in first (PostgreSQL refuses to attach a range the default partition
    holds rows of); ``sources`` are detached partitions whose rows it takes over (a year's
    months), dropped afterwards. The bounds are checked by a constraint before the attach,
    so PostgreSQL does not scan the new partition again."""
    table, key = spec.table, spec.key
    start, end = _bound(first), _bound(end_month)
    if not has_default and not sources:
        cursor.execute(f'CREATE TABLE "{name}" PARTITION OF "{table}" '
                       f"FOR VALUES FROM ('{start}') TO ('{end}')")
        return
    cursor.execute(f'CREATE TABLE "{name}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
    for source in sources:
        cursor.execute(f'INSERT INTO "{name}" SELECT * FROM "{source}"')
    if has_default:
        cursor.execute(
            f'WITH moved AS (DELETE FROM "{spec.default_partition}" WHERE "{key}" >= %s '
            f'AND "{key}" < %s RETURNING *) INSERT INTO "{name}" SELECT * FROM moved', [start, end])
    check = f"{name}_bounds"[:63]
    cursor.execute(f'ALTER TABLE "{name}" ADD CONSTRAINT "{check}" CHECK ("{key}" IS NOT NULL '
                   f"AND \"{key}\" >= '{start}' AND \"{key}\" < '{end}')")
    cursor.execute(f'ALTER TABLE "{table}" ATTACH PARTITION "{name}" '
                   f"FOR VALUES FROM ('{start}') TO ('{end}')")
    cursor.execute(f'ALTER TABLE "{name}" DROP CONSTRAINT "{check}"')
    for source in sources:
        cursor.execute(f'DROP TABLE "{source}"')
    _register_codes(cursor, spec, name)
    if sources:
        cursor.execute(f'ANALYZE "{name}"')


def _create_month(cursor, month: datetime.date, *, has_default: bool,
                  spec: PartitionedTable = EVENTS) -> None:
    _create_range(cursor, spec, spec.partition_name(month), month, _next_month(month),
                  has_default=has_default)


def _roll_up_year(cursor, spec: PartitionedTable, year: int, months: list[str], *,
                  has_default: bool) -> None:
    """A closed year's monthly partitions become one yearly partition, in the caller's
    transaction and under an exclusive lock on the parent (reads and writes of the table
    wait until it commits: the year's rows are copied once and its indexes built once)."""
    cursor.execute(f'LOCK TABLE "{spec.table}" IN ACCESS EXCLUSIVE MODE')
    for month in months:
        cursor.execute(f'ALTER TABLE "{spec.table}" DETACH PARTITION "{month}"')
    _create_range(cursor, spec, spec.year_name(year), datetime.date(year, 1, 1),
                  datetime.date(year + 1, 1, 1), has_default=has_default, sources=months)


def months_to_roll_up(spec: PartitionedTable, *, today=None, connection=None) -> list[int]:
    """The closed years still kept as months (a roll-up postponed or given up)."""
    today = today or timezone.localdate()
    parsed = [spec.parse(name) for name in existing_partitions(connection, spec)]
    return sorted({p[0] for p in parsed if p and p[1] is not None and p[0] < today.year})


def _is_empty(cursor, name: str) -> bool:
    cursor.execute(f'SELECT NOT EXISTS (SELECT 1 FROM "{name}")')
    return cursor.fetchone()[0]


def ensure_partitions(spec: PartitionedTable, months_ahead: int = MONTHS_AHEAD, *, today=None,
                      connection=None, roll_up: bool = True, trim: bool = False) -> list[str]:
    """Bring ``spec``'s partitions to ``layout(today, months_ahead)``: create the missing
    years and months (and the default partition), and with ``roll_up`` turn the months of a
    closed year into one yearly partition. With ``trim`` (the migration converting the old
    24-months-ahead layout), drop the empty months beyond the horizon. Each step waits at
    most ``LOCK_TIMEOUT`` for its lock and is otherwise left for the next run (logged; see
    ``months_to_roll_up``). Returns the names created."""
    connection = connection or default_connection
    if not is_partitioned(connection, spec):
        return []
    today = today or timezone.localdate()
    created = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # One creator at a time (two timers, or a timer and a migration).
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [spec.table])
        cursor.execute("SELECT current_setting('lock_timeout')")
        previous_timeout = cursor.fetchone()[0]
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")

        def step(what: str, run) -> bool:
            try:
                with transaction.atomic(using=connection.alias):
                    run()
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", None) != "55P03":  # lock_not_available
                    raise
                logger.warning("%s: %s left for the next run, the table was busy", spec.table, what)
                return False
            return True

        present = set(existing_partitions(connection, spec))
        has_default = spec.default_partition in present
        monthly: dict[int, list[str]] = {}
        years = set()
        for name in present:
            parsed = spec.parse(name)
            if parsed and parsed[1] is None:
                years.add(parsed[0])
            elif parsed:
                monthly.setdefault(parsed[0], []).append(name)
        if roll_up:
            for year in sorted(y for y in monthly if y < today.year and y not in years):
                months = sorted(monthly[year])
                if step(f"the roll-up of {year}", lambda year=year, months=months: _roll_up_year(
                        cursor, spec, year, months, has_default=has_default)):
                    del monthly[year]
                    years.add(year)
                    created.append(spec.year_name(year))
        wanted = layout(spec, today, months_ahead)
        for part in wanted:
            if part.name in present or part.name in created:
                continue
            if part.month is None and part.year in monthly:
                continue  # its months stay (roll_up off, or the table was busy)
            if part.month is not None and part.year in years:
                continue  # a year partition already covers it
            if step(part.name, lambda part=part: _create_range(
                    cursor, spec, part.name, part.start, part.end, has_default=has_default)):
                created.append(part.name)
        if trim:
            horizon = wanted[-1].end
            for year, names in monthly.items():
                for name in sorted(names):
                    month = spec.parse(name)[1]
                    if datetime.date(year, month, 1) >= horizon and _is_empty(cursor, name):
                        step(f"dropping {name}",
                             lambda name=name: cursor.execute(f'DROP TABLE "{name}"'))
        if not has_default:
            cursor.execute(f'CREATE TABLE "{spec.default_partition}" PARTITION OF "{spec.table}" '
                           "DEFAULT")
            created.append(spec.default_partition)
        cursor.execute(f"SET LOCAL lock_timeout = '{previous_timeout}'")
    return created


def ensure_event_partitions(months_ahead: int = MONTHS_AHEAD, *, today=None,
                            connection=None, roll_up: bool = True) -> list[str]:
    return ensure_partitions(EVENTS, months_ahead, today=today, connection=connection,
                             roll_up=roll_up)


def ensure_dossier_partitions(months_ahead: int = MONTHS_AHEAD, *, today=None,
                              connection=None, roll_up: bool = True) -> list[str]:
    return ensure_partitions(DOSSIERS, months_ahead, today=today, connection=connection,
                             roll_up=roll_up)


# -- the migrations --------------------------------------------------------------------------


def _definitions(cursor, table: str, *, referenced_ok: bool = False):
    cursor.execute(
        "SELECT i.indexname, i.indexdef, obj_description(to_regclass(i.indexname), 'pg_class') "
        "FROM pg_indexes i WHERE i.tablename = %s "
        "AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(%s) "
        "AND contype IN ('p', 'u'))", [table, table])
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype = 'f' AND conparentid = 0", [table])
    foreign_keys = cursor.fetchall()
    if not referenced_ok:
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
          extra_indexes: dict[str, str], table: str = TABLE, sequence_floor: int = 0):
    """Copy ``old`` (already renamed) into the new ``table`` built by ``create_sql``, drop
    ``old`` and recreate its indexes (with their comments), foreign keys and id sequence
    under the same names (``indexes`` and ``foreign_keys`` as read from ``table`` before it
    was renamed)."""
    if create_sql:
        cursor.execute(create_sql)
    cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{old}"')
    max_id = max(cursor.fetchone()[0], sequence_floor)
    cursor.execute(f'DROP TABLE "{old}"')
    cursor.execute(f'CREATE SEQUENCE "{table}_id_seq" OWNED BY "{table}".id')
    cursor.execute(f"SELECT setval('\"{table}_id_seq\"', %s, %s)", [max(max_id, 1), max_id > 0])
    cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN id SET DEFAULT nextval(\'"{table}_id_seq"\')')
    cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY {primary_key}')
    for index in indexes:
        name, definition = index[0], index[1]
        cursor.execute(re.sub(rf'\bON (ONLY )?(public\.)?"?{table}"? ',
                              f'ON "{table}" ', definition))
        if len(index) > 2 and index[2]:
            cursor.execute(f'COMMENT ON INDEX "{name}" IS {_literal(index[2])}')
    for name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    for name, columns in extra_indexes.items():
        cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" {columns}')


def _build_partitioned(cursor, spec: PartitionedTable, old: str) -> None:
    """Create the partitioned ``spec.table`` like ``old``, with its months and default."""
    cursor.execute(f'CREATE TABLE "{spec.table}" (LIKE "{old}" INCLUDING CONSTRAINTS)'
                   f' PARTITION BY RANGE ("{spec.key}")')
    # Partitions before the copy so the rows land in their years and months, not the default.
    for part in layout(spec, timezone.localdate(), MONTHS_AHEAD):
        _create_range(cursor, spec, part.name, part.start, part.end, has_default=False)
    cursor.execute(f'CREATE TABLE "{spec.default_partition}" PARTITION OF "{spec.table}" DEFAULT')


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
        _build_partitioned(cursor, EVENTS, old)
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
        indexes = [i for i in indexes if i[0] not in EXTRA_INDEXES]
        cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{old}"')
        cursor.execute(f'ALTER TABLE "{old}" ALTER COLUMN id DROP DEFAULT')
        cursor.execute(f'DROP SEQUENCE IF EXISTS "{TABLE}_id_seq"')
        create = f'CREATE TABLE "{TABLE}" (LIKE "{old}" INCLUDING CONSTRAINTS)'
        _swap(cursor, old, create, "(id)", indexes, foreign_keys, {})


# -- dossiers (docs/scaling.md 2.3) ------------------------------------------------------------
#
# A partitioned table's unique constraints must contain the partition key, so ``id`` alone
# and ``code`` alone can no longer be unique in PostgreSQL's sense and no foreign key can
# point at ``onestop_dossier(id)``. The model state does not change (``id`` is still Django's
# primary key, the foreign keys keep ``db_constraint=True`` so SQLite keeps real ones); on
# PostgreSQL the migration replaces what the database can no longer declare:
#
# - every foreign key into the table (found in pg_constraint, none by hand) becomes a pair of
#   deferred constraint triggers on the referencing table (insert, change of the column: the
#   dossier must exist, locked FOR KEY SHARE as the foreign key's own check does) plus one
#   deferred constraint trigger on the dossiers (delete, change of id: no row may still
#   point at it, as the foreign keys' NO ACTION; Django's collector cascades in Python first);
# - ``code`` is registered in ``onestop_dossier_code`` (primary key ``code``) by a row
#   trigger, so a second dossier with the same code fails with a unique violation, at once
#   and also between concurrent transactions (the second waits for the first's index entry);
# - ``id`` stays unique because one sequence feeds it and nothing writes it by hand except
#   the bulk writers, which draw their ids from the same sequence.
#
# The seeding's binary COPY runs with ``session_replication_role = replica``, which skips
# these triggers: its set-based chunk checks (bulk.CopyWriter.verify) register the codes and
# check the references instead.

CODE_TABLE = "onestop_dossier_code"
TRIGGER_PREFIX = "cchc_"  # the triggers of this module; bulk.py knows them by this prefix


def _referencing_keys(cursor, table: str):
    """(table, column, constraint name, definition) of every foreign key into ``table``."""
    cursor.execute(
        "SELECT c.conrelid::regclass::text, a.attname, c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
        "AND a.attnum = c.conkey[1] WHERE c.confrelid = to_regclass(%s) AND c.contype = 'f' "
        "AND c.conparentid = 0 AND array_length(c.conkey, 1) = 1 ORDER BY 1, 2", [table])
    return cursor.fetchall()


def _child_trigger_sql(child: str, column: str) -> list[str]:
    table = DOSSIERS.table
    function = f"{TRIGGER_PREFIX}{child}_{column}_must_exist"
    return [
        f'''CREATE FUNCTION "{function}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."{column}" IS NULL THEN RETURN NULL; END IF;
  PERFORM 1 FROM "{table}" WHERE id = NEW."{column}" FOR KEY SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'insert or update on table "%" violates the reference to "{table}"', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key ({column})=(%s) is not present in table "{table}".', NEW."{column}");
  END IF;
  RETURN NULL;
END $$''',
        f'CREATE CONSTRAINT TRIGGER "{TRIGGER_PREFIX}{child}_{column}_ins" AFTER INSERT ON "{child}" '
        f'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "{function}"()',
        f'CREATE CONSTRAINT TRIGGER "{TRIGGER_PREFIX}{child}_{column}_upd" AFTER UPDATE OF "{column}" '
        f'ON "{child}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
        f'WHEN (OLD."{column}" IS DISTINCT FROM NEW."{column}") EXECUTE FUNCTION "{function}"()',
    ]


def _dossier_trigger_sql(children) -> list[str]:
    table = DOSSIERS.table
    checks = "\n".join(
        f'''  IF EXISTS (SELECT 1 FROM "{child}" WHERE "{column}" = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "{table}" violates the reference from "{child}"'
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key (id)=(%s) is still referenced from table "{child}".', OLD.id);
  END IF;''' for child, column in children)
    return [
        # Referenced rows: checked at commit, like the deferred foreign keys they replace. A
        # change of submitted_at moves the row to another partition (a delete and an insert):
        # the id still exists then, and nothing is orphaned.
        f'''CREATE FUNCTION "{TRIGGER_PREFIX}{table}_not_referenced"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "{table}" WHERE id = OLD.id) THEN RETURN NULL; END IF;
{checks}
  RETURN NULL;
END $$''',
        f'CREATE CONSTRAINT TRIGGER "{TRIGGER_PREFIX}{table}_referenced_del" AFTER DELETE ON "{table}" '
        f'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION '
        f'"{TRIGGER_PREFIX}{table}_not_referenced"()',
        f'CREATE CONSTRAINT TRIGGER "{TRIGGER_PREFIX}{table}_referenced_upd" AFTER UPDATE OF id '
        f'ON "{table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM '
        f'NEW.id) EXECUTE FUNCTION "{TRIGGER_PREFIX}{table}_not_referenced"()',
        # Codes: immediate, like the unique constraint they replace.
        f'''CREATE FUNCTION "{TRIGGER_PREFIX}{table}_code_sync"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    DELETE FROM "{CODE_TABLE}" WHERE code = OLD.code AND dossier_id = OLD.id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "{CODE_TABLE}" (code, dossier_id) VALUES (NEW.code, NEW.id);
  END IF;
  RETURN NULL;
END $$''',
        f'CREATE TRIGGER "{TRIGGER_PREFIX}{table}_code" AFTER INSERT OR DELETE ON "{table}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{TRIGGER_PREFIX}{table}_code_sync"()',
        f'CREATE TRIGGER "{TRIGGER_PREFIX}{table}_code_upd" AFTER UPDATE OF code, id ON "{table}" '
        f'FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code OR OLD.id IS DISTINCT FROM NEW.id) '
        f'EXECUTE FUNCTION "{TRIGGER_PREFIX}{table}_code_sync"()',
        # ``flush`` (tests, JSON restore) truncates the Django tables, not this side table.
        f'''CREATE FUNCTION "{TRIGGER_PREFIX}{table}_code_truncate"() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN TRUNCATE "{CODE_TABLE}"; RETURN NULL; END $$''',
        f'CREATE TRIGGER "{TRIGGER_PREFIX}{table}_code_truncate" AFTER TRUNCATE ON "{table}" '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{TRIGGER_PREFIX}{table}_code_truncate"()',
    ]


def partition_dossiers(apps, schema_editor):
    """Migration step: ``onestop_dossier`` becomes a table partitioned by month of
    ``submitted_at`` (PostgreSQL only), its incoming foreign keys and the uniqueness of
    ``code`` enforced by triggers (above)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or is_partitioned(connection, DOSSIERS):
        return
    table, old = DOSSIERS.table, f"{DOSSIERS.table}_unpartitioned"
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        referencing = _referencing_keys(cursor, table)
        for child, _column, name, _definition in referencing:
            cursor.execute(f'ALTER TABLE "{child}" DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = to_regclass(%s) AND contype = 'u'", [table])
        uniques = cursor.fetchall()
        if [definition for _name, definition in uniques] != ["UNIQUE (code)"]:
            raise RuntimeError(f"{table}: unexpected unique constraints {uniques}")
        indexes, foreign_keys = _definitions(cursor, table, referenced_ok=True)
        # The unique index of code becomes a plain one (lookups by code); the side table
        # keeps it unique.
        indexes.append((f"{table}_code_idx", f'CREATE INDEX "{table}_code_idx" ON "{table}" (code)',
                        None))
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        # Ids of deleted dossiers are never handed out again: the new sequence starts after
        # the old one's last value, not after the largest id left.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [old])
        sequence = cursor.fetchone()[0]
        floor = 0
        if sequence:
            cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}")
            floor = cursor.fetchone()[0]
        cursor.execute(f'ALTER TABLE "{old}" ALTER COLUMN id DROP IDENTITY IF EXISTS')
        _build_partitioned(cursor, DOSSIERS, old)
        _swap(cursor, old, None, f'(id, "{DOSSIERS.key}")', indexes, foreign_keys, {}, table=table,
              sequence_floor=floor)
        cursor.execute(f'CREATE TABLE "{CODE_TABLE}" (code varchar(25) PRIMARY KEY, '
                       "dossier_id bigint NOT NULL)")
        cursor.execute(f'INSERT INTO "{CODE_TABLE}" (code, dossier_id) SELECT code, id FROM "{table}"')
        for statement in _dossier_trigger_sql([(child, column) for child, column, _n, _d in referencing]):
            cursor.execute(statement)
        for child, column, name, definition in referencing:
            for statement in _child_trigger_sql(child, column):
                cursor.execute(statement)
            # What the reverse step needs to put the foreign key back.
            cursor.execute(f'COMMENT ON TRIGGER "{TRIGGER_PREFIX}{child}_{column}_ins" ON "{child}" '
                           f"IS {_literal(f'{name}\n{definition}')}")


def _literal(text: str) -> str:
    """``text`` as an SQL string literal: a utility statement (COMMENT) takes no parameters
    with server-side binding (settings, CCHC_DB_PREPARED_STATEMENTS); PostgreSQL's standard
    strings only need their quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def unpartition_dossiers(apps, schema_editor):
    """Reverse step: one plain table again, ``code`` unique, the foreign keys back."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not is_partitioned(connection, DOSSIERS):
        return
    table, old = DOSSIERS.table, f"{DOSSIERS.table}_partitioned"
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        cursor.execute(
            "SELECT t.tgrelid::regclass::text, t.tgname, obj_description(t.oid, 'pg_trigger') "
            "FROM pg_trigger t WHERE t.tgname LIKE %s AND t.tgname LIKE '%%\\_ins' "
            "AND t.tgparentid = 0", [f"{TRIGGER_PREFIX}%"])
        restore = [(child, *comment.split("\n", 1)) for child, _name, comment in cursor.fetchall()
                   if comment]
        cursor.execute(
            "SELECT t.tgrelid::regclass::text, t.tgname FROM pg_trigger t "
            "WHERE t.tgname LIKE %s AND t.tgparentid = 0", [f"{TRIGGER_PREFIX}%"])
        for relation, name in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER "{name}" ON "{relation}"')
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE %s "
                       "AND pronamespace = to_regnamespace(current_schema())", [f"{TRIGGER_PREFIX}%"])
        for (function,) in cursor.fetchall():
            cursor.execute(f'DROP FUNCTION "{function}"()')
        cursor.execute(f'DROP TABLE "{CODE_TABLE}"')
        indexes, foreign_keys = _definitions(cursor, table, referenced_ok=True)
        indexes = [i for i in indexes if i[0] != f"{table}_code_idx"]
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        cursor.execute(f'ALTER TABLE "{old}" ALTER COLUMN id DROP DEFAULT')
        cursor.execute(f'DROP SEQUENCE IF EXISTS "{table}_id_seq"')
        create = f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING CONSTRAINTS)'
        _swap(cursor, old, create, "(id)", indexes, foreign_keys, {}, table=table)
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_code_key" UNIQUE (code)')
        for child, name, definition in restore:
            cursor.execute(f'ALTER TABLE "{child}" ADD CONSTRAINT "{name}" {definition}')
