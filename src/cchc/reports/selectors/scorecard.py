"""The scorecard for serving citizens (QĐ 766/QĐ-TTg, RULES.md §7), per unit and month, with
the indicators the system has data for; the others are listed as "không có dữ liệu", never
guessed.

Points: below the threshold, score = rate x max / threshold; at or above it, the maximum.
The group maxima are those of RULES.md §7 (transparency 18, progress 20, online services 12,
online payment 10, digitisation 22, satisfaction 18); where RULES.md does not split a group
between its indicators the split below is ours, and every maximum and threshold can be changed
(``IndicatorSetting``, admin). Choices where the rules are silent:
- 1.1: announcement decisions issued in the month by agencies of the unit, on time iff issued
  by their legal deadline (``AnnouncementDecision.published_late``).
- 2.1: exactly the "resolved" columns of the timeliness report for the month.
- 2.2: average processing time (end − received − paused office time, working days) of the
  dossiers resolved in the month, shown against their average legal time; tracked without
  points by default (RULES: "tracked"); if points are configured, rate = legal / actual
  (capped at 100%).
- 3.1: share of online dossiers among those received in the month (channel 2).
- 4.2: share of dossiers received in the month with at least one electronic document attached.
- 5.4: 100% − (% late + % complained). % late from 2.1; no complaint register exists, so the
  ratings stand in: % complained = share of "không hài lòng" among the ratings given in the
  month (0% when there are none, said so in the inputs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.catalog.models import AnnouncementDecision
from cchc.onestop.models import Channel, DossierDocument, Rating

from ..models import IndicatorSetting
from .common import Filters, Period, UnitTree, scoped, scoped_dossiers
from .timeliness import Counts, row_identity, timeliness_report
from .worktime import processing_times

NO_DATA = gettext_lazy("không có dữ liệu")


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name: str
    formula: str
    max_points: Decimal
    threshold: Decimal  # percent
    has_data: bool
    why_no_data: str = ""


def _d(value) -> Decimal:
    return Decimal(str(value))


G1, G2, G3, G3B, G4, G5 = (gettext_lazy("Công khai, minh bạch"), gettext_lazy("Tiến độ giải quyết"),
                           gettext_lazy("Dịch vụ trực tuyến"), gettext_lazy("Thanh toán trực tuyến"),
                           gettext_lazy("Mức độ số hóa hồ sơ"), gettext_lazy("Mức độ hài lòng"))

INDICATORS = [
    Indicator("1.1", G1, gettext_lazy("Công bố thủ tục hành chính đúng hạn"),
              gettext_lazy("Số quyết định công bố ban hành đúng hạn / số quyết định công bố ban hành "
                           "trong tháng"), _d(6), _d(100), True),
    Indicator("1.2", G1, gettext_lazy("Công khai thủ tục hành chính đúng hạn"), "", _d(4), _d(100), False,
              gettext_lazy("Hệ thống chưa ghi thời điểm công khai so với thời hạn.")),
    Indicator("1.3", G1, gettext_lazy("Công khai đầy đủ thành phần, mẫu đơn, tờ khai"), "", _d(2), _d(100),
              False, gettext_lazy("Chưa có dữ liệu đánh giá tính đầy đủ khi công khai.")),
    Indicator("1.4", G1, gettext_lazy("Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia"), "",
              _d(6), _d(100), False, gettext_lazy("Hệ thống chưa kết nối, đồng bộ với Cổng Dịch vụ công quốc gia.")),
    Indicator("2.1", G2, gettext_lazy("Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn"),
              gettext_lazy("(Số hồ sơ giải quyết trước hạn + đúng hạn) / số hồ sơ đã giải quyết "
                           "trong tháng"), _d(20), _d(100), True),
    Indicator("2.2", G2, gettext_lazy("Thời gian giải quyết trung bình"),
              gettext_lazy("Trung bình (kết thúc xử lý − tiếp nhận − thời gian tạm dừng), tính bằng "
                           "ngày làm việc, so với thời hạn theo quy định"), _d(0), _d(100), True),
    Indicator("3.1", G3, gettext_lazy("Tỷ lệ hồ sơ tiếp nhận trực tuyến"),
              gettext_lazy("Số hồ sơ tiếp nhận trực tuyến / tổng số hồ sơ tiếp nhận trong tháng"),
              _d(12), _d(100), True),
    Indicator("3.2", G3B, gettext_lazy("Tỷ lệ giao dịch thanh toán trực tuyến"), "", _d(10), _d(100),
              False, gettext_lazy("Hệ thống chưa ghi nhận thanh toán phí, lệ phí.")),
    Indicator("4.1", G4, gettext_lazy("Tỷ lệ cấp kết quả giải quyết điện tử"), "", _d(7), _d(100), False,
              gettext_lazy("Hệ thống chưa ghi nhận kết quả điện tử.")),
    Indicator("4.2", G4, gettext_lazy("Tỷ lệ số hóa hồ sơ"),
              gettext_lazy("Số hồ sơ tiếp nhận có giấy tờ điện tử đính kèm / tổng số hồ sơ tiếp nhận "
                           "trong tháng"), _d(8), _d(80), True),
    Indicator("4.3", G4, gettext_lazy("Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa"), "", _d(7), _d(80),
              False, gettext_lazy("Hệ thống chưa ghi nhận việc sử dụng lại dữ liệu.")),
    Indicator("5.2", G5, gettext_lazy("Tỷ lệ xử lý phản ánh, kiến nghị đúng hạn"), "", _d(4), _d(100),
              False, gettext_lazy("Chưa có sổ theo dõi phản ánh, kiến nghị.")),
    Indicator("5.3", G5, gettext_lazy("Mức độ hài lòng về giải quyết phản ánh, kiến nghị"), "", _d(4),
              _d(100), False, gettext_lazy("Chưa có sổ theo dõi phản ánh, kiến nghị.")),
    Indicator("5.4", G5, gettext_lazy("Mức độ hài lòng trong giải quyết thủ tục hành chính"),
              gettext_lazy("100% − (% hồ sơ trễ hạn + % không hài lòng)"), _d(10), _d(90), True),
]
INDICATOR_CODES = [i.code for i in INDICATORS]


def indicators() -> list[Indicator]:
    """The indicators with the configured points and thresholds."""
    settings = {s.code: s for s in IndicatorSetting.objects.all()}
    result = []
    for ind in INDICATORS:
        s = settings.get(ind.code)
        if s is not None:
            ind = Indicator(ind.code, ind.group, ind.name, ind.formula, s.max_points, s.threshold,
                            ind.has_data, ind.why_no_data)
        result.append(ind)
    return result


def points(rate: Decimal, max_points: Decimal, threshold: Decimal) -> Decimal:
    """RULES.md §7: at or above the threshold the maximum, below it rate x max / threshold."""
    value = max_points if rate >= threshold else rate * max_points / threshold
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Result:
    indicator: Indicator
    value: Decimal | None = None  # percent (or working days for 2.2)
    unit_label: str = "%"
    inputs: list = field(default_factory=list)  # [(label, value)]
    points: Decimal | None = None
    note: str = ""

    @property
    def has_data(self) -> bool:
        return self.value is not None

    def as_json(self) -> dict:
        ind = self.indicator
        return {
            "code": ind.code, "group": str(ind.group), "name": str(ind.name),
            "formula": str(ind.formula), "has_data": self.has_data,
            "value": float(self.value) if self.value is not None else None,
            "unit": self.unit_label,
            "inputs": [{"label": str(label), "value": value} for label, value in self.inputs],
            "points": float(self.points) if self.points is not None else None,
            "max_points": float(ind.max_points), "threshold": float(ind.threshold),
            "note": str(self.note or (ind.why_no_data if not self.has_data else "")),
        }


@dataclass
class ScorecardRow:
    key: str
    name: str
    results: list[Result]

    @property
    def score(self) -> Decimal:
        return sum((r.points for r in self.results if r.points is not None), Decimal(0))

    @property
    def max_with_data(self) -> Decimal:
        return sum((r.indicator.max_points for r in self.results if r.points is not None), Decimal(0))

    @property
    def max_without_data(self) -> Decimal:
        return sum((r.indicator.max_points for r in self.results if r.points is None), Decimal(0))


@dataclass
class Scorecard:
    filters: Filters
    rows: list[ScorecardRow]

    def as_json(self) -> dict:
        p = self.filters.period
        return {
            "month": f"{p.start:%Y-%m}", "from": p.start.isoformat(), "to": p.end.isoformat(),
            "mode": self.filters.mode,
            "rows": [{"unit": row.key, "unit_name": row.name,
                      "score": float(row.score), "max_with_data": float(row.max_with_data),
                      "max_without_data": float(row.max_without_data),
                      "indicators": [r.as_json() for r in row.results]} for row in self.rows],
        }


def _merge(target: dict, key, values: dict):
    bucket = target.setdefault(key, {})
    for name, value in values.items():
        bucket[name] = bucket.get(name, 0) + value


def scorecard(filters: Filters) -> Scorecard:
    """``filters.period`` is a month (``Period.month``); rows per unit as in the timeliness report."""
    filters = Filters(period=filters.period, user=filters.user, unit=filters.unit, mode=filters.mode,
                      group="unit", level=filters.level)
    period: Period = filters.period
    report = timeliness_report(filters)
    base = scoped_dossiers(filters)
    received = base.filter(received_at__gte=period.start_at, received_at__lt=period.end_at)
    resolved = base.filter(received_at__isnull=False, finished_at__gte=period.start_at,
                           finished_at__lt=period.end_at)

    fine: dict = {}
    documents = Exists(DossierDocument.objects.filter(dossier=OuterRef("pk")))
    for row in (received.values("unit_id").annotate(
            n=Count("pk"), online=Count("pk", filter=Q(channel=Channel.ONLINE)),
            digitised=Count("pk", filter=documents)).order_by()):
        _merge(fine, row["unit_id"], {"received": row["n"], "online": row["online"],
                                      "digitised": row["digitised"]})
    for unit_id, stats in processing_times(resolved, F("unit_id"), (period.start, period.end)).items():
        _merge(fine, unit_id, {"timed": stats["count"],
                               "actual_sum": stats["average_days"] * stats["count"],
                               "legal_sum": stats["average_legal_days"] * stats["count"]})
    ratings = Rating.objects.filter(at__gte=period.start_at, at__lt=period.end_at,
                                    dossier__in=base.values("pk"))
    for row in ratings.values("dossier__unit_id").annotate(
            n=Count("pk"), bad=Count("pk", filter=Q(level=Rating.Level.DISSATISFIED))).order_by():
        _merge(fine, row["dossier__unit_id"], {"ratings": row["n"], "dissatisfied": row["bad"]})
    decisions = scoped(AnnouncementDecision.objects.filter(
        issued_on__gte=period.start, issued_on__lte=period.end, issuing_agency__isnull=False,
        published_late__isnull=False), filters, "issuing_agency__unit")
    for row in decisions.values("issuing_agency__unit_id").annotate(
            n=Count("pk"), on_time=Count("pk", filter=Q(published_late=False))).order_by():
        _merge(fine, row["issuing_agency__unit_id"], {"decisions": row["n"],
                                                      "decisions_on_time": row["on_time"]})

    tree = UnitTree()
    identity = row_identity(filters, fine.keys(), tree)
    by_row: dict = {}
    for unit_id, values in fine.items():
        key = identity[unit_id][0]
        _merge(by_row, key, values)
    names = {identity[u][0]: (identity[u][1], identity[u][3]) for u in identity}
    counts = {row.key: row.counts for row in report.rows}
    for row in report.rows:
        names.setdefault(row.key, (row.name, row.sort_key))
    defs = indicators()
    rows = []
    for key, (name, _sort) in sorted(names.items(), key=lambda item: item[1][1]):
        rows.append(ScorecardRow(key, name, [_result(ind, by_row.get(key, {}), counts.get(key, Counts()))
                                             for ind in defs]))
    return Scorecard(filters, rows)


def _scored(result: Result, rate: Decimal | None) -> Result:
    ind = result.indicator
    if rate is not None:
        result.points = points(min(rate, Decimal(100)), ind.max_points, ind.threshold)
    return result


def _result(ind: Indicator, data: dict, counts: Counts) -> Result:
    result = Result(ind)
    if not ind.has_data:
        return result
    code = ind.code
    if code == "1.1":
        total, ok = data.get("decisions", 0), data.get("decisions_on_time", 0)
        result.inputs = [(_("Quyết định công bố ban hành trong tháng"), total),
                         (_("Ban hành đúng hạn"), ok)]
        result.value = _pct(ok, total)
        return _scored(result, result.value)
    if code == "2.1":
        result.inputs = [(_("Hồ sơ đã giải quyết"), counts.resolved),
                         (_("Trước hạn, đúng hạn"), counts.on_time), (_("Quá hạn"), counts.late)]
        result.value = _pct(counts.on_time, counts.resolved)
        return _scored(result, result.value)
    if code == "2.2":
        timed = data.get("timed", 0)
        if not timed:
            result.inputs = [(_("Hồ sơ đã giải quyết có đủ dữ liệu thời gian"), 0)]
            return result
        actual = Decimal(str(round(data["actual_sum"] / timed, 2)))
        legal = Decimal(str(round(data["legal_sum"] / timed, 2)))
        result.value, result.unit_label = actual, _("ngày làm việc")
        result.inputs = [(_("Hồ sơ đã giải quyết"), timed),
                         (_("Thời gian giải quyết trung bình (ngày làm việc)"), float(actual)),
                         (_("Thời hạn theo quy định trung bình (ngày làm việc)"), float(legal))]
        if ind.max_points:
            rate = Decimal(100) if actual <= legal else (legal * 100 / actual)
            return _scored(result, rate)
        result.note = _("Theo dõi, không tính điểm.")
        return result
    if code == "3.1":
        total, online = data.get("received", 0), data.get("online", 0)
        result.inputs = [(_("Hồ sơ tiếp nhận trong tháng"), total), (_("Tiếp nhận trực tuyến"), online)]
        result.value = _pct(online, total)
        return _scored(result, result.value)
    if code == "4.2":
        total, digitised = data.get("received", 0), data.get("digitised", 0)
        result.inputs = [(_("Hồ sơ tiếp nhận trong tháng"), total),
                         (_("Có giấy tờ điện tử đính kèm"), digitised)]
        result.value = _pct(digitised, total)
        return _scored(result, result.value)
    if code == "5.4":
        if not counts.resolved:
            result.inputs = [(_("Hồ sơ đã giải quyết"), 0)]
            return result
        late = _pct(counts.late, counts.resolved)
        rated, bad = data.get("ratings", 0), data.get("dissatisfied", 0)
        complained = _pct(bad, rated) if rated else Decimal(0)
        result.inputs = [(_("% hồ sơ trễ hạn"), float(late)), (_("Lượt đánh giá trong tháng"), rated),
                         (_("Không hài lòng"), bad), (_("% không hài lòng"), float(complained))]
        if not rated:
            result.note = _("Không có lượt đánh giá nào trong tháng: tính 0% không hài lòng.")
        result.value = max(Decimal(0), Decimal(100) - late - complained)
        return _scored(result, result.value)
    return result
