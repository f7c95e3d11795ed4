"""Realistic bulk dossiers over the home province: ``cchc seed-dossiers``, the demo and the
benchmarks.

What is generated, per reception day (working days only) and receiving desk or centre
that exists on that day (the pre-2025 district desks until 30/6/2025, the communes'
centres from 1/7/2025, the provincial centres of both eras):
- a procedure with a version in force that day, of the level the desk receives (district
  procedures at the old district desks, commune ones at the communes' centres, provincial
  ones at the provincial centres), more often the common ones (birth, certification ...);
- a channel the version offers; a reception instant inside office hours (an online
  submission at any hour of the day, accepted later inside office hours, or refused);
- a history played on the internal process (default: desk -> specialist -> leader ->
  desk): most finish early or on time, a share late (``Profile.late``), some with one
  supplement request (the clock pauses), a few with two (late whatever the dates), some
  with a financial obligation, an apology for part of the late ones, some withdrawn or
  stopped, a few stuck open; results returned days later and most of them rated.
Events after ``now`` have not happened: the dossiers received recently are open (within
time, due soon, paused, overdue).

The dossiers are classified exactly as the services do (same due, same paused office
time, same end of processing, same timeliness), but in integer arithmetic on a per-day
table of the province's calendar (``DayTable``) so that the hot loop is a few microseconds
per row; the tests check every seeded dossier against ``compute_due``,
``working_time_between`` and ``timeliness.classify``. The due explanation is not stored
(only its rule): ``explain_due(received_at, legal_days)`` rebuilds it on demand.

Codes: the daily counters of each desk are read at the start, numbers are handed out in
memory and the counters written back (locked and checked) in the transaction of each
chunk, so codes stay unique and gap-free; should live intake number a dossier on a day
being seeded meanwhile, that chunk is refused rather than risk a duplicate.

Writing: chunks of about ``chunk_size`` dossiers, each ending with a reception day, each
in its own transaction: a failed run leaves whole chunks only. PostgreSQL gets binary COPY
(rows packed directly from integers by a generating thread, while two connections copy
alternate chunks; since chunks never share a day they never wait for each other's
counters). If the role may set
``session_replication_role`` (a superuser, or PostgreSQL >= 15 with ``GRANT SET ON
PARAMETER``) and the tables have no triggers of their own, the per-row foreign-key
triggers are skipped and replaced by set-based checks of each chunk (every child row
points into the chunk's dossier ids, which all exist; every current step belongs to its
dossier; the referenced desks, units and procedures are locked as the triggers would
lock them). SQLite gets ``executemany`` of tuples already in Django's storage format (the
ORM's per-value preparation would cost more than everything else), any other database
``bulk_create`` in batches.
"""

from __future__ import annotations

import bisect
import datetime
import json
import queue
import random
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalog.models import FilingMethod, ProcedureVersion
from cchc.errors import InvalidInput
from cchc.org.models import REFORM_DATE, AdministrativeUnit, Agency, Era, Level, Role
from cchc.org.selectors import home_province, province_roots, units_under
from cchc.workcal.calendar import VN_TZ, WorkingCalendar
from cchc.workcal.selectors import get_calendar

from . import bulk
from .bulk import (
    ChunkEnd,
    CopySink,
    CopyWriter,
    OrmSink,
    OrmWriter,
    RowSink,
    SqliteSink,
    SqliteWriter,
)
from .models import Dossier, DossierStep, ProcessTemplate, Status, Timeliness
from .services import DEFAULT_PROCESS

SECOND = 1_000_000
DAY = 86_400 * SECOND
HOUR = 3600 * SECOND

# Channels of the model (1, 2, 3) and of the catalog.
DIRECT, ONLINE, POSTAL = 1, 2, 3
CATALOG_CHANNEL = {"direct": DIRECT, "online": ONLINE, "postal": POSTAL}

# How often each procedure is asked for, relative to 1 (by base code; common ones at
# the communes: birth, marriage, certification, civil-status extracts).
POPULARITY = {
    "2.000815": 18, "1.001193": 12, "2.000884": 9, "1.004873": 7, "2.000635": 6,
    "1.000656": 5, "1.000894": 5, "2.000942": 4, "2.001035": 4, "1.004217": 5,
    "1.012753": 5, "2.001417": 5, "1.001612": 4, "2.000720": 3, "1.009974": 3,
    "1.004227": 4, "2.001610": 3, "1.004859": 3,
}


# -- the calendar as integers ------------------------------------------------------------


