"""What the bulk paths of the one-stop app share: the historical import (``importer``) and
the seeding of realistic data (``seeding``).

Neither path goes through the per-dossier services: they build rows in Python and write
them in batches. What they must still honour is what the services guarantee:

- dossier codes come from the same daily counters (``DailySequence``) as live intake, so
  there are no duplicates and no gaps; the counters are locked, checked against what the
  bulk path assumed, and written back inside the transaction that stores the dossiers;
- ids come from the tables' own sequences on PostgreSQL (after the largest id, under the
  write lock, on SQLite), so live intake can go on alongside.

Neither sends notifications or the ``dossier_processed`` signal: the records are history.

Also here: the rows (binary COPY for PostgreSQL, tuples for SQLite's ``executemany``, model
instances for ``bulk_create`` elsewhere) and the writers that store them chunk by chunk.
"""

from __future__ import annotations

import datetime
import json
import re
import struct
import sys
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import DatabaseError, connections, transaction
from django.utils.translation import gettext as _

from cchc.catalog.models import Procedure, ProcedureVersion
from cchc.errors import Conflict
from cchc.org.models import AdministrativeUnit, Agency, AgencyKind

from . import partitions
from .models import DailySequence, Dossier, DossierEvent, DossierStep, Rating

RECEIVING_KINDS = (AgencyKind.RECEPTION_DESK, AgencyKind.SERVICE_CENTRE)
CODE_PATTERN = re.compile(r"^(\d{3}\.\d{2}\.\d{2}\.H\d{2})-(\d{2})(\d{2})(\d{2})-(\d{4})$")
MAX_DAILY_SEQUENCE = 9999


def progress_bar(*, total=None, desc="", unit="", enabled=True):
    """A tqdm bar on stderr (stdout stays for the report)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not enabled,
                dynamic_ncols=True, mininterval=0.5, unit_scale=True)


def max_id(model, using="default") -> int:
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(model._meta.pk.column)}) FROM "
                       f"{connection.ops.quote_name(model._meta.db_table)}")
        return cursor.fetchone()[0] or 0


# The next value of a table's key sequence; parameters: the table, the key column.
_NEXT_KEY = "nextval(pg_get_serial_sequence(%s, %s))"


class IdAllocator:
    """Primary keys for rows written with explicit ids (children must point at them).

    PostgreSQL: values drawn from the table's own sequence, so concurrent inserts never
    collide. Elsewhere (SQLite): after the table's largest id, which is safe because the
    caller holds the database's write lock (``transaction_mode = IMMEDIATE``).
    """

    def __init__(self, model, using="default"):
        self.model = model
        self.using = using
        self._next = None

    def take(self, n: int) -> list[int]:
        if n <= 0:
            return []
        connection = connections[self.using]
        table = self.model._meta.db_table
        column = self.model._meta.pk.column
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT {_NEXT_KEY} FROM generate_series(1, %s)", [table, column, n])
                return [row[0] for row in cursor.fetchall()]
        first = max(max_id(self.model, self.using) + 1, self._next or 0)
        self._next = first + n
        return list(range(first, first + n))


def reserve_keys(*models, using="default") -> list[int]:
    """One new primary key for each of ``models``, in that order, in one statement: drawn
    from their sequences on PostgreSQL, after their largest keys elsewhere (as
    ``IdAllocator``, under the caller's write lock)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        columns = [_NEXT_KEY] * len(models)
        params = [name for model in models for name in (model._meta.db_table, model._meta.pk.column)]
    else:
        columns = [f"(SELECT COALESCE(MAX({quote(model._meta.pk.column)}), 0) + 1 "
                   f"FROM {quote(model._meta.db_table)})" for model in models]
        params = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        return list(cursor.fetchone())


def reserve_block(model, n: int, using="default") -> int:
    """First id of ``n`` consecutive ids of ``model`` reserved at once (PostgreSQL only).

    The table is locked against inserts for the instant of the bump, so no other session's
    default value can fall inside the block; unused ids simply stay unused.
    """
    connection = connections[using]
    table = model._meta.db_table
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN EXCLUSIVE MODE")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), "
            "nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
            [table, model._meta.pk.column, table, model._meta.pk.column, n],
        )
        last = cursor.fetchone()[0]
    return last - n + 1


