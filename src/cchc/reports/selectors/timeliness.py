"""The periodic report on handling administrative procedures (báo cáo tình hình, kết quả giải
quyết thủ tục hành chính): per unit, field or procedure, for a period [from, to] of local
dates (Asia/Ho_Chi_Minh), i.e. the instants [from 00:00, to + 1 day 00:00).

Definitions (RULES.md §2, QĐ 766 indicator 2.1):
- A dossier counts in the period if it was received (``received_at`` set: an online
  submission never accepted, or refused at intake, does not count) before the end of the
  period and did not finish before its start.
- Received: carried over (received before ``from``) + new online (channel 2, received in the
  period) + new direct or postal (channels 1 and 3).
- Resolved: finished in the period (``finished_at``: processed, else returned, else stopped or
  withdrawn). On time (early included) or late exactly as ``onestop.timeliness.classify``
  decides, which the services store in ``Dossier.timeliness`` when a dossier finishes (every
  finishing path: approve, stop, withdraw of a received dossier; ``return_result`` only
  follows an approval; the seeding does the same). A finished dossier without a stored value
  (an import that did not classify) is classified here with ``classify``, one by one.
- Pending: not finished by the end of the period, measured at that instant as ``classify``
  measures an open dossier: overdue iff the end of the period is after the due extended by
  the paused office time, or the dossier had had more than one supplement request, or it
  waits for documents asked for after its due; within otherwise (due soon and paused
  included). A dossier that never had a supplement request has a plain due: one comparison.
  The pending ones that had a request are classified from their state at the end of the
  period, rebuilt from their supplement events (a request or a resumption after the period
  must not count; an import without events keeps its stored counters), with the due moved
  by the paused office time through the calendar's positions in SQL (``worktime``): for an
  end of period T at midnight and a pause of p > 0 office seconds, T is after
  ``add_working_time(due, p)`` iff P(T) - P(due) >= p. A dossier without a due (classify
  does not measure it: only imports can lack one) counts as within/on time.
- The stored timeliness is frozen when a dossier finishes, under the calendar of that day:
  a holiday added to the calendar later does not reclassify old dossiers, as on the portal.

Everything is counted in the database: the dossiers received in the period and those
carried over into it are counted by two grouped queries (on PostgreSQL "open at an instant"
is a range containment, ``OpenAt``, which a GiST index can answer: see the benchmark), and
the pending ones with a supplement history by a third; nothing is read row by row except
finished dossiers without a stored timeliness (``classify`` in Python, streamed). Invariants in every row: received = carried
over + online + direct/postal = resolved + pending; resolved = on time + late; pending =
within + overdue.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Count, F, Func, Q, QuerySet, Sum, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.catalog.models import Field, Procedure, ProcedureVersion
from cchc.errors import InvalidInput
from cchc.onestop.models import Channel, Dossier, DossierEvent, Timeliness
from cchc.onestop.timeliness import Clock, classify
from cchc.reports.models import TimelinessDay, TimelinessRollup
from cchc.workcal.calendar import VN_TZ

from .common import (
    Filters,
    Period,
    UnitTree,
    report_queries,
    scoped,
    scoped_dossiers,
    scoped_unit_ids,
)
from .worktime import LocalDayNumber, WorkDays

ON_TIME_VALUES = (Timeliness.EARLY, Timeliness.ON_TIME)
REQUEST, RESUME = "request_supplement", "receive_supplement"

# The measures behind every number (drill-down), with their labels.
MEASURES = {
    "received": gettext_lazy("Tổng số hồ sơ tiếp nhận"),
    "online": gettext_lazy("Mới tiếp nhận trực tuyến"),
    "carried_over": gettext_lazy("Từ kỳ trước chuyển sang"),
    "new_direct_postal": gettext_lazy("Mới tiếp nhận trực tiếp, bưu chính"),
    "resolved": gettext_lazy("Tổng số hồ sơ đã giải quyết"),
    "on_time": gettext_lazy("Đã giải quyết trước hạn, đúng hạn"),
    "late": gettext_lazy("Đã giải quyết quá hạn"),
    "pending": gettext_lazy("Tổng số hồ sơ đang giải quyết"),
    "within": gettext_lazy("Đang giải quyết trong hạn"),
    "overdue": gettext_lazy("Đang giải quyết quá hạn"),
}

GROUP_FIELDS = {"unit": "unit_id", "field": "procedure_version__field_id", "procedure": "procedure_id"}


@dataclass
class Counts:
    received: int = 0
    online: int = 0
    carried_over: int = 0
    new_direct_postal: int = 0
    resolved: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0
    within: int = 0
    overdue: int = 0

    def add(self, other: Counts) -> Counts:
        for name in COUNT_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def as_dict(self) -> dict:
        return {
            "received": {"total": self.received, "online": self.online,
                         "carried_over": self.carried_over,
                         "new_direct_postal": self.new_direct_postal},
            "resolved": {"total": self.resolved, "on_time": self.on_time, "late": self.late},
            "pending": {"total": self.pending, "within": self.within, "overdue": self.overdue},
        }

    def invariant_errors(self) -> list[str]:
        errors = []
        if self.received != self.carried_over + self.online + self.new_direct_postal:
            errors.append("received != carried_over + online + new_direct_postal")
        if self.received != self.resolved + self.pending:
            errors.append("received != resolved + pending")
        if self.resolved != self.on_time + self.late:
            errors.append("resolved != on_time + late")
        if self.pending != self.within + self.overdue:
            errors.append("pending != within + overdue")
        return errors

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None


COUNT_NAMES = tuple(f.name for f in fields(Counts))


@dataclass
class ReportRow:
    key: str
    name: str
    counts: Counts = field(default_factory=Counts)
    level: str = ""
    sort_key: tuple = ()


@dataclass
class TimelinessReport:
    filters: Filters
    rows: list[ReportRow]
    totals: Counts

    @property
    def period(self) -> Period:
        return self.filters.period

    def as_json(self) -> dict:
        group = self.filters.group
        return {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "mode": self.filters.mode,
            "group": group,
            "level": self.filters.level,
            "rows": [{group: row.key, f"{group}_name": row.name, **row.counts.as_dict()}
                     for row in self.rows],
            "totals": self.totals.as_dict(),
        }


# -- predicates: the same for the counts and the drill-down -----------------------------------


class OpenAt(Func):
    """received_at <= t <= finished_at (or not finished): the dossier is open at instant t.

    On PostgreSQL written as ``tstzrange(received_at, COALESCE(finished_at, 'infinity'), '[]')
    @> t``, the expression of the GiST index proposed for ``onestop`` (bench/README.md)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, instant):
        super().__init__(F("received_at"), F("finished_at"), Value(instant))

    def as_sql(self, compiler, connection, **extra):
        (received, rp), (finished, fp), (instant, ip) = (compiler.compile(e) for e in
                                                         self.get_source_expressions())
        return (f"({received} <= {instant} AND ({finished} IS NULL OR {finished} >= {instant}))",
                [*rp, *ip, *fp, *fp, *ip])

    def as_postgresql(self, compiler, connection, **extra):
        (received, rp), (finished, fp), (instant, ip) = (compiler.compile(e) for e in
                                                         self.get_source_expressions())
        return (f"tstzrange({received}, COALESCE({finished}, 'infinity'::timestamptz), '[]') @> "
                f"{instant}::timestamptz", [*rp, *fp, *ip])


