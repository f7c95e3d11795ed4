"""Evidence collectors: for one inspected unit and period, what the system itself knows about
each criterion item, and a suggested score.

Each collector returns a JSON-ready dict (it is what gets frozen)::

    {"available": bool, "summary": str, "metrics": {...}, "rows": [{... "url": ...}],
     "fraction": float | None}

``fraction`` (0..1) times the item's maximum points is the suggested score; None means the
inspectors score by hand. The other apps are read only through their selectors (or, for the
one-stop dossiers, their models read-only); a source that is not installed yet, or lacks the
selector, yields ``available: False`` and "chưa có dữ liệu" instead of an error.
"""

import datetime
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.org.models import AgencyKind, Membership, Role
from cchc.org.selectors import units_under

from .models import EvidenceKind, ReformTask, TaskOutput

log = logging.getLogger(__name__)
ROW_LIMIT = 200
DESK_KINDS = (AgencyKind.RECEPTION_DESK, AgencyKind.SERVICE_CENTRE)


def no_data(reason: str = "") -> dict:
    return {"available": False, "summary": reason or _("chưa có dữ liệu"), "metrics": {},
            "rows": [], "fraction": None}


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _ratio(part, whole):
    return round(part / whole, 4) if whole else None


def _local(value):
    return timezone.localtime(value).isoformat() if value else None


class Context:
    """What every collector needs: the unit subtree, the period and the instant of measure."""

    def __init__(self, inspection, as_of: datetime.datetime | None = None):
        self.inspection = inspection
        self.unit = inspection.unit
        self.units = units_under([inspection.unit])
        self.start = inspection.period_start
        self.end = inspection.period_end
        tz = timezone.get_current_timezone()
        period_end = datetime.datetime.combine(self.end + datetime.timedelta(days=1),
                                               datetime.time.min, tzinfo=tz)
        self.as_of = as_of or min(timezone.now(), period_end)
        self.start_at = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        self.end_at = period_end

    def desks(self):
        from cchc.org.models import Agency

        return list(Agency.objects.filter(unit__in=self.units, kind__in=DESK_KINDS, active=True)
                    .select_related("unit").order_by("code"))


def _dossiers(ctx):
    if not apps.is_installed("cchc.onestop"):
        return None
    try:
        from cchc.onestop.models import Dossier
    except ImportError:
        return None
    return Dossier.objects.filter(unit__in=ctx.units, received_at__gte=ctx.start_at,
                                  received_at__lt=ctx.end_at)


def timeliness(ctx) -> dict:
    dossiers = _dossiers(ctx)
    if dossiers is None:
        return no_data()
    try:
        from cchc.onestop.models import FINISHED_STATUSES, OPEN_STATUSES
        from cchc.onestop.timeliness import Clock, classify
    except ImportError:
        return no_data()
    finished = dossiers.filter(status__in=FINISHED_STATUSES).exclude(timeliness="")
    counts = {"early": 0, "on_time": 0, "late": 0}
    late_rows = []
    for d in finished.only("code", "timeliness", "due_at", "finished_at", "apology_issued_at"):
        if d.timeliness in counts:
            counts[d.timeliness] += 1
        if d.timeliness == "late":
            late_rows.append({"code": d.code, "state": "late", "due_at": _local(d.due_at),
                              "finished_at": _local(d.finished_at),
                              "apology": bool(d.apology_issued_at),
                              "url": _url("onestop:dossier", d.code)})
    overdue = 0
    open_count = 0
    for d in dossiers.filter(status__in=OPEN_STATUSES).exclude(received_at=None):
        open_count += 1
        if classify(Clock.of(d), ctx.as_of) == "overdue":
            overdue += 1
            late_rows.append({"code": d.code, "state": "overdue", "due_at": _local(d.due_at),
                              "finished_at": None, "apology": bool(d.apology_issued_at),
                              "url": _url("onestop:dossier", d.code)})
    resolved = sum(counts.values())
    on_time = counts["early"] + counts["on_time"]
    measured = resolved + overdue
    share = _ratio(on_time, measured)
    return {
        "available": True,
        "summary": _("%(on_time)s/%(measured)s hồ sơ đúng hạn; %(late)s trễ hạn, %(overdue)s quá "
                     "hạn đang mở.") % {"on_time": on_time, "measured": measured,
                                        "late": counts["late"], "overdue": overdue},
        "metrics": {**counts, "resolved": resolved, "open": open_count, "overdue": overdue,
                    "on_time_share": share},
        "rows": late_rows[:ROW_LIMIT],
        "fraction": share,
    }