class CounterClash(Conflict):
    """Someone allocated codes on a day the bulk path was writing (live intake alongside)."""

    def __init__(self, clashes):
        self.clashes = clashes
        sample = ", ".join(f"{code} {day:%d/%m/%Y}" for code, day in clashes[:3])
        super().__init__(
            _("Số thứ tự hồ sơ của %(n)s nơi tiếp nhận/ngày (%(sample)s) vừa được cấp đồng thời "
              "bởi người khác; không ghi đợt dữ liệu này để tránh trùng mã. Hãy chạy lại khi "
              "không còn tiếp nhận hồ sơ của những ngày đó.") % {"n": len(clashes), "sample": sample},
            code="sequence_clash",
        )


def read_counters(agency_ids, first_day, last_day, using="default") -> dict:
    """{(agency_id, day): last} of the given agencies over [first_day, last_day]."""
    rows = DailySequence.objects.using(using).filter(
        agency_id__in=list(agency_ids), day__gte=first_day, day__lte=last_day,
    ).values_list("agency_id", "day", "last")
    return {(agency_id, day): last for agency_id, day, last in rows}


def write_counters(touched: dict, agency_codes: dict, using="default"):
    """Store the counters a bulk path advanced: ``touched`` maps (agency_id, day) to
    (value it started from, value it reached).

    Must run in the transaction that stores the dossiers. The rows are locked first; if one
    no longer holds the value the bulk path started from (someone received a dossier on
    that day meanwhile), nothing is written and ``CounterClash`` is raised.
    """
    if not touched:
        return
    agency_ids = {agency_id for agency_id, _day in touched}
    days = [day for _agency, day in touched]
    locked = {
        (row.agency_id, row.day): row
        for row in DailySequence.objects.using(using).select_for_update().filter(
            agency_id__in=agency_ids, day__gte=min(days), day__lte=max(days))
    }
    clashes, updates, inserts = [], [], []
    for key, (before, after) in sorted(touched.items(), key=lambda item: (item[0][1], item[0][0])):
        row = locked.get(key)
        current = row.last if row is not None else 0
        if current != before:
            clashes.append((agency_codes.get(key[0], str(key[0])), key[1]))
            continue
        if after == before:
            continue
        if row is None:
            inserts.append(DailySequence(agency_id=key[0], day=key[1], last=after))
        else:
            row.last = after
            updates.append(row)
    if clashes:
        raise CounterClash(clashes)
    DailySequence.objects.using(using).bulk_create(inserts, batch_size=2000)
    DailySequence.objects.using(using).bulk_update(updates, ["last"], batch_size=2000)


# -- rows ----------------------------------------------------------------------------------


@dataclass
class Batch:
    dossiers: list
    steps: list
    events: list
    ratings: list
    count: int
    events_count: int = 0
    steps_count: int = 0
    ratings_count: int = 0


@dataclass
class ChunkEnd:
    touched: dict  # (agency_id, day) -> (before, after)
    first_dossier_id: int
    last_dossier_id: int
    count: int
    events: int
    steps: int
    ratings: int


_I2 = struct.Struct(">ih").pack
_I4 = struct.Struct(">ii").pack
_I8 = struct.Struct(">iq").pack
_LEN = struct.Struct(">i").pack
_NULL = b"\xff\xff\xff\xff"
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
COPY_TRAILER = b"\xff\xff"


def _text(value: str) -> bytes:
    data = value.encode()
    return _LEN(len(data)) + data


def _jsonb(value: str) -> bytes:
    data = b"\x01" + value.encode()
    return _LEN(len(data)) + data


