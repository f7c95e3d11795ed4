from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from cchc.errors import InvalidInput
from cchc.workcal import deadlines
from cchc.workcal.calendar import VN_TZ, OfficeSchedule, Override, WorkingCalendar
from cchc.workcal.selectors import shipped_calendar


@pytest.fixture(scope="module")
def cal():
    return shipped_calendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def iso(text: str) -> str:
    return at(text).isoformat()


def test_worked_example_tet_2025(cal):
    received = at("2025-01-24T09:00")
    due = cal.due(received, 5)
    assert due.isoformat() == "2025-02-07T09:00:00+07:00"
    assert cal.reference_due(received, 5) == due
    explanation = deadlines.explain_due(received, 5, calendar=cal)
    hours = [(c.date.isoformat(), c.working_time / timedelta(hours=1)) for c in explanation.counted]
    assert hours == [("2025-01-24", 6), ("2025-02-03", 8), ("2025-02-04", 8), ("2025-02-05", 8),
                     ("2025-02-06", 8), ("2025-02-07", 2)]
    assert explanation.total_working_time == timedelta(hours=40)
    assert [s.date for s in explanation.skipped] == [date(2025, 1, 25) + timedelta(days=i) for i in range(9)]


@pytest.mark.parametrize("received,days,expected", [
    # half days: 4 office hours
    ("2025-03-04T09:00", "0.5", "2025-03-04T15:00"),
    ("2025-03-04T07:00", "0.5", "2025-03-04T11:00"),
    ("2025-03-04T07:30", "0.5", "2025-03-04T11:30"),  # reached at the morning close: stays there
    ("2025-03-04T11:00", "0.5", "2025-03-04T17:00"),  # reached at the afternoon close
    ("2025-03-04T13:30", "0.5", "2025-03-05T07:30"),  # 3.5 h this afternoon, 0.5 h tomorrow
    ("2025-03-04T07:00", "1.5", "2025-03-05T11:00"),
    ("2025-03-04T16:00", "2.5", "2025-03-07T10:00"),
    # a whole day from the opening ends at that day's close, not the next opening
    ("2025-03-04T07:00", 1, "2025-03-04T17:00"),
    ("2025-03-04T09:00", 1, "2025-03-05T09:00"),
    # outside office hours: counted from the next opening
    ("2025-03-04T06:00", 1, "2025-03-04T17:00"),
    ("2025-03-04T12:00", 1, "2025-03-05T11:30"),
    ("2025-03-04T11:30", "0.5", "2025-03-05T07:30"),
    ("2025-03-04T17:00", "0.5", "2025-03-05T11:00"),
    ("2025-03-04T18:00", "0.5", "2025-03-05T11:00"),
    ("2025-03-08T10:00", 1, "2025-03-10T17:00"),  # Saturday -> Monday
    ("2025-03-09T23:59", "0.5", "2025-03-10T11:00"),  # Sunday night
    ("2025-03-07T16:30", 1, "2025-03-10T16:30"),  # Friday -> Monday
    # weeks and holidays
    ("2025-03-04T09:00", 10, "2025-03-18T09:00"),
    ("2025-04-03T09:00", 3, "2025-04-09T09:00"),  # skips the weekend and Giỗ Tổ 7/4
])
def test_working_day_deadlines(cal, received, days, expected):
    assert cal.due(at(received), days).isoformat() == iso(expected)
    assert cal.reference_due(at(received), days).isoformat() == iso(expected)


