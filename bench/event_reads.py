"""Benchmark: reading one dossier's events from the partitioned events table (PostgreSQL),
with and without the literal lower bound ``at >= submitted_at`` (``partitions.dossier_events``,
docs/scaling.md 2.2); and the cost of sealing and verifying the events (``onestop.audit``).

    uv run python bench/event_reads.py [--count 20000] [--repeat 200] [--db NAME]
        [--server postgresql://postgres@127.0.0.1:5432] [--keep] [--reuse]

Works in a throwaway database (``--db``, default ``cchc_bench_d_events``: dropped if present,
created, migrated — which creates one partition per closed year, one per month of this year
and 3 months ahead — seeded with ``--count`` dossiers received from 2023-01-01 to today,
analysed, dropped at the end unless ``--keep``) and a copy of it, ``<db>_monthly``, relaid the
way the events were first partitioned (one partition per month from January 2020 to 24
months ahead, ~108) and always dropped. It never touches another database.

For ``--repeat`` random dossiers, on both layouts in turn (the order alternates): EXPLAIN
(ANALYZE, SUMMARY) of the history query ``WHERE dossier_id = X ORDER BY at, id`` without and
with ``AND at >= <submitted_at>``: planning and execution time (p50, p95) and the number of
partitions in the plan; then the end-to-end time of the ORM read each way. Checks on the way that no event precedes its
dossier's submission (the bound would hide it). Then ``cchc audit-log seal`` over every
event (events per second) and the recomputation ``cchc audit-log verify`` does.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from onestop_seed import (  # noqa: E402
    database_url,
    default_server,
    load_province,
    recreate_database,
    setup_django,
)

BENCH_DB = "cchc_bench_d_events"


def build(count: int, name: str) -> None:
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from cchc.onestop.seeding import seed_dossiers

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    load_province()
    seed_dossiers(count, datetime.date(2023, 1, 1), timezone.localdate(), seed=11, progress=False)
    print(f"built {name}: {count:,} dossiers in {time.perf_counter() - started:.0f} s")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def explain(cursor, sql, params):
    cursor.execute("EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) " + sql, params)
    plan = cursor.fetchone()[0][0]
    text = str(plan)
    return (plan["Planning Time"], plan["Execution Time"],
            text.count("'Relation Name': 'onestop_dossierevent_"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--server", default=default_server())
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB_NAME", BENCH_DB), help="the throwaway database's name")
    args = parser.parse_args()
    if not args.reuse:
        recreate_database(args.server, args.db)
    setup_django(database_url(args.server, args.db))
    try:
        from django.core.management import call_command
        from django.db import connection

        from cchc.onestop import partitions
        from cchc.onestop.models import Dossier, DossierEvent

        if not args.reuse:
            build(args.count, args.db)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM onestop_dossierevent e JOIN onestop_dossier d "
                           "ON d.id = e.dossier_id WHERE e.at < d.submitted_at")
            early = cursor.fetchone()[0]
        events = DossierEvent.objects.count()
        parts = len(partitions.existing_partitions(connection))
        print(f"{events:,} events in {parts} partitions; events before their dossier's "
              f"submission: {early}")
        if early:
            print("FAIL: the lower bound would hide events")
            return 1
        rng = random.Random(5)
        ids = list(Dossier.objects.values_list("pk", flat=True))
        sample = [Dossier.objects.get(pk=pk) for pk in rng.sample(ids, min(args.repeat, len(ids)))]
        # The same rows in the first layout (one partition per month, 2020 to 24 months
        # ahead), a copy of this database: the A/B of fewer partitions, same run.
        import psycopg
        from django.conf import settings
        from django.db import connections
        from dossier_partitions import relayout_monthly

        monthly = f"{args.db}_monthly"
        recreate_database(args.server, monthly, drop_only=True)
        connection.close()
        with psycopg.connect(database_url(args.server, "postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{monthly}" TEMPLATE "{args.db}"')
        settings.DATABASES["monthly"] = {**settings.DATABASES["default"], "NAME": monthly}
        connections.settings["monthly"] = connections.configure_settings(
            {"default": settings.DATABASES["default"], "monthly": settings.DATABASES["monthly"]}
        )["monthly"]
        relayout_monthly(connections["monthly"], partitions.EVENTS)
        layouts = {"current": "default", "monthly": "monthly"}
        for layout, alias in layouts.items():
            print(f"{layout} layout: {len(partitions.existing_partitions(connections[alias])):,} "
                  "event partitions")
        variants = {
            "unbounded": lambda d, alias: DossierEvent.objects.using(alias).filter(dossier=d),
            "bounded": lambda d, alias: partitions.dossier_events(d).using(alias),
        }
        plans, runs = {}, {}
        for dossier in sample[:10]:  # warm-up
            for alias in layouts.values():
                for query in variants.values():
                    list(query(dossier, alias).order_by("at", "id"))
        for i, dossier in enumerate(sample):
            order = list(layouts.items()) if i % 2 == 0 else list(layouts.items())[::-1]
            for layout, alias in order:
                with connections[alias].cursor() as cursor:
                    for name, query in variants.items():
                        sql, params = query(dossier, alias).order_by("at", "id").query.sql_with_params()
                        plans.setdefault((layout, name), []).append(explain(cursor, sql, params))
                        started = time.perf_counter()
                        list(query(dossier, alias).select_related("actor").order_by("at", "id"))
                        runs.setdefault((layout, name), []).append(
                            (time.perf_counter() - started) * 1000)
        for (layout, name), measured in plans.items():
            planning = [p for p, _e, _n in measured]
            execution = [e for _p, e, _n in measured]
            scanned = statistics.median(n for _p, _e, n in measured)
            read = runs[(layout, name)]
            print(f"{layout:7} {name:9}: planning p50 {pct(planning, 50):.2f} ms p95 "
                  f"{pct(planning, 95):.2f} ms; execution p50 {pct(execution, 50):.2f} ms "
                  f"p95 {pct(execution, 95):.2f} ms; partitions in plan (median) {scanned:.0f}; "
                  f"ORM read p50 {pct(read, 50):.2f} ms p95 {pct(read, 95):.2f} ms")
        for layout in layouts:
            ratio = pct(runs[(layout, "unbounded")], 50) / pct(runs[(layout, "bounded")], 50)
            print(f"{layout}: ORM read p50, unbounded / bounded: {ratio:.2f}x")
        for name in variants:
            ratio = pct(runs[("monthly", name)], 50) / pct(runs[("current", name)], 50)
            print(f"{name}: ORM read p50, monthly layout / current layout: {ratio:.2f}x")
        connections["monthly"].close()
        recreate_database(args.server, monthly, drop_only=True)

        started = time.perf_counter()
        call_command("audit-log", "seal", stdout=io.StringIO())
        sealed = time.perf_counter() - started
        started = time.perf_counter()
        call_command("audit-log", "verify", stdout=io.StringIO())
        verified = time.perf_counter() - started
        print(f"seal: {events:,} events in {sealed:.1f} s ({events / sealed:,.0f}/s); "
              f"verify (chain + every seal): {verified:.1f} s ({events / verified:,.0f} events/s)")
        print(f"load average: {os.getloadavg()[0]:.1f}")
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(args.server, args.db, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