def parts(filters: Filters) -> list[QuerySet[Dossier]]:
    """The counted dossiers as two disjoint sets, each answerable from an index: received in
    the period; carried over (received before it and open at its start)."""
    p = filters.period
    base = scoped_dossiers(filters)
    return [base.filter(received_at__gte=p.start_at, received_at__lt=p.end_at),
            base.filter(OpenAt(p.start_at), received_at__lt=p.start_at)]


def counted(filters: Filters) -> QuerySet[Dossier]:
    p = filters.period
    return scoped_dossiers(filters).filter(
        received_at__isnull=False, received_at__lt=p.end_at,
    ).filter(Q(finished_at__isnull=True) | Q(finished_at__gte=p.start_at))


def predicates(period: Period) -> dict[str, Q]:
    new = Q(received_at__gte=period.start_at)
    resolved = Q(finished_at__lt=period.end_at)
    pending = Q(finished_at__isnull=True) | Q(finished_at__gte=period.end_at)
    plain = pending & Q(supplement_count=0)
    return {
        "received": Q(),
        "carried_over": Q(received_at__lt=period.start_at),
        "online": new & Q(channel=Channel.ONLINE),
        "new_direct_postal": new & ~Q(channel=Channel.ONLINE),
        "resolved": resolved,
        "on_time_stored": resolved & Q(timeliness__in=ON_TIME_VALUES),
        "late_stored": resolved & Q(timeliness=Timeliness.LATE),
        "resolved_unclassified": resolved & ~Q(timeliness__in=(*ON_TIME_VALUES, Timeliness.LATE)),
        "pending": pending,
        "overdue_plain": plain & Q(due_at__lt=period.end_at),
        "within_plain": plain & (Q(due_at__isnull=True) | Q(due_at__gte=period.end_at)),
        "pending_paused": pending & Q(supplement_count__gt=0),
    }


