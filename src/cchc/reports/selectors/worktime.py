"""Office time in SQL: the working calendar's position P(t) (``workcal.calendar``) as a joined
table of days, so that processing times are summed by the database instead of row by row
(on PostgreSQL the table is two arrays indexed by day number instead, ``prepare_arrays``: a
subscript per instant, no join and no time zone conversion per row).

P(t) = office time before t's local day + office time elapsed in that day up to t (zero on a
day off), the same function the calendar's index computes, so
``working_time_between(a, b) = P(b) - P(a)``. The table covers every local date of a window
(``WorkDays``), sent as arrays (PostgreSQL) or written to a temporary table (SQLite); an instant
outside the window has no position and its dossier is left out of time averages (the window
is ten years wide: only a dossier open longer than that is affected).

Processing time of a finished dossier (indicator 2.2, the procedure review) = P(end) -
P(received) - paused office time, with end as ``classify`` takes it (the request moment if
the citizen never brought the documents); its legal time = P(due) - P(received).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, F, Func, IntegerField, QuerySet, When

from cchc.workcal.selectors import get_calendar

WINDOW_YEARS_BEFORE = 10
VN_OFFSET = 7 * 3600  # Asia/Ho_Chi_Minh since 1975: UTC+7, no daylight saving
EPOCH_DAY = datetime.date(1970, 1, 1)
_US = 1_000_000


@dataclass(frozen=True)
class WorkDays:
    first: datetime.date
    last: datetime.date
    daily: float  # office seconds in a working day
    ms: float
    me: float
    as_: float
    ae: float
    days: tuple  # (date, office seconds before the day, working?)

    @classmethod
    def around(cls, start: datetime.date, end: datetime.date, calendar=None) -> WorkDays:
        """Ten years before ``start`` to 400 days after ``end``."""
        first = max(datetime.date(2000, 1, 1), datetime.date(start.year - WINDOW_YEARS_BEFORE, 1, 1))
        return cls.between(first, end + datetime.timedelta(days=400), calendar)

    @classmethod
    def between(cls, first: datetime.date, last: datetime.date, calendar=None) -> WorkDays:
        calendar = calendar or get_calendar()
        first = max(first, datetime.date(2000, 1, 1))
        last = min(max(last, first), datetime.date(2100, 12, 31))
        office = calendar.office
        daily = office.daily / _US
        days, cum, day = [], 0.0, first
        one = datetime.timedelta(days=1)
        while day <= last:
            working = calendar.is_working_day(day)
            days.append((day, cum, working))
            if working:
                cum += daily
            day += one
        return cls(first, last, daily, office.ms / _US, office.me / _US, office.as_ / _US,
                   office.ae / _US, tuple(days))

    def position_of_midnight(self, day: datetime.date) -> float:
        """P(00:00 of ``day``): the office time before that day."""
        return self.days[(day - self.first).days][1]

    # -- SQL ------------------------------------------------------------------------------------

    @property
    def vendor(self) -> str:
        return connection.vendor

    def prepare(self, cursor) -> tuple[str, list]:
        """The ``workdays(day, cum, working)`` relation: a CTE on PostgreSQL (joined by hash),
        a keyed temporary table on SQLite (which would scan a CTE once per row)."""
        if self.vendor == "postgresql":
            return ("WITH workdays(day, cum, working) AS (SELECT * FROM unnest(%s::date[], "
                    "%s::double precision[], %s::boolean[])), ",
                    [[d for d, _c, _w in self.days], [c for _d, c, _w in self.days],
                     [w for _d, _c, w in self.days]])
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS workdays "
                       "(day TEXT PRIMARY KEY, cum REAL NOT NULL, working INTEGER NOT NULL)")
        cursor.execute("DELETE FROM workdays")
        cursor.executemany("INSERT INTO workdays (day, cum, working) VALUES (%s, %s, %s)",
                           [(d.isoformat(), c, 1 if w else 0) for d, c, w in self.days])
        return "WITH ", []

    def prepare_arrays(self) -> tuple[str, list]:
        """PostgreSQL: the calendar as one row of two arrays ``wa(cum, working)`` indexed by
        the day's number in the window (``array_index``): a position is then two subscripts
        per instant instead of a join (an out-of-window subscript gives NULL, as the join)."""
        return ("WITH wa(cum, working) AS (SELECT %s::double precision[], %s::boolean[]), ",
                [[c for _d, c, _w in self.days], [w for _d, _c, w in self.days]])

    def local_seconds(self, column: str) -> str:
        """PostgreSQL: seconds since 1970-01-01 00:00 local time, as double precision. Vietnam
        has kept UTC+7 without daylight saving since 1975, so for the window's years (2000 on)
        this is the epoch plus 7 hours: arithmetic instead of a time zone conversion per row,
        several times cheaper over a year of dossiers."""
        return f"(date_part('epoch', {column}) + {VN_OFFSET})"

    def array_position(self, local_seconds: str, day_number: str) -> str:
        """PostgreSQL: P(t) over ``wa`` from ``local_seconds`` and its day number
        ``floor(local_seconds / 86400)`` (each computed once per row by the caller)."""
        # Double precision throughout: a numeric literal (86400.0) would make the products numeric.
        index = f"({day_number}::int - {(self.first - EPOCH_DAY).days - 1})"
        tod = f"({local_seconds} - {day_number} * 86400)"
        elapsed = f"({self._clamp(tod, self.ms, self.me)} + {self._clamp(tod, self.as_, self.ae)})"
        return f"(wa.cum[{index}] + CASE WHEN wa.working[{index}] THEN {elapsed} ELSE 0 END)"

    def json_int(self, column: str, key: str) -> str:
        if self.vendor == "postgresql":
            return f"(({column})->>'{key}')::bigint"
        return f"CAST(json_extract({column}, '$.{key}') AS INTEGER)"

    def floor(self, expr: str) -> str:
        """Whole seconds, as ``int(timedelta.total_seconds())`` (the values are never negative)."""
        if self.vendor == "postgresql":
            return f"FLOOR({expr})"
        return f"CAST({expr} AS INTEGER)"

    def local_day(self, column: str) -> str:
        if self.vendor == "postgresql":
            return f"(({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
        return f"date({column}, '+7 hours')"

    def time_of_day(self, column: str) -> str:
        if self.vendor == "postgresql":
            return f"EXTRACT(EPOCH FROM (({column}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::time)"
        return (f"(CAST(strftime('%%H', {column}, '+7 hours') AS INTEGER) * 3600 + "
                f"CAST(strftime('%%M', {column}, '+7 hours') AS INTEGER) * 60 + "
                f"CAST(strftime('%%f', {column}, '+7 hours') AS REAL))")

    def _clamp(self, expr: str, low: float, high: float) -> str:
        lo, hi = ("GREATEST", "LEAST") if self.vendor == "postgresql" else ("MAX", "MIN")
        return f"{hi}({lo}({expr} - {low!r}, 0), {high - low!r})"

    def join(self, column: str, alias: str) -> str:
        return f"LEFT JOIN workdays {alias} ON {alias}.day = {self.local_day(column)}"

    def position(self, column: str, alias: str) -> str:
        """P(column) in seconds; NULL outside the window. Needs ``join(column, alias)``."""
        tod = self.time_of_day(column)
        elapsed = f"({self._clamp(tod, self.ms, self.me)} + {self._clamp(tod, self.as_, self.ae)})"
        return f"({alias}.cum + CASE WHEN {alias}.working THEN {elapsed} ELSE 0 END)"


class LocalDayNumber(Func):
    """The local date (Asia/Ho_Chi_Minh, UTC+7 since 1975) of an instant as a day number since
    1970-01-01: a cheap group key (arithmetic on the epoch, no time zone conversion per row);
    ``day_of`` turns it back into a date. Instants from 1970 on."""

    output_field = IntegerField()

    def __init__(self, expression):
        super().__init__(expression)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"floor((date_part('epoch', {sql}) + {VN_OFFSET}) / 86400)::int", params

    def as_sql(self, compiler, connection, **extra):  # SQLite: text instants in UTC
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"CAST(julianday({sql}, '+7 hours') - 2440587.5 AS INTEGER)", params


class LocalMonth(Func):
    """The local month (yyyymm) of an instant within ``months`` (a list of (year, month), in
    order). PostgreSQL: a binary search over the months' first instants (``width_bucket``), no
    time zone conversion per row; SQLite: the local date's text."""

    output_field = IntegerField()

    def __init__(self, expression, months):
        super().__init__(expression)
        self.months = list(months)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        starts = [datetime.datetime(y, m, 1, tzinfo=datetime.timezone(datetime.timedelta(seconds=VN_OFFSET)))
                  for y, m in self.months]
        return (f"(%s::int[])[width_bucket({sql}, %s::timestamptz[])]",
                [[y * 100 + m for y, m in self.months], *params, starts])

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"CAST(strftime('%%Y%%m', {sql}, '+7 hours') AS INTEGER)", params


