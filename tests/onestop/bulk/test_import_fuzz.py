"""Malformed lines: never a traceback, always an error that names the line."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.onestop.importer import EVENT_ACTIONS, import_dossiers
from tests.onestop.bulk.conftest import HISTORIES, import_line

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children,
                                                                       max_size=4),
    max_leaves=12,
)
instants = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["2024-02-07T09:00:00+07:00", "2024-02-07", "2024-02-30T09:00", "9999-12-31T23:59:59-23:59",
                     "0001-01-01T00:00:00+14:00", "2024-02-07T25:00", "", "yesterday"]),
    json_values,
)
events = st.lists(st.fixed_dictionaries(
    {"type": st.sampled_from(list(EVENT_ACTIONS)) | json_values, "at": instants},
    optional={"reason": json_values, "documents": json_values, "amount": json_values,
              "new_due_at": instants, "rating": json_values, "x": json_values}), max_size=6)


def _check(report, lines):
    assert report.lines == len(lines)
    assert report.loaded + report.rejected == len(lines)
    rejected_lines = {e.line for e in report.errors}
    assert len(rejected_lines) == report.rejected
    for error in report.errors:
        assert 1 <= error.line <= len(lines)
        assert error.message.strip()
        assert str(error).startswith(f"Dòng {error.line}")


@FUZZ
@given(lines=st.lists(st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=60),
                      min_size=1, max_size=5))
def test_arbitrary_text(world, lines):
    report = import_dossiers(lines, skip_bad=True)
    _check(report, lines)


@FUZZ
@given(values=st.lists(json_values, min_size=1, max_size=5))
def test_arbitrary_json(world, values):
    lines = [json.dumps(v) for v in values]
    report = import_dossiers(lines, skip_bad=True)
    _check(report, lines)


@FUZZ
@given(data=st.data())
def test_mutated_valid_lines(world, data):
    base = json.loads(import_line(world, *HISTORIES[1][1:]))
    lines = []
    for _ in range(data.draw(st.integers(1, 4))):
        line = dict(base)
        for key in data.draw(st.lists(st.sampled_from(sorted(base) + ["code", "due_at"]), max_size=3)):
            choice = data.draw(st.integers(0, 3))
            if choice == 0:
                line.pop(key, None)
            elif choice == 1:
                line[key] = data.draw(json_values)
            elif choice == 2:
                line[key] = data.draw(instants)
            else:
                line[key] = data.draw(events)
        if data.draw(st.booleans()):
            line["events"] = data.draw(events)
        lines.append(json.dumps(line, ensure_ascii=False))
    report = import_dossiers(lines, skip_bad=True)
    _check(report, lines)
    strict = import_dossiers(lines)
    assert strict.committed == (strict.rejected == 0)
