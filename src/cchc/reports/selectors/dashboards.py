"""The dashboard for Home Affairs and unit leaders over a period: on-time trend by month,
overdue by unit at the end of the period, the procedures and the process steps most often
late, average processing time by month, satisfaction. Every figure is counted in the
database; the timeliness figures are those of the timeliness report (same definitions).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, ExpressionWrapper, IntegerField, Q
from django.db.models.functions import ExtractMonth, ExtractYear

from cchc.onestop.models import DossierStep, Rating, Timeliness
from cchc.onestop.timeliness import Clock, classify
from cchc.org.models import Role
from cchc.workcal.calendar import VN_TZ

from .common import Filters, scoped_dossiers
from .timeliness import (
    ON_TIME_VALUES,
    TimelinessReport,
    _procedure_names,
    counted,
    predicates,
    timeliness_report,
)
from .worktime import processing_times

TOP = 10


def _month_key(field_name: str):
    return ExpressionWrapper(ExtractYear(field_name, tzinfo=VN_TZ) * 100 + ExtractMonth(field_name, tzinfo=VN_TZ),
                             output_field=IntegerField())


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
    return counted(filters).filter(predicates(filters.period)["resolved"])


def on_time_trend(filters: Filters) -> list[dict]:
    resolved = _resolved(filters)
    months = {ym: {"resolved": 0, "on_time": 0, "late": 0} for ym in
              (y * 100 + m for y, m in filters.period.months())}
    rows = (resolved.annotate(ym=_month_key("finished_at")).values("ym")
            .annotate(n=Count("pk"), ok=Count("pk", filter=Q(timeliness__in=ON_TIME_VALUES)),
                      late=Count("pk", filter=Q(timeliness=Timeliness.LATE))).order_by())
    unclassified = False
    for row in rows:
        bucket = months.setdefault(row["ym"], {"resolved": 0, "on_time": 0, "late": 0})
        bucket["resolved"] += row["n"]
        bucket["on_time"] += row["ok"]
        bucket["late"] += row["late"]
        unclassified |= row["n"] != row["ok"] + row["late"]
    if unclassified:
        stray = resolved.exclude(timeliness__in=(*ON_TIME_VALUES, Timeliness.LATE))
        for d in stray.iterator(2000):
            ym = d.finished_at.astimezone(VN_TZ)
            bucket = months[ym.year * 100 + ym.month]
            bucket["late" if classify(Clock.of(d)) == Timeliness.LATE else "on_time"] += 1
    return [{"month": f"{ym // 100}-{ym % 100:02d}", **v, "on_time_rate": _rate(v["on_time"], v["resolved"])}
            for ym, v in sorted(months.items())]


def late_procedures(filters: Filters, limit: int = TOP) -> list[dict]:
    rows = list(_resolved(filters).values("procedure_id").annotate(
        n=Count("pk"), late=Count("pk", filter=Q(timeliness=Timeliness.LATE)))
        .filter(late__gt=0).order_by("-late", "procedure_id")[:limit])
    names = _procedure_names([r["procedure_id"] for r in rows])
    return [{"procedure": names[r["procedure_id"]][0], "procedure_name": names[r["procedure_id"]][1],
             "resolved": r["n"], "late": r["late"], "late_rate": _rate(r["late"], r["n"])}
            for r in rows]


def late_steps(filters: Filters, limit: int = TOP) -> list[dict]:
    """Hand-overs on the control sheet finished in the period, by step name and role."""
    p = filters.period
    steps = DossierStep.objects.filter(
        dossier__in=scoped_dossiers(filters).values("pk"),
        finished_at__gte=p.start_at, finished_at__lt=p.end_at,
    )
    rows = (steps.values("name", "role").annotate(
        n=Count("pk"), late=Count("pk", filter=Q(result=Timeliness.LATE)))
        .filter(late__gt=0).order_by("-late", "name", "role")[:limit])
    roles = dict(Role.choices)
    return [{"step": r["name"], "role": r["role"], "role_name": str(roles.get(r["role"], r["role"])),
             "finished": r["n"], "late": r["late"], "late_rate": _rate(r["late"], r["n"])} for r in rows]


def processing_by_month(filters: Filters) -> tuple[list[dict], dict]:
    p = filters.period
    stats = processing_times(_resolved(filters), _month_key("finished_at"), (p.start, p.end))
    months = []
    total = {"count": 0, "actual": 0.0, "legal": 0.0, "within_half": 0}
    for y, m in p.months():
        s = stats.get(y * 100 + m)
        months.append({"month": f"{y}-{m:02d}", "count": s["count"] if s else 0,
                       "average_days": round(s["average_days"], 2) if s else None,
                       "average_legal_days": round(s["average_legal_days"], 2) if s else None})
        if s:
            total["count"] += s["count"]
            total["actual"] += s["average_days"] * s["count"]
            total["legal"] += s["average_legal_days"] * s["count"]
            total["within_half"] += s["within_half"]
    count = total["count"]
    overall = {"count": count,
               "average_days": round(total["actual"] / count, 2) if count else None,
               "average_legal_days": round(total["legal"] / count, 2) if count else None,
               "within_half_rate": _rate(total["within_half"], count)}
    return months, overall


def satisfaction(filters: Filters) -> dict:
    p = filters.period
    ratings = Rating.objects.filter(at__gte=p.start_at, at__lt=p.end_at,
                                    dossier__in=scoped_dossiers(filters).values("pk"))
    counts = {row["level"]: row["n"] for row in ratings.values("level").annotate(n=Count("pk")).order_by()}
    levels = [{"level": level, "label": str(label), "count": counts.get(level, 0)}
              for level, label in Rating.Level.choices]
    total = sum(counts.values())
    happy = counts.get(Rating.Level.VERY_SATISFIED, 0) + counts.get(Rating.Level.SATISFIED, 0)
    return {"total": total, "levels": levels, "satisfied_rate": _rate(happy, total)}


def dashboard(filters: Filters) -> Dashboard:
    filters = Filters(period=filters.period, user=filters.user, unit=filters.unit, mode=filters.mode,
                      group="unit", level=filters.level)
    report = timeliness_report(filters)
    overdue = sorted(
        ({"unit": r.key, "unit_name": r.name, "pending": r.counts.pending, "overdue": r.counts.overdue}
         for r in report.rows if r.counts.overdue),
        key=lambda x: (-x["overdue"], x["unit_name"]))
    months, overall = processing_by_month(filters)
    return Dashboard(
        filters=filters, report=report, trend=on_time_trend(filters), overdue_by_unit=overdue,
        late_procedures=late_procedures(filters), late_steps=late_steps(filters),
        processing=months, processing_overall=overall, satisfaction=satisfaction(filters),
    )

