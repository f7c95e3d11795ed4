"""The civil-servant schedules of RULES §6 (2023-2026), checked through ``cchc due``.

The expectations below are written from RULES, not from the shipped data file.
Each test runs against the migrated database and against the shipped file (the
calendar of an unmigrated installation).
"""

import re
from datetime import date, timedelta

import holidays
import pytest

from cchc.workcal import deadlines, selectors
from cchc.workcal.schedules import load_shipped_overrides

from .conftest import run_due, run_due_json

# (first day off, last day off, last working day before, first working day after)
OFF_RANGES = [
    ("2023-01-20", "2023-01-26", "2023-01-19", "2023-01-27"),  # Tết Quý Mão
    ("2023-04-29", "2023-05-03", "2023-04-28", "2023-05-04"),
    ("2023-09-01", "2023-09-04", "2023-08-31", "2023-09-05"),
    ("2024-02-08", "2024-02-14", "2024-02-07", "2024-02-15"),  # Tết Giáp Thìn
    ("2024-04-27", "2024-05-01", "2024-04-26", "2024-05-02"),
    ("2024-08-31", "2024-09-03", "2024-08-30", "2024-09-04"),
    ("2025-01-25", "2025-02-02", "2025-01-24", "2025-02-03"),  # Tết Ất Tỵ
    ("2025-04-07", "2025-04-07", "2025-04-04", "2025-04-08"),  # Giỗ Tổ
    ("2025-04-30", "2025-05-04", "2025-04-29", "2025-05-05"),
    ("2025-08-30", "2025-09-02", "2025-08-29", "2025-09-03"),
    ("2026-01-01", "2026-01-04", "2025-12-31", "2026-01-05"),  # CV 12729/VPCP-KGVX
    ("2026-02-14", "2026-02-22", "2026-02-13", "2026-02-23"),  # Tết Bính Ngọ
    ("2026-04-26", "2026-04-27", "2026-04-24", "2026-04-28"),  # Giỗ Tổ (Sunday) + Monday
    ("2026-04-30", "2026-05-03", "2026-04-29", "2026-05-04"),
    ("2026-08-29", "2026-09-02", "2026-08-28", "2026-09-03"),
]

# (worked Saturday, the Friday before it)
WORKED_SATURDAYS = [
    ("2024-05-04", "2024-05-03"),
    ("2025-04-26", "2025-04-25"),
    ("2026-01-10", "2026-01-09"),
    ("2026-08-22", "2026-08-21"),
]


def _days(first: str, last: str):
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    while day <= end:
        yield day
        day += timedelta(days=1)


EVERY_DAY_OFF = [
    (day, before, after)
    for first, last, before, after in OFF_RANGES
    for day in _days(first, last)
]


@pytest.fixture(params=["database", "shipped"])
def calendar_source(request):
    if request.param == "shipped":
        request.getfixturevalue("shipped_only")
    else:
        request.getfixturevalue("db")
    return request.param


def test_the_table_above_is_what_rules_says():
    assert len(EVERY_DAY_OFF) == 16 + 16 + 19 + 24
    assert all(date.fromisoformat(s).weekday() == 5 for s, _ in WORKED_SATURDAYS)


@pytest.mark.parametrize("first,last,before,after", OFF_RANGES)
def test_one_day_from_the_day_before_skips_the_whole_range(calendar_source, first, last, before, after):
    assert run_due(f"{before}T09:00", 1) == f"{after}T09:00:00+07:00"
    # Received at closing time the day before: the count starts at the next opening.
    assert run_due(f"{before}T17:00", 1) == f"{after}T17:00:00+07:00"
    # A same-day procedure received after the cut-off the day before.
    assert run_due(f"{before}T15:30", 0) == f"{after}T17:00:00+07:00"


