"""The dashboard's closed months from the cache: the same figures as counted afresh, fewer
queries once cached, a late import into a closed month recomputed, and a period that cuts a
month in two counted right at the edges."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.reports.selectors import Filters, Period
from cchc.reports.selectors.dashboards import dashboard
from tests.reports.oracle import History, play
from tests.reports.test_pages_api import data  # noqa: F401

pytestmark = pytest.mark.django_db
APRIL_MAY = Period(datetime.date(2026, 4, 1), datetime.date(2026, 5, 31))


def board(period, user, **kw):
    return dashboard(Filters(period=period, user=user), **kw).as_json()


def step_groupings(queries) -> int:
    return sum('"onestop_dossierstep"."name"' in q["sql"] for q in queries)


def test_cached_months_give_the_counted_figures_with_fewer_queries(data):  # noqa: F811
    user = data.home_affairs
    fresh = board(APRIL_MAY, user, use_cache=False)
    assert fresh["on_time_trend"][1]["resolved"] >= 3 and fresh["satisfaction"]["total"] >= 1
    with CaptureQueriesContext(connection) as cold:
        assert board(APRIL_MAY, user, use_cache=True) == fresh
    with CaptureQueriesContext(connection) as warm:
        assert board(APRIL_MAY, user, use_cache=True) == fresh
    assert step_groupings(cold.captured_queries) == 1
    assert step_groupings(warm.captured_queries) == 0
    assert len(warm.captured_queries) < len(cold.captured_queries)
    # Another scope is another cache entry: a commune leader sees only the commune's figures.
    leader = board(APRIL_MAY, data.other_leader, use_cache=True)
    assert leader == board(APRIL_MAY, data.other_leader, use_cache=False)
    assert leader["on_time_trend"] != fresh["on_time_trend"]


def test_a_late_import_into_a_closed_month_is_counted(data):  # noqa: F811
    user = data.home_affairs
    before = board(APRIL_MAY, user, use_cache=True)
    w = data.w
    late = History(w.desk, w.five_days, [("2026-04-06 09:00", "receive", None),
                                          ("2026-04-20 09:00", "transfer", None),
                                          ("2026-04-20 09:00", "transfer", None),
                                          ("2026-04-20 09:00", "approve", None)])
    play([late], [])
    after = board(APRIL_MAY, user, use_cache=True)
    assert after == board(APRIL_MAY, user, use_cache=False)
    april_before, april_after = before["on_time_trend"][0], after["on_time_trend"][0]
    assert april_after["resolved"] == april_before["resolved"] + 1
    assert april_after["late"] == april_before["late"] + 1
    assert after["processing_time"]["overall"]["count"] == before["processing_time"]["overall"]["count"] + 1


def test_a_period_cutting_months_counts_the_edges_live(data):  # noqa: F811
    user = data.home_affairs
    for period in (Period(datetime.date(2026, 4, 27), datetime.date(2026, 5, 8)),
                   Period(datetime.date(2026, 3, 15), datetime.date(2026, 5, 6)),
                   Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))):
        assert board(period, user, use_cache=True) == board(period, user, use_cache=False), period