@pytest.mark.parametrize("received,expected,after_cutoff", [
    ("2025-03-04T10:00", "2025-03-04T17:00", False),
    ("2025-03-04T14:59", "2025-03-04T17:00", False),
    ("2025-03-04T15:00", "2025-03-04T17:00", False),  # at the cut-off: still today
    ("2025-03-04T15:00:01", "2025-03-05T17:00", True),  # "nhận sau 15 giờ"
    ("2025-03-04T16:59", "2025-03-05T17:00", True),
    ("2025-03-04T17:00", "2025-03-05T17:00", False),  # after closing: received at 07:00 next day
    ("2025-03-04T06:30", "2025-03-04T17:00", False),
    ("2025-03-04T12:15", "2025-03-04T17:00", False),  # lunch: counted from 13:30
    ("2025-03-08T16:00", "2025-03-10T17:00", False),  # Saturday afternoon -> Monday morning
    ("2025-03-07T15:30", "2025-03-10T17:00", True),  # Friday after the cut-off -> Monday
    ("2025-04-04T15:30", "2025-04-08T17:00", True),  # Friday before Giỗ Tổ (Mon 7/4) -> Tuesday
    ("2025-01-24T15:30", "2025-02-03T17:00", True),  # Friday before Tết 2025
    ("2025-01-24T14:00", "2025-01-24T17:00", False),
])
def test_same_day_procedures(cal, received, expected, after_cutoff):
    assert cal.due(at(received), 0).isoformat() == iso(expected)
    assert cal.reference_due(at(received), 0).isoformat() == iso(expected)
    explanation = deadlines.explain_due(at(received), 0, calendar=cal)
    assert explanation.rule == "same_day"
    assert explanation.after_cutoff is after_cutoff
    assert explanation.counted == ()


def test_same_day_can_be_later_than_half_a_day(cal):
    # Why "monotone in the number of days" only holds from 0.5 up.
    received = at("2025-03-04T09:00")
    assert cal.due(received, 0) > cal.due(received, "0.5")


def test_any_time_zone_in_and_vietnam_time_out(cal):
    received = datetime(2025, 1, 24, 2, 0, tzinfo=UTC)
    assert cal.due(received, 5).isoformat() == "2025-02-07T09:00:00+07:00"


@pytest.mark.parametrize("call", [
    lambda c: c.due(datetime(2025, 1, 24, 9), 5),
    lambda c: c.working_time_between(datetime(2025, 1, 24, 9), at("2025-01-25T09:00")),
    lambda c: c.next_opening(datetime(2025, 1, 24, 9)),
    lambda c: c.add_working_time(datetime(2025, 1, 24, 9), timedelta(hours=1)),
])
def test_naive_datetimes_are_rejected(cal, call):
    with pytest.raises(InvalidInput) as exc:
        call(cal)
    assert exc.value.code == "naive_datetime"


@pytest.mark.parametrize("days", [-1, "-0.5", "0.3", "1.25", "abc", "", "nan", "inf", 1001, True, None])
def test_bad_day_counts(cal, days):
    with pytest.raises(InvalidInput) as exc:
        cal.due(at("2025-01-24T09:00"), days)
    assert exc.value.code == "invalid_days"


@pytest.mark.parametrize("days", [0, "0", "0.5", "1,5", 2.5, Decimal("30"), 1000])
def test_good_day_counts(cal, days):
    cal.due(at("2025-01-24T09:00"), days)


def test_out_of_range_instants(cal):
    with pytest.raises(InvalidInput):
        cal.due(datetime(1999, 12, 31, 9, tzinfo=VN_TZ), 1)
    with pytest.raises(InvalidInput):
        cal.due(datetime(2101, 1, 3, 9, tzinfo=VN_TZ), 1)
    # the largest deadline from the last supported year still works
    assert cal.due(datetime(2100, 12, 31, 9, tzinfo=VN_TZ), 1000).year == 2104


def test_working_time_between(cal):
    wtb = cal.working_time_between
    assert wtb(at("2025-01-24T09:00"), at("2025-02-07T09:00")) == timedelta(hours=40)
    assert wtb(at("2025-03-04T11:00"), at("2025-03-04T14:00")) == timedelta(hours=1)  # lunch excluded
    assert wtb(at("2025-03-04T18:00"), at("2025-03-05T06:00")) == timedelta(0)
    assert wtb(at("2025-03-05T09:00"), at("2025-03-04T09:00")) == -timedelta(hours=8)
    assert wtb(at("2025-03-07T16:00"), at("2025-03-10T08:00")) == timedelta(hours=2)