def _numeric(value: Decimal) -> bytes:
    sign, digits, exponent = value.as_tuple()
    scale = max(-exponent, 0)
    integer = int("".join(map(str, digits)) or "0") * (10 ** max(exponent, 0))
    # Base-10000 digits of integer * 10**-scale, aligned on groups of 4 decimals.
    padded_scale = (scale + 3) // 4 * 4
    units = integer * 10 ** (padded_scale - scale)
    groups = []
    while units:
        units, group = divmod(units, 10000)
        groups.append(group)
    groups.reverse()
    weight = len(groups) - 1 - padded_scale // 4
    while groups and groups[-1] == 0:
        groups.pop()
    if not groups:
        weight = 0
    body = struct.pack(">hhhh", len(groups), weight, 0x4000 if sign else 0, scale)
    body += b"".join(struct.pack(">h", g) for g in groups)
    return _LEN(len(body)) + body


# PostgreSQL type of each Django field type the bulk tables use (binary COPY must match).
PG_TYPES = {
    "BigAutoField": "int8", "BigIntegerField": "int8", "PositiveBigIntegerField": "int8",
    "ForeignKey": "int8", "OneToOneField": "int8", "AutoField": "int4",
    "IntegerField": "int4", "PositiveIntegerField": "int4", "SmallIntegerField": "int2",
    "PositiveSmallIntegerField": "int2", "CharField": "varchar", "EmailField": "varchar",
    "TextField": "text", "DateTimeField": "timestamptz", "DateField": "date",
    "DecimalField": "numeric", "JSONField": "jsonb", "BooleanField": "bool",
}


def _encode_constant(field, value, table) -> bytes:
    """A field's value (typically its default) in binary COPY format."""
    if value is None:
        return _NULL
    kind = PG_TYPES[field.get_internal_type() if not field.is_relation else "ForeignKey"]
    if kind == "int8":
        return _I8(8, int(value))
    if kind == "int4":
        return _I4(4, int(value))
    if kind == "int2":
        return _I2(2, int(value))
    if kind in ("varchar", "text"):
        return _text(str(value))
    if kind == "bool":
        return _LEN(1) + (b"\x01" if value else b"\x00")
    if kind == "jsonb":
        return _jsonb(json.dumps(value, ensure_ascii=False))
    if kind == "numeric":
        return _numeric(Decimal(value))
    if kind == "timestamptz":
        return _I8(8, table.instant(value) + table.pg_shift)
    if kind == "date":
        return _I4(4, value.toordinal() - datetime.date(2000, 1, 1).toordinal())
    raise TypeError(kind)


class RowSink:
    """Turns generated records into rows: ``CopySink`` (binary COPY bytes) or ``OrmSink``
    (model instances for ``bulk_create``). Times are ``DayTable`` instants."""

    def __init__(self, table, created_at: datetime.datetime):
        self.table = table
        self.created_at = created_at
        self.reset()

    def reset(self):
        self.dossiers, self.steps, self.events, self.ratings = [], [], [], []

    def take(self, count) -> Batch:
        batch = Batch(self.dossiers, self.steps, self.events, self.ratings, count,
                      len(self.events), len(self.steps), len(self.ratings))
        self.reset()
        return batch


DOSSIER_SLOTS = (
    "id", "code", "receiving_agency_id", "unit_id", "procedure_id", "procedure_version_id",
    "channel", "status", "applicant_name", "applicant_id_number", "applicant_phone",
    "applicant_address", "request", "submitted_at", "received_at", "legal_days", "due_at",
    "due_explanation", "supplement_count", "paused_since", "paused_seconds", "finished_at",
    "returned_at", "timeliness", "apology_issued_at", "apology_reason", "apology_new_due_at",
    "current_agency_id", "current_role", "current_step_id", "version",
)


