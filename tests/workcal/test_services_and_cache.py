from datetime import date, datetime, time, timedelta

import pytest

from cchc.errors import InvalidInput
from cchc.workcal import deadlines, selectors, services
from cchc.workcal.calendar import VN_TZ
from cchc.workcal.models import CalendarOverride, OfficeHours

from .conftest import run_due

pytestmark = pytest.mark.django_db


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def test_an_override_edit_invalidates_the_cache_at_once():
    before = selectors.get_calendar()
    assert selectors.get_calendar() is before  # cached
    assert run_due("2025-03-04T09:00", 1) == "2025-03-05T09:00:00+07:00"
    services.set_override(date(2025, 3, 5), "day_off", "QĐ 99/QĐ-UBND (thử)", "Nghỉ đột xuất")
    after = selectors.get_calendar()
    assert after is not before
    assert after.is_working_day(date(2025, 3, 5)) is False
    assert run_due("2025-03-04T09:00", 1) == "2025-03-06T09:00:00+07:00"
    assert services.remove_override(date(2025, 3, 5)) is True
    assert services.remove_override(date(2025, 3, 5)) is False
    assert run_due("2025-03-04T09:00", 1) == "2025-03-05T09:00:00+07:00"


def test_editing_a_shipped_reference_keeps_history():
    override = CalendarOverride.objects.get(date=date(2025, 1, 27))
    override.reference = "CV 0000/TEST"  # an admin corrects the reference
    services.save_override(override)
    explanation = deadlines.explain_due(at("2025-01-24T09:00"), 1)
    assert {s.date: s.reference for s in explanation.skipped}[date(2025, 1, 27)] == "CV 0000/TEST"
    assert override.history.count() == 1  # the data migration writes no history; the edit does
    assert override.history.first().history_type == "~"


def test_another_process_notices_a_change_through_the_version_check(monkeypatch):
    calendar = selectors.get_calendar()
    # bulk_create sends no signal: as if another process had written the row.
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(date=date(2025, 3, 5), kind="day_off", reference="x")]
    )
    assert selectors.get_calendar() is calendar  # within the check interval: still cached
    monkeypatch.setattr(selectors, "_checked_at", -1e9)  # the interval has passed
    fresh = selectors.get_calendar()
    assert fresh is not calendar and fresh.is_working_day(date(2025, 3, 5)) is False
    monkeypatch.setattr(selectors, "_checked_at", -1e9)
    assert selectors.get_calendar() is fresh  # nothing changed: no rebuild


def test_office_hours_change_invalidates_and_changes_the_arithmetic():
    assert run_due("2025-03-04T07:30", "0.5") == "2025-03-04T11:30:00+07:00"
    services.update_office_hours(morning_start=time(7, 30), afternoon_end=time(17, 30))
    assert selectors.get_calendar().office.morning_start == time(7, 30)
    assert run_due("2025-03-04T07:30", "0.5") == "2025-03-04T11:30:00+07:00"
    assert run_due("2025-03-04T07:30", 1) == "2025-03-04T17:30:00+07:00"
    assert OfficeHours.objects.get().history.count() == 1


def test_office_hours_are_validated():
    with pytest.raises(InvalidInput):
        services.update_office_hours(morning_end=time(14, 0))
    with pytest.raises(InvalidInput):
        services.update_office_hours(same_day_cutoff=time(18, 0))
    with pytest.raises(InvalidInput):
        services.update_office_hours(lunch=time(12, 0))


def test_office_hours_default_without_a_row():
    OfficeHours.objects.all().delete()
    assert selectors.office_schedule().daily == 8 * 3600 * 10**6


def test_set_override_validates():
    with pytest.raises(InvalidInput) as exc:
        services.set_override(date(2025, 3, 5), "day_off", "   ")
    assert exc.value.code == "missing_reference"
    with pytest.raises(InvalidInput):
        services.set_override(date(2025, 3, 5), "holiday", "x")
    with pytest.raises(InvalidInput):
        services.set_override(date(1990, 3, 5), "day_off", "x")


class TestCulturalDay:
    """24/11: shipped without an override, so the package decides (off from 2026)."""

    def test_default(self):
        assert CalendarOverride.objects.filter(date__month=11, date__day=24).count() == 0
        assert deadlines.is_working_day(date(2026, 11, 24)) is False
        assert deadlines.is_working_day(date(2025, 11, 24)) is True
        assert run_due("2026-11-23T09:00", 1) == "2026-11-25T09:00:00+07:00"

    def test_switch_off_and_on(self):
        services.set_cultural_day(2026, False, "CV 1/TEST: làm việc bình thường")
        assert deadlines.is_working_day(date(2026, 11, 24)) is True
        assert run_due("2026-11-23T09:00", 1) == "2026-11-24T09:00:00+07:00"
        status = selectors.get_calendar().day_status(date(2026, 11, 24))
        assert (status.source, status.reference) == ("override", "CV 1/TEST: làm việc bình thường")
        services.set_cultural_day(2026, True, "CV 2/TEST")
        assert deadlines.is_working_day(date(2026, 11, 24)) is False
        assert run_due("2026-11-23T09:00", 1) == "2026-11-25T09:00:00+07:00"
        override = CalendarOverride.objects.get(date=date(2026, 11, 24))
        assert [h.kind for h in override.history.all()] == ["day_off", "working_day"]

    def test_a_year_where_the_package_does_not_have_it(self):
        services.set_cultural_day(2025, True, "CV 3/TEST")
        assert deadlines.is_working_day(date(2025, 11, 24)) is False
        assert run_due("2025-11-21T09:00", 1) == "2025-11-25T09:00:00+07:00"

    def test_on_a_weekend_with_the_package_compensating_day(self):
        # 24/11/2029 is a Saturday; the package gives Monday 26/11 off in compensation.
        assert deadlines.is_working_day(date(2029, 11, 26)) is False
        services.set_cultural_day(2029, False, "CV 4/TEST")
        assert deadlines.is_working_day(date(2029, 11, 24)) is False  # still a Saturday
        assert deadlines.is_working_day(date(2029, 11, 26)) is True
        assert not CalendarOverride.objects.filter(date=date(2029, 11, 24)).exists()
        services.set_cultural_day(2029, True, "CV 5/TEST")
        assert deadlines.is_working_day(date(2029, 11, 26)) is False

    def test_bad_input(self):
        with pytest.raises(InvalidInput):
            services.set_cultural_day(1800, True, "x")
        with pytest.raises(InvalidInput):
            services.set_cultural_day(2026, True, "")


def test_working_time_between_for_a_paused_interval():
    received = at("2025-01-24T09:00")
    paused_from, paused_to = at("2025-02-03T09:00"), at("2025-02-04T09:00")
    pause = deadlines.working_time_between(paused_from, paused_to)
    assert pause == timedelta(hours=8)
    assert deadlines.add_working_time(deadlines.compute_due(received, 5), pause) == at("2025-02-10T09:00")
