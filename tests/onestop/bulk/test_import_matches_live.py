"""Imported histories are classified exactly like the same histories played live."""

import pytest

from cchc.onestop.importer import import_dossiers
from cchc.onestop.models import Dossier, Timeliness
from tests.onestop.bulk.conftest import HISTORIES, import_line, play_live

pytestmark = pytest.mark.django_db

FIELDS = [
    "status", "channel", "submitted_at", "received_at", "legal_days", "due_at", "due_explanation",
    "supplement_count", "paused_since", "paused_seconds", "finished_at", "returned_at",
    "timeliness", "apology_issued_at", "apology_reason", "apology_new_due_at",
    "current_agency_id", "current_role", "result_note", "version", "request", "sets",
    "procedure_id", "procedure_version_id", "unit_id", "receiving_agency_id",
    "applicant_name", "applicant_id_number", "applicant_phone", "applicant_email",
    "applicant_address",
]
STEP_FIELDS = ["position", "name", "role", "agency_id", "budget_seconds", "started_at", "due_at",
               "finished_at", "result", "note"]


def _events(dossier):
    rows = []
    for event in dossier.events.order_by("at", "id"):
        data = {k: v for k, v in event.data.items() if k not in ("imported", "type")}
        rows.append((event.action, event.at, event.status_before, event.status_after, event.note,
                     data))
    return rows


def _steps(dossier):
    return [tuple(getattr(step, name) for name in STEP_FIELDS)
            for step in dossier.steps.order_by("started_at", "id")]


@pytest.mark.parametrize("history", HISTORIES, ids=[h[0] for h in HISTORIES])
def test_imported_dossier_agrees_with_the_live_one_field_by_field(world, write_lines, history):
    _name, channel, procedure, received, events = history
    live = play_live(world, channel, procedure, received, events)
    report = import_dossiers(write_lines([import_line(world, channel, procedure, received, events)]))
    assert (report.loaded, report.rejected, report.errors) == (1, 0, [])
    imported = Dossier.objects.get(imported=True)
    assert not live.imported
    differences = {name: (getattr(live, name), getattr(imported, name)) for name in FIELDS
                   if getattr(live, name) != getattr(imported, name)}
    assert differences == {}
    assert _steps(imported) == _steps(live)
    assert (imported.current_step and imported.current_step.position) == (
        live.current_step and live.current_step.position)
    assert _events(imported) == _events(live)
    assert all(e.actor_id is None and e.data["imported"] is True for e in imported.events.all())
    assert hasattr(imported, "rating") == hasattr(live, "rating")
    if hasattr(live, "rating"):
        assert (imported.rating.level, imported.rating.comment, imported.rating.at) == (
            live.rating.level, live.rating.comment, live.rating.at)
    # Both codes come from the desk's counter for the same day, one after the other.
    assert imported.code[:-4] == live.code[:-4]
    assert int(imported.code[-4:]) == int(live.code[-4:]) + 1


def test_the_2024_calendar_is_what_the_rules_say(world, write_lines):
    """A few dues and pauses worked out by hand from RULES.md §6 (2024 schedule)."""
    lines = [import_line(world, *h[1:]) for h in HISTORIES]
    report = import_dossiers(write_lines(lines))
    assert report.loaded == len(HISTORIES)
    by_received = {d.submitted_at.astimezone(world_tz()).strftime("%Y-%m-%d %H:%M"): d
                   for d in Dossier.objects.all()}
    tet = by_received["2024-02-07 09:00"]
    # Wed 7/2 6 h; Tết 8/2-14/2; 15, 16, 19, 20/2 32 h; Wed 21/2 2 h.
    assert tet.due_at.astimezone(world_tz()).strftime("%Y-%m-%d %H:%M") == "2024-02-21 09:00"
    assert {"2024-02-08", "2024-02-14"} <= {d["date"] for d in tet.due_explanation["skipped_days"]}
    assert tet.timeliness == Timeliness.EARLY
    paused = by_received["2024-02-06 14:00"]
    assert paused.paused_seconds == 7 * 3600  # 7/2 10:00-11:30, 13:30-17:00 (5 h) + 15/2 07:00-09:00
    may = by_received["2024-04-25 10:00"]
    # Thu 25/4 5 h, Fri 26/4 8 h, 27/4-1/5 off, 2/5 and 3/5 16 h, Sat 4/5 (worked) 8 h, Mon 6/5 3 h.
    assert may.due_at.astimezone(world_tz()).strftime("%Y-%m-%d %H:%M") == "2024-05-06 10:00"
    assert may.timeliness == Timeliness.LATE
    saturday = by_received["2024-05-04 09:00"]
    assert saturday.due_explanation["counted_days"][0]["date"] == "2024-05-04"
    same_day = by_received["2024-04-26 15:30"]
    assert same_day.due_at.astimezone(world_tz()).strftime("%Y-%m-%d %H:%M") == "2024-05-02 17:00"
    assert by_received["2024-03-04 08:00"].timeliness == Timeliness.LATE  # two supplements
    assert by_received["2024-05-06 09:00"] is not None


def world_tz():
    from cchc.workcal.calendar import VN_TZ

    return VN_TZ
