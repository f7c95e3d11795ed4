"""The dashboard for Home Affairs and unit leaders over a period: on-time trend by month,
overdue by unit at the end of the period, the procedures and the process steps most often
late, average processing time by month, satisfaction. Every figure is counted in the
database; the timeliness figures are those of the timeliness report (same definitions).

The monthly figures (everything but the report's overdue-by-unit and totals) are counted per
month (``month_parts``) and added up; the months that ended before the current one are kept in
the cache (``cached_month_parts``, invalidation described there), so that a year-to-date
dashboard counts the current month and the timeliness report, not the whole year
(bench/README.md, "Issue #8: the dashboard").
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cchc.onestop.models import Dossier, DossierStep, Rating, Timeliness
from cchc.onestop.timeliness import Clock, classify
from cchc.org.models import Role
from cchc.workcal.calendar import VN_TZ
from cchc.workcal.models import CalendarOverride, OfficeHours

from .common import Filters, Period, report_queries, scoped_dossiers, scoped_unit_ids
from .timeliness import (
    ON_TIME_VALUES,
    TimelinessReport,
    _procedure_names,
    counted,
    predicates,
    timeliness_report,
)
from .worktime import LocalDayNumber, LocalMonth, day_of, processing_times

TOP = 10


def _month_of(day_number: int) -> int:
    """yyyymm of a ``LocalDayNumber``. The queries group by local day (arithmetic on the
    instant, cheap) and the days are added up into months here: a year is at most 366 groups,
    where a month key computed in SQL cost two time zone conversions per dossier."""
    day = day_of(day_number)
    return day.year * 100 + day.month


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Dashboard:
    filters: Filters
    report: TimelinessReport
    trend: list[dict]
    overdue_by_unit: list[dict]
    late_procedures: list[dict]
    late_steps: list[dict]
    processing: list[dict]
    processing_overall: dict
    satisfaction: dict

    def as_json(self) -> dict:
        p = self.filters.period
        totals = self.report.totals
        return {
            "from": p.start.isoformat(), "to": p.end.isoformat(), "mode": self.filters.mode,
            "totals": {**totals.as_dict(), "on_time_rate": _rate(totals.on_time, totals.resolved)},
            "on_time_trend": self.trend,
            "overdue_by_unit": self.overdue_by_unit,
            "late_procedures": self.late_procedures,
            "late_steps": self.late_steps,
            "processing_time": {"by_month": self.processing, "overall": self.processing_overall},
            "satisfaction": self.satisfaction,
        }


def _resolved(filters: Filters):
    """Finished in the period; the explicit lower bound (implied by ``counted``'s condition)
    lets the planner read the period's range of the ``finished_at`` index."""
    return (counted(filters).filter(predicates(filters.period)["resolved"])
            .filter(finished_at__gte=filters.period.start_at))


def _sub(filters: Filters, period: Period) -> Filters:
    """The same filters over a part of the period (the scope computed once)."""
    sub = replace(filters, period=period)
    object.__setattr__(sub, "_unit_ids", scoped_unit_ids(filters))
    return sub


def _ym(value) -> int:
    return value.year * 100 + value.month


def _new_month() -> dict:
    return {"trend": [0, 0, 0], "time": [0, 0.0, 0.0, 0], "procs": {}, "steps": {}, "rating": {}}


def month_parts(filters: Filters) -> dict[int, dict]:
    """The dashboard's additive figures per month (yyyymm) of ``filters.period``: resolved /
    on time / late, processing time sums (count, actual, legal, within half), per procedure and
    per step (count, late), ratings per level. One grouped query each; months add up."""
    with report_queries():
        return _month_parts(filters)


def _month_parts(filters: Filters) -> dict[int, dict]:
    p = filters.period
    parts: dict[int, dict] = {}

    def month(ym: int) -> dict:
        return parts.setdefault(ym, _new_month())

    resolved = _resolved(filters)
    rows = (resolved.annotate(day=LocalDayNumber("finished_at")).values("day")
            .annotate(n=Count("pk"), ok=Count("pk", filter=Q(timeliness__in=ON_TIME_VALUES)),
                      late=Count("pk", filter=Q(timeliness=Timeliness.LATE))).order_by())
    unclassified = False
    for row in rows:
        trend = month(_month_of(row["day"]))["trend"]
        trend[0] += row["n"]
        trend[1] += row["ok"]
        trend[2] += row["late"]
        unclassified |= row["n"] != row["ok"] + row["late"]
    if unclassified:
        stray = resolved.exclude(timeliness__in=(*ON_TIME_VALUES, Timeliness.LATE))
        for d in stray.iterator(2000):
            trend = month(_ym(d.finished_at.astimezone(VN_TZ)))["trend"]
            trend[2 if classify(Clock.of(d)) == Timeliness.LATE else 1] += 1
    by_day = processing_times(resolved, LocalDayNumber("finished_at"), (p.start, p.end))
    for day, st in by_day.items():
        time = month(_month_of(day))["time"]
        time[0] += st["count"]
        time[1] += st["average_days"] * st["count"]
        time[2] += st["average_legal_days"] * st["count"]
        time[3] += st["within_half"]
    months = p.months()
    for row in (resolved.annotate(m=LocalMonth("finished_at", months)).values("m", "procedure_id")
                .annotate(n=Count("pk"), late=Count("pk", filter=Q(timeliness=Timeliness.LATE))).order_by()):
        month(row["m"])["procs"][row["procedure_id"]] = [row["n"], row["late"]]
    steps = DossierStep.objects.filter(
        dossier__in=scoped_dossiers(filters).values("pk"),
        finished_at__gte=p.start_at, finished_at__lt=p.end_at,
    )
    for row in (steps.annotate(m=LocalMonth("finished_at", months)).values("m", "name", "role")
                .annotate(n=Count("pk"), late=Count("pk", filter=Q(result=Timeliness.LATE))).order_by()):
        month(row["m"])["steps"][(row["name"], row["role"])] = [row["n"], row["late"]]
    ratings = Rating.objects.filter(at__gte=p.start_at, at__lt=p.end_at,
                                    dossier__in=scoped_dossiers(filters).values("pk"))
    for row in (ratings.annotate(m=LocalMonth("at", months)).values("m", "level")
                .annotate(n=Count("pk")).order_by()):
        month(row["m"])["rating"][row["level"]] = row["n"]
    return parts


# -- the cache of closed months --------------------------------------------------------------
#
# A month that ended before the current one does not change by the normal work: dossiers
# finish, steps are handed over and ratings given "now". What can still add to it is a late
# correction: an import of historical dossiers (new rows with old dates). Each cached month
# keeps the highest dossier, step and rating ids it saw; before the cache is used, the rows
# created since the lowest of those marks are looked up (a range of the primary keys: the
# rows of the last hours or days) and a month any of them falls in is recomputed. Rows are
# never edited into a closed month (dossiers and ratings are read-only in the admin; services
# stamp the current instant). The key holds the scope (the units read) and the working
# calendar's version (processing times depend on it); entries expire after a day anyway.

CACHE_SECONDS = 24 * 3600
CACHE_PREFIX = "reports:dashboard-month:v1"


def _calendar_version() -> str:
    overrides = CalendarOverride.objects.aggregate(n=Count("id"), m=Max("id"), u=Max("updated_at"))
    hours = OfficeHours.objects.aggregate(n=Count("id"), u=Max("updated_at"))
    return repr((overrides["n"], overrides["m"], overrides["u"], hours["n"], hours["u"]))


def _marks() -> tuple[int, int, int]:
    return tuple(model.objects.aggregate(m=Max("id"))["m"] or 0 for model in (Dossier, DossierStep, Rating))


def _touched_months(marks: tuple[int, int, int], before) -> set[int]:
    """Months (before the instant ``before``) that rows created after ``marks`` fall in."""
    touched = set()
    for model, field_name, mark in ((Dossier, "finished_at", marks[0]), (DossierStep, "finished_at", marks[1]),
                                    (Rating, "at", marks[2])):
        rows = (model.objects.filter(id__gt=mark, **{f"{field_name}__lt": before})
                .annotate(m=TruncMonth(field_name, tzinfo=VN_TZ)).order_by().values_list("m", flat=True)
                .distinct())
        touched.update(_ym(m) for m in rows)
    return touched


def _closed_months(period: Period, today: datetime.date) -> list[Period]:
    """The whole months of the period that ended before the current month."""
    current = today.replace(day=1)
    months = [Period.month(y, m) for y, m in period.months()]
    return [m for m in months if m.start >= period.start and m.end <= period.end and m.end < current]


def _segments(period: Period, closed: list[Period]) -> list[Period]:
    """The parts of the period outside the closed months (at most two: before and after)."""
    if not closed:
        return [period]
    segments = []
    if period.start < closed[0].start:
        segments.append(Period(period.start, closed[0].start - datetime.timedelta(days=1)))
    if closed[-1].end < period.end:
        segments.append(Period(closed[-1].end + datetime.timedelta(days=1), period.end))
    return segments


def _scope_key(filters: Filters) -> str:
    ids = scoped_unit_ids(filters)
    text = "all" if ids is None else ",".join(map(str, ids))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def cached_month_parts(filters: Filters, *, use_cache: bool = True) -> dict[int, dict]:
    """``month_parts`` of the whole period, the closed months from the cache when valid."""
    p = filters.period
    closed = _closed_months(p, timezone.localdate(timezone=VN_TZ)) if use_cache else []
    parts: dict[int, dict] = {}
    if closed:
        prefix = f"{CACHE_PREFIX}:{_scope_key(filters)}:{hashlib.sha256(_calendar_version().encode()).hexdigest()[:16]}"
        keys = {_ym(m.start): f"{prefix}:{_ym(m.start)}" for m in closed}
        found = cache.get_many(list(keys.values()))
        entries = {ym: found[key] for ym, key in keys.items() if key in found}
        if entries:
            lowest = tuple(min(e["marks"][i] for e in entries.values()) for i in range(3))
            touched = _touched_months(lowest, Period(closed[0].start, closed[-1].end).end_at)
            entries = {ym: e for ym, e in entries.items() if ym not in touched}
        missing = [m for m in closed if _ym(m.start) not in entries]
        if missing:
            marks = _marks()  # before the counts: a row added meanwhile is looked at next time
            span = Period(missing[0].start, missing[-1].end)
            fresh = month_parts(_sub(filters, span))
            stored = {}
            for m in missing:
                ym = _ym(m.start)
                entries[ym] = {"marks": marks, "parts": fresh.get(ym) or _new_month()}
                stored[keys[ym]] = entries[ym]
            cache.set_many(stored, CACHE_SECONDS)
        parts.update({ym: e["parts"] for ym, e in entries.items()})
    for segment in _segments(p, closed):
        for ym, part in month_parts(_sub(filters, segment)).items():
            _merge(parts.setdefault(ym, _new_month()), part)
    return parts


def _merge(into: dict, part: dict) -> None:
    for name in ("trend", "time"):
        into[name] = [a + b for a, b in zip(into[name], part[name], strict=True)]
    for name in ("procs", "steps"):
        for key, (n, late) in part[name].items():
            counts = into[name].setdefault(key, [0, 0])
            counts[0] += n
            counts[1] += late
    for level, n in part["rating"].items():
        into["rating"][level] = into["rating"].get(level, 0) + n


# -- the dashboard's figures from the month parts ------------------------------------------------


def on_time_trend(filters: Filters, parts: dict[int, dict]) -> list[dict]:
    trend = []
    for y, m in filters.period.months():
        resolved, on_time, late = parts[y * 100 + m]["trend"] if y * 100 + m in parts else (0, 0, 0)
        trend.append({"month": f"{y}-{m:02d}", "resolved": resolved, "on_time": on_time, "late": late,
                      "on_time_rate": _rate(on_time, resolved)})
    return trend


def _top(counts: dict, limit: int) -> list[tuple]:
    """(key, count, late) with late > 0, most late first; ties by key."""
    rows = [(key, n, late) for key, (n, late) in counts.items() if late > 0]
    rows.sort(key=lambda r: (-r[2], r[0]))
    return rows[:limit]


def late_procedures(parts: dict[int, dict], limit: int = TOP) -> list[dict]:
    total: dict = {}
    for part in parts.values():
        for key, (n, late) in part["procs"].items():
            counts = total.setdefault(key, [0, 0])
            counts[0] += n
            counts[1] += late
    rows = _top(total, limit)
    names = _procedure_names([key for key, _n, _late in rows])
    return [{"procedure": names[key][0], "procedure_name": names[key][1],
             "resolved": n, "late": late, "late_rate": _rate(late, n)} for key, n, late in rows]


def late_steps(parts: dict[int, dict], limit: int = TOP) -> list[dict]:
    """Hand-overs on the control sheet finished in the period, by step name and role."""
    total: dict = {}
    for part in parts.values():
        for key, (n, late) in part["steps"].items():
            counts = total.setdefault(key, [0, 0])
            counts[0] += n
            counts[1] += late
    roles = dict(Role.choices)
    return [{"step": name, "role": role, "role_name": str(roles.get(role, role)),
             "finished": n, "late": late, "late_rate": _rate(late, n)}
            for (name, role), n, late in _top(total, limit)]


def processing_by_month(filters: Filters, parts: dict[int, dict]) -> tuple[list[dict], dict]:
    months = []
    total = [0, 0.0, 0.0, 0]
    for y, m in filters.period.months():
        count, actual, legal, within_half = parts[y * 100 + m]["time"] if y * 100 + m in parts else (0, 0, 0, 0)
        months.append({"month": f"{y}-{m:02d}", "count": count,
                       "average_days": round(actual / count, 2) if count else None,
                       "average_legal_days": round(legal / count, 2) if count else None})
        total = [total[0] + count, total[1] + actual, total[2] + legal, total[3] + within_half]
    count = total[0]
    overall = {"count": count,
               "average_days": round(total[1] / count, 2) if count else None,
               "average_legal_days": round(total[2] / count, 2) if count else None,
               "within_half_rate": _rate(total[3], count)}
    return months, overall


def satisfaction(parts: dict[int, dict]) -> dict:
    counts: dict = {}
    for part in parts.values():
        for level, n in part["rating"].items():
            counts[level] = counts.get(level, 0) + n
    levels = [{"level": level, "label": str(label), "count": counts.get(level, 0)}
              for level, label in Rating.Level.choices]
    total = sum(counts.values())
    happy = counts.get(Rating.Level.VERY_SATISFIED, 0) + counts.get(Rating.Level.SATISFIED, 0)
    return {"total": total, "levels": levels, "satisfied_rate": _rate(happy, total)}


def dashboard(filters: Filters, *, use_cache: bool = True) -> Dashboard:
    """The figures of the period: the timeliness report (overdue by unit, totals) counted for
    the whole period, the monthly figures added up from ``cached_month_parts``."""
    filters = Filters(period=filters.period, user=filters.user, unit=filters.unit, mode=filters.mode,
                      group="unit", level=filters.level)
    report = timeliness_report(filters)
    overdue = sorted(
        ({"unit": r.key, "unit_name": r.name, "pending": r.counts.pending, "overdue": r.counts.overdue}
         for r in report.rows if r.counts.overdue),
        key=lambda x: (-x["overdue"], x["unit_name"]))
    parts = cached_month_parts(filters, use_cache=use_cache)
    months, overall = processing_by_month(filters, parts)
    return Dashboard(
        filters=filters, report=report, trend=on_time_trend(filters, parts), overdue_by_unit=overdue,
        late_procedures=late_procedures(parts), late_steps=late_steps(parts),
        processing=months, processing_overall=overall, satisfaction=satisfaction(parts),
    )