def test_next_opening(cal):
    assert cal.next_opening(at("2025-03-04T09:15")) == at("2025-03-04T09:15")
    assert cal.next_opening(at("2025-03-04T06:00")) == at("2025-03-04T07:00")
    assert cal.next_opening(at("2025-03-04T11:30")) == at("2025-03-04T13:30")
    assert cal.next_opening(at("2025-03-04T17:00")) == at("2025-03-05T07:00")
    assert cal.next_opening(at("2025-01-24T17:30")) == at("2025-02-03T07:00")


def test_add_working_time_forwards_and_backwards(cal):
    add = cal.add_working_time
    assert add(at("2025-03-04T09:00"), timedelta(hours=3)) == at("2025-03-04T14:00")
    assert add(at("2025-03-04T09:00"), timedelta(hours=2, minutes=30)) == at("2025-03-04T11:30")
    # one working day before a due: for the apology letter
    assert add(at("2025-02-07T09:00"), -timedelta(hours=8)) == at("2025-02-06T09:00")
    assert add(at("2025-02-03T09:00"), -timedelta(hours=8)) == at("2025-01-24T09:00")
    # backwards, a boundary resolves to the latest instant: the opening
    assert add(at("2025-03-04T17:00"), -timedelta(hours=8)) == at("2025-03-04T07:00")
    assert add(at("2025-03-04T15:00"), -timedelta(hours=1, minutes=30)) == at("2025-03-04T13:30")
    assert add(at("2025-03-04T09:00"), timedelta(0)) == at("2025-03-04T09:00")


def test_other_office_hours():
    office = OfficeSchedule(time(7, 30), time(11, 30), time(13, 0), time(17, 0), time(16, 0))
    cal = WorkingCalendar([], office)
    received = at("2025-03-04T08:00")
    assert cal.due(received, 1) == at("2025-03-05T08:00")
    assert cal.due(received, "0.5") == at("2025-03-04T13:30")
    assert cal.due(at("2025-03-04T07:30"), "0.5") == at("2025-03-04T11:30")
    assert cal.due(at("2025-03-04T15:30"), 0) == at("2025-03-04T17:00")
    assert cal.due(at("2025-03-04T16:30"), 0) == at("2025-03-05T17:00")
    with pytest.raises(ValueError):
        OfficeSchedule(time(11), time(7))


def test_overrides_win_over_the_package():
    base = WorkingCalendar([])
    assert base.is_working_day(date(2025, 9, 2)) is False
    cal = WorkingCalendar([
        Override(date(2025, 9, 2), "working_day", "test"),
        Override(date(2025, 3, 5), "day_off", "CV 1/TEST", "Nghỉ thử"),
    ])
    assert cal.is_working_day(date(2025, 9, 2)) is True
    assert cal.due(at("2025-03-04T09:00"), 1) == at("2025-03-06T09:00")
    status = cal.day_status(date(2025, 3, 5))
    assert (status.source, status.reason, status.reference) == ("override", "Nghỉ thử", "CV 1/TEST")


