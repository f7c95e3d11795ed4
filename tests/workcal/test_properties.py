"""Properties of the deadline arithmetic on real dates 2023-2027.

Definitions (see ``cchc.workcal.calendar``): P(t) is the office time elapsed up to t; it
is continuous, non-decreasing, and flat outside office hours. For n > 0, due(t, n) is the
*earliest* instant u with P(u) = P(t) + n x D (D = daily office hours). Therefore:

- additivity: due(due(t, a), b) == due(t, a + b) exactly, for all a, b > 0, even when
  due(t, a) is a closing instant (11:30, 17:00): P is the same at 17:00 and at the next
  opening, so counting on from either gives the same instant. It does not hold with
  a = 0 or b = 0 (same-day rule, not a zero count);
- inverse: working_time_between(t, due(t, n)) == n x D for every t (inside office time or
  not) and every n > 0;
- monotone in t for every n (including 0); monotone, even strictly, in n for n >= 0.5;
- due(t, n) for n > 0 lies in an office interval (open, close] of a working day; for
  n = 0 it is the afternoon closing of a working day;
- add_working_time(add_working_time(t, d), -d) == next_opening(t) for d > 0.
"""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cchc.workcal.calendar import (
    DAY_OFF,
    VN_TZ,
    WORKING_DAY,
    OfficeSchedule,
    Override,
    WorkingCalendar,
)
from cchc.workcal.selectors import shipped_calendar

CAL = shipped_calendar()
OTHER = WorkingCalendar(
    CAL.overrides.values(),
    OfficeSchedule(time(7, 30), time(11, 45), time(13, 15), time(17, 10), time(16, 0)),
)
CALENDARS = st.sampled_from([CAL, OTHER])

BOUNDARIES = [time(0), time(6, 59, 59), time(7), time(7, 30), time(11, 30), time(11, 45),
              time(12), time(13, 15), time(13, 30), time(15), time(15, 0, 0, 1), time(16),
              time(17), time(17, 10), time(23, 59, 59, 999999)]

dates = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 6, 30))
any_instant = st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2027, 6, 30, 23, 59))
boundary_instant = st.builds(datetime.combine, dates, st.sampled_from(BOUNDARIES))
instants = st.one_of(any_instant, boundary_instant).map(lambda d: d.replace(tzinfo=VN_TZ))
halves = st.integers(min_value=1, max_value=60)  # 0.5 .. 30 working days
halves_or_zero = st.integers(min_value=0, max_value=60)

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def days(h: int) -> str:
    return f"{h / 2}"


@SETTINGS
@given(cal=CALENDARS, t=instants, h=halves_or_zero)
def test_index_agrees_with_the_day_by_day_oracle(cal, t, h):
    assert cal.due(t, days(h)) == cal.reference_due(t, days(h))


@SETTINGS
@given(cal=CALENDARS, a=instants, b=instants)
def test_working_time_between_agrees_with_the_oracle(cal, a, b):
    assert cal.working_time_between(a, b) == cal.reference_working_time_between(a, b)
    assert cal.working_time_between(a, b) == -cal.working_time_between(b, a)


@SETTINGS
@given(cal=CALENDARS, t=instants, a=halves, b=halves)
def test_additivity(cal, t, a, b):
    assert cal.due(cal.due(t, days(a)), days(b)) == cal.due(t, days(a + b))


@SETTINGS
@given(cal=CALENDARS, t=instants, h=halves)
def test_inverse(cal, t, h):
    expected = timedelta(microseconds=h * cal.office.daily // 2)
    assert cal.working_time_between(t, cal.due(t, days(h))) == expected


@SETTINGS
@given(cal=CALENDARS, t1=instants, t2=instants, h=halves_or_zero)
def test_monotone_in_the_reception_instant(cal, t1, t2, h):
    if t2 < t1:
        t1, t2 = t2, t1
    assert cal.due(t1, days(h)) <= cal.due(t2, days(h))


@SETTINGS
@given(cal=CALENDARS, t=instants, h1=halves, h2=halves)
def test_strictly_monotone_in_the_number_of_days(cal, t, h1, h2):
    assume(h1 != h2)
    if h2 < h1:
        h1, h2 = h2, h1
    assert cal.due(t, days(h1)) < cal.due(t, days(h2))


@SETTINGS
@given(cal=CALENDARS, t=instants, h=halves_or_zero)
def test_due_is_a_working_instant(cal, t, h):
    due = cal.due(t, days(h))
    office = cal.office
    assert due.utcoffset() == timedelta(hours=7)
    assert cal.is_working_day(due.date())
    assert due >= t
    clock = due.timetz().replace(tzinfo=None)
    if h == 0:
        assert clock == office.afternoon_end
    else:
        assert (office.morning_start < clock <= office.morning_end
                or office.afternoon_start < clock <= office.afternoon_end)


@SETTINGS
@given(cal=CALENDARS, t=instants, minutes=st.integers(min_value=1, max_value=30 * 8 * 60))
def test_backwards_undoes_forwards(cal, t, minutes):
    d = timedelta(minutes=minutes)
    assert cal.add_working_time(cal.add_working_time(t, d), -d) == cal.next_opening(t)


@SETTINGS
@given(t=instants, h=halves_or_zero,
       overrides=st.dictionaries(dates, st.sampled_from([DAY_OFF, WORKING_DAY]), max_size=40))
def test_oracle_agreement_with_random_overrides(t, h, overrides):
    cal = WorkingCalendar([Override(d, k, "test") for d, k in overrides.items()])
    assert cal.due(t, days(h)) == cal.reference_due(t, days(h))


@pytest.mark.parametrize("received", ["2025-03-04T09:00", "2025-03-04T15:30", "2025-01-24T16:00"])
def test_zero_is_not_additive(received):
    t = datetime.fromisoformat(received).replace(tzinfo=VN_TZ)
    # due(t, 0) is a closing time; half a day more from there is not due(t, 0.5).
    assert CAL.due(CAL.due(t, 0), "0.5") != CAL.due(t, "0.5")


@SETTINGS
@given(cal=CALENDARS, t=instants, h=halves)
def test_the_inlined_fast_path_agrees_with_the_general_one(cal, t, h):
    amount = timedelta(microseconds=h * cal.office.daily // 2)
    assert cal.due(t, days(h)) == cal.add_working_time(t, amount)


@SETTINGS
@given(order=st.permutations([date(2023, 2, 1), date(2027, 5, 3), date(2025, 7, 1)]), h=halves)
def test_the_index_grows_forwards_and_backwards_consistently(order, h):
    cal = WorkingCalendar(CAL.overrides.values())
    for day in order:
        t = datetime.combine(day, time(9, 15), tzinfo=VN_TZ)
        assert cal.due(t, days(h)) == CAL.reference_due(t, days(h))
    a = datetime(2023, 2, 1, 9, tzinfo=VN_TZ)
    b = datetime(2027, 5, 3, 9, tzinfo=VN_TZ)
    assert cal.working_time_between(a, b) == CAL.reference_working_time_between(a, b)


@SETTINGS
@given(day=dates, n=st.integers(min_value=-60, max_value=60))
def test_add_working_days_agrees_with_a_day_by_day_walk(day, n):
    expected, left, step = day, abs(n), (1 if n > 0 else -1)
    while left:
        expected += timedelta(days=step)
        if CAL.is_working_day(expected):
            left -= 1
    assert CAL.add_working_days(day, n) == expected
