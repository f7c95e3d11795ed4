"""The per-unit, per-day rollup of the timeliness report: a report read through it gives the
same numbers as counted live, for every grouping it serves (unit, as was and successors, at
every level, scoped), with the days after the rollup, dossiers created after it with old
dates (an import), and a dossier finished on the rollup's "today"; the command is idempotent."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.onestop import services as onestop
from cchc.reports.models import TimelinessDay, TimelinessRollup
from cchc.reports.selectors import Filters, Period, timeliness_report
from cchc.reports.services import rollup_timeliness
from tests.reports.oracle import History, local, period_ends, play
from tests.reports.test_timeliness import PERIODS, compare, random_histories, scenarios

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 5, 7)  # the rollup covers every day up to 6/5/2026
CHECKED = [*PERIODS, (D(2026, 5, 6), D(2026, 5, 7)), (D(2026, 5, 7), D(2026, 5, 31)),
           (D(2025, 6, 1), D(2025, 7, 31)), (D(2026, 4, 1), D(2026, 5, 6))]


def read_rollup(filters) -> bool:
    with CaptureQueriesContext(connection) as queries:
        timeliness_report(filters)
    return any("reports_timelinessday" in q["sql"] for q in queries.captured_queries)


def assert_same(rw, periods=CHECKED):
    users = (None, rw.home_affairs, rw.other_leader, rw.district_leader)
    for start, end in periods:
        for user in users:
            for mode, level in (("as_was", None), ("as_was", "district"), ("as_was", "province"),
                                ("successors", None), ("successors", "commune")):
                filters = Filters(period=Period(start, end), user=user, mode=mode, level=level)
                rolled, live = timeliness_report(filters), timeliness_report(filters, rollup=False)
                assert [(r.key, r.counts) for r in rolled.rows] == [(r.key, r.counts) for r in live.rows], \
                    (start, end, user, mode, level)
                assert not rolled.totals.invariant_errors()


def reorganisation(rw):
    w, five = rw.w, rw.w.five_days
    return [
        History(rw.district_desk, five, [("2025-06-10 09:00", "receive", None)]),
        History(rw.district_desk, five, [("2025-06-20 09:00", "receive", None),
                                         *[("2025-07-02 09:00", a, None) for a in ("transfer", "transfer", "approve")]]),
        History(rw.old_commune_desk, five, [("2025-06-25 09:00", "receive", None),
                                            *[("2025-06-27 09:00", a, None) for a in ("transfer", "transfer", "approve")]]),
        History(w.desk, five, [("2025-07-01 09:00", "receive", None)]),
    ]


def test_rollup_and_live_give_the_same_numbers(rw):
    histories = scenarios(rw) + random_histories(rw, 40) + reorganisation(rw)
    play(histories, period_ends(CHECKED))
    result = rollup_timeliness(today=TODAY)
    assert result.through_day == D(2026, 5, 6) and result.rows > 0
    assert TimelinessRollup.objects.get().dossier_mark == max(h.dossier.pk for h in histories)
    assert read_rollup(Filters(period=Period(D(2026, 1, 1), D(2026, 12, 31))))
    assert_same(rw)
    # The oracle agrees too (classify at each period end), through the rollup.
    for period in PERIODS:
        compare(histories, period)


def test_field_and_procedure_stay_live(rw):
    play(scenarios(rw), [])
    rollup_timeliness(today=TODAY)
    for group in ("field", "procedure"):
        filters = Filters(period=Period(D(2026, 1, 1), D(2026, 12, 31)), group=group)
        assert not read_rollup(filters)


def test_rows_created_after_the_rollup_and_a_dossier_finished_today(rw):
    w = rw.w
    open_one = History(w.desk, w.five_days, [("2026-05-04 09:00", "receive", None)])
    play(scenarios(rw) + [open_one], [])
    rollup_timeliness(today=TODAY)
    before = timeliness_report(Filters(period=Period(D(2026, 4, 1), D(2026, 5, 6))))
    # An import after the rollup: old dates on closed days, new ids above the mark.
    imported = [
        History(w.other_desk, w.five_days, [("2026-04-06 09:00", "receive", None),
                                            *[("2026-04-20 09:00", a, None) for a in ("transfer", "transfer", "approve")]]),
        History(w.desk, rw.certify, [("2026-03-30 09:00", "receive", None),
                                     *[("2026-04-02 09:00", a, None) for a in ("transfer", "transfer", "approve")]]),
        History(w.desk, w.five_days, [("2026-04-29 10:00", "submit", None), ("2026-04-29 11:00", "accept", None)],
                channel=2),
    ]
    play(imported, [])
    # A dossier received before the rollup, finished on its "today" (the services stamp now).
    for action in (onestop.transfer_dossier, onestop.transfer_dossier, onestop.approve_dossier):
        action(open_one.dossier, actor=None, at=local("2026-05-07 10:00"))
    after = timeliness_report(Filters(period=Period(D(2026, 4, 1), D(2026, 5, 6))))
    assert after.totals.received == before.totals.received + 3
    assert after.totals.resolved == before.totals.resolved + 2
    assert_same(rw)
    # The next rollup takes them in (the touched days are counted again) and the numbers stay.
    rows = rollup_timeliness(today=TODAY + datetime.timedelta(days=1))
    assert rows.days >= 3
    assert TimelinessDay.objects.filter(day=D(2026, 5, 7), unit=w.commune, on_time=1).exists()
    assert_same(rw)


def test_the_command_is_idempotent(rw):
    play(scenarios(rw) + reorganisation(rw), [])
    out = io.StringIO()
    call_command("report", "rollup", stdout=out, stderr=io.StringIO())
    assert "2026" in out.getvalue()
    first = sorted(TimelinessDay.objects.values_list("day", "unit_id", "online", "direct_postal",
                                                     "on_time", "late", "unclassified"))
    state = TimelinessRollup.objects.values_list("through_day", "dossier_mark").get()
    call_command("report", "rollup", stdout=io.StringIO(), stderr=io.StringIO())
    assert sorted(TimelinessDay.objects.values_list("day", "unit_id", "online", "direct_postal",
                                                    "on_time", "late", "unclassified")) == first
    assert TimelinessRollup.objects.values_list("through_day", "dossier_mark").get() == state
    again = rollup_timeliness()
    assert again.days == 0 and again.rows == 0
    call_command("report", "rollup", "--rebuild", stdout=io.StringIO(), stderr=io.StringIO())
    assert sorted(TimelinessDay.objects.values_list("day", "unit_id", "online", "direct_postal",
                                                    "on_time", "late", "unclassified")) == first
    assert_same(rw, [(D(2025, 1, 1), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 12, 31))])


def test_the_task_runs_the_rollup(rw):
    from cchc.reports.tasks import rollup_timeliness as task

    play(scenarios(rw), [])
    result = task.enqueue()
    assert "row(s)" in str(result.return_value)
    assert TimelinessRollup.objects.exists()