class DayTable:
    """The province's working calendar over [first, last] as integers, for the hot loop.

    An instant is its local time in microseconds since ``first`` 00:00 (Việt Nam has had
    no daylight saving since 1975). ``pos`` is the office time elapsed since ``first``
    (``WorkingCalendar``'s position P), so working time between two instants is a
    subtraction and adding working time is a binary search, with the same rules as
    ``WorkingCalendar``: the earliest instant for a forward move (a count reached at
    11:30 stays at 11:30), the latest for a backward one, the same-day rule for 0 days.
    """

    def __init__(self, calendar: WorkingCalendar, first: datetime.date, last: datetime.date):
        office = calendar.office
        self.ms, self.me, self.as_, self.ae = office.ms, office.me, office.as_, office.ae
        self.cutoff = office.cutoff
        self.morning = office.morning_length
        self.daily = office.daily
        self.first = first
        self.base = first.toordinal()
        n = last.toordinal() - self.base + 1
        self.working = [calendar.is_working_day(datetime.date.fromordinal(self.base + i))
                        for i in range(n)]
        self.cum = []  # office time before each day
        self.wdays = []  # day numbers of the working days
        self.wcum = []  # office time before each working day, then the total
        acc = 0
        for i, working in enumerate(self.working):
            self.cum.append(acc)
            if working:
                self.wdays.append(i)
                self.wcum.append(acc)
                acc += self.daily
        self.cum.append(acc)
        self.wcum.append(acc)
        self.days = n
        self.midnight = datetime.datetime(first.year, first.month, first.day, tzinfo=VN_TZ)
        offset = self.midnight.utcoffset()
        if offset != datetime.datetime(last.year, last.month, last.day, tzinfo=VN_TZ).utcoffset():
            raise ValueError("the time zone changes its offset inside the seeded range")
        # Binary COPY: microseconds since 2000-01-01 00:00 UTC.
        self.pg_shift = ((self.base - datetime.date(2000, 1, 1).toordinal()) * DAY
                         - int(offset.total_seconds()) * SECOND)
        self._iso_days = {}

    # instants <-> datetimes
    def instant(self, value: datetime.datetime) -> int:
        local = value.astimezone(VN_TZ)
        tod = ((local.hour * 60 + local.minute) * 60 + local.second) * SECOND + local.microsecond
        return (local.toordinal() - self.base) * DAY + tod

    def datetime(self, t: int) -> datetime.datetime:
        return self.midnight + datetime.timedelta(microseconds=t)

    def date(self, day: int) -> datetime.date:
        return datetime.date.fromordinal(self.base + day)

    def iso(self, t: int) -> str:
        day, tod = divmod(t, DAY)
        text = self._iso_days.get(day)
        if text is None:
            text = self._iso_days[day] = self.date(day).isoformat()
        seconds, micro = divmod(tod, SECOND)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        frac = f".{micro:06d}" if micro else ""
        return f"{text}T{hour:02d}:{minute:02d}:{second:02d}{frac}+07:00"

    # arithmetic
    def elapsed(self, tod: int) -> int:
        if tod <= self.ms:
            return 0
        if tod <= self.me:
            return tod - self.ms
        if tod <= self.as_:
            return self.morning
        if tod <= self.ae:
            return self.morning + tod - self.as_
        return self.daily

    def pos(self, t: int) -> int:
        day = t // DAY
        if self.working[day]:
            return self.cum[day] + self.elapsed(t - day * DAY)
        return self.cum[day]

    def at(self, position: int) -> int:
        """The earliest instant at ``position``."""
        wcum = self.wcum
        j = bisect.bisect_left(wcum, position) - 1
        if j < 0 or j >= len(self.wdays):
            raise ValueError("DayTable: position outside the table")
        amount = position - wcum[j]
        tod = self.ms + amount if amount <= self.morning else self.as_ + amount - self.morning
        return self.wdays[j] * DAY + tod

    def add(self, t: int, amount: int) -> int:
        if amount == 0:
            return t
        target = self.pos(t) + amount
        if amount > 0:
            return self.at(target)
        wcum = self.wcum
        j = bisect.bisect_right(wcum, target) - 1
        if target < 0 or j >= len(self.wdays):
            raise ValueError("DayTable: instant outside the table")
        rest = target - wcum[j]
        tod = self.ms + rest if rest < self.morning else self.as_ + rest - self.morning
        return self.wdays[j] * DAY + tod

    def next_working(self, day: int) -> int:
        i = bisect.bisect_right(self.wdays, day)
        return self.wdays[i]

    def due(self, t: int, halves: int) -> int:
        if halves:
            return self.at(self.pos(t) + halves * self.daily // 2)
        day, tod = divmod(t, DAY)
        if not self.working[day] or tod >= self.ae:
            day, tod = self.next_working(day), self.ms
        elif tod < self.ms:
            tod = self.ms
        elif self.me <= tod < self.as_:
            tod = self.as_
        if tod > self.cutoff:
            day = self.next_working(day)
        return day * DAY + self.ae


# -- what is seeded where ----------------------------------------------------------------


@dataclass
class Desk:
    index: int
    id: int
    code: str
    name: str
    unit_id: int
    unit_name: str
    era: str
    level: str  # the procedure level it receives
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    weight: float
    addresses: list = field(default_factory=list)

    def open_on(self, day: datetime.date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))


@dataclass
class Offer:
    """A procedure version a desk can receive on some days, with what seeding needs of it."""

    procedure_id: int
    version_id: int
    name: str
    base_code: str
    level: str
    halves: dict  # channel -> legal time in half days (the live fallback to direct included)
    legal_days: dict  # channel -> Decimal
    channels: tuple
    weight: float
    plan: tuple  # ((name, role, share, agency_id or None), ...)
    implementing_agency_id: int | None


@dataclass
class Profile:
    """The shares of each outcome; a subclass may vary them by desk and day (the demo does)."""

    online_pre2025: float = 0.18
    online: float = 0.45
    postal: float = 0.04
    refuse_online: float = 0.05
    late: float = 0.08
    supplement_once: float = 0.07
    supplement_twice: float = 0.012
    financial: float = 0.03
    withdraw: float = 0.01
    stop: float = 0.005
    stuck: float = 0.004
    apology_if_late: float = 0.4
    never_collected: float = 0.015
    rated: float = 0.7

    def desk_weight(self, desk: Desk, rng: random.Random) -> float:
        if desk.level == Level.PROVINCE:
            return 8.0 if desk.era == Era.CURRENT else 6.0
        if desk.level == Level.DISTRICT:
            return 4.0 * (0.6 + 0.8 * rng.random())
        return 0.5 + 1.5 * rng.random()

    def day_weight(self, day: datetime.date) -> float:
        """Relative volume of a reception day (every desk open that day shares it)."""
        return 1.0

    def late_rate(self, desk: Desk, day: datetime.date) -> float:
        return self.late

    def stuck_rate(self, desk: Desk, day: datetime.date) -> float:
        return self.stuck


SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Vũ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai", "Tô", "Châu", "Cao")
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hoàng", "Quốc", "Hữu", "Thị Kim", "Thị Mỹ",
          "Đức", "Công", "Gia", "Bảo", "Thị Ngọc", "Văn Thanh")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Duyên", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa",
         "Hòa", "Hùng", "Hương", "Khang", "Khoa", "Lan", "Linh", "Long", "Mai", "Minh", "My",
         "Nam", "Ngân", "Nhi", "Phúc", "Phương", "Quân", "Quang", "Sơn", "Tâm", "Thảo", "Thành",
         "Thịnh", "Trang", "Trí", "Trinh", "Tú", "Tuấn", "Uyên", "Vân", "Việt", "Vy", "Yến")
SUPPLEMENT_REASONS = (
    ("Thiếu bản sao giấy tờ chứng minh nhân thân", ["Bản sao Căn cước công dân"]),
    ("Tờ khai chưa ghi đủ thông tin theo mẫu", ["Tờ khai (bản chính, ghi đầy đủ)"]),
    ("Thiếu văn bản xác nhận của cơ quan có thẩm quyền", ["Văn bản xác nhận"]),
    ("Giấy tờ kèm theo hết hiệu lực", ["Giấy tờ còn hiệu lực"]),
)
REFUSE_REASONS = ("Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan",
                  "Thành phần hồ sơ không đúng quy định của thủ tục",
                  "Tệp đính kèm không đọc được, đề nghị nộp lại")
STOP_REASONS = ("Công dân không bổ sung hồ sơ theo yêu cầu",
                "Yêu cầu không thuộc phạm vi giải quyết của thủ tục")