# -- classified one by one -----------------------------------------------------------------------

_CLOCK_FIELDS = ("pk", "status", "received_at", "due_at", "finished_at", "supplement_count",
                 "paused_seconds", "paused_since")


def _resolved_unclassified(queryset: QuerySet, period: Period, key_field: str):
    """(pk, key, late?) of finished dossiers in the period without a stored timeliness."""
    rows = (queryset.filter(predicates(period)["resolved_unclassified"]).order_by("pk")
            .values_list(*_CLOCK_FIELDS, key_field))
    for pk, status, received, due, finished, count, paused, since, key in rows.iterator(2000):
        clock = Clock(status=status, received_at=received, due_at=due, finished_at=finished,
                      supplement_count=count, paused_seconds=paused, paused_since=since)
        yield pk, key, classify(clock) == Timeliness.LATE


def paused_subset(filters: Filters) -> QuerySet[Dossier]:
    """Pending at the end of the period, with a supplement request at some time."""
    end = filters.period.end_at
    return scoped_dossiers(filters).filter(OpenAt(end), received_at__lt=end, supplement_count__gt=0)


def _paused_sql(subset: QuerySet, key_field: str, as_of, *, ids: bool, work: WorkDays):
    """SQL classifying ``subset`` at ``as_of`` (a local midnight) as ``classify`` would, from
    the supplement events before ``as_of`` (module docstring). Rows: (key, count, overdue,
    missing) or, with ``ids``, (pk, key, overdue, missing); ``missing``: instants outside the
    calendar window ``work`` (the caller widens it and runs again)."""
    local = as_of.astimezone(VN_TZ).date()
    t = connection.ops.adapt_datetimefield_value(as_of)
    inner, inner_params = (subset.order_by().annotate(
        s_id=F("pk"), s_key=F(key_field), s_due=F("due_at"), s_count=F("supplement_count"),
        s_paused=F("paused_seconds"), s_since=F("paused_since"), s_submitted=F("submitted_at"))
        .values("s_id", "s_key", "s_due", "s_count", "s_paused", "s_since", "s_submitted")
        .query.sql_with_params())
    events = DossierEvent._meta.db_table
    pause = work.json_int("e.data", "paused_seconds")
    pos = work.position
    p_t = repr(work.position_of_midnight(local))
    measured = work.floor(f"{pos('ev.res', 'wr')} - {pos('ev.req', 'wq')} + 0.000001")
    pause_of_one = f"COALESCE(ev.res_paused, {measured})"
    supplement = f"e.action IN ('{REQUEST}', '{RESUME}')"
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # ev holds only the events before as_of (the later monthly partitions are not probed);
        # whether the dossier has supplement events at all is asked only when it has none
        # before as_of (rare: a request after the period).
        no_events = (f"COALESCE(ev.total, 0) = 0 AND NOT EXISTS (SELECT 1 FROM {events} e WHERE "
                     f"e.dossier_id = s.s_id AND {supplement} AND e.at >= %s)")
    else:
        no_events = "COALESCE(ev.total, 0) = 0"
    overdue = f"""CASE
        WHEN s.s_due IS NULL THEN 0
        WHEN {no_events} THEN CASE
            WHEN s.s_count > 1 THEN 1
            WHEN s.s_since IS NOT NULL THEN CASE WHEN s.s_since > s.s_due THEN 1 ELSE 0 END
            WHEN s.s_paused = 0 THEN CASE WHEN s.s_due < %s THEN 1 ELSE 0 END
            WHEN {p_t} - {pos('s.s_due', 'wd')} >= s.s_paused THEN 1 ELSE 0 END
        WHEN COALESCE(ev.n, 0) = 0 THEN CASE WHEN s.s_due < %s THEN 1 ELSE 0 END
        WHEN ev.n > 1 THEN 1
        WHEN ev.res IS NULL THEN CASE WHEN ev.req > s.s_due THEN 1 ELSE 0 END
        WHEN {pause_of_one} = 0 THEN CASE WHEN s.s_due < %s THEN 1 ELSE 0 END
        WHEN {p_t} - {pos('s.s_due', 'wd')} >= {pause_of_one} THEN 1 ELSE 0 END"""
    missing = ("CASE WHEN (s.s_due IS NOT NULL AND wd.day IS NULL) OR (ev.req IS NOT NULL AND wq.day IS NULL)"
               " OR (ev.res IS NOT NULL AND wr.day IS NULL) THEN 1 ELSE 0 END")
    if ids:
        select, tail = f"s.s_id, s.s_key, {overdue}, {missing}", ""
    else:
        select, tail = f"s.s_key, COUNT(*), SUM({overdue}), SUM({missing})", "GROUP BY s.s_key"
    aggregates = f"""COUNT(*) AS total,
                   SUM(CASE WHEN e.action = '{REQUEST}' AND e.at < %s THEN 1 ELSE 0 END) AS n,
                   MIN(CASE WHEN e.action = '{REQUEST}' AND e.at < %s THEN e.at END) AS req,
                   MIN(CASE WHEN e.action = '{RESUME}' AND e.at < %s THEN e.at END) AS res,
                   MIN(CASE WHEN e.action = '{RESUME}' AND e.at < %s THEN {pause} END) AS res_paused"""
    if postgresql:
        # Per dossier, from its submission on (no event is older than its dossier's submission:
        # docs/scaling.md 2.2): run-time partition pruning skips the monthly event partitions
        # before it, where probing every partition for every dossier cost most of the report.
        # Materialized, so that the calendar joins below come after it, not inside the loop.
        ev = f"""ev AS MATERIALIZED (
            SELECT s.s_id AS id, x.* FROM s CROSS JOIN LATERAL (
                SELECT {aggregates}
                FROM {events} e
                WHERE e.dossier_id = s.s_id AND {supplement} AND e.at >= s.s_submitted AND e.at < %s) x)"""
    else:
        ev = f"""ev AS (
            SELECT e.dossier_id AS id, {aggregates}
            FROM {events} e
            WHERE e.dossier_id IN (SELECT s_id FROM s) AND {supplement}
            GROUP BY e.dossier_id)"""
    sql = f"""s AS ({inner}),
        {ev}
        SELECT {select}
        FROM s LEFT JOIN ev ON ev.id = s.s_id
        {work.join('ev.req', 'wq')} {work.join('ev.res', 'wr')} {work.join('s.s_due', 'wd')}
        {tail}"""
    # Every placeholder after the subset's is the instant as_of: four in the aggregates, three
    # in the classification, and on PostgreSQL the bound of the events and the later ones.
    return sql, [*inner_params, *[t] * (9 if postgresql else 7)]