def apology(ctx) -> dict:
    data = timeliness(ctx)
    if not data["available"]:
        return data
    late = data["rows"]
    missing = [r for r in late if not r["apology"]]
    return {
        "available": True,
        "summary": _("%(missing)s/%(late)s hồ sơ trễ, quá hạn chưa có phiếu xin lỗi.")
        % {"missing": len(missing), "late": len(late)},
        "metrics": {"late_or_overdue": len(late), "without_apology": len(missing)},
        "rows": missing,
        "fraction": 1.0 if not late else 1 - len(missing) / len(late),
    }


def online(ctx) -> dict:
    dossiers = _dossiers(ctx)
    if dossiers is None:
        return no_data()
    total = dossiers.count()
    online_count = dossiers.filter(channel=2).count()
    digitised = dossiers.filter(documents__isnull=False).distinct().count()
    online_share, digitised_share = _ratio(online_count, total), _ratio(digitised, total)
    fraction = None if not total else round((online_share + digitised_share) / 2, 4)
    return {
        "available": True,
        "summary": _("%(total)s hồ sơ; %(online)s trực tuyến, %(digitised)s được số hóa.")
        % {"total": total, "online": online_count, "digitised": digitised},
        "metrics": {"total": total, "online": online_count, "digitised": digitised,
                    "online_share": online_share, "digitised_share": digitised_share},
        "rows": [], "fraction": fraction,
    }


def interagency(ctx) -> dict:
    dossiers = _dossiers(ctx)
    if dossiers is None:
        return no_data()
    from django.db.models import Count, F

    routed = (dossiers.filter(steps__agency__isnull=False)
              .exclude(steps__agency=F("receiving_agency"))
              .annotate(n=Count("steps__agency", distinct=True)).filter(n__gte=1)
              .values_list("code", flat=True).distinct())
    codes = sorted(set(routed))
    total = dossiers.count()
    return {
        "available": True,
        "summary": _("%(n)s/%(total)s hồ sơ được luân chuyển điện tử giữa các cơ quan.")
        % {"n": len(codes), "total": total},
        "metrics": {"routed": len(codes), "total": total},
        "rows": [{"code": c, "url": _url("onestop:dossier", c)} for c in codes[:ROW_LIMIT]],
        "fraction": None,
    }


def desk_fields(ctx) -> dict:
    dossiers = _dossiers(ctx)
    if dossiers is None:
        return no_data()
    from django.db.models import Count

    rows = [{"field": r["procedure_version__field__name"] or "", "dossiers": r["n"]}
            for r in dossiers.values("procedure_version__field__name").annotate(n=Count("pk"))
            .order_by("procedure_version__field__name")]
    return {
        "available": True,
        "summary": _("%(n)s lĩnh vực có hồ sơ tiếp nhận qua Bộ phận một cửa.") % {"n": len(rows)},
        "metrics": {"fields": len(rows)}, "rows": rows, "fraction": None,
    }