APOLOGY_REASONS = ("Cần xác minh thêm thông tin với cơ quan có liên quan",
                   "Chờ ý kiến của cơ quan phối hợp giải quyết",
                   "Số lượng hồ sơ tăng đột biến trong thời gian ngắn")
RATING_LEVELS = ("very_satisfied", "satisfied", "dissatisfied")
RATING_COMMENTS = ("", "", "Cán bộ hướng dẫn tận tình", "Giải quyết nhanh", "")
PHONE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "086", "088", "032", "033",
                  "034", "035", "036", "037", "038", "039", "070", "076", "077", "078", "079")

# Kinds of planned events (and the live action each becomes).
(SUBMIT, RECEIVE, ACCEPT, REFUSE, TRANSFER, REQ_SUPP, RECV_SUPP, REQ_FIN, RECV_FIN, APPROVE,
 STOP, WITHDRAW, RETURN, APOLOGY, RATE) = range(15)
ACTIONS = ("submit", "receive", "accept", "refuse", "transfer", "request_supplement",
           "receive_supplement", "request_financial", "receive_financial", "approve", "stop",
           "withdraw", "return_result", "apologize", "rate")

# Plain values for the hot loop (enum members cost an attribute lookup each).
NEW, RECEIVED, NOT_RECEIVED = int(Status.NEW), int(Status.RECEIVED), int(Status.NOT_RECEIVED)
PROCESSING, SUPPLEMENT, FINANCIAL = int(Status.PROCESSING), int(Status.SUPPLEMENT), int(Status.FINANCIAL)
WITHDRAWN, STOPPED = int(Status.WITHDRAWN), int(Status.STOPPED)
PROCESSED, RETURNED = int(Status.PROCESSED), int(Status.RETURNED)
LATE, EARLY, ON_TIME = (str(t.value) for t in (Timeliness.LATE, Timeliness.EARLY, Timeliness.ON_TIME))


@dataclass
class SeedPlan:
    """Everything the generator reads, loaded once: desks, offers by day, the calendar."""

    start: datetime.date
    end: datetime.date
    now: datetime.datetime
    table: DayTable
    desks: list
    offer_bounds: list  # sorted day numbers where the offers change
    offers: list  # per segment: {level: (offers, cumulative weights)}
    days: list  # (day number, weight) of the reception days
    profile: Profile

    @property
    def referenced(self) -> dict:
        """Ids of the rows the seeded dossiers point at, by model."""
        agencies, units, procedures, versions = set(), set(), set(), set()
        for desk in self.desks:
            agencies.add(desk.id)
            units.add(desk.unit_id)
        for segment in self.offers:
            for offers, _cum in segment.values():
                for offer in offers:
                    procedures.add(offer.procedure_id)
                    versions.add(offer.version_id)
                    if offer.implementing_agency_id:
                        agencies.add(offer.implementing_agency_id)
                    agencies.update(step[3] for step in offer.plan if step[3])
        return {"agency": agencies, "unit": units, "procedure": procedures, "version": versions}


def _desk_level(unit: AdministrativeUnit) -> str:
    if unit.level == Level.PROVINCE:
        return Level.PROVINCE
    if unit.level == Level.DISTRICT:
        return Level.DISTRICT
    return Level.COMMUNE


def load_desks(province=None, *, profile: Profile, rng: random.Random) -> list[Desk]:
    """The receiving desks and centres of the province and its pre-2025 predecessors."""
    province = province or home_province()
    if province is None:
        raise InvalidInput(_("Chưa có tỉnh mẫu: hãy nạp đơn vị hành chính trước (cchc demo)."),
                           code="no_province")
    roots = province_roots(province, include_predecessors=True)
    units = {u.pk: u for u in units_under(roots).select_related("parent")}
    agencies = (Agency.objects.filter(unit_id__in=units, kind__in=bulk.RECEIVING_KINDS, active=True)
                .order_by("code"))
    communes_by_parent: dict = {}
    for unit in units.values():
        if unit.level == Level.COMMUNE and unit.parent_id:
            communes_by_parent.setdefault(unit.parent_id, []).append(unit)
    all_communes = sorted((u for u in units.values() if u.level == Level.COMMUNE), key=lambda u: u.path)
    desks = []
    for agency in agencies:
        unit = units[agency.unit_id]
        level = _desk_level(unit)
        if level == Level.COMMUNE:
            places = [unit]
        elif level == Level.DISTRICT:
            places = sorted(communes_by_parent.get(unit.pk, []), key=lambda u: u.path) or [unit]
        else:
            places = [u for u in all_communes if u.era == unit.era] or [unit]
        addresses = []
        for place in places[:200]:
            chain, node = [], place
            while node is not None:
                chain.append(node.name)
                node = units.get(node.parent_id) if node.parent_id else None
            for hamlet in ("Ấp 1", "Ấp 2", "Khóm 3", "Tổ 5"):
                addresses.append(f"{hamlet}, " + ", ".join(chain))
        desk = Desk(
            index=len(desks), id=agency.pk, code=agency.code, name=agency.name, unit_id=unit.pk,
            unit_name=unit.name, era=unit.era, level=level, valid_from=unit.valid_from,
            valid_to=unit.valid_to, weight=0.0, addresses=addresses,
        )
        desk.weight = profile.desk_weight(desk, rng)
        desks.append(desk)
    if not desks:
        raise InvalidInput(_("Tỉnh %(name)s chưa có bộ phận một cửa hoặc trung tâm phục vụ hành "
                             "chính công nào.") % {"name": province.name}, code="no_desks")
    return desks


def _plans() -> dict:
    plans = {}
    for template in ProcessTemplate.objects.prefetch_related("steps"):
        steps = list(template.steps.all())
        if steps:
            plans[template.procedure_id] = tuple(
                (s.name, s.role, float(s.share).as_integer_ratio(), s.agency_id) for s in steps)
    return plans


# Steps as (name, role, share as the integer ratio of float(share), agency id or None).
DEFAULT_PLAN = tuple((name, role, float(share).as_integer_ratio(), None)
                     for name, role, share in DEFAULT_PROCESS)


def _halves(days: Decimal) -> int:
    return int(days * 2)


