"""The official civil-servant schedules shipped with the software (``data/official_schedules.json``).

The data migration copies them into ``CalendarOverride``; after that the database is
authoritative (an admin may correct a reference or add a year). Before the database is
migrated, the calendar reads this file directly.
"""

import json
from datetime import date, timedelta
from pathlib import Path

from .calendar import DAY_OFF, WORKING_DAY, Override

SHIPPED_SCHEDULES = Path(__file__).resolve().parent / "data" / "official_schedules.json"


def load_shipped_overrides(years=None, path: Path = SHIPPED_SCHEDULES) -> list[Override]:
    """One ``Override`` per date of the shipped schedules (optionally only ``years``)."""
    with open(path, encoding="utf-8") as fh:
        entries = json.load(fh)["schedules"]
    wanted = set(years) if years is not None else None
    result: dict[date, Override] = {}
    for entry in entries:
        if wanted is not None and entry["year"] not in wanted:
            continue
        kind = entry["kind"]
        if kind not in (DAY_OFF, WORKING_DAY):
            raise ValueError(f"unknown kind {kind!r} in {path}")
        first = date.fromisoformat(entry["from"])
        last = date.fromisoformat(entry.get("to") or entry["from"])
        if last < first:
            raise ValueError(f"range {first}..{last} is reversed in {path}")
        day = first
        while day <= last:
            if day in result:
                raise ValueError(f"{day} is listed twice in {path}")
            result[day] = Override(day, kind, entry["reference"], entry.get("note", ""))
            day += timedelta(days=1)
    return [result[d] for d in sorted(result)]
