"""Working calendar and deadline arithmetic (RULES §6), free of the database.

A ``WorkingCalendar`` is built from the overrides and the office hours (see
``selectors.get_calendar`` for the cached, database-backed one). Days: Monday-Friday
are working days, minus the days off of ``holidays.VN``, with the overrides winning.

Deadlines (Bộ luật Lao động 2019, the one-stop decrees, the published procedure pages):
- N working days (N a non-negative multiple of 0.5) is N x the daily office hours,
  counted only inside office hours of working days from the reception instant; a
  reception outside office hours counts from the next opening.
- The due is the *first* instant the count is reached: a count that ends exactly at
  11:30 or 17:00 is due at that closing instant, not at the next opening.
- N = 0 (thủ tục trong ngày): due at the afternoon closing of the reception day; "nhận
  sau 15 giờ" (strictly after the cut-off) moves it to the closing of the next working
  day. A reception on a non-working day, at lunch or after closing counts as received at
  the next opening. Office intervals are half-open: 17:00:00 sharp is after closing.

Arithmetic: every instant t has a position P(t) = office time elapsed since the start of
the index. P is continuous and non-decreasing and is flat outside office hours, so
- working_time_between(a, b) = P(b) - P(a);
- add_working_time(t, d) for d > 0 is the earliest u with P(u) = P(t) + d (so a count
  reached at a closing instant stays on it), and for d < 0 the latest such u (so "one
  working day before 09:00 Friday" is 09:00 Thursday and "8 hours before 17:00" is the
  07:00 opening of the same day);
- hence due(due(t, a), b) == due(t, a + b) exactly for all a, b > 0, and
  working_time_between(t, due(t, n)) == n x daily hours for every t and n > 0.
  Neither holds for n = 0, which follows the same-day rule instead (so due(t, 0) can be
  later than due(t, 0.5): a same-day procedure is due at closing time).

P is read from an index: the sorted ordinals of the working days with the cumulative
office time at each day's start, built per year on demand and extended lazily, so a
due costs two binary searches. ``reference_due`` and ``reference_working_time_between``
walk day by day; the tests use them as the oracle and the benchmark as the baseline.

Times are in Asia/Ho_Chi_Minh (+07:00, no daylight saving since 1975); the API takes
aware datetimes only and returns them in that zone.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import gettext_lazy as _

from cchc.errors import InvalidInput
from cchc.i18n import translated

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

DAY_OFF = "day_off"
WORKING_DAY = "working_day"

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_WORKING_DAYS = 1000
# The index may run this many years past MAX_YEAR (a 1,000-day deadline is about 4 years).
_INDEX_SLACK_YEARS = 6

_US = 1_000_000
_ONE_US = timedelta(microseconds=1)

WEEKDAY_NAMES = (
    _("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ Nhật"),
)


def _time_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * _US + value.microsecond


def _us_time(value: int) -> time:
    seconds, micro = divmod(value, _US)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def to_halves(days) -> int:
    """Validate a number of working days (a multiple of 0.5, 0..1000); return it doubled."""
    if type(days) is int and 0 <= days <= MAX_WORKING_DAYS:
        return days * 2
    if isinstance(days, bool):
        raise InvalidInput(_("Số ngày làm việc không hợp lệ."), code="invalid_days")
    try:
        value = days if isinstance(days, Decimal) else Decimal(str(days).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            _("Số ngày làm việc phải là một số, ví dụ 5 hoặc 0,5."), code="invalid_days"
        ) from None
    if not value.is_finite():
        raise InvalidInput(_("Số ngày làm việc phải là một số hữu hạn."), code="invalid_days")
    if value < 0:
        raise InvalidInput(_("Số ngày làm việc không được âm."), code="invalid_days")
    if value > MAX_WORKING_DAYS:
        raise InvalidInput(
            _("Số ngày làm việc quá lớn (tối đa %(max)s ngày).") % {"max": MAX_WORKING_DAYS},
            code="invalid_days",
        )
    doubled = value * 2
    if doubled != doubled.to_integral_value():
        raise InvalidInput(
            _("Số ngày làm việc phải là bội số của 0,5 (ví dụ 1; 1,5; 2)."), code="invalid_days"
        )
    return int(doubled)


def parse_days(days) -> Decimal:
    """The number of working days as a Decimal (accepts "1,5" as well as "1.5")."""
    return Decimal(to_halves(days)) / 2


def require_aware(instant: datetime, name: str = "instant") -> datetime:
    if not isinstance(instant, datetime):
        raise InvalidInput(_("Thời điểm không hợp lệ."), code="invalid_datetime")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(
            _("Thời điểm phải kèm múi giờ (ví dụ 2025-01-24T09:00:00+07:00)."),
            code="naive_datetime",
            fields={name: _("Thiếu múi giờ.")},
        )
    local = instant.astimezone(VN_TZ)
    if not MIN_YEAR <= local.year <= MAX_YEAR:
        raise InvalidInput(
            _("Thời điểm nằm ngoài phạm vi lịch làm việc (năm %(a)s–%(b)s).")
            % {"a": MIN_YEAR, "b": MAX_YEAR},
            code="out_of_range",
        )
    return local


@dataclass(frozen=True)
class OfficeSchedule:
    """Office hours: a morning and an afternoon interval, and the same-day cut-off."""

    morning_start: time = time(7, 0)
    morning_end: time = time(11, 30)
    afternoon_start: time = time(13, 30)
    afternoon_end: time = time(17, 0)
    same_day_cutoff: time = time(15, 0)

    def __post_init__(self):
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValueError("office hours must be ordered: ms < me <= as < ae")
        set_ = object.__setattr__
        set_(self, "ms", _time_us(self.morning_start))
        set_(self, "me", _time_us(self.morning_end))
        set_(self, "as_", _time_us(self.afternoon_start))
        set_(self, "ae", _time_us(self.afternoon_end))
        set_(self, "cutoff", _time_us(self.same_day_cutoff))
        set_(self, "morning_length", self.me - self.ms)
        set_(self, "daily", self.me - self.ms + self.ae - self.as_)

    @property
    def daily_hours(self) -> Decimal:
        return Decimal(self.daily) / Decimal(3600 * _US)

    @property
    def intervals(self) -> tuple[tuple[time, time], tuple[time, time]]:
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))

    def elapsed(self, tod: int) -> int:
        """Office time from the day's opening to the time of day ``tod`` (microseconds)."""
        if tod <= self.ms:
            return 0
        if tod <= self.me:
            return tod - self.ms
        if tod <= self.as_:
            return self.morning_length
        if tod <= self.ae:
            return self.morning_length + tod - self.as_
        return self.daily

    def end_at(self, amount: int) -> int:
        """Earliest time of day at which ``amount`` in (0, daily] of office time is reached."""
        if amount <= self.morning_length:
            return self.ms + amount
        return self.as_ + amount - self.morning_length

    def start_at(self, amount: int) -> int:
        """Latest time of day at which ``amount`` in [0, daily) of office time is reached."""
        if amount < self.morning_length:
            return self.ms + amount
        return self.as_ + amount - self.morning_length

    def is_open(self, tod: int) -> bool:
        return self.ms <= tod < self.me or self.as_ <= tod < self.ae

    def as_dict(self) -> dict:
        return {
            "morning": f"{self.morning_start:%H:%M}-{self.morning_end:%H:%M}",
            "afternoon": f"{self.afternoon_start:%H:%M}-{self.afternoon_end:%H:%M}",
            "same_day_cutoff": f"{self.same_day_cutoff:%H:%M}",
            "daily_hours": float(self.daily_hours),
        }