def postings(ctx) -> dict:
    if not apps.is_installed("cchc.catalog"):
        return no_data()
    try:
        from cchc.catalog.selectors import posting_gaps
    except ImportError:
        return no_data()
    desks = ctx.desks()
    if not desks:
        return no_data(_("Đơn vị chưa có Bộ phận một cửa trong hệ thống."))
    on = min(ctx.end, timezone.localdate())
    rows, required, missing, outdated = [], 0, 0, 0
    for desk in desks:
        gaps = posting_gaps(desk, on)
        required += len(gaps.required)
        missing += len(gaps.missing)
        outdated += len(gaps.outdated)
        for version in gaps.missing:
            rows.append({"desk": desk.name, "problem": "missing", "code": version.procedure.code,
                         "name": str(version.name if hasattr(version, "name") else version),
                         "url": _url("catalog:procedure_detail", version.procedure.code)})
        for _posting, version in gaps.outdated:
            rows.append({"desk": desk.name, "problem": "outdated", "code": version.procedure.code,
                         "name": str(version.name if hasattr(version, "name") else version),
                         "url": _url("catalog:procedure_detail", version.procedure.code)})
    ok = required - missing - outdated
    return {
        "available": True,
        "summary": _("%(desks)s nơi tiếp nhận; %(required)s thủ tục phải niêm yết, thiếu "
                     "%(missing)s, chưa cập nhật %(outdated)s.")
        % {"desks": len(desks), "required": required, "missing": missing, "outdated": outdated},
        "metrics": {"desks": len(desks), "required": required, "missing": missing,
                    "outdated": outdated},
        "rows": rows[:ROW_LIMIT],
        "fraction": _ratio(ok, required) if required else None,
    }


def civil_books(ctx) -> dict:
    if not apps.is_installed("cchc.civil"):
        return no_data()
    try:
        from cchc.civil.selectors import book_evidence
    except ImportError:
        return no_data()
    books = book_evidence([ctx.unit], ctx.end.year, as_of=min(ctx.end, timezone.localdate()))
    rows, bad = [], 0
    for ev in books:
        problem = bool(ev.gaps) or ev.unclosed_past
        bad += problem
        rows.append({"book": str(ev.book), "unit": ev.book.unit.name, "entries": ev.entries,
                     "gaps": [list(g) for g in ev.gaps], "unclosed_past": ev.unclosed_past,
                     "closed": ev.closed, "corrections": ev.corrections,
                     "url": _url("civil:book", ev.book.pk)})
    return {
        "available": True,
        "summary": _("%(n)s sổ hộ tịch; %(bad)s sổ có số bị hổng hoặc chưa khóa sổ năm trước; "
                     "%(corr)s lần cải chính, bổ sung.")
        % {"n": len(books), "bad": bad, "corr": sum(ev.corrections for ev in books)},
        "metrics": {"books": len(books), "with_problems": bad,
                    "corrections": sum(ev.corrections for ev in books)},
        "rows": rows[:ROW_LIMIT],
        "fraction": (1 - bad / len(books)) if books else None,
    }


def news(ctx) -> dict:
    if not apps.is_installed("cchc.news"):
        return no_data()
    try:
        from cchc.news.selectors import posting_activity
    except ImportError:
        return no_data()
    report = posting_activity([ctx.unit], ctx.start, ctx.end,
                              today=min(ctx.end, timezone.localdate()))
    row = report.rows[0] if report.rows else None
    if row is None:
        return no_data()
    months = len(row.months) or 1
    return {
        "available": True,
        "summary": _("%(total)s tin bài CCHC; %(below)s/%(months)s tháng dưới mức tối thiểu; "
                     "%(days)s ngày từ bài gần nhất (ngưỡng %(max)s ngày).")
        % {"total": row.total, "below": row.months_below_minimum, "months": len(row.months),
           "days": row.days_since_last if row.days_since_last is not None else "—",
           "max": report.policy.max_days_without_article},
        "metrics": {"total": row.total, "months_below_minimum": row.months_below_minimum,
                    "days_since_last": row.days_since_last, "overdue": row.overdue,
                    "threshold_days": report.policy.max_days_without_article,
                    "min_per_month": report.policy.min_articles_per_month},
        "rows": [{"month": m.month, "count": m.articles, "below_minimum": m.below_minimum}
                 for m in row.months],
        "fraction": round(1 - row.months_below_minimum / months, 4),
    }


