"""Benchmark: the provincial dashboard (year to date), as the load test requests it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/reports_dashboard.py
    ... --count 300000 --keep        # keep the database for another run (--reuse)

PostgreSQL only. Creates a throwaway database ``cchc_bench_dashboard`` on the server named by
DATABASE_URL (never the database in the URL itself), migrates it, loads the demo province
(``cchc demo``: 30,000 dossiers 2022-2026) and seeds ``--count`` more (``cchc seed-dossiers``:
received over the last year, with steps, events and ratings), as the load test's database
(bench/README.md "load"). The cache is the production one (database cache table).

Then, interleaved over ``--rounds`` rounds, for the province's Home Affairs administrator and
the period 1 January .. today:
- the dashboard with the cache of closed months off (every figure counted);
- the dashboard with a cold cache (cleared before: counts the closed months and stores them);
- the dashboard with a warm cache (the closed months read back, the current month counted);
- baseline: the timeliness report for the same filters (a part of the dashboard, counted in
  every case);
- the processing-time figures by month (the dashboard's slowest part before) both ways: the
  calendar joined three times by local date with the positions computed in every aggregate
  (the previous query, rebuilt here from the same helpers), and the current one (the calendar as
  arrays, positions computed once per row).
Prints min/median/max of each, the ratios of the medians, and checks that every way gives the
same figures.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from reports_timeliness import configure, parse_args  # noqa: E402 (bench/ is on the path as the script's folder)

BENCH_DATABASE = "cchc_bench_dashboard"


def old_processing(filters):
    """The previous processing-time query: ``workdays`` joined three times by local date, each
    position (four time zone conversions) repeated in every aggregate, grouped by a month key
    computed with two time zone conversions per row. Returns {yyyymm: (count, avg actual,
    avg legal, within half)}."""
    from django.db import connection
    from django.db.models import ExpressionWrapper, IntegerField
    from django.db.models.functions import ExtractMonth, ExtractYear

    from cchc.reports.selectors.common import report_queries
    from cchc.reports.selectors.dashboards import _resolved
    from cchc.reports.selectors.worktime import WorkDays, timed_rows
    from cchc.workcal.calendar import VN_TZ

    p = filters.period
    key = ExpressionWrapper(ExtractYear("finished_at", tzinfo=VN_TZ) * 100
                            + ExtractMonth("finished_at", tzinfo=VN_TZ), output_field=IntegerField())
    work = WorkDays.around(p.start, p.end)
    inner, inner_params = timed_rows(_resolved(filters), key).query.sql_with_params()
    pos_r, pos_e, pos_d = (work.position("t.r", "wr"), work.position("t.e", "we"), work.position("t.d", "wd"))
    actual = f"GREATEST({pos_e} - {pos_r} - t.p, 0)"
    legal = f"GREATEST({pos_d} - {pos_r}, 0)"
    sql = f"""
        t AS ({inner}), m AS (
            SELECT t.k AS k, {actual} AS actual, {legal} AS legal
            FROM t {work.join("t.r", "wr")} {work.join("t.e", "we")} {work.join("t.d", "wd")}
            WHERE wr.day IS NOT NULL AND we.day IS NOT NULL AND wd.day IS NOT NULL)
        SELECT k, COUNT(*), AVG(actual), AVG(legal), SUM(CASE WHEN actual * 2 <= legal THEN 1 ELSE 0 END)
        FROM m GROUP BY k"""
    with report_queries(), connection.cursor() as cursor:
        prefix, prefix_params = work.prepare(cursor)
        cursor.execute(prefix + sql, [*prefix_params, *inner_params])
        return {int(k): (n, float(a) / work.daily, float(b) / work.daily, int(h))
                for k, n, a, b, h in cursor.fetchall()}


def new_processing(filters):
    """The current query, as the dashboard runs it (by local day, added up into months)."""
    from cchc.reports.selectors.dashboards import _month_of, _resolved
    from cchc.reports.selectors.worktime import LocalDayNumber, processing_times

    p = filters.period
    months: dict = {}
    for day, s in processing_times(_resolved(filters), LocalDayNumber("finished_at"), (p.start, p.end)).items():
        n, a, b, h = months.get(_month_of(day), (0, 0.0, 0.0, 0))
        months[_month_of(day)] = (n + s["count"], a + s["average_days"] * s["count"],
                                  b + s["average_legal_days"] * s["count"], h + s["within_half"])
    return {k: (n, a / n, b / n, h) for k, (n, a, b, h) in months.items()}


def same_processing(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        a[k][0] == b[k][0] and a[k][3] == b[k][3] and abs(a[k][1] - b[k][1]) < 1e-6
        and abs(a[k][2] - b[k][2]) < 1e-6 for k in a)


def main():
    args, database_url = parse_args(__doc__, count=300_000, rounds=5, database=BENCH_DATABASE)
    drop, reused = configure(database_url, args.database, args.reuse)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import override_settings

        from cchc.onestop.models import Dossier

        if not reused or not Dossier.objects.exists():
            started = time.perf_counter()
            call_command("demo", no_serve=True, verbosity=0)
            print(f"demo province: {time.perf_counter() - started:.0f} s", flush=True)
            started = time.perf_counter()
            call_command("seed-dossiers", count=args.count, no_progress=True, verbosity=0)
            print(f"seeded {args.count:,} dossiers: {time.perf_counter() - started:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("SELECT count(*) FROM onestop_dossier")
            dossiers = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM onestop_dossierstep")
            steps = cursor.fetchone()[0]
        print(f"dossiers {dossiers:,}, steps {steps:,}; load average {os.getloadavg()[0]:.1f}", flush=True)
        caches = {"default": {**settings.CACHES["default"],
                              "BACKEND": "django.core.cache.backends.db.DatabaseCache"}}
        with override_settings(CACHES=caches):
            call_command("createcachetable", verbosity=0)
            measure(args.rounds)
    finally:
        if not args.keep:
            drop()


def measure(rounds: int):
    from django.core.cache import cache

    from cchc.org.models import Membership, Role
    from cchc.reports.selectors import Filters, Period, timeliness_report
    from cchc.reports.selectors.dashboards import dashboard

    user = (Membership.objects.filter(role=Role.HOME_AFFAIRS_ADMIN, unit__code="82")
            .select_related("user").first().user)
    today = datetime.date.today()
    period = Period(today.replace(month=1, day=1), today)

    def filters():
        return Filters(period=period, user=user)

    reference = dashboard(filters(), use_cache=False).as_json()
    cache.clear()
    assert dashboard(filters(), use_cache=True).as_json() == reference, "cold cache differs"
    assert dashboard(filters(), use_cache=True).as_json() == reference, "warm cache differs"
    assert same_processing(old_processing(filters()), new_processing(filters())), "processing differs"
    t = reference["totals"]
    print(f"{period.start} .. {period.end}: received {t['received']['total']:,}, resolved "
          f"{t['resolved']['total']:,}, pending {t['pending']['total']:,}; every way gives the same figures",
          flush=True)

    def cold():
        cache.clear()
        dashboard(filters(), use_cache=True)

    functions = {
        "dashboard, no cache": lambda: dashboard(filters(), use_cache=False),
        "dashboard, cold cache (fills it)": cold,
        "dashboard, warm cache": lambda: dashboard(filters(), use_cache=True),
        "baseline: timeliness report": lambda: timeliness_report(filters()),
        "processing by month, before": lambda: old_processing(filters()),
        "processing by month, now": lambda: new_processing(filters()),
    }
    timings = {name: [] for name in functions}
    loads = []
    for _round in range(rounds):
        loads.append(os.getloadavg()[0])
        for name, function in functions.items():
            if name == "dashboard, warm cache":
                dashboard(filters(), use_cache=True)  # after the cold run's clear: fill first
            started = time.perf_counter()
            function()
            timings[name].append(time.perf_counter() - started)
    print(f"\n{rounds} interleaved rounds (seconds; load average {min(loads):.1f}-{max(loads):.1f}):")
    for name, values in timings.items():
        print(f"  {name:34s} min {min(values):7.3f}  median {statistics.median(values):7.3f}  "
              f"max {max(values):7.3f}")
    med = {name: statistics.median(values) for name, values in timings.items()}
    base = med["baseline: timeliness report"]
    print(f"  ratios to the timeliness report (medians): no cache {med['dashboard, no cache'] / base:.2f}, "
          f"cold {med['dashboard, cold cache (fills it)'] / base:.2f}, warm {med['dashboard, warm cache'] / base:.2f}")
    print(f"  processing by month: before / now = "
          f"{med['processing by month, before'] / med['processing by month, now']:.1f}x")


if __name__ == "__main__":
    main()
