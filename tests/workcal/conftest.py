import io
import json

import pytest
from django.core.management import call_command

from cchc.workcal import selectors


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The calendar is cached per process; each test starts and ends without it."""
    selectors.invalidate_calendar()
    yield
    selectors.invalidate_calendar()


def run_due(received: str, days, *extra: str) -> str:
    out = io.StringIO()
    call_command("due", "--received", received, "--days", str(days), *extra, stdout=out)
    return out.getvalue().strip()


def run_due_json(received: str, days) -> dict:
    return json.loads(run_due(received, days, "--json"))


@pytest.fixture
def shipped_only(monkeypatch):
    """Pretend the database is not migrated: the calendar must come from the shipped file."""
    monkeypatch.setattr(selectors, "database_has_calendar", lambda: False)
    selectors.invalidate_calendar()