def staffing(ctx) -> dict:
    desks = ctx.desks()
    if not desks:
        return no_data(_("Đơn vị chưa có Bộ phận một cửa trong hệ thống."))
    rows, staffed = [], 0
    for desk in desks:
        officers = list(Membership.objects.filter(agency=desk, role=Role.DESK_OFFICER)
                        .select_related("user").order_by("user__username"))
        staffed += bool(officers)
        rows.append({"desk": desk.name, "code": desk.code, "officers": len(officers),
                     "names": [str(m.user) for m in officers]})
    return {
        "available": True,
        "summary": _("%(staffed)s/%(desks)s nơi tiếp nhận có cán bộ một cửa.")
        % {"staffed": staffed, "desks": len(desks)},
        "metrics": {"desks": len(desks), "staffed": staffed},
        "rows": rows, "fraction": staffed / len(desks),
    }


def plan_tasks(ctx) -> dict:
    tasks = list(ReformTask.objects.filter(lead_unit__in=ctx.units, deadline__gte=ctx.start,
                                           deadline__lte=ctx.end).select_related("plan"))
    documents = list(TaskOutput.objects.filter(unit__in=ctx.units).exclude(document_number="")
                     .filter(document_date__gte=ctx.start, document_date__lte=ctx.end))
    on_time = sum(t.on_time for t in tasks)
    rows = [{"task": t.content[:200], "deadline": t.deadline.isoformat(),
             "completed_on": t.completed_on.isoformat() if t.completed_on else None,
             "on_time": t.on_time, "url": _url("inspection:task", t.pk)} for t in tasks]
    rows += [{"document": d.document_number, "date": d.document_date.isoformat(),
              "text": d.text[:200], "url": _url("inspection:task", d.task_id)}
             for d in documents]
    return {
        "available": True,
        "summary": _("%(on_time)s/%(n)s nhiệm vụ CCHC hoàn thành đúng hạn; %(docs)s văn bản "
                     "CCHC ban hành.") % {"on_time": on_time, "n": len(tasks),
                                          "docs": len(documents)},
        "metrics": {"tasks": len(tasks), "on_time": on_time, "documents": len(documents)},
        "rows": rows[:ROW_LIMIT],
        "fraction": _ratio(on_time, len(tasks)),
    }


def manual(ctx) -> dict:
    return {"available": False, "summary": _("Đoàn kiểm tra đánh giá trực tiếp."), "metrics": {},
            "rows": [], "fraction": None}


COLLECTORS = {
    EvidenceKind.TIMELINESS: timeliness, EvidenceKind.APOLOGY: apology,
    EvidenceKind.ONLINE: online, EvidenceKind.INTERAGENCY: interagency,
    EvidenceKind.DESK_FIELDS: desk_fields, EvidenceKind.POSTINGS: postings,
    EvidenceKind.CIVIL_BOOKS: civil_books, EvidenceKind.NEWS: news,
    EvidenceKind.STAFFING: staffing, EvidenceKind.PLAN_TASKS: plan_tasks,
    EvidenceKind.MANUAL: manual,
}


def collect(kind: str, ctx: Context) -> dict:
    collector = COLLECTORS.get(kind, manual)
    try:
        return collector(ctx)
    except (ImportError, AttributeError, LookupError, TypeError, FieldError) as error:
        # A source app still being built must not break the inspection.
        log.warning("evidence %s unavailable: %s", kind, error)
        return no_data()


def suggest(data: dict, max_points: Decimal) -> Decimal | None:
    fraction = data.get("fraction")
    if fraction is None:
        return None
    value = Decimal(str(max(0.0, min(1.0, float(fraction))))) * max_points
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