class CopySink(RowSink):
    """Rows packed for ``COPY ... (FORMAT BINARY)``: no datetime, no model instance."""

    STEP_COLUMNS = ("id", "position", "name", "role", "budget_seconds", "started_at", "due_at",
                    "finished_at", "result", "note", "agency_id", "dossier_id", "handed_by_id",
                    "received_by_id")
    EVENT_COLUMNS = ("action", "at", "status_before", "status_after", "note", "data", "actor_id",
                     "dossier_id")
    RATING_COLUMNS = ("level", "comment", "at", "dossier_id")

    def __init__(self, table, created_at):
        super().__init__(table, created_at)
        self.dossier_fields = [f for f in Dossier._meta.concrete_fields]
        self.dossier_columns = [f.column for f in self.dossier_fields]
        slots = {name: i for i, name in enumerate(DOSSIER_SLOTS)}
        template = []
        self._dossier_map = []  # (column index, slot index)
        for i, f in enumerate(self.dossier_fields):
            if f.attname in slots:
                template.append(None)
                self._dossier_map.append((i, slots[f.attname]))
            elif f.attname == "created_at":
                template.append(_encode_constant(f, created_at, table))
            else:
                template.append(_encode_constant(f, f.get_default(), table))
        self._template = template
        self._header = struct.pack(">h", len(template))
        self.step_columns = self.STEP_COLUMNS
        self.event_columns = self.EVENT_COLUMNS
        self.rating_columns = self.RATING_COLUMNS
        self._texts: dict = {}
        self._numerics: dict = {}
        self._jsons: dict = {}
        self._encoders = self._dossier_encoders()
        self._pack = self._compile_dossier()
        self._step_heads: dict = {}
        self._event_parts: dict = {}
        self._agencies: dict = {}
        self._last_id = None
        self._last_bytes = b""

    def text(self, value: str) -> bytes:
        encoded = self._texts.get(value)
        if encoded is None:
            if len(self._texts) > 50_000:
                return _text(value)
            encoded = self._texts[value] = _text(value)
        return encoded

    def ts(self, t):
        return _NULL if t is None else _I8(8, t + self.table.pg_shift)

    def _int8(self, value):
        return _NULL if value is None else _I8(8, value)

    def _int2(self, value):
        return _I2(2, value)

    def _int4(self, value):
        return _I4(4, value)

    def numeric(self, value):
        encoded = self._numerics.get(value)
        if encoded is None:
            encoded = self._numerics[value] = _numeric(value)
        return encoded

    def jsonb(self, value):
        encoded = self._jsons.get(value)
        if encoded is None:
            encoded = _jsonb(value)
            if len(self._jsons) < 10_000:
                self._jsons[value] = encoded
        return encoded

    def _dossier_encoders(self):
        by_slot = {
            "id": self._int8, "code": _text, "receiving_agency_id": self._int8,
            "unit_id": self._int8, "procedure_id": self._int8, "procedure_version_id": self._int8,
            "channel": self._int2, "status": self._int2, "applicant_name": _text,
            "applicant_id_number": _text, "applicant_phone": _text, "applicant_address": self.text,
            "request": self.text, "submitted_at": self.ts, "received_at": self.ts,
            "legal_days": self.numeric, "due_at": self.ts, "due_explanation": self.jsonb,
            "supplement_count": self._int2, "paused_since": self.ts, "paused_seconds": self._int8,
            "finished_at": self.ts, "returned_at": self.ts, "timeliness": self.text,
            "apology_issued_at": self.ts, "apology_reason": self.text,
            "apology_new_due_at": self.ts, "current_agency_id": self._int8,
            "current_role": self.text, "current_step_id": self._int8, "version": self._int4,
        }
        return [(column, slot, by_slot[DOSSIER_SLOTS[slot]]) for column, slot in self._dossier_map]

    def _compile_dossier(self):
        """A packer for the model's column order, written out once (no per-column loop)."""
        names = {"header": self._header}
        parts = ["header"]
        slots = {column: (slot, encode) for column, slot, encode in self._encoders}
        for column, constant in enumerate(self._template):
            if column in slots:
                slot, encode = slots[column]
                names[f"encode{column}"] = encode
                parts.append(f"encode{column}(values[{slot}])")
            else:
                names[f"constant{column}"] = constant
                parts.append(f"constant{column}")
        source = f"def pack(values):\n    return b''.join(({', '.join(parts)},))\n"
        exec(compile(source, "<dossier packer>", "exec"), names)  # noqa: S102 - our own text
        return names["pack"]

    def dossier(self, values):
        self.dossiers.append(self._pack(values))

    _STEP_HEADER = struct.pack(">h", 14)
    _EVENT_HEADER = struct.pack(">h", 8)
    _RATING_HEADER = struct.pack(">h", 4)
    _EMPTY = _text("")
    _STATUS = {**{s: _I2(2, s) for s in range(11)}, None: _NULL}

    def _dossier_bytes(self, dossier_id):
        if dossier_id != self._last_id:
            self._last_id = dossier_id
            self._last_bytes = _I8(8, dossier_id)
        return self._last_bytes

    def step(self, step_id, dossier_id, position, name, role, budget_seconds, started, due,
             finished, result, agency_id):
        head = self._step_heads.get((position, name, role))
        if head is None:
            head = self._step_heads[(position, name, role)] = (
                _I2(2, position) + _text(name) + _text(role))
        agency = self._agencies.get(agency_id)
        if agency is None:
            agency = self._agencies[agency_id] = _I8(8, agency_id)
        shift = self.table.pg_shift
        self.steps.append(b"".join((
            self._STEP_HEADER, _I8(8, step_id), head, _I8(8, budget_seconds),
            _I8(8, started + shift), _I8(8, due + shift),
            _NULL if finished is None else _I8(8, finished + shift), self.text(result),
            self._EMPTY, agency, self._dossier_bytes(dossier_id), _NULL, _NULL,
        )))

    def event(self, dossier_id, action, at, before, after, note, data):
        # Only the instant and the dossier vary much: the rest is packed once per variant.
        key = (action, before, after, note, data)
        parts = self._event_parts.get(key)
        if parts is None:
            status = self._STATUS
            parts = (self._EVENT_HEADER + _text(action),
                     status[before] + status[after] + (_text(note) if note else self._EMPTY)
                     + _jsonb(data) + _NULL)
            if len(self._event_parts) < 20_000:
                self._event_parts[key] = parts
        self.events.append(b"".join((parts[0], _I8(8, at + self.table.pg_shift), parts[1],
                                     self._dossier_bytes(dossier_id))))

    def rating(self, dossier_id, level, comment, at):
        self.ratings.append(b"".join((
            self._RATING_HEADER, self.text(level), self.text(comment),
            _I8(8, at + self.table.pg_shift), self._dossier_bytes(dossier_id),
        )))