def test_explanation_reasons(cal):
    # Friday 29/12/2023 -> Tuesday 2/1/2024: a Saturday, a Sunday and a package holiday.
    explanation = deadlines.explain_due(at("2023-12-29T09:00"), 1, calendar=cal)
    assert explanation.due == at("2024-01-02T09:00")
    skipped = [(s.date.isoformat(), s.source, s.reason, s.reference) for s in explanation.skipped]
    assert skipped == [
        ("2023-12-30", "weekend", "Thứ Bảy", ""),
        ("2023-12-31", "weekend", "Chủ Nhật", ""),
        ("2024-01-01", "holiday", "Tết Dương lịch", ""),
    ]
    text = explanation.as_text()
    assert "Tiếp nhận: 09:00 Thứ Sáu 29/12/2023" in text
    assert "Thứ Bảy 30/12/2023" in text and "Tết Dương lịch" in text
    assert "Hạn trả kết quả: 09:00 Thứ Ba 02/01/2024" in text
    data = explanation.as_dict()
    assert data["due"] == "2024-01-02T09:00:00+07:00"
    assert data["skipped_days"][2] == {"date": "2024-01-01", "weekday": "Thứ Hai",
                                       "source": "holiday", "reason": "Tết Dương lịch",
                                       "reference": ""}
    assert data["counted_days"][0]["hours"] == 6.0
    assert data["office_hours"]["daily_hours"] == 8.0


def test_explanation_of_an_override_and_of_a_same_day_procedure(cal):
    explanation = deadlines.explain_due(at("2025-12-31T16:00"), 0, calendar=cal)
    assert explanation.due == at("2026-01-05T17:00")
    assert explanation.after_cutoff
    first = explanation.skipped[0]
    assert (first.date, first.source, first.reference) == (date(2026, 1, 1), "override",
                                                           "CV 12729/VPCP-KGVX")
    text = explanation.as_text()
    assert "trong ngày" in text and "CV 12729/VPCP-KGVX" in text


def test_parse_instant():
    p = deadlines.parse_instant
    assert p("2025-01-24T09:00") == at("2025-01-24T09:00")
    assert p("2025-01-24 09:00") == at("2025-01-24T09:00")
    assert p("2025-01-24T02:00:00Z") == at("2025-01-24T09:00")
    assert p("2025-01-24T09:00:00 07:00") == at("2025-01-24T09:00")  # "+" lost in a URL
    assert p("2025-01-24") == at("2025-01-24T00:00")
    for bad in ["", "   ", "24/01/2025", "2025-13-01T09:00", "x" * 100]:
        with pytest.raises(InvalidInput):
            p(bad)


@pytest.mark.django_db
def test_module_api_uses_the_province_calendar():
    received = at("2025-01-24T09:00")
    assert deadlines.compute_due(received, 5) == at("2025-02-07T09:00")
    assert deadlines.working_time_between(received, at("2025-02-07T09:00")) == timedelta(hours=40)
    assert deadlines.add_working_time(received, timedelta(hours=40)) == at("2025-02-07T09:00")
    assert deadlines.next_opening(at("2025-01-25T09:00")) == at("2025-02-03T07:00")
    assert deadlines.is_working_day(date(2025, 1, 27)) is False
    assert deadlines.working_days_to_timedelta("1.5") == timedelta(hours=12)


def test_a_date_is_not_an_instant(cal):
    with pytest.raises(InvalidInput):
        cal.due(date(2025, 1, 24), 1)
    with pytest.raises(InvalidInput):
        cal.working_time_between(date(2025, 1, 24), at("2025-01-25T09:00"))


def test_add_working_days_on_dates(cal):
    awd = cal.add_working_days
    assert awd(date(2025, 1, 24), 1) == date(2025, 2, 3)  # over Tết 2025
    assert awd(date(2025, 1, 25), 1) == date(2025, 2, 3)  # from a day off
    assert awd(date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert awd(date(2026, 1, 9), 1) == date(2026, 1, 10)  # worked Saturday
    assert awd(date(2025, 3, 4), 5) == date(2025, 3, 11)
    assert awd(date(2025, 2, 3), -1) == date(2025, 1, 24)
    assert awd(date(2025, 2, 1), -1) == date(2025, 1, 24)
    assert awd(date(2025, 3, 4), 0) == date(2025, 3, 4)
    for bad in [(date(2025, 3, 4), 1.5), (date(2025, 3, 4), True), (at("2025-03-04T09:00"), 1)]:
        with pytest.raises(InvalidInput):
            awd(*bad)