def load_offers(start: datetime.date, end: datetime.date, levels) -> tuple[list, list, int]:
    """Offers by segment of days: ``bounds`` (ordinals where they change) and, for each
    segment, {level: (offers, cumulative weights)}."""
    versions = list(
        ProcedureVersion.objects.filter(level__in=levels, effective_from__lte=end)
        .exclude(effective_to__lt=start).select_related("procedure")
    )
    methods: dict = {}
    for method in FilingMethod.objects.filter(version__in=versions):
        methods.setdefault(method.version_id, {})[method.channel] = method.days
    plans = _plans()
    offers = []
    for version in versions:
        by_channel = methods.get(version.pk, {})
        if not by_channel:
            continue
        legal = {}
        for name, channel in CATALOG_CHANNEL.items():
            # services.legal_days: the channel's method, else direct, else the first one.
            days = by_channel.get(name) or by_channel.get("direct") or next(iter(by_channel.values()))
            legal[channel] = days
        offers.append((version, Offer(
            procedure_id=version.procedure_id, version_id=version.pk, name=version.name,
            base_code=version.procedure.base_code, level=version.level,
            halves={c: _halves(d) for c, d in legal.items()}, legal_days=legal,
            channels=tuple(CATALOG_CHANNEL[name] for name in sorted(by_channel, key=CATALOG_CHANNEL.get)),
            weight=float(POPULARITY.get(version.procedure.base_code, 1)),
            plan=plans.get(version.procedure_id, DEFAULT_PLAN),
            implementing_agency_id=version.implementing_agency_id,
        )))
    bounds = {start.toordinal(), end.toordinal() + 1}
    for version, _offer in offers:
        bounds.add(max(version.effective_from, start).toordinal())
        if version.effective_to is not None and version.effective_to < end:
            bounds.add(version.effective_to.toordinal() + 1)
    bounds = sorted(b for b in bounds if start.toordinal() <= b <= end.toordinal() + 1)
    segments = []
    max_plan = max((len(offer.plan) for _v, offer in offers), default=len(DEFAULT_PLAN))
    for lo in bounds[:-1]:
        day = datetime.date.fromordinal(lo)
        by_level: dict = {}
        for version, offer in offers:
            if version.is_in_force_on(day):
                by_level.setdefault(offer.level, []).append(offer)
        segment = {}
        for level, items in by_level.items():
            cum, acc = [], 0.0
            for offer in items:
                acc += offer.weight
                cum.append(acc)
            segment[level] = (items, cum)
        segments.append(segment)
    return bounds[:-1], segments, max_plan


def build_plan(start: datetime.date, end: datetime.date, *, now: datetime.datetime,
               profile: Profile, province=None, rng: random.Random) -> SeedPlan:
    today = now.astimezone(VN_TZ).date()
    if end > today:
        end = today
    if start > end:
        raise InvalidInput(_("Khoảng ngày không hợp lệ: ngày bắt đầu sau ngày kết thúc (hoặc sau "
                             "hôm nay)."), code="invalid_range", fields={"from": [_("Không hợp lệ.")]})
    desks = load_desks(province, profile=profile, rng=rng)
    calendar = get_calendar()
    # Room after the last reception for the longest procedures, pauses and late results.
    table = DayTable(calendar, start - datetime.timedelta(days=7),
                     end + datetime.timedelta(days=3 * 366))
    bounds, segments, _max_plan = load_offers(start, end, {d.level for d in desks})
    now_t = table.instant(now)
    days = []
    for ordinal in range(start.toordinal(), end.toordinal() + 1):
        day = ordinal - table.base
        if not table.working[day]:
            continue
        if day * DAY + table.ms >= now_t:
            continue
        date = datetime.date.fromordinal(ordinal)
        segment = segments[bisect.bisect_right(bounds, ordinal) - 1] if segments else {}
        weight = profile.day_weight(date) * sum(
            d.weight for d in desks if d.open_on(date) and d.level in segment)
        if weight > 0:
            days.append((day, weight))
    if not days:
        raise InvalidInput(_("Không có ngày làm việc nào trong khoảng này có nơi tiếp nhận và thủ "
                             "tục đang có hiệu lực."), code="nothing_to_seed")
    return SeedPlan(start=start, end=end, now=now, table=table, desks=desks, offer_bounds=bounds,
                    offers=segments, days=days, profile=profile)