@dataclass(frozen=True, slots=True)
class Override:
    date: date
    kind: str  # DAY_OFF or WORKING_DAY
    reference: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class DayStatus:
    """Whether a date is worked, and why. ``source``: weekday, weekend, holiday or override."""

    date: date
    working: bool
    source: str
    reason: str
    reference: str = ""

    @property
    def weekday_name(self) -> str:
        return translated(WEEKDAY_NAMES[self.date.weekday()])

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "weekday": self.weekday_name,
            "working": self.working,
            "source": self.source,
            "reason": self.reason,
            "reference": self.reference,
        }


@dataclass(frozen=True, slots=True)
class _Index:
    first: int  # first ordinal covered
    end: int  # one past the last ordinal covered
    days: list[int]  # ordinals of the working days in [first, end)
    cum: list[int]  # office time before each working day; len(days) + 1 entries
    midnights: list[datetime]  # each working day at 00:00 local time


class WorkingCalendar:
    """Days and deadline arithmetic for one province. Thread-safe; the index grows lazily."""

    def __init__(self, overrides=(), office: OfficeSchedule | None = None, *, source: str = "memory"):
        self.office = office or OfficeSchedule()
        self.source = source  # "database" or "shipped": where the overrides came from
        self._overrides: dict[date, Override] = {o.date: o for o in overrides}
        self._holidays: dict[int, dict[date, str]] = {}
        self._lock = threading.Lock()
        self._index = _Index(0, 0, [], [0], [])

    # -- days ---------------------------------------------------------------------------

    @property
    def overrides(self) -> dict[date, Override]:
        return dict(self._overrides)

    def holidays_of(self, year: int) -> dict[date, str]:
        """The ``holidays`` package's days off for Viet Nam in ``year``, named in Vietnamese."""
        names = self._holidays.get(year)
        if names is None:
            names = dict(holidays.VN(years=year, language="vi"))
            self._holidays[year] = names
        return names

    def is_working_day(self, day: date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override.kind == WORKING_DAY
        if day in self.holidays_of(day.year):
            return False
        return day.weekday() < 5

    def day_status(self, day: date) -> DayStatus:
        override = self._overrides.get(day)
        holiday = self.holidays_of(day.year).get(day)
        if override is not None:
            working = override.kind == WORKING_DAY
            if working:
                reason = override.note or str(_("Ngày làm việc theo văn bản"))
            else:
                reason = override.note or holiday or str(_("Ngày nghỉ theo văn bản"))
            return DayStatus(day, working, "override", reason, override.reference)
        if holiday is not None:
            return DayStatus(day, False, "holiday", holiday)
        if day.weekday() >= 5:
            return DayStatus(day, False, "weekend", translated(WEEKDAY_NAMES[day.weekday()]))
        return DayStatus(day, True, "weekday", "")

    def special_days(self, year: int) -> list[DayStatus]:
        """Every date of ``year`` that is not an ordinary weekday or an ordinary weekend day."""
        dates = {d for d in self.holidays_of(year)} | {d for d in self._overrides if d.year == year}
        return [self.day_status(d) for d in sorted(dates)]

    # -- the index ----------------------------------------------------------------------

    def _build_days(self, first: int, end: int) -> list[int]:
        is_working = self.is_working_day
        return [o for o in range(first, end) if is_working(date.fromordinal(o))]

    def _ensure(self, lo: int, hi: int) -> _Index:
        """An index covering the ordinals lo..hi (inclusive), whole years at a time."""
        index = self._index
        if index.first <= lo and hi < index.end:
            return index
        with self._lock:
            index = self._index
            if index.first <= lo and hi < index.end:
                return index
            lo_year = date.fromordinal(lo).year
            hi_year = date.fromordinal(hi).year
            if lo_year < MIN_YEAR or hi_year > MAX_YEAR + _INDEX_SLACK_YEARS:
                raise InvalidInput(
                    _("Thời hạn vượt quá phạm vi lịch làm việc (năm %(a)s–%(b)s).")
                    % {"a": MIN_YEAR, "b": MAX_YEAR + _INDEX_SLACK_YEARS},
                    code="out_of_range",
                )
            first = date(lo_year, 1, 1).toordinal()
            end = date(hi_year + 1, 1, 1).toordinal()
            daily = self.office.daily
            if index.days and first >= index.first:
                # Forward only: keep the existing offsets, append.
                first = index.first
                end = max(end, index.end)
                new_days = self._build_days(index.end, end)
                days = index.days + new_days
                base = index.cum[-1]
                cum = index.cum + [base + daily * (k + 1) for k in range(len(new_days))]
            else:
                first = min(first, index.first) if index.days else first
                end = max(end, index.end)
                days = self._build_days(first, end)
                cum = [daily * k for k in range(len(days) + 1)]
            known = len(index.midnights) if index.days and first == index.first else 0
            midnights = index.midnights[:known] + [
                datetime.combine(date.fromordinal(o), time(0), tzinfo=VN_TZ) for o in days[known:]
            ]
            index = _Index(first, end, days, cum, midnights)
            self._index = index
            return index

    def _index_with_next_working_day(self, ordinal: int) -> _Index:
        index = self._ensure(ordinal, ordinal + 31)
        while bisect_right(index.days, ordinal) >= len(index.days):
            index = self._ensure(ordinal, index.end + 366)
        return index

    @staticmethod
    def _position(index: _Index, office: OfficeSchedule, ordinal: int, tod: int) -> int:
        i = bisect_left(index.days, ordinal)
        if i < len(index.days) and index.days[i] == ordinal:
            return index.cum[i] + office.elapsed(tod)
        return index.cum[i]

    @staticmethod
    def _join(ordinal: int, tod: int) -> datetime:
        d = date.fromordinal(ordinal)
        seconds, micro = divmod(tod, _US)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return datetime(d.year, d.month, d.day, hour, minute, second, micro, VN_TZ)

    @staticmethod
    def _split(instant: datetime) -> tuple[int, int]:
        local = instant if isinstance(instant, datetime) and instant.tzinfo is VN_TZ else require_aware(instant)
        if not MIN_YEAR <= local.year <= MAX_YEAR:
            require_aware(instant)  # raises the out-of-range error
        tod = ((local.hour * 60 + local.minute) * 60 + local.second) * _US + local.microsecond
        return local.toordinal(), tod

    def _shift(self, ordinal: int, tod: int, amount: int) -> tuple[int, int]:
        office = self.office
        if amount == 0:
            return ordinal, tod
        index = self._ensure(ordinal, ordinal)
        while True:
            target = self._position(index, office, ordinal, tod) + amount
            if amount > 0:
                if target <= index.cum[-1]:
                    j = bisect_left(index.cum, target) - 1
                    return index.days[j], office.end_at(target - index.cum[j])
                needed_years = (target - index.cum[-1]) // (office.daily * 240) + 1
                index = self._ensure(index.first, index.end + 366 * needed_years)
            else:
                if target >= 0:
                    j = bisect_right(index.cum, target) - 1
                    return index.days[j], office.start_at(target - index.cum[j])
                needed_years = -target // (office.daily * 240) + 1
                index = self._ensure(index.first - 366 * needed_years, index.end - 1)

    # -- public arithmetic ----------------------------------------------------------------

    def add_working_time(self, instant: datetime, delta: timedelta) -> datetime:
        """The instant ``delta`` of office time after (or, if negative, before) ``instant``."""
        ordinal, tod = self._split(instant)
        if delta == timedelta(0):
            return instant.astimezone(VN_TZ)
        return self._join(*self._shift(ordinal, tod, delta // _ONE_US))

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (before it if n < 0; n = 0 gives ``day``).

        Whole days, for periods the law counts in working days from a date rather than in
        office hours from an instant (e.g. "within 5 working days from the signing")."""
        if isinstance(n, bool) or not isinstance(n, int) or abs(n) > 100 * MAX_WORKING_DAYS:
            raise InvalidInput(_("Số ngày làm việc không hợp lệ."), code="invalid_days")
        if not isinstance(day, date) or isinstance(day, datetime):
            raise InvalidInput(_("Ngày không hợp lệ."), code="invalid_date")
        if n == 0:
            return day
        ordinal = day.toordinal()
        index = self._ensure(ordinal, ordinal)
        while True:
            if n > 0:
                k = bisect_right(index.days, ordinal) + n - 1
                if k < len(index.days):
                    return date.fromordinal(index.days[k])
                index = self._ensure(index.first, index.end + 366 * (n // 240 + 1))
            else:
                k = bisect_left(index.days, ordinal) + n
                if k >= 0:
                    return date.fromordinal(index.days[k])
                index = self._ensure(index.first - 366 * (-n // 240 + 1), index.end - 1)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time between two instants (negative if ``end`` is before ``start``)."""
        a_ord, a_tod = self._split(start)
        b_ord, b_tod = self._split(end)
        index = self._ensure(min(a_ord, b_ord), max(a_ord, b_ord))
        office = self.office
        a = self._position(index, office, a_ord, a_tod)
        b = self._position(index, office, b_ord, b_tod)
        return timedelta(microseconds=b - a)

    def next_opening(self, instant: datetime) -> datetime:
        """The instant counting starts from: ``instant`` itself while the office is open,
        otherwise the next opening (07:00 or 13:30 of a working day)."""
        ordinal, tod = self._split(instant)
        o, t = self._next_opening(ordinal, tod)
        if (o, t) == (ordinal, tod):
            return instant.astimezone(VN_TZ)
        return self._join(o, t)

    def _next_opening(self, ordinal: int, tod: int) -> tuple[int, int]:
        office = self.office
        index = self._index_with_next_working_day(ordinal)
        i = bisect_left(index.days, ordinal)
        if index.days[i] == ordinal:
            if tod < office.ms:
                return ordinal, office.ms
            if tod < office.me:
                return ordinal, tod
            if tod < office.as_:
                return ordinal, office.as_
            if tod < office.ae:
                return ordinal, tod
            i += 1
        return index.days[i], office.ms

    def _next_working_after(self, ordinal: int) -> int:
        index = self._index_with_next_working_day(ordinal)
        return index.days[bisect_right(index.days, ordinal)]

    def due(self, received: datetime, days) -> datetime:
        """The due instant of a procedure of ``days`` working days received at ``received``."""
        halves = to_halves(days)
        local = (received if isinstance(received, datetime) and received.tzinfo is VN_TZ
                 else require_aware(received))
        if halves == 0 or not MIN_YEAR <= local.year <= MAX_YEAR:
            return self._join(*self._same_day(*self._split(received)))
        # The hot path of every dossier list: _split, _position, elapsed, end_at and _join
        # inlined for the usual case (the index already covers the result), since calls
        # cost more than the arithmetic here. Anything else goes through _shift.
        office = self.office
        ordinal = local.toordinal()
        tod = ((local.hour * 60 + local.minute) * 60 + local.second) * _US + local.microsecond
        amount = halves * office.daily // 2
        index = self._index
        if index.first <= ordinal < index.end:
            days_, cum = index.days, index.cum
            i = bisect_left(days_, ordinal)
            target = cum[i] + amount
            if i < len(days_) and days_[i] == ordinal and tod > office.ms:
                if tod <= office.me:
                    target += tod - office.ms
                elif tod <= office.as_:
                    target += office.morning_length
                elif tod <= office.ae:
                    target += office.morning_length + tod - office.as_
                else:
                    target += office.daily
            if target <= cum[-1]:
                j = bisect_left(cum, target) - 1
                rest = target - cum[j]
                if rest <= office.morning_length:
                    rest += office.ms
                else:
                    rest += office.as_ - office.morning_length
                seconds, micro = divmod(rest, _US)
                return index.midnights[j] + timedelta(0, seconds, micro)
        return self._join(*self._shift(ordinal, tod, amount))

    def _same_day(self, ordinal: int, tod: int) -> tuple[int, int]:
        o, t = self._next_opening(ordinal, tod)
        if t > self.office.cutoff:
            o = self._next_working_after(o)
        return o, self.office.ae

    def is_after_cutoff(self, received: datetime) -> bool:
        """For a same-day procedure: whether the result moves to the next working day."""
        _o, t = self._next_opening(*self._split(received))
        return t > self.office.cutoff

    # -- day-by-day reference implementation (test oracle, benchmark baseline) -----------

    def office_intervals_on(self, day: date):
        for start, end in self.office.intervals:
            yield (datetime.combine(day, start, tzinfo=VN_TZ),
                   datetime.combine(day, end, tzinfo=VN_TZ))

    def reference_due(self, received: datetime, days) -> datetime:
        halves = to_halves(days)
        local = require_aware(received)
        if halves == 0:
            return self._reference_same_day(local)
        remaining = timedelta(microseconds=halves * self.office.daily // 2)
        day = local.date()
        while True:
            if self.is_working_day(day):
                for start, end in self.office_intervals_on(day):
                    begin = max(start, local)
                    if begin >= end:
                        continue
                    available = end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)

    def _reference_same_day(self, local: datetime) -> datetime:
        day = local.date()
        opening = None
        while opening is None:
            if self.is_working_day(day):
                for start, end in self.office_intervals_on(day):
                    if local < end:
                        opening = max(start, local)
                        break
            if opening is None:
                day += timedelta(days=1)
        if opening.time() > self.office.same_day_cutoff:
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return datetime.combine(day, self.office.afternoon_end, tzinfo=VN_TZ)

    def reference_working_time_between(self, start: datetime, end: datetime) -> timedelta:
        a, b = require_aware(start), require_aware(end)
        if b < a:
            return -self.reference_working_time_between(end, start)
        total = timedelta(0)
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                for s, e in self.office_intervals_on(day):
                    lo, hi = max(s, a), min(e, b)
                    if hi > lo:
                        total += hi - lo
            day += timedelta(days=1)
        return total