def day_of(number: int) -> datetime.date:
    return EPOCH_DAY + datetime.timedelta(days=number)


def timed_rows(queryset: QuerySet, key) -> QuerySet:
    """The columns processing times need, under fixed names: k (group key), r (received),
    e (end of processing), d (due), p (paused office seconds)."""
    end = Case(When(paused_since__isnull=False, paused_since__lt=F("finished_at"),
                    then=F("paused_since")), default=F("finished_at"))
    return (queryset.order_by()
            .annotate(k=key, r=F("received_at"), e=end, d=F("due_at"), p=F("paused_seconds"))
            .values("k", "r", "e", "d", "p"))


def processing_times(queryset: QuerySet, key, period: tuple[datetime.date, datetime.date]) -> dict:
    """Per group key: count, average processing and legal time (working days), and how many
    finished within a quarter, half, three quarters and all of their legal time.

    ``queryset``: finished, received dossiers; ``key``: an expression of the group.
    """
    work = WorkDays.around(*period)
    try:
        inner, inner_params = timed_rows(queryset, key).query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (e.g. a unit outside the scope)
        return {}
    greatest = "GREATEST" if work.vendor == "postgresql" else "MAX"
    aggregate = """
        SELECT k, COUNT(*), AVG(actual), AVG(legal),
               SUM(CASE WHEN actual * 4 <= legal THEN 1 ELSE 0 END),
               SUM(CASE WHEN actual * 2 <= legal THEN 1 ELSE 0 END),
               SUM(CASE WHEN actual * 4 <= legal * 3 THEN 1 ELSE 0 END),
               SUM(CASE WHEN actual <= legal THEN 1 ELSE 0 END)
        FROM m GROUP BY k"""
    if work.vendor == "postgresql":
        # Each instant's position computed once per row: the layers are fenced by OFFSET 0
        # (a flattened subquery would repeat the time zone conversions in every aggregate).
        positions = ", ".join(work.array_position(f"x.l{c}", f"x.n{c}") + f" AS p{c}" for c in "red")
        splits = ", ".join(f"{work.local_seconds(f't.{c}')} AS l{c}, "
                           f"floor({work.local_seconds(f't.{c}')} / 86400) AS n{c}" for c in "red")
        sql = f"""
        t AS ({inner}),
        m AS (
            SELECT y.k, GREATEST(y.pe - y.pr - y.p, 0) AS actual, GREATEST(y.pd - y.pr, 0) AS legal
            FROM (SELECT x.k, x.p, {positions}
                  FROM (SELECT t.k, t.p, {splits} FROM t OFFSET 0) x CROSS JOIN wa OFFSET 0) y
            WHERE y.pr IS NOT NULL AND y.pe IS NOT NULL AND y.pd IS NOT NULL
            OFFSET 0)
        {aggregate}"""
    else:
        pos_r, pos_e, pos_d = (work.position("t.r", "wr"), work.position("t.e", "we"),
                               work.position("t.d", "wd"))
        actual = f"{greatest}({pos_e} - {pos_r} - t.p, 0)"
        legal = f"{greatest}({pos_d} - {pos_r}, 0)"
        sql = f"""
        t AS ({inner}), m AS (
            SELECT t.k AS k, {actual} AS actual, {legal} AS legal
            FROM t {work.join("t.r", "wr")} {work.join("t.e", "we")} {work.join("t.d", "wd")}
            WHERE wr.day IS NOT NULL AND we.day IS NOT NULL AND wd.day IS NOT NULL
        )
        {aggregate}"""
    result = {}
    from .common import report_queries

    with report_queries(), connection.cursor() as cursor:
        if work.vendor == "postgresql":
            prefix, prefix_params = work.prepare_arrays()
        else:
            prefix, prefix_params = work.prepare(cursor)
        cursor.execute(prefix + sql, [*prefix_params, *inner_params])
        for k, count, avg_actual, avg_legal, q1, q2, q3, q4 in cursor.fetchall():
            result[k] = {
                "count": count,
                "average_days": float(avg_actual or 0) / work.daily,
                "average_legal_days": float(avg_legal or 0) / work.daily,
                "within_quarter": int(q1 or 0), "within_half": int(q2 or 0),
                "within_three_quarters": int(q3 or 0), "within_legal": int(q4 or 0),
            }
    return result