@pytest.mark.parametrize("day,before,after", EVERY_DAY_OFF, ids=[str(d[0]) for d in EVERY_DAY_OFF])
def test_every_listed_day_off(calendar_source, day, before, after):
    assert deadlines.is_working_day(day) is False
    result = run_due_json(f"{day.isoformat()}T10:00", "0.5")
    explanation = result["explanation"]
    assert result["due"] == f"{after}T11:00:00+07:00"
    assert explanation["effective_start"] == f"{after}T07:00:00+07:00"
    skipped = {s["date"]: s for s in explanation["skipped_days"]}
    assert day.isoformat() in skipped
    assert skipped[day.isoformat()]["reference"]  # every listed day cites its letter
    assert explanation["calendar_source"] == calendar_source


@pytest.mark.parametrize("saturday,friday", WORKED_SATURDAYS)
def test_every_worked_saturday(calendar_source, saturday, friday):
    assert deadlines.is_working_day(date.fromisoformat(saturday)) is True
    assert run_due(f"{friday}T09:00", 1) == f"{saturday}T09:00:00+07:00"
    assert run_due(f"{friday}T16:00", "0.5") == f"{saturday}T10:00:00+07:00"
    assert run_due(f"{saturday}T09:00", 0) == f"{saturday}T17:00:00+07:00"
    assert run_due(f"{friday}T15:30", 0) == f"{saturday}T17:00:00+07:00"
    counted = [c["date"] for c in run_due_json(f"{friday}T09:00", 1)["explanation"]["counted_days"]]
    assert counted == [friday, saturday]


def test_new_year_2026_where_the_package_alone_is_wrong(calendar_source):
    package = holidays.VN(years=2026)
    assert date(2026, 1, 2) not in package  # the package has 1/1/2026 only
    assert deadlines.is_working_day(date(2026, 1, 2)) is False
    assert deadlines.is_working_day(date(2026, 1, 10)) is True
    result = run_due_json("2025-12-31T09:00", 1)
    assert result["due"] == "2026-01-05T09:00:00+07:00"
    refs = {s["date"]: s["reference"] for s in result["explanation"]["skipped_days"]}
    assert refs["2026-01-02"] == "CV 12729/VPCP-KGVX"
    assert run_due("2026-01-09T09:00", 1) == "2026-01-10T09:00:00+07:00"


def test_statutory_holidays_not_in_the_letters_come_from_the_package(calendar_source):
    # 1/1/2024 and Giỗ Tổ 18/4/2024 are not in the schedule list but are days off by law.
    assert deadlines.is_working_day(date(2024, 1, 1)) is False
    assert deadlines.is_working_day(date(2024, 4, 18)) is False
    assert run_due("2024-04-17T09:00", 1) == "2024-04-19T09:00:00+07:00"


@pytest.mark.django_db
def test_the_migration_loaded_exactly_the_shipped_file():
    from cchc.workcal.models import CalendarOverride

    shipped = {(o.date, o.kind, o.reference, o.note) for o in load_shipped_overrides()}
    loaded = set(CalendarOverride.objects.values_list("date", "kind", "reference", "note"))
    assert loaded == shipped
    assert {d.year for d, *_ in loaded} == {2023, 2024, 2025, 2026}
    assert selectors.get_calendar().source == "database"


def test_the_shipped_file_covers_the_rules_and_invents_no_letter_number():
    shipped = {o.date: o for o in load_shipped_overrides()}
    for day, _before, _after in EVERY_DAY_OFF:
        assert shipped[day].kind == "day_off"
    for saturday, _friday in WORKED_SATURDAYS:
        assert shipped[date.fromisoformat(saturday)].kind == "working_day"
    assert len(shipped) == len(EVERY_DAY_OFF) + len(WORKED_SATURDAYS)
    # A letter number looks like "12729/VPCP-KGVX"; "2/9" in a description is a date.
    numbered = {o.reference for o in shipped.values() if re.search(r"\d+/[A-ZĐ]", o.reference)}
    assert numbered == {"CV 12729/VPCP-KGVX"}
    assert {d for d, o in shipped.items() if o.reference == "CV 12729/VPCP-KGVX"} == {
        date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 4), date(2026, 1, 10)
    }
