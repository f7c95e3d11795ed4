"""The seeder's integer calendar agrees with the working calendar's own arithmetic."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.onestop.seeding import DAY, SECOND, DayTable
from cchc.workcal.calendar import VN_TZ
from cchc.workcal.deadlines import add_working_time, compute_due, working_time_between
from cchc.workcal.selectors import get_calendar

pytestmark = pytest.mark.django_db

FIRST, LAST = datetime.date(2023, 12, 1), datetime.date(2027, 12, 31)
instants = st.integers(60 * DAY, (datetime.date(2026, 12, 31) - FIRST).days * DAY).map(
    lambda t: t - t % SECOND if t % 3 else t)
CHECKS = settings(max_examples=300, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def table(db):
    return DayTable(get_calendar(), FIRST, LAST)


@CHECKS
@given(a=instants, b=instants)
def test_working_time_between(table, a, b):
    expected = working_time_between(table.datetime(a), table.datetime(b))
    assert table.pos(b) - table.pos(a) == expected // datetime.timedelta(microseconds=1)


@CHECKS
@given(t=instants, amount=st.integers(-30 * 8 * 3600 * SECOND, 30 * 8 * 3600 * SECOND))
def test_add_working_time(table, t, amount):
    expected = add_working_time(table.datetime(t), datetime.timedelta(microseconds=amount))
    assert table.datetime(table.add(t, amount)) == expected


@CHECKS
@given(t=instants, halves=st.integers(0, 90))
def test_due(table, t, halves):
    assert table.datetime(table.due(t, halves)) == compute_due(table.datetime(t), halves / 2)


def test_the_2024_holidays(table):
    def t(text):
        return table.instant(datetime.datetime.fromisoformat(text).replace(tzinfo=VN_TZ))

    # Tết 8/2-14/2/2024: a day's work from Wed 7/2 09:00 ends Thu 15/2 09:00.
    assert table.datetime(table.due(t("2024-02-07 09:00"), 2)).isoformat() == "2024-02-15T09:00:00+07:00"
    # Saturday 4/5/2024 is worked, 27/4-1/5 are not.
    assert table.working[(datetime.date(2024, 5, 4) - FIRST).days]
    assert not any(table.working[(datetime.date(2024, 4, d) - FIRST).days] for d in (29, 30))