# The calendar window tried first: a dossier open at the end of the period was received, and
# asked for documents, within a few years before it, and is due within a year after it.
PAUSED_WINDOW_YEARS = 3


def _run_paused(subset: QuerySet, key_field: str, as_of, *, ids: bool) -> list[tuple]:
    local = as_of.astimezone(VN_TZ).date()
    windows = [(datetime.date(local.year - PAUSED_WINDOW_YEARS, 1, 1), local + timedelta(days=400)),
               (datetime.date(2000, 1, 1), datetime.date(2100, 12, 31))]
    for first, last in windows:
        work = WorkDays.between(first, last)
        try:
            sql, params = _paused_sql(subset, key_field, as_of, ids=ids, work=work)
        except EmptyResultSet:  # a filter that can match nothing: no rows
            return []
        with report_queries(), connection.cursor() as cursor:
            prefix, prefix_params = work.prepare(cursor)
            cursor.execute(prefix + sql, [*prefix_params, *params])
            rows = cursor.fetchall()
        if not any(row[-1] for row in rows):
            break
    return [row[:-1] for row in rows]


# -- the report --------------------------------------------------------------------------------


def _fine_counts(filters: Filters) -> dict:
    """Counts per fine key (receiving unit id, field id or procedure id): the fewest filtered
    counts from which every column follows (the others are differences)."""
    key_field = GROUP_FIELDS[filters.group]
    q = predicates(filters.period)
    names = ("carried_over", "online", "resolved", "on_time_stored", "late_stored", "overdue_plain",
             "pending_paused")
    # COUNT(received_at), never null here: every column read is in the covering index.
    aggregates = {"received": Count("received_at"),
                  **{name: Count("received_at", filter=q[name]) for name in names}}
    result: dict = {}
    unclassified = paused = False
    for part in parts(filters):
        for row in part.values(key_field).annotate(**aggregates).order_by():
            counts = result.setdefault(row[key_field], Counts())
            received, resolved = row["received"], row["resolved"]
            pending, waiting = received - resolved, row["pending_paused"]
            counts.add(Counts(
                received=received, carried_over=row["carried_over"], online=row["online"],
                new_direct_postal=received - row["carried_over"] - row["online"], resolved=resolved,
                on_time=row["on_time_stored"], late=row["late_stored"], pending=pending,
                overdue=row["overdue_plain"], within=pending - waiting - row["overdue_plain"]))
            unclassified |= resolved != row["on_time_stored"] + row["late_stored"]
            paused |= bool(waiting)
    if unclassified:
        for _pk, key, late in _resolved_unclassified(counted(filters), filters.period, key_field):
            if late:
                result[key].late += 1
            else:
                result[key].on_time += 1
    if paused:
        for key, count, overdue in _run_paused(paused_subset(filters), key_field, filters.period.end_at,
                                               ids=False):
            result[key].overdue += int(overdue)
            result[key].within += count - int(overdue)
    return result