class OrmSink(RowSink):
    """Model instances for ``bulk_create``: databases other than PostgreSQL and SQLite."""

    def dt(self, t):
        return None if t is None else self.table.datetime(t)

    def dossier(self, values):
        data = dict(zip(DOSSIER_SLOTS, values, strict=True))
        for name in ("submitted_at", "received_at", "due_at", "paused_since", "finished_at",
                     "returned_at", "apology_issued_at", "apology_new_due_at"):
            data[name] = self.dt(data[name])
        data["due_explanation"] = json.loads(data["due_explanation"])
        self.dossiers.append(Dossier(**data, created_at=self.created_at))

    def step(self, step_id, dossier_id, position, name, role, budget_seconds, started, due,
             finished, result, agency_id):
        self.steps.append(DossierStep(
            id=step_id, dossier_id=dossier_id, position=position, name=name, role=role,
            budget_seconds=budget_seconds, started_at=self.dt(started), due_at=self.dt(due),
            finished_at=self.dt(finished), result=result, agency_id=agency_id,
        ))

    def event(self, dossier_id, action, at, before, after, note, data):
        self.events.append(DossierEvent(
            dossier_id=dossier_id, action=action, at=self.dt(at), status_before=before,
            status_after=after, note=note, data=json.loads(data),
        ))

    def rating(self, dossier_id, level, comment, at):
        self.ratings.append(Rating(dossier_id=dossier_id, level=level, comment=comment,
                                   at=self.dt(at)))


