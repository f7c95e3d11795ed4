"""Due dates of procedures, with their explanation; the API other apps call.

    from cchc.workcal.deadlines import compute_due, explain_due, working_time_between
    due = compute_due(dossier.received_at, procedure.processing_days)   # aware datetime
    last_day = add_working_days(decision.signed_on, 5)                  # whole days, a date

All functions use the province's calendar (``selectors.get_calendar()``) unless a
``calendar`` is given, take aware datetimes (``InvalidInput`` otherwise) and return
datetimes in Asia/Ho_Chi_Minh. Day counts are multiples of 0.5 (int, Decimal, float or
str). See ``calendar.py`` for the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cchc.errors import InvalidInput
from cchc.i18n import translated

from .calendar import VN_TZ, WEEKDAY_NAMES, DayStatus, WorkingCalendar, parse_days, require_aware
from .selectors import get_calendar

_HOUR_US = 3600 * 1_000_000

RULE_WORKING_TIME = "working_time"
RULE_SAME_DAY = "same_day"


def json_number(value: Decimal):
    """5 -> 5, 2.5 -> 2.5 (a whole number of days prints without ".0")."""
    return int(value) if value == value.to_integral_value() else float(value)


def _hours(delta: timedelta) -> float:
    return round(delta / timedelta(hours=1), 4)


def _fmt_hours(delta: timedelta) -> str:
    minutes = int(delta / timedelta(minutes=1))
    h, m = divmod(minutes, 60)
    if m:
        return gettext("%(h)s giờ %(m)02d phút") % {"h": h, "m": m}
    return gettext("%(h)s giờ") % {"h": h}


def _fmt_instant(instant: datetime) -> str:
    weekday = WEEKDAY_NAMES[instant.weekday()]
    return f"{instant:%H:%M} {weekday} {instant:%d/%m/%Y}"


def _fmt_days(days: Decimal) -> str:
    text = f"{days.normalize():f}"
    return text.replace(".", ",")


@dataclass(frozen=True)
class CountedDay:
    date: date
    start: datetime
    end: datetime
    working_time: timedelta

    @property
    def weekday_name(self) -> str:
        return translated(WEEKDAY_NAMES[self.date.weekday()])

    @property
    def hours(self) -> float:
        return _hours(self.working_time)

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "weekday": self.weekday_name,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "hours": _hours(self.working_time),
        }


@dataclass(frozen=True)
class DueExplanation:
    """Why a due is what it is: the days counted (with their office time) and the days skipped."""

    received: datetime
    days: Decimal
    effective_start: datetime
    due: datetime
    rule: str  # RULE_WORKING_TIME or RULE_SAME_DAY
    after_cutoff: bool
    office: object  # OfficeSchedule
    counted: tuple[CountedDay, ...]
    skipped: tuple[DayStatus, ...]
    calendar_source: str

    @property
    def working_hours(self) -> float:
        return _hours(self.total_working_time)

    @property
    def due_weekday(self) -> str:
        return translated(WEEKDAY_NAMES[self.due.weekday()])

    @property
    def total_working_time(self) -> timedelta:
        return sum((c.working_time for c in self.counted), timedelta(0))

    def as_dict(self) -> dict:
        return {
            "received": self.received.isoformat(),
            "days": json_number(self.days),
            "rule": self.rule,
            "effective_start": self.effective_start.isoformat(),
            "due": self.due.isoformat(),
            "after_cutoff": self.after_cutoff,
            "working_hours": self.working_hours,
            "office_hours": self.office.as_dict(),
            "counted_days": [c.as_dict() for c in self.counted],
            "skipped_days": [
                {k: v for k, v in s.as_dict().items() if k != "working"} for s in self.skipped
            ],
            "calendar_source": self.calendar_source,
        }

    def as_text(self) -> str:
        lines = [
            gettext("Tiếp nhận: %(t)s") % {"t": _fmt_instant(self.received)},
        ]
        if self.effective_start != self.received:
            lines.append(
                gettext("Ngoài giờ làm việc, tính từ: %(t)s")
                % {"t": _fmt_instant(self.effective_start)}
            )
        if self.rule == RULE_SAME_DAY:
            lines.append(
                gettext("Thời hạn: giải quyết trong ngày (trả trước %(close)s).")
                % {"close": f"{self.office.afternoon_end:%H:%M}"}
            )
            if self.after_cutoff:
                lines.append(
                    gettext(
                        "Nhận sau %(cutoff)s nên trả kết quả trong ngày làm việc tiếp theo."
                    )
                    % {"cutoff": f"{self.office.same_day_cutoff:%H:%M}"}
                )
        else:
            lines.append(
                gettext("Thời hạn: %(days)s ngày làm việc = %(hours)s trong giờ hành chính.")
                % {"days": _fmt_days(self.days), "hours": _fmt_hours(self.total_working_time)}
            )
            lines.append(gettext("Các ngày làm việc được tính:"))
            for c in self.counted:
                lines.append(
                    f"  - {WEEKDAY_NAMES[c.date.weekday()]} {c.date:%d/%m/%Y}: "
                    f"{_fmt_hours(c.working_time)} ({c.start:%H:%M}–{c.end:%H:%M})"
                )
        if self.skipped:
            lines.append(gettext("Các ngày nghỉ không tính:"))
            for s in self.skipped:
                reason = s.reason if s.reason != s.weekday_name else ""
                detail = ", ".join(x for x in (reason, s.reference) if x)
                lines.append(
                    f"  - {s.weekday_name} {s.date:%d/%m/%Y}" + (f": {detail}" if detail else "")
                )
        lines.append(gettext("Hạn trả kết quả: %(t)s") % {"t": _fmt_instant(self.due)})
        return "\n".join(lines)


def _dates(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def explain_due(received: datetime, days, calendar: WorkingCalendar | None = None) -> DueExplanation:
    calendar = calendar or get_calendar()
    days = parse_days(days)
    received = require_aware(received, "received")
    due = calendar.due(received, days)
    effective = calendar.next_opening(received)
    same_day = days == 0
    counted = []
    if not same_day:
        for day in _dates(effective.date(), due.date()):
            if not calendar.is_working_day(day):
                continue
            start = end = None
            total = timedelta(0)
            for open_, close in calendar.office_intervals_on(day):
                lo, hi = max(open_, effective), min(close, due)
                if hi > lo:
                    start = start or lo
                    end = hi
                    total += hi - lo
            if total:
                counted.append(CountedDay(day, start, end, total))
    skipped = tuple(
        calendar.day_status(day)
        for day in _dates(received.date(), due.date())
        if not calendar.is_working_day(day)
    )
    return DueExplanation(
        received=received,
        days=days,
        effective_start=effective,
        due=due,
        rule=RULE_SAME_DAY if same_day else RULE_WORKING_TIME,
        after_cutoff=same_day and calendar.is_after_cutoff(received),
        office=calendar.office,
        counted=tuple(counted),
        skipped=skipped,
        calendar_source=calendar.source,
    )


_SPACE_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def parse_instant(text: str, *, field: str = "received") -> datetime:
    """An ISO 8601 date-time from user input; without an offset it is local (+07:00) time.

    Also accepts "Z", a date alone (midnight, i.e. counted from the next opening), a space
    instead of "T", and " 07:00" (an unescaped "+" in a query string becomes a space).
    """
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput(
            _("Chưa nhập ngày giờ tiếp nhận."), code="invalid_datetime",
            fields={field: _("Bắt buộc.")},
        )
    if len(raw) > 40:
        raise InvalidInput(_("Ngày giờ tiếp nhận không hợp lệ."), code="invalid_datetime",
                           fields={field: _("Quá dài.")})
    candidate = _SPACE_OFFSET.sub(r"+\1", raw) if "T" in raw else raw
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        raise InvalidInput(
            _("Ngày giờ tiếp nhận không hợp lệ: “%(v)s”. Dùng dạng ISO 8601, "
              "ví dụ 2025-01-24T09:00 hoặc 2025-01-24T09:00:00+07:00.") % {"v": raw},
            code="invalid_datetime",
            fields={field: _("Không đúng định dạng ISO 8601.")},
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=VN_TZ)
    return require_aware(value, field)


# -- the module-level API (province calendar) ----------------------------------------------


def compute_due(received: datetime, days, calendar: WorkingCalendar | None = None) -> datetime:
    """Due instant of a procedure of ``days`` working days received at ``received``."""
    return (calendar or get_calendar()).due(received, days)


def working_time_between(start: datetime, end: datetime,
                         calendar: WorkingCalendar | None = None) -> timedelta:
    """Office time between two instants (for paused intervals and per-step timeliness)."""
    return (calendar or get_calendar()).working_time_between(start, end)


def add_working_time(instant: datetime, delta: timedelta,
                     calendar: WorkingCalendar | None = None) -> datetime:
    """``instant`` moved by ``delta`` of office time (negative: backwards)."""
    return (calendar or get_calendar()).add_working_time(instant, delta)


def next_opening(instant: datetime, calendar: WorkingCalendar | None = None) -> datetime:
    """``instant`` if the office is open then, else the next opening."""
    return (calendar or get_calendar()).next_opening(instant)


def add_working_days(day: date, n: int, calendar: WorkingCalendar | None = None) -> date:
    """The n-th working day after ``day`` (before it if n < 0): whole days, no office hours."""
    return (calendar or get_calendar()).add_working_days(day, n)


def is_working_day(day: date, calendar: WorkingCalendar | None = None) -> bool:
    return (calendar or get_calendar()).is_working_day(day)


def working_days_to_timedelta(days, calendar: WorkingCalendar | None = None) -> timedelta:
    """``days`` working days as office time (5 days = 40 hours with the default hours)."""
    calendar = calendar or get_calendar()
    return timedelta(microseconds=int(parse_days(days) * calendar.office.daily))