def _procedure_names(ids) -> dict[int, tuple[str, str]]:
    names = {}
    for pid, code, name in (ProcedureVersion.objects.filter(procedure_id__in=ids)
                            .order_by("procedure_id", "-number")
                            .values_list("procedure_id", "procedure__code", "name")):
        names.setdefault(pid, (code, name))
    return names


def row_identity(filters: Filters, fine_keys, tree: UnitTree | None = None) -> dict:
    """fine key -> (row key, name, level, sort key)."""
    fine_keys = [k for k in fine_keys if k is not None]
    if filters.group == "unit":
        tree = tree or UnitTree()
        identity = {}
        for unit_id in fine_keys:
            node = tree.row_unit(unit_id, filters.mode, filters.level)
            identity[unit_id] = (node.key, node.name, node.level, node.sort_key)
        return identity
    if filters.group == "field":
        return {pk: (code, name, "", (name,)) for pk, code, name in
                Field.objects.filter(pk__in=fine_keys).values_list("pk", "code", "name")}
    return {pk: (code, name, "", (code,)) for pk, (code, name) in _procedure_names(fine_keys).items()}


# -- the closed days from the rollup ------------------------------------------------------------
#
# The additive numbers (received by channel on their reception day, resolved on time / late on
# their finishing day) of the closed local days are kept per receiving unit and day in
# ``TimelinessDay`` (``services.rollup_timeliness``) for the dossiers with ``id <= mark``. A
# report grouped by unit reads them for the days of its period the rollup covers and counts
# the rest live: the dossiers above the mark on those days (an import with old dates after
# the rollup: a range of the primary key), the days after the rollup (today), the carried
# over at the start and the pending at the end (GiST). Exact as long as a dossier at or below
# the mark never gets a reception or a finish on a closed day, which the services guarantee
# (they stamp the current instant; an import creates new rows; nothing is deleted), and the
# rollup takes its mark only once the writes in flight have committed. Grouped by field or
# procedure the report stays live (the rollup is per unit only: per unit and procedure it
# would be nearly as many rows as dossiers).

ROLLUP_FIRST_DAY = datetime.date(2000, 1, 1)
DAY_NUMBERS = ("online", "direct_postal", "on_time", "late", "unclassified")