def apportion(total: int, weights: list, rng: random.Random) -> list[int]:
    """Split ``total`` over ``weights`` (largest remainders, ties broken at random)."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    counts = [int(x) for x in exact]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], rng.random()))
    for i in order[:rest]:
        counts[i] += 1
    return counts


# -- the generator ---------------------------------------------------------------------------


def _json(**data) -> str:
    return json.dumps(data, ensure_ascii=False)


class Generator:
    """Dossiers in reception order, day by day; ``next_batch`` continues where it stopped."""

    def __init__(self, plan: SeedPlan, count: int, *, seed: int, counters: dict, sink: RowSink):
        self.plan = plan
        self.table = plan.table
        self.sink = sink
        self.rng = random.Random(seed)
        self.profile = plan.profile
        # Keyed by day number inside the hot loop, by date outside.
        self.counters = {(agency, day.toordinal() - self.table.base): last
                         for (agency, day), last in counters.items()}
        self.touched: dict = {}
        self.now = self.table.instant(plan.now)
        self.next_dossier_id = None
        self.next_step_id = None
        weights = [w for _d, w in plan.days]
        self.per_day = apportion(count, weights, self.rng)
        self.day_index = 0
        self.left_today = self.per_day[0] if self.per_day else 0
        self.remaining = count
        self._desk_cache: dict = {}
        self._rate_cache: dict = {}
        self._yymmdd: dict = {}
        rng = self.rng
        self.names = [f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                      for _ in range(4000)]
        self.explanations = {}
        self.data_plain = _json()
        # The first event of each dossier says it was seeded (the demo looks for it).
        self.data_channel = {c: _json(seeded=True, channel=c) for c in (DIRECT, ONLINE, POSTAL)}
        self.data_transfer = {(n, r): _json(to_step=n, step_result=r)
                              for n in range(1, 20) for r in Timeliness.values}
        self.data_supplement = {(i, late): _json(documents=docs, counts_late=late)
                                for i, (_reason, docs) in enumerate(SUPPLEMENT_REASONS)
                                for late in (False, True)}
        self.data_rating = {level: _json(level=level) for level in RATING_LEVELS}

    # days, desks, offers
    def _desks_on(self, day: int):
        """Desks open on ``day`` that have offers, with cumulative weights; the segment."""
        ordinal = self.table.base + day
        plan = self.plan
        segment_index = bisect.bisect_right(plan.offer_bounds, ordinal) - 1
        date = self.table.date(day)
        era_key = (segment_index, date < REFORM_DATE,
                   tuple(d.index for d in plan.desks if d.open_on(date)))
        cached = self._desk_cache.get(era_key)
        if cached is None:
            segment = plan.offers[segment_index]
            desks = [d for d in plan.desks if d.open_on(date) and d.level in segment]
            cum, acc = [], 0.0
            for desk in desks:
                acc += desk.weight
                cum.append(acc)
            cached = self._desk_cache[era_key] = (desks, cum, segment)
        return cached

    def _rates(self, desk: Desk, day: int):
        key = (desk.index, day)
        rates = self._rate_cache.get(key)
        if rates is None:
            date = self.table.date(day)
            rates = self._rate_cache[key] = (self.profile.late_rate(desk, date),
                                             self.profile.stuck_rate(desk, date))
        return rates

    def _code(self, desk: Desk, day: int) -> str | None:
        key = (desk.id, day)
        current = self.counters.get(key, 0)
        if current >= bulk.MAX_DAILY_SEQUENCE:
            return None
        if key not in self.touched:
            self.touched[key] = current
        self.counters[key] = current + 1
        yymmdd = self._yymmdd.get(day)
        if yymmdd is None:
            yymmdd = self._yymmdd[day] = self.table.date(day).strftime("%y%m%d")
        return f"{desk.code}-{yymmdd}-{current + 1:04d}"

    def take_touched(self) -> dict:
        """{(agency id, date): (counter before this chunk, counter now)}; starts a new chunk."""
        date = self.table.date
        touched = {(agency, date(day)): (before, self.counters[(agency, day)])
                   for (agency, day), before in self.touched.items()}
        self.touched = {}
        return touched

    def next_batch(self, n: int) -> int:
        """Generate up to ``n`` dossiers into the sink; returns how many."""
        made = 0
        per_day = self.per_day
        days = self.plan.days
        while made < n and self.remaining > 0:
            while self.left_today == 0:
                self.day_index += 1
                self.left_today = per_day[self.day_index]
            day = days[self.day_index][0]
            desks, cum, segment = self._desks_on(day)
            take = min(self.left_today, n - made)
            for _i in range(take):
                self._one(day, desks, cum, segment)
            self.left_today -= take
            self.remaining -= take
            made += take
        return made

    def _one(self, day, desks, cum, segment):
        rng = self.rng
        R = rng.random
        for _attempt in range(50):
            desk = desks[bisect.bisect_left(cum, R() * cum[-1])]
            code = self._code(desk, day)
            if code is not None:
                break
        else:
            raise InvalidInput(
                _("Quá nhiều hồ sơ cho ngày %(day)s: mỗi nơi tiếp nhận chỉ cấp được 9.999 mã một "
                  "ngày. Hãy giảm --count hoặc mở rộng khoảng ngày.")
                % {"day": self.table.date(day).strftime("%d/%m/%Y")}, code="too_many_per_day")
        offers, offer_cum = segment[desk.level]
        offer = offers[bisect.bisect_left(offer_cum, R() * offer_cum[-1])]
        profile = self.profile
        # Channel: among those the version offers.
        r = R()
        online_share = profile.online if desk.era == Era.CURRENT else profile.online_pre2025
        if r < online_share and ONLINE in offer.channels:
            channel = ONLINE
        elif r > 1 - profile.postal and POSTAL in offer.channels:
            channel = POSTAL
        else:
            channel = DIRECT
        self._history(day, desk, offer, channel, code)

    def _history(self, day, desk, offer, channel, code):
        """Plan the dossier's events (some may lie after now), then play them."""
        T = self.table
        R = self.rng.random
        profile = self.profile
        now = self.now
        daily = T.daily
        day0 = day * DAY
        events = []
        ev = events.append
        if channel == ONLINE:
            # Filed at any hour between 06:00 and 22:00 (not after now), accepted in office hours.
            window = 16 * 3600 if day0 + 22 * HOUR <= now else (now - day0 - 6 * HOUR) // SECOND
            submitted = day0 + 6 * HOUR + int(R() * max(window, 1)) * SECOND
            ev((submitted, SUBMIT, 0))
            delay = (60 + int(R() * 0.6 * daily) // SECOND) * SECOND
            received = T.at(T.pos(submitted) + delay)
            if R() < profile.refuse_online:
                ev((received, REFUSE, int(R() * len(REFUSE_REASONS))))
                return self._emit(desk, offer, channel, code, submitted, events, None)
            ev((received, ACCEPT, 0))
        else:
            # Any second of the office hours of the day (up to now on the last day).
            limit = daily if day0 + T.ae <= now else T.elapsed(now - day0)
            x = int(R() * max(limit // SECOND, 1)) * SECOND
            submitted = received = day0 + (T.ms + x if x < T.morning else T.as_ + x - T.morning)
            ev((received, RECEIVE, 0))
        p0 = T.pos(received)
        due = T.due(received, offer.halves[channel])
        span = T.pos(due) - p0  # legal office time (for same-day procedures: until the due)
        late_rate, stuck_rate = self._rates(desk, day)
        late = R() < late_rate
        if late:
            work = span + int((0.03 + 1.8 * R() ** 2) * daily)
        else:
            work = int(span * (0.15 + 0.85 * R() ** 0.8))
        work = max(work // SECOND, 120) * SECOND
        # Working-time offsets (office time actually spent) of the hand-overs, increasing.
        plan = offer.plan
        transfers = len(plan) - 2
        offsets = []
        previous = 0
        for i in range(transfers):
            if i == 0:  # the desk passes it on quickly
                offset = max(int(work * (0.02 + 0.08 * R())) // SECOND, 30) * SECOND
            else:  # the specialist takes most of the time, the leader the rest
                offset = offsets[0] + int((work - offsets[0]) * (0.6 + 0.3 * R()) * i
                                          / max(transfers - 1, 1)) // SECOND * SECOND
            offset = min(max(offset, previous + SECOND), work - (transfers - i) * SECOND)
            offsets.append(offset)
            previous = offset
        step_end = offsets[1] if transfers > 1 else work
        r = R()
        supplements = 2 if r < profile.supplement_twice else (
            1 if r < profile.supplement_twice + profile.supplement_once else 0)
        pauses = []  # (working offset, pause, reason), strictly inside the specialist's step
        cursor = offsets[0] if offsets else 0
        for _i in range(supplements):
            if step_end - cursor < 3 * SECOND:
                break
            at_work = cursor + max(int((step_end - cursor) * (0.1 + 0.6 * R())) // SECOND, 1) * SECOND
            pause = max(int((0.4 + 6 * R() ** 2) * daily) // SECOND, 60) * SECOND
            pauses.append((at_work, pause, int(R() * len(SUPPLEMENT_REASONS))))
            cursor = at_work
        financial = None
        if R() < profile.financial and transfers >= 1 and step_end - cursor >= 3 * SECOND:
            first = cursor + max(int((step_end - cursor) * (0.2 + 0.4 * R())) // SECOND, 1) * SECOND
            financial = (first, first + max(int((step_end - first) * 0.5 * R()) // SECOND, 1) * SECOND)
            if financial[1] >= step_end:
                financial = None
        paused_total = sum(pause for _w, pause, _r in pauses)

        def position(offset):
            if not pauses:
                return p0 + offset
            return p0 + offset + sum(pause for at_work, pause, _r in pauses if at_work < offset)

        # How it ends: approved (then returned, rated), withdrawn, stopped, or stuck open.
        r = R()
        ending, cut = APPROVE, None
        if r < profile.withdraw:
            ending, cut = WITHDRAW, int(work * R()) // SECOND * SECOND
        elif r < profile.withdraw + profile.stop:
            ending, cut = STOP, int(work * R()) // SECOND * SECOND
            if pauses and R() < 0.6:
                cut = pauses[0][0]  # the citizen never brought the documents
        elif R() < stuck_rate:
            ending, cut = None, offsets[0] + SECOND if offsets else 0
        for k, offset in enumerate(offsets):
            if cut is not None and offset >= cut:
                break
            ev((T.at(position(offset)), TRANSFER, k + 2))
        end_position = None
        for at_work, pause, reason in pauses:
            if cut is not None and at_work > cut:
                break
            request = position(at_work)
            ev((T.at(request), REQ_SUPP, reason))
            if cut == at_work and ending == STOP:
                end_position = request + pause + int(daily * (1 + 3 * R())) // SECOND * SECOND
                ev((T.at(end_position), STOP, 0))
                break
            if cut is not None and at_work == cut:
                break
            ev((T.at(request + pause), RECV_SUPP, 0))
        if financial and (cut is None or financial[1] < cut):
            ev((T.at(position(financial[0])), REQ_FIN, 0))
            ev((T.at(position(financial[1])), RECV_FIN, 0))
        if ending == APPROVE:
            end_position = position(work)
            end = T.at(end_position)
            ev((end, APPROVE, 0))
            if R() >= profile.never_collected:
                back = T.at(end_position + int(daily * (0.05 + 2.5 * R() ** 2)) // SECOND * SECOND)
                ev((back, RETURN, 0))
                if R() < profile.rated:
                    level = 2 if (late and R() < 0.3) or R() < 0.04 else (0 if R() < 0.55 else 1)
                    ev((back + int(R() * 48 * 3600) * SECOND, RATE, level))
        elif ending is not None and end_position is None:
            end_position = position(cut)
            ev((T.at(end_position), ending, int(R() * 2)))
        if late and R() < profile.apology_if_late:
            due_position = T.pos(due) + paused_total
            at_position = max(p0 + 60 * SECOND,
                              due_position - int(daily * (0.3 + 1.7 * R())) // SECOND * SECOND)
            if end_position is None or at_position < end_position:
                new_due = T.at(due_position + int(daily * (1 + 4 * R())) // SECOND * SECOND)
                ev((T.at(at_position), APOLOGY, new_due))
        events.sort(key=_time_of)
        return self._emit(desk, offer, channel, code, submitted, events, due)

    def _emit(self, desk, offer, channel, code, submitted, events, due):
        """Play the planned events up to now, as the services would, and write the rows."""
        T = self.table
        sink = self.sink
        now = self.now
        dossier_id = self.next_dossier_id
        self.next_dossier_id += 1
        status = None
        clock = None  # received_at
        supplements = paused_seconds = version = 0
        paused_since = finished = returned = None
        timeliness = ""
        apology_at = apology_new = None
        apology_reason = ""
        current_agency = current_role = current_step = None
        steps = []  # [id, position, name, role, budget_s, started, due, finished, result, agency]
        plan = offer.plan
        total = None
        rng = self.rng
        data_plain = self.data_plain

        def start_step(position, at):
            nonlocal current_agency, current_role, current_step
            name, role, share, agency = plan[position - 1]
            if agency is None:
                agency = desk.id if role == Role.DESK_OFFICER else (
                    offer.implementing_agency_id or desk.id)
            # timedelta * float: exact product by the float's ratio, rounded half to even.
            numerator, denominator = share
            budget, rest = divmod(total * numerator, denominator)
            if 2 * rest > denominator or (2 * rest == denominator and budget % 2):
                budget += 1
            step_id = self.next_step_id
            self.next_step_id += 1
            steps.append([step_id, position, name, role, budget // SECOND, at, T.add(at, budget),
                          None, "", agency])
            current_agency, current_role, current_step = agency, role, step_id

        def finish_step(at):
            if current_step is None or not steps or steps[-1][7] is not None:
                return ""
            step = steps[-1]
            step[7] = at
            result = LATE if at > step[6] else EARLY if at // DAY < step[6] // DAY else ON_TIME
            step[8] = result
            return result

        def classify(end_at):
            end = min(paused_since, end_at) if paused_since is not None else end_at
            effective = due if not paused_seconds else T.add(due, paused_seconds * SECOND)
            if supplements > 1 or end > effective:
                return LATE
            if end // DAY < effective // DAY:
                return EARLY
            return ON_TIME

        event = self.sink.event
        rating = None
        for at, kind, arg in events:
            if at > now:
                break
            before = status
            note = ""
            data = data_plain
            if kind == TRANSFER:
                result = finish_step(at)
                status = PROCESSING
                start_step(arg, at)
                data = self.data_transfer[(arg, result)]
                version += 1
            elif kind == RECEIVE or kind == ACCEPT:
                status = RECEIVED
                clock = at
                total = T.pos(due) - T.pos(at)
                start_step(1, at)
                if kind == RECEIVE:
                    data = self.data_channel[channel]
                else:
                    version += 1
            elif kind == APPROVE:
                finish_step(at)
                status = PROCESSED
                finished = at
                timeliness = classify(at)
                start_step(len(plan), at)
                version += 1
            elif kind == RETURN:
                finish_step(at)
                status = RETURNED
                returned = at
                current_agency = current_role = current_step = None
                version += 1
            elif kind == RATE:
                level = RATING_LEVELS[arg]
                note = RATING_COMMENTS[int(rng.random() * len(RATING_COMMENTS))]
                data = self.data_rating[level]
                rating = (level, note, at)
            elif kind == SUBMIT:
                status = NEW
                current_agency, current_role = desk.id, Role.DESK_OFFICER
                data = self.data_channel[channel]
            elif kind == REQ_SUPP:
                reason, _docs = SUPPLEMENT_REASONS[arg]
                data = self.data_supplement[(arg, supplements >= 1)]
                note = reason
                status = SUPPLEMENT
                supplements += 1
                paused_since = at
                version += 1
            elif kind == RECV_SUPP:
                paused = (T.pos(at) - T.pos(paused_since)) // SECOND
                paused_seconds += paused
                paused_since = None
                status = PROCESSING
                data = _json(paused_seconds=paused)
                version += 1
            elif kind == REQ_FIN:
                status = FINANCIAL
                data = _json(amount=None)
                version += 1
            elif kind == RECV_FIN:
                status = PROCESSING
                version += 1
            elif kind == REFUSE:
                status = NOT_RECEIVED
                finished = at
                note = REFUSE_REASONS[arg]
                current_agency = current_role = None
                version += 1
            elif kind == STOP or kind == WITHDRAW:
                note = STOP_REASONS[arg] if kind == STOP else "Công dân xin rút hồ sơ"
                finish_step(at)
                status = STOPPED if kind == STOP else WITHDRAWN
                finished = at
                timeliness = classify(at) if clock is not None else ""
                current_agency = current_role = current_step = None
                version += 1
            elif kind == APOLOGY:
                apology_at, apology_new = at, arg
                apology_reason = note = APOLOGY_REASONS[int(rng.random() * len(APOLOGY_REASONS))]
                timely = at <= T.add(due, -T.daily)
                data = _json(new_due_at=T.iso(arg), timely=timely)
                version += 1
            event(dossier_id, ACTIONS[kind], at, before, status, note, data)
        rng_ = rng.random
        name = self.names[int(rng_() * len(self.names))]
        year = 1950 + int(rng_() * 56)
        id_number = (f"0{'87' if rng_() < 0.8 else '82'}{(0 if year < 2000 else 2) + int(rng_() * 2)}"
                     f"{year % 100:02d}{int(rng_() * 1_000_000):06d}")
        phone = PHONE_PREFIXES[int(rng_() * len(PHONE_PREFIXES))] + f"{int(rng_() * 10_000_000):07d}"
        address = desk.addresses[int(rng_() * len(desk.addresses))] if desk.addresses else ""
        legal_days = offer.legal_days[channel]
        explanation = self.explanations.get(legal_days)
        if explanation is None:
            explanation = self.explanations[legal_days] = json.dumps(
                {"seeded": True, "days": float(legal_days),
                 "rule": "same_day" if not legal_days else "working_time"})
        sink.dossier((
            dossier_id, code, desk.id, desk.unit_id, offer.procedure_id, offer.version_id,
            channel, status, name, id_number, phone, address, offer.name, submitted, clock,
            legal_days, due if clock is not None else None, explanation if clock is not None else "{}",
            supplements, paused_since, paused_seconds, finished, returned, timeliness,
            apology_at, apology_reason, apology_new, current_agency, current_role or "",
            current_step, version,
        ))
        for step in steps:
            sink.step(step[0], dossier_id, step[1], step[2], step[3], step[4], step[5], step[6],
                      step[7], step[8], step[9])
        if rating is not None:
            sink.rating(dossier_id, *rating)


def _time_of(event):
    return event[0]


_DONE = object()


# -- running -----------------------------------------------------------------------------------


@dataclass
class SeedReport:
    dossiers: int = 0
    events: int = 0
    steps: int = 0
    ratings: int = 0
    chunks: int = 0
    seconds: float = 0.0
    method: str = ""
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    notes: list = field(default_factory=list)

    @property
    def per_minute(self) -> float:
        return self.dossiers / self.seconds * 60 if self.seconds else 0.0


def seed_dossiers(count: int, start: datetime.date, end: datetime.date, *, seed: int = 0,
                  now: datetime.datetime | None = None, profile: Profile | None = None,
                  province=None, chunk_size: int = 100_000, batch_size: int = 10_000,
                  progress: bool = False, method: str = "auto", using: str = "default",
                  skip_triggers: bool | None = None, writers: int | None = None) -> SeedReport:
    """Seed ``count`` dossiers received between ``start`` and ``end`` (see the module doc).

    ``method``: "copy" (PostgreSQL), "sqlite", "orm" (``bulk_create``) or "auto".
    ``skip_triggers``: None = skip the foreign-key triggers when allowed (COPY only), False =
    never. ``writers``: connections copying chunks side by side (COPY only; default 2 when
    not inside a transaction, whose data the other connections could not see, else 1).
    """
    if count < 0:
        raise InvalidInput(_("Số hồ sơ phải là số không âm."), code="invalid_count")
    now = now or timezone.now()
    profile = profile or Profile()
    rng = random.Random(seed)
    plan = build_plan(start, end, now=now, profile=profile, province=province, rng=rng)
    report = SeedReport(first_day=plan.start, last_day=plan.end)
    if count == 0:
        return report
    connection = connections[using]
    if method == "auto":
        method = {"postgresql": "copy", "sqlite": "sqlite"}.get(connection.vendor, "orm")
    if method in ("copy", "sqlite") and connection.vendor != {"copy": "postgresql"}.get(method, method):
        raise InvalidInput(_("Cách ghi %(method)s không dùng được với cơ sở dữ liệu này.")
                           % {"method": method}, code="method_unavailable")
    started = time.perf_counter()
    created_at = timezone.now()
    counters = bulk.read_counters([d.id for d in plan.desks], plan.start, plan.end, using=using)
    agency_codes = {d.id: d.code for d in plan.desks}
    max_plan = max((len(o.plan) for seg in plan.offers for offers, _c in seg.values() for o in offers),
                   default=len(DEFAULT_PLAN))
    if method == "copy":
        sink = CopySink(plan.table, created_at)
        writer = CopyWriter(sink, plan.referenced, using)
        writer.skip_triggers = skip_triggers is not False and writer.triggers_may_be_skipped()
        report.method = "COPY (binary)" + (", kiểm tra khóa ngoại theo lô" if writer.skip_triggers
                                           else ", trigger khóa ngoại từng dòng")
    elif method == "sqlite":
        sink = SqliteSink(plan.table, created_at, using)
        writer = SqliteWriter(sink, using)
        report.method = "executemany (SQLite)"
    else:
        sink = OrmSink(plan.table, created_at)
        writer = OrmWriter(using)
        report.method = "bulk_create"
    generator = Generator(plan, count, seed=seed, counters=counters, sink=sink)
    bar = bulk.progress_bar(total=count, desc=_("Tạo hồ sơ"), unit=" hồ sơ", enabled=progress)
    try:
        if method == "copy":
            generator.next_dossier_id = bulk.reserve_block(Dossier, count, using)
            generator.next_step_id = bulk.reserve_block(DossierStep, count * max_plan, using)
            items = _threaded(generator, count, chunk_size, batch_size)
            if writers is None:
                writers = 1 if connection.in_atomic_block else 2
            if writers > 1:
                def new_writer():
                    parallel = CopyWriter(sink, plan.referenced, using)
                    parallel.skip_triggers = writer.skip_triggers
                    return parallel

                report.method += f", {writers} kết nối song song"
                _write_parallel(items, new_writer, writers, agency_codes, report, bar, using,
                                lane_size=max(2, -(-chunk_size // batch_size) + 1))
            else:
                _write_chunks(items, writer, agency_codes, report, bar, using)
        else:
            _write_chunks(_inline(generator, count, chunk_size, batch_size, using), writer,
                          agency_codes, report, bar, using)
    finally:
        bar.close()
    report.seconds = time.perf_counter() - started
    return report


def _chunk_items(generator: Generator, count, chunk_size, batch_size, before_chunk=None):
    """Batches, then a ``ChunkEnd``, chunk after chunk. A chunk ends with a reception day
    (it finishes the day it is in), so no two chunks share a desk's daily counter."""
    done = 0
    while done < count:
        if before_chunk:
            before_chunk()
        first = generator.next_dossier_id
        made = events = steps = ratings = 0
        while made < chunk_size or generator.left_today:
            if generator.remaining == 0:
                break
            wanted = chunk_size - made if made < chunk_size else generator.left_today
            n = generator.next_batch(min(batch_size, wanted))
            batch = generator.sink.take(n)
            events += batch.events_count
            steps += batch.steps_count
            ratings += batch.ratings_count
            made += n
            yield batch
        yield ChunkEnd(generator.take_touched(), first, generator.next_dossier_id - 1, made,
                       events, steps, ratings)
        done += made


def _inline(generator, count, chunk_size, batch_size, using):
    """Generation in the writing thread (``bulk_create``): each chunk's ids follow the
    largest ones, read inside the chunk's transaction (which holds SQLite's write lock)."""

    def before_chunk():
        generator.next_dossier_id = max(bulk.max_id(Dossier, using) + 1,
                                        generator.next_dossier_id or 0)
        generator.next_step_id = max(bulk.max_id(DossierStep, using) + 1,
                                     generator.next_step_id or 0)

    yield from _chunk_items(generator, count, chunk_size, batch_size, before_chunk)


def _threaded(generator, count, chunk_size, batch_size):
    """Generation in a second thread, a few batches ahead of the COPY (bounded memory)."""
    pipe: queue.Queue = queue.Queue(maxsize=3)
    stop = threading.Event()

    def produce():
        try:
            for item in _chunk_items(generator, count, chunk_size, batch_size):
                while not stop.is_set():
                    try:
                        pipe.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            pipe.put(_DONE)
        except BaseException as exc:  # handed to the writing thread
            pipe.put(exc)

    thread = threading.Thread(target=produce, name="seed-dossiers", daemon=True)
    thread.start()
    try:
        while True:
            item = pipe.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                pipe.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()


def _write_chunks(items, writer, agency_codes, report: SeedReport, bar, using):
    """One transaction per chunk, opened before its first batch is generated or received."""
    items = iter(items)
    try:
        while True:
            with transaction.atomic(using=using):
                item = next(items, _DONE)
                if item is _DONE:
                    break
                writer.begin_chunk()
                while not isinstance(item, ChunkEnd):
                    writer.write(item)
                    bar.update(item.count)
                    item = next(items)
                bulk.write_counters(item.touched, agency_codes, using=using)
                writer.verify(item)
            report.chunks += 1
            report.dossiers += item.count
            report.events += item.events
            report.steps += item.steps
            report.ratings += item.ratings
    finally:
        if hasattr(items, "close"):
            items.close()


def _write_parallel(items, new_writer, writers: int, agency_codes, report: SeedReport, bar,
                    using, lane_size: int):
    """Chunks handed in turn to ``writers`` threads, each with its own connection and one
    transaction per chunk. Chunks end on day boundaries, so they never wait for each other's
    counters; a failure stops the others after their current chunk (whole chunks only)."""
    # Each lane holds about a chunk, so the generator can run a chunk ahead of each writer.
    lanes = [queue.Queue(maxsize=lane_size) for _ in range(writers)]
    stop = threading.Event()
    errors: list = []
    lock = threading.Lock()

    def get(lane):
        while True:
            try:
                return lane.get(timeout=0.2)
            except queue.Empty:
                if stop.is_set():
                    return _DONE

    def work(lane):
        try:
            writer = new_writer()
            while True:
                item = get(lane)
                if item is _DONE:
                    return
                with transaction.atomic(using=using):
                    writer.begin_chunk()
                    while not isinstance(item, ChunkEnd):
                        writer.write(item)
                        bar.update(item.count)
                        item = get(lane)
                        if item is _DONE:
                            raise RuntimeError("seeding stopped")
                    bulk.write_counters(item.touched, agency_codes, using=using)
                    writer.verify(item)
                with lock:
                    report.chunks += 1
                    report.dossiers += item.count
                    report.events += item.events
                    report.steps += item.steps
                    report.ratings += item.ratings
        except BaseException as exc:
            errors.append(exc)
            stop.set()
        finally:
            connections[using].close()

    threads = [threading.Thread(target=work, args=(lane,), name=f"seed-writer-{i}", daemon=True)
               for i, lane in enumerate(lanes)]
    for thread in threads:
        thread.start()
    try:
        current = 0
        for item in items:
            while not stop.is_set():
                try:
                    lanes[current].put(item, timeout=0.2)
                    break
                except queue.Full:
                    continue
            if stop.is_set():
                break
            if isinstance(item, ChunkEnd):
                current = (current + 1) % writers
    finally:
        if hasattr(items, "close"):
            items.close()
        for lane in lanes:
            while True:
                try:
                    lane.put(_DONE, timeout=0.2)
                    break
                except queue.Full:
                    if stop.is_set() or not any(t.is_alive() for t in threads):
                        break
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