class SqliteSink(RowSink):
    """Tuples in the form Django stores them on SQLite (UTC datetimes, decimals and JSON as
    text), for ``executemany``: the ORM's per-value preparation costs more than the rest
    of seeding together."""

    def __init__(self, table, created_at, using="default"):
        super().__init__(table, created_at)
        connection = connections[using]
        self.shift = int(table.midnight.utcoffset().total_seconds()) * 1_000_000
        self._days: dict = {}
        fields = Dossier._meta.concrete_fields
        self.dossier_columns = [f.column for f in fields]
        slots = {name: i for i, name in enumerate(DOSSIER_SLOTS)}
        converters = {
            "submitted_at": self.ts, "received_at": self.ts, "due_at": self.ts,
            "paused_since": self.ts, "finished_at": self.ts, "returned_at": self.ts,
            "apology_issued_at": self.ts, "apology_new_due_at": self.ts, "legal_days": str,
            "channel": int, "status": int,
        }
        self._template, self._map = [], []
        for i, f in enumerate(fields):
            if f.attname in slots:
                self._template.append(None)
                self._map.append((i, slots[f.attname], converters.get(f.attname)))
            else:
                value = created_at if f.attname == "created_at" else f.get_default()
                self._template.append(f.get_db_prep_save(value, connection))
        self.step_columns = CopySink.STEP_COLUMNS
        self.event_columns = CopySink.EVENT_COLUMNS
        self.rating_columns = CopySink.RATING_COLUMNS

    def ts(self, t):
        if t is None:
            return None
        day, tod = divmod(t - self.shift, 86_400_000_000)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = str(self.table.date(day))
        seconds, micro = divmod(tod, 1_000_000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        if micro:
            return f"{text} {hour:02d}:{minute:02d}:{second:02d}.{micro:06d}"
        return f"{text} {hour:02d}:{minute:02d}:{second:02d}"

    def dossier(self, values):
        row = self._template[:]
        for column, slot, convert in self._map:
            value = values[slot]
            row[column] = convert(value) if convert is not None and value is not None else value
        self.dossiers.append(row)

    def step(self, step_id, dossier_id, position, name, role, budget_seconds, started, due,
             finished, result, agency_id):
        self.steps.append((step_id, position, name, role, budget_seconds, self.ts(started),
                           self.ts(due), self.ts(finished), result, "", agency_id, dossier_id,
                           None, None))

    def event(self, dossier_id, action, at, before, after, note, data):
        self.events.append((action, self.ts(at), None if before is None else int(before),
                            int(after), note, data, None, dossier_id))

    def rating(self, dossier_id, level, comment, at):
        self.ratings.append((level, comment, self.ts(at), dossier_id))


# -- writers ---------------------------------------------------------------------------------


def _quote(connection, names):
    return ", ".join(connection.ops.quote_name(n) for n in names)


BULK_TABLES = (Dossier, DossierStep, DossierEvent, Rating)


def refresh_statistics(using: str = "default") -> float | None:
    """PostgreSQL: ``ANALYZE`` the tables a bulk load filled; the seconds it took (None on
    another database). Autovacuum would get to them minutes later, and until then the
    planner plans with the row counts of before the load: right after seeding 300,000
    dossiers the public lookup was planned as a scan of every rating, 150 ms instead of
    0.35 (bench/README.md, load)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {_quote(connection, [m._meta.db_table for m in BULK_TABLES])}")
    return time.perf_counter() - started


class CopyWriter:
    """PostgreSQL: binary COPY of each batch, in the chunk's transaction."""

    TABLES = (Dossier, DossierStep, DossierEvent, Rating)

    def __init__(self, sink: CopySink, referenced: dict, using="default"):
        self.sink = sink
        self.referenced = referenced
        self.using = using
        self.connection = connections[using]
        self.skip_triggers = False
        self._check_types()

    def _check_types(self):
        """Binary COPY needs the exact column types: compare with the database's."""
        expected = {}
        for model in self.TABLES:
            for f in model._meta.concrete_fields:
                kind = PG_TYPES.get("ForeignKey" if f.is_relation else f.get_internal_type())
                expected[(model._meta.db_table, f.column)] = kind
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, a.attname, t.typname FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid "
                "WHERE c.relname = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped "
                "AND c.relnamespace = to_regnamespace(current_schema())::oid",
                [[m._meta.db_table for m in self.TABLES]],
            )
            actual = {(table, column): kind for table, column, kind in cursor.fetchall()}
        wrong = [f"{t}.{c}: {actual.get((t, c))} != {k}" for (t, c), k in expected.items()
                 if actual.get((t, c)) != k]
        if wrong:
            raise TypeError("binary COPY: column types differ: " + "; ".join(wrong))

    def triggers_may_be_skipped(self) -> bool:
        """Whether this role may skip the per-row triggers and the tables have only the
        foreign-key ones and those of the partitioned dossiers (``partitions.TRIGGER_PREFIX``:
        references and codes), which the chunk checks replace."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY("
                "SELECT oid FROM pg_class WHERE relname = ANY(%s)) AND tgname NOT LIKE %s",
                [[m._meta.db_table for m in self.TABLES], f"{partitions.TRIGGER_PREFIX}%"],
            )
            if cursor.fetchone()[0]:
                return False
            try:
                with transaction.atomic(using=self.using):
                    cursor.execute("SET LOCAL session_replication_role = replica")
                    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            except DatabaseError:
                return False
        return True

    def begin_chunk(self):
        with self.connection.cursor() as cursor:
            # Only the last chunks can be lost in a crash; nothing is left half-written.
            cursor.execute("SET LOCAL synchronous_commit = off")
            if self.skip_triggers:
                cursor.execute("SET LOCAL session_replication_role = replica")
                # What the foreign-key triggers would do for the rows we point at: lock them.
                refs = self.referenced
                for model, ids in ((Agency, refs["agency"]), (AdministrativeUnit, refs["unit"]),
                                   (Procedure, refs["procedure"]), (ProcedureVersion, refs["version"])):
                    cursor.execute(
                        f"SELECT count(*) FROM (SELECT 1 FROM {model._meta.db_table} "
                        f"WHERE id = ANY(%s) FOR KEY SHARE) locked", [sorted(ids)])
                    if cursor.fetchone()[0] != len(ids):
                        raise DatabaseError(f"bulk: rows of {model._meta.db_table} vanished")

    def _copy(self, cursor, model, columns, rows):
        if not rows:
            return
        table = self.connection.ops.quote_name(model._meta.db_table)
        sql = f"COPY {table} ({_quote(self.connection, columns)}) FROM STDIN (FORMAT BINARY)"
        with cursor.copy(sql) as copy:
            copy.write(COPY_HEADER)
            step = 20_000
            for k in range(0, len(rows), step):
                copy.write(b"".join(rows[k:k + step]))
            copy.write(COPY_TRAILER)

    def write(self, batch: Batch):
        sink = self.sink
        with self.connection.cursor() as cursor:
            raw = cursor.cursor
            self._copy(raw, Dossier, sink.dossier_columns, batch.dossiers)
            self._copy(raw, DossierStep, sink.step_columns, batch.steps)
            self._copy(raw, DossierEvent, sink.event_columns, batch.events)
            self._copy(raw, Rating, sink.rating_columns, batch.ratings)

    def verify(self, end: ChunkEnd):
        """Set-based checks replacing the skipped foreign-key triggers."""
        if not self.skip_triggers:
            return
        lo, hi = end.first_dossier_id, end.last_dossier_id
        dossiers, steps = Dossier._meta.db_table, DossierStep._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {dossiers} WHERE id BETWEEN %s AND %s", [lo, hi])
            checks = [("dossiers", cursor.fetchone()[0], end.count)]
            for model, expected in ((DossierEvent, end.events), (DossierStep, end.steps),
                                    (Rating, end.ratings)):
                cursor.execute(f"SELECT count(*) FROM {model._meta.db_table} "
                               f"WHERE dossier_id BETWEEN %s AND %s", [lo, hi])
                checks.append((model._meta.db_table, cursor.fetchone()[0], expected))
            cursor.execute(
                f"SELECT count(*) FROM {dossiers} d WHERE d.id BETWEEN %s AND %s "
                f"AND d.current_step_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {steps} s "
                f"WHERE s.id = d.current_step_id AND s.dossier_id = d.id)", [lo, hi])
            checks.append(("current_step", cursor.fetchone()[0], 0))
            if partitions.is_partitioned(self.connection, partitions.DOSSIERS):
                # What the skipped triggers of the partitioned table do (partitions.py): every
                # child row's dossier exists, and every code is registered, once.
                for model in (DossierEvent, DossierStep, Rating):
                    cursor.execute(
                        f"SELECT count(*) FROM {model._meta.db_table} c WHERE c.dossier_id "
                        f"BETWEEN %s AND %s AND NOT EXISTS (SELECT 1 FROM {dossiers} d "
                        f"WHERE d.id = c.dossier_id)", [lo, hi])
                    checks.append((f"{model._meta.db_table} orphans", cursor.fetchone()[0], 0))
                # A code already taken fails here with the same unique violation as a trigger.
                cursor.execute(
                    f"INSERT INTO {partitions.CODE_TABLE} (code, dossier_id) "
                    f"SELECT code, id FROM {dossiers} WHERE id BETWEEN %s AND %s", [lo, hi])
                checks.append(("codes", cursor.rowcount, end.count))
        wrong = [f"{name}: {got} != {want}" for name, got, want in checks if got != want]
        if wrong:
            raise DatabaseError("bulk: integrity check failed: " + "; ".join(wrong))


class OrmWriter:
    """Any database: ``bulk_create`` in large batches."""

    def __init__(self, using="default"):
        self.using = using

    def begin_chunk(self):
        pass

    def write(self, batch: Batch):
        size = 2000
        Dossier.objects.using(self.using).bulk_create(batch.dossiers, batch_size=size)
        DossierStep.objects.using(self.using).bulk_create(batch.steps, batch_size=size)
        DossierEvent.objects.using(self.using).bulk_create(batch.events, batch_size=size)
        Rating.objects.using(self.using).bulk_create(batch.ratings, batch_size=size)

    def verify(self, end: ChunkEnd):
        pass




class SqliteWriter:
    """SQLite: ``executemany`` of prepared tuples, in the chunk's transaction."""

    def __init__(self, sink: SqliteSink, using="default"):
        self.sink = sink
        self.using = using
        connection = connections[using]

        def insert(model, columns):
            return (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} "
                    f"({_quote(connection, columns)}) VALUES ({', '.join(['%s'] * len(columns))})")

        self.sql = (insert(Dossier, sink.dossier_columns), insert(DossierStep, sink.step_columns),
                    insert(DossierEvent, sink.event_columns), insert(Rating, sink.rating_columns))

    def begin_chunk(self):
        pass

    def write(self, batch: Batch):
        with connections[self.using].cursor() as cursor:
            for sql, rows in zip(self.sql, (batch.dossiers, batch.steps, batch.events, batch.ratings),
                                 strict=True):
                if rows:
                    cursor.executemany(sql, rows)

    def verify(self, end: ChunkEnd):
        pass