def daily_numbers(dossiers: QuerySet[Dossier], span: Period) -> dict[tuple[int, int], list[int]]:
    """(unit id, ``LocalDayNumber``) -> the ``DAY_NUMBERS`` of ``dossiers`` over the days of
    ``span``. Finished in the span = received in it, or open at its start, and finished before
    its end (both halves read from an index, as ``parts``)."""
    p = span
    result: dict[tuple[int, int], list[int]] = {}
    received = dossiers.filter(received_at__gte=p.start_at, received_at__lt=p.end_at)
    for row in (received.values("unit_id", d=LocalDayNumber("received_at"))
                .annotate(online=Count("received_at", filter=Q(channel=Channel.ONLINE)),
                          other=Count("received_at", filter=~Q(channel=Channel.ONLINE))).order_by()):
        numbers = result.setdefault((row["unit_id"], row["d"]), [0] * len(DAY_NUMBERS))
        numbers[0] += row["online"]
        numbers[1] += row["other"]
    carried = dossiers.filter(OpenAt(p.start_at), received_at__lt=p.start_at)
    for part in (received, carried):
        for row in (part.filter(finished_at__lt=p.end_at).values("unit_id", d=LocalDayNumber("finished_at"))
                    .annotate(n=Count("received_at"),
                              on_time=Count("received_at", filter=Q(timeliness__in=ON_TIME_VALUES)),
                              late=Count("received_at", filter=Q(timeliness=Timeliness.LATE))).order_by()):
            numbers = result.setdefault((row["unit_id"], row["d"]), [0] * len(DAY_NUMBERS))
            numbers[2] += row["on_time"]
            numbers[3] += row["late"]
            numbers[4] += row["n"] - row["on_time"] - row["late"]
    return result


def _sub(filters: Filters, period: Period) -> Filters:
    sub = replace(filters, period=period)
    object.__setattr__(sub, "_unit_ids", scoped_unit_ids(filters))
    return sub


def _pending_counts(filters: Filters, result: dict) -> None:
    """Pending at the end of the period, within / overdue, added to ``result`` (per unit)."""
    end = filters.period.end_at
    q = predicates(filters.period)
    pending = scoped_dossiers(filters).filter(OpenAt(end), received_at__lt=end)
    paused = False
    for row in (pending.values("unit_id").annotate(
            n=Count("received_at"), overdue=Count("received_at", filter=q["overdue_plain"]),
            waiting=Count("received_at", filter=q["pending_paused"])).order_by()):
        counts = result.setdefault(row["unit_id"], Counts())
        counts.pending += row["n"]
        counts.overdue += row["overdue"]
        counts.within += row["n"] - row["overdue"] - row["waiting"]
        paused |= bool(row["waiting"])
    if paused:
        for key, count, overdue in _run_paused(paused_subset(filters), "unit_id", end, ids=False):
            result[key].overdue += int(overdue)
            result[key].within += count - int(overdue)


def _rolled_up_counts(filters: Filters) -> dict | None:
    """``_fine_counts`` with the closed days read from the rollup; None when it covers no day
    of the period (or the report is not grouped by unit)."""
    p = filters.period
    state = TimelinessRollup.objects.filter(pk=1).first()
    if filters.group != "unit" or state is None or p.start < ROLLUP_FIRST_DAY or state.through_day < p.start:
        return None
    covered = Period(p.start, min(p.end, state.through_day))
    result: dict = {}

    def unit(unit_id) -> Counts:
        return result.setdefault(unit_id, Counts())

    for row in parts(filters)[1].values("unit_id").annotate(n=Count("received_at")).order_by():
        unit(row["unit_id"]).carried_over += row["n"]
    totals = {name: Sum(name) for name in DAY_NUMBERS}
    days = scoped(TimelinessDay.objects.filter(day__gte=covered.start, day__lte=covered.end), filters)
    rows = [(row["unit_id"], [row[name] or 0 for name in DAY_NUMBERS])
            for row in days.values("unit_id").annotate(**totals).order_by()]
    late_rows = daily_numbers(scoped_dossiers(filters).filter(id__gt=state.dossier_mark), covered)
    rows += [(unit_id, numbers) for (unit_id, _day), numbers in late_rows.items()]
    unclassified = 0
    for unit_id, (online, direct_postal, on_time, late, stray) in rows:
        counts = unit(unit_id)
        counts.online += online
        counts.new_direct_postal += direct_postal
        counts.on_time += on_time
        counts.late += late
        unclassified += stray
    if unclassified:
        for _pk, key, late in _resolved_unclassified(counted(_sub(filters, covered)), covered, "unit_id"):
            if late:
                unit(key).late += 1
            else:
                unit(key).on_time += 1
    if covered.end < p.end:
        rest = _fine_counts(_sub(filters, Period(covered.end + timedelta(days=1), p.end)))
        for unit_id, live in rest.items():
            counts = unit(unit_id)
            counts.online += live.online
            counts.new_direct_postal += live.new_direct_postal
            counts.on_time += live.on_time
            counts.late += live.late
            counts.pending += live.pending
            counts.within += live.within
            counts.overdue += live.overdue
    else:
        _pending_counts(filters, result)
    for counts in result.values():
        counts.received = counts.carried_over + counts.online + counts.new_direct_postal
        counts.resolved = counts.on_time + counts.late
    return {key: counts for key, counts in result.items() if counts != Counts()}


