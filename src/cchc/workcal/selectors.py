"""Reads of the working calendar, and the per-process cache of the ``WorkingCalendar``.

Cache: one calendar per process, dropped at once by the post_save/post_delete signals of
this process (see ``signals.py``). Other processes (gunicorn workers, a CLI next to the
server) notice a change through a cheap version read (row count, max id and max
``updated_at`` of both tables) done at most every ``VERSION_CHECK_SECONDS``; so an edit
reaches every process within that many seconds. Bulk ``QuerySet.update()`` does not
touch ``updated_at``: use the services (or the admin), which save row by row.

Before the database is migrated (a fresh data directory: the table does not exist, or
the SQLite file is not even there) the calendar is built from the shipped schedules and
the default office hours, without touching the disk; likewise, with a warning in the
log, when the database cannot be reached. ``WorkingCalendar.source`` (and every
explanation) says which: "database" or "shipped". The version check costs two small
aggregate queries and a table listing every ``VERSION_CHECK_SECONDS`` per process.
"""

from __future__ import annotations

import logging
import threading
import time as time_module
from pathlib import Path

from django.db import DatabaseError, connections, router
from django.db.models import Count, Max

from .calendar import OfficeSchedule, Override, WorkingCalendar
from .models import CalendarOverride, OfficeHours
from .schedules import load_shipped_overrides

logger = logging.getLogger(__name__)

VERSION_CHECK_SECONDS = 5.0

SOURCE_DATABASE = "database"
SOURCE_SHIPPED = "shipped"

_lock = threading.Lock()
_cached: WorkingCalendar | None = None
_cached_version = None
_checked_at = 0.0


def _connection():
    return connections[router.db_for_read(CalendarOverride)]


def database_has_calendar() -> bool:
    """Whether the calendar tables exist (False on a fresh, unmigrated data directory)."""
    connection = _connection()
    name = str(connection.settings_dict.get("NAME") or "")
    if (
        connection.vendor == "sqlite"
        and name
        and name != ":memory:"
        and not name.startswith("file:")
        and not Path(name).exists()
    ):
        return False  # connecting would create an empty database file
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as exc:
        logger.warning("workcal: database unavailable (%s); using the shipped schedules", exc)
        return False
    return (
        CalendarOverride._meta.db_table in tables and OfficeHours._meta.db_table in tables
    )


def _read_version():
    if not database_has_calendar():
        return (SOURCE_SHIPPED,)
    overrides = CalendarOverride.objects.aggregate(n=Count("id"), m=Max("id"), u=Max("updated_at"))
    hours = OfficeHours.objects.aggregate(n=Count("id"), u=Max("updated_at"))
    return (SOURCE_DATABASE, overrides["n"], overrides["m"], overrides["u"], hours["n"], hours["u"])


def office_schedule() -> OfficeSchedule:
    row = OfficeHours.objects.filter(pk=1).first()
    if row is None:
        return OfficeSchedule()
    return office_schedule_from(row)


def office_schedule_from(row: OfficeHours) -> OfficeSchedule:
    return OfficeSchedule(
        morning_start=row.morning_start,
        morning_end=row.morning_end,
        afternoon_start=row.afternoon_start,
        afternoon_end=row.afternoon_end,
        same_day_cutoff=row.same_day_cutoff,
    )


def _build(version) -> WorkingCalendar:
    if version[0] == SOURCE_SHIPPED:
        return WorkingCalendar(load_shipped_overrides(), OfficeSchedule(), source=SOURCE_SHIPPED)
    overrides = [
        Override(o.date, o.kind, o.reference, o.note)
        for o in CalendarOverride.objects.order_by("date")
    ]
    return WorkingCalendar(overrides, office_schedule(), source=SOURCE_DATABASE)


def get_calendar() -> WorkingCalendar:
    """The province's working calendar (cached per process, see the module docstring)."""
    global _cached, _cached_version, _checked_at
    calendar = _cached
    now = time_module.monotonic()
    if calendar is not None and now - _checked_at < VERSION_CHECK_SECONDS:
        return calendar
    with _lock:
        # Version first, rows second: a write in between makes the next check rebuild.
        version = _read_version()
        if _cached is not None and version == _cached_version:
            _checked_at = now
            return _cached
        calendar = _build(version)
        _cached, _cached_version, _checked_at = calendar, version, now
        return calendar


def invalidate_calendar() -> None:
    global _cached, _cached_version, _checked_at
    with _lock:
        _cached, _cached_version, _checked_at = None, None, 0.0


def shipped_calendar() -> WorkingCalendar:
    """The calendar of the shipped schedules and default office hours (no database)."""
    return WorkingCalendar(load_shipped_overrides(), OfficeSchedule(), source=SOURCE_SHIPPED)


def overrides_of_year(year: int):
    return CalendarOverride.objects.filter(date__year=year).order_by("date")


def year_overview(year: int, calendar: WorkingCalendar | None = None) -> dict:
    """Days off (other than ordinary weekends) and worked days of ``year``, with reasons."""
    calendar = calendar or get_calendar()
    special = calendar.special_days(year)
    return {
        "year": year,
        "days_off": [d for d in special if not d.working],
        "working_days": [d for d in special if d.working],
        "source": calendar.source,
    }
