"""Reads of the portal: listings, search, and each unit's posting activity (inspection evidence)."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.errors import InvalidInput
from cchc.org.models import AdministrativeUnit
from cchc.textfold import fold

from .models import ArticlePage, NewsHomePage, PostingPolicy, UnitSectionPage

MAX_MONTHS = 120


def home_page() -> NewsHomePage | None:
    return NewsHomePage.objects.live().order_by("path").first()


def listing(queryset: QuerySet[ArticlePage]) -> QuerySet[ArticlePage]:
    """What a list of articles shows, in as few queries as possible."""
    return queryset.select_related("unit", "category", "image").only(
        "id", "path", "depth", "url_path", "title", "slug", "summary", "first_published_at",
        "unit__name", "category__title", "category__url_path", "image__file", "image__title",
        "image__width", "image__height", "image__focal_point_x", "image__focal_point_y",
        "image__focal_point_width", "image__focal_point_height", "image__collection_id",
        "live", "locale_id", "content_type_id",
    )


def latest_articles(home=None, limit: int = 12):
    queryset = ArticlePage.objects.live()
    if home is not None:
        queryset = queryset.descendant_of(home)
    return listing(queryset.order_by("-first_published_at"))[:limit]


def sections(home) -> QuerySet[UnitSectionPage]:
    return (UnitSectionPage.objects.live().child_of(home).select_related("unit")
            .order_by("unit__era", "unit__path"))


def related_articles(article: ArticlePage, limit: int = 5):
    queryset = ArticlePage.objects.live().exclude(pk=article.pk)
    if article.category_id:
        queryset = queryset.filter(category_id=article.category_id)
    return listing(queryset.order_by("-first_published_at"))[:limit]


def search_articles(home, query: str) -> QuerySet[ArticlePage]:
    """Live articles whose title, summary, body or tags contain every word of ``query``,
    ignoring diacritics and case ("cai cach", "CẢI CÁCH" find "Cải cách hành chính")."""
    terms = fold(query).split()
    queryset = ArticlePage.objects.live()
    if home is not None:
        queryset = queryset.descendant_of(home)
    if not terms:
        return queryset.none()
    for term in terms[:10]:
        queryset = queryset.filter(search_folded__contains=term)
    return listing(queryset.order_by("-first_published_at"))


# --- posting activity ----------------------------------------------------------------------


@dataclass
class MonthCount:
    month: str  # "YYYY-MM"
    articles: int
    complete: bool  # the month has ended (as of the report date)
    below_minimum: bool


@dataclass
class UnitActivity:
    unit: AdministrativeUnit
    has_section: bool
    months: list[MonthCount]
    total: int
    last_published_at: datetime.datetime | None
    days_since_last: int | None
    longest_gap_days: int | None
    months_below_minimum: int
    overdue: bool  # more days without an article than the province allows

    @property
    def meets_policy(self) -> bool:
        return not self.overdue and self.months_below_minimum == 0


@dataclass
class ActivityReport:
    date_from: datetime.date
    date_to: datetime.date
    as_of: datetime.date
    policy: PostingPolicy
    months: list[str]
    rows: list[UnitActivity] = field(default_factory=list)


def parse_month(value: str, *, param: str) -> datetime.date:
    """"2025-07" -> date(2025, 7, 1); raises ``InvalidInput`` (code invalid_month)."""
    try:
        year, month = (int(part) for part in (value or "").strip().split("-"))
        if not 1900 <= year <= 2100:
            raise ValueError
        return datetime.date(year, month, 1)
    except ValueError:
        raise InvalidInput(
            _("Tháng “%(value)s” không đúng: dùng dạng YYYY-MM, ví dụ 2025-07.") % {"value": value},
            code="invalid_month", fields={param: [_("Phải có dạng YYYY-MM.")]},
        ) from None


def month_end(date: datetime.date) -> datetime.date:
    return date.replace(day=calendar.monthrange(date.year, date.month)[1])


def month_range(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    months, current = [], date_from.replace(day=1)
    while current <= date_to:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


def check_period(date_from: datetime.date, date_to: datetime.date) -> None:
    if date_from > date_to:
        raise InvalidInput(_("Tháng bắt đầu phải trước hoặc bằng tháng kết thúc."),
                           code="invalid_period", fields={"from": [_("Sau tháng kết thúc.")]})
    if len(month_range(date_from, date_to)) > MAX_MONTHS:
        raise InvalidInput(_("Khoảng thời gian dài quá %(n)s tháng.") % {"n": MAX_MONTHS},
                           code="period_too_long", fields={"to": [_("Khoảng thời gian quá dài.")]})


def portal_units(units) -> QuerySet[AdministrativeUnit]:
    """Of ``units``, those that take part in the portal: they have a section or an article."""
    ids = [u.pk for u in units] if not isinstance(units, QuerySet) else units.values("pk")
    return (AdministrativeUnit.objects.filter(pk__in=ids)
            .filter(Q(news_section__isnull=False) | Q(news_articles__isnull=False))
            .distinct().order_by("era", "path"))


def posting_activity(units, date_from: datetime.date, date_to: datetime.date, *,
                     today: datetime.date | None = None) -> ActivityReport:
    """Articles per unit per month and days since the last article, against the province's
    posting policy. One row for every unit in ``units`` (a queryset or an iterable of units).

    ``date_from``/``date_to`` are dates (the whole months containing them are covered). Only
    live articles count, each in the month (local time) it was first published.
    """
    date_from, date_to = date_from.replace(day=1), month_end(date_to)
    check_period(date_from, date_to)
    today = today or timezone.localdate()
    as_of = min(today, date_to)
    policy = PostingPolicy.current()
    unit_list = list(units)
    months = month_range(date_from, date_to)
    keys = [m.strftime("%Y-%m") for m in months]
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min,
                                    tzinfo=tz)
    published = ArticlePage.objects.live().filter(unit__in=unit_list, first_published_at__lt=end)
    in_period = {}
    for unit_id, when in (published.filter(first_published_at__gte=start)
                          .values_list("unit_id", "first_published_at").order_by("first_published_at")):
        in_period.setdefault(unit_id, []).append(timezone.localtime(when, tz))
    last = {}
    for unit_id, when in (published.filter(first_published_at__lt=start)
                          .values_list("unit_id", "first_published_at")):
        local = timezone.localtime(when, tz)
        if unit_id not in last or local > last[unit_id]:
            last[unit_id] = local
    with_section = set(UnitSectionPage.objects.filter(unit__in=unit_list)
                       .values_list("unit_id", flat=True))
    report = ActivityReport(date_from, date_to, as_of, policy, keys)
    for unit in unit_list:
        dates = in_period.get(unit.pk, [])
        counts = dict.fromkeys(keys, 0)
        for when in dates:
            counts[when.strftime("%Y-%m")] += 1
        month_rows = []
        for month, key in zip(months, keys, strict=True):
            complete = month_end(month) <= as_of
            below = complete and counts[key] < policy.min_articles_per_month
            month_rows.append(MonthCount(key, counts[key], complete, below))
        last_at = dates[-1] if dates else last.get(unit.pk)
        days_since = (as_of - last_at.date()).days if last_at else None
        points = ([last[unit.pk].date()] if unit.pk in last else [date_from]) + \
            [d.date() for d in dates] + [as_of]
        gap = max(0, *((b - a).days for a, b in zip(points, points[1:], strict=False)))
        overdue = days_since is None or days_since > policy.max_days_without_article
        report.rows.append(UnitActivity(
            unit=unit, has_section=unit.pk in with_section, months=month_rows, total=len(dates),
            last_published_at=last_at, days_since_last=days_since, longest_gap_days=gap,
            months_below_minimum=sum(m.below_minimum for m in month_rows), overdue=overdue,
        ))
    return report