def timeliness_report(filters: Filters, *, rollup: bool = True) -> TimelinessReport:
    """The report; ``rollup`` False: every number counted live (the rollup's tests compare)."""
    with report_queries(snapshot=True):
        fine = (_rolled_up_counts(filters) if rollup else None)
        if fine is None:
            fine = _fine_counts(filters)
    identity = row_identity(filters, fine)
    rows: dict[str, ReportRow] = {}
    for fine_key, counts in fine.items():
        key, name, level, sort_key = identity.get(fine_key) or ("", _("(không xác định)"), "", ("~",))
        row = rows.get(key)
        if row is None:
            row = rows[key] = ReportRow(key=key, name=name, level=level, sort_key=sort_key)
        row.counts.add(counts)
    ordered = sorted(rows.values(), key=lambda r: r.sort_key)
    totals = Counts()
    for row in ordered:
        totals.add(row.counts)
    return TimelinessReport(filters=filters, rows=ordered, totals=totals)


# -- drill-down ---------------------------------------------------------------------------------


def fine_keys_of_row(filters: Filters, key: str) -> list:
    if filters.group == "unit":
        tree = UnitTree()
        return [node.id for node in tree.nodes.values()
                if tree.row_unit(node.id, filters.mode, filters.level).key == key]
    if filters.group == "field":
        return list(Field.objects.filter(code=key).values_list("pk", flat=True))
    return list(Procedure.objects.filter(code=key).values_list("pk", flat=True))


def timeliness_dossiers(filters: Filters, measure: str, key: str | None = None) -> QuerySet[Dossier]:
    """The dossiers behind one number of the report: ``measure`` (see ``MEASURES``) of the row
    ``key`` (None: the totals row). Same predicates as the counts, so the lengths agree."""
    if measure not in MEASURES:
        raise InvalidInput(_("Chỉ tiêu “%(m)s” không có trong báo cáo.") % {"m": str(measure)[:40]},
                           fields={"measure": [_("Chọn một trong: %(v)s.") % {"v": ", ".join(MEASURES)}]})
    key_field = GROUP_FIELDS[filters.group]
    queryset = counted(filters)
    if key:
        queryset = queryset.filter(**{f"{key_field}__in": fine_keys_of_row(filters, key)})
    q = predicates(filters.period)
    if measure in ("on_time", "late"):
        wanted_late = measure == "late"
        extra = [pk for pk, _k, late in _resolved_unclassified(queryset, filters.period, key_field)
                 if late == wanted_late]
        condition = q["late_stored" if wanted_late else "on_time_stored"] | Q(pk__in=extra)
    elif measure in ("within", "overdue"):
        wanted_overdue = measure == "overdue"
        subset = paused_subset(filters)
        if key:
            subset = subset.filter(**{f"{key_field}__in": fine_keys_of_row(filters, key)})
        extra = [pk for pk, _k, overdue in _run_paused(subset, key_field, filters.period.end_at, ids=True)
                 if bool(overdue) == wanted_overdue]
        condition = q["overdue_plain" if wanted_overdue else "within_plain"] | Q(pk__in=extra)
    else:
        condition = q[measure]
    return (queryset.filter(condition)
            .select_related("procedure_version", "unit", "receiving_agency")
            .order_by("received_at", "pk"))
