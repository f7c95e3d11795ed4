"""Benchmark: the dossiers table plain (onestop 0006) against partitioned by month of
submission (onestop 0007, docs/scaling.md 2.2), same data, same run (PostgreSQL).

    uv run python bench/dossier_partitions.py [--count 300000] [--rounds 7] [--repeat 20]
        [--server postgresql://postgres@127.0.0.1:5432] [--prefix h_part_bench] [--keep]

Builds ``<prefix>_plain``: migrated, then onestop 0007 reversed (the reverse step is
exercised too), the org and catalog demos, ``--count`` seeded dossiers received from
2023-01-01 to today, analysed. ``<prefix>_part`` is a copy of it (``CREATE DATABASE …
TEMPLATE``) on which onestop 0007 is applied (its time printed) and analysed. Both are
dropped at the end unless ``--keep``. It never touches another database.

Then ``--rounds`` interleaved rounds (the order of the two databases alternates) of
``--repeat`` runs of each query through the ORM, with p50/p95 over all rounds:

- queue: the first 50 open dossiers of the desk holding the most, by due date (the work
  queue's core: ``current_agency = X AND status IN open ORDER BY due_at, id``);
- year: the dossiers received in the last full year (the report's count);
- pk: one dossier by ``id`` (every detail page and service);
- code: one dossier by ``code`` (the public lookup);
- and EXPLAIN (ANALYZE, SUMMARY) planning/execution of the pk lookup.
"""

import argparse
import datetime
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


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--server", default=default_server())
    parser.add_argument("--prefix", default="h_part_bench")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="keep <prefix>_plain from an earlier --keep run (only the copy is rebuilt)")
    args = parser.parse_args()
    plain, part = f"{args.prefix}_plain", f"{args.prefix}_part"
    print(f"load average at start: {os.getloadavg()}")
    if not args.reuse:
        recreate_database(args.server, plain)
    recreate_database(args.server, part, drop_only=True)
    setup_django(database_url(args.server, plain))

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Count
    from django.utils import timezone

    from cchc.onestop.models import OPEN_STATUSES, Dossier
    from cchc.onestop.seeding import seed_dossiers

    started = time.perf_counter()
    if not args.reuse:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("migrate", "onestop", "0006_lean_indexes", interactive=False, verbosity=0)
        load_province()
        seed_dossiers(args.count, datetime.date(2023, 1, 1), timezone.localdate(), seed=11,
                      progress=False)
        with connections["default"].cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"built {plain}: {args.count:,} dossiers in {time.perf_counter() - started:.0f} s")
    connections.close_all()
    import psycopg

    with psycopg.connect(database_url(args.server, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{part}" TEMPLATE "{plain}"')
    settings.DATABASES["part"] = {**settings.DATABASES["default"], "NAME": part}
    connections.settings["part"] = connections.configure_settings(
        {"default": settings.DATABASES["default"], "part": settings.DATABASES["part"]})["part"]
    started = time.perf_counter()
    call_command("migrate", "onestop", "0007_partition_dossiers", database="part",
                 interactive=False, verbosity=0)
    with connections["part"].cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'onestop_dossier'")
        assert cursor.fetchone()[0] == "p"
        cursor.execute("ANALYZE")
    print(f"onestop 0007 on {args.count:,} dossiers: {time.perf_counter() - started:.1f} s")

    rng = random.Random(5)
    base = Dossier.objects.using("default")
    agency = (base.filter(status__in=OPEN_STATUSES).values("current_agency_id")
              .order_by().annotate(n=Count("id"))
              .order_by("-n").first()["current_agency_id"])
    ids = list(base.values_list("id", flat=True))
    samples = rng.sample(ids, min(len(ids), args.rounds * args.repeat))
    codes = dict(base.filter(id__in=samples).values_list("id", "code"))
    year = timezone.localdate().year - 1
    tz = timezone.get_current_timezone()
    y0 = datetime.datetime(year, 1, 1, tzinfo=tz)
    y1 = datetime.datetime(year + 1, 1, 1, tzinfo=tz)

    def queries(alias, k):
        manager = Dossier.objects.using(alias)
        dossier_id = samples[k % len(samples)]
        return {
            "queue": lambda: list(manager.filter(current_agency_id=agency, status__in=OPEN_STATUSES)
                                  .order_by("due_at", "id")[:50]),
            "year": lambda: manager.filter(received_at__gte=y0, received_at__lt=y1).count(),
            "pk": lambda: manager.get(pk=dossier_id),
            "code": lambda: manager.get(code=codes[dossier_id]),
        }

    results = {alias: {} for alias in ("default", "part")}
    answers = {alias: {} for alias in ("default", "part")}
    plans = {alias: [] for alias in ("default", "part")}
    for r in range(args.rounds):
        order = ("default", "part") if r % 2 == 0 else ("part", "default")
        for alias in order:
            for k in range(args.repeat):
                for name, run in queries(alias, r * args.repeat + k).items():
                    t = time.perf_counter()
                    value = run()
                    results[alias].setdefault(name, []).append((time.perf_counter() - t) * 1000)
                    if name in ("year",) or (name == "queue" and k == 0):
                        answers[alias][name] = value if name == "year" else [d.pk for d in value]
                with connections[alias].cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) SELECT * FROM "
                                   "onestop_dossier WHERE id = %s",
                                   [samples[(r * args.repeat + k) % len(samples)]])
                    plan = cursor.fetchone()[0][0]
                    plans[alias].append((plan["Planning Time"], plan["Execution Time"]))
    assert answers["default"] == answers["part"], "the two databases answer differently"
    print(f"load average at end: {os.getloadavg()}")
    print(f"{'query':6} {'plain p50/p95 ms':>20} {'partitioned p50/p95 ms':>24} {'ratio p50':>10}")
    for name in ("queue", "year", "pk", "code"):
        a, b = results["default"][name], results["part"][name]
        print(f"{name:6} {statistics.median(a):9.2f} /{pct(a, 95):8.2f} "
              f"{statistics.median(b):12.2f} /{pct(b, 95):8.2f} "
              f"{statistics.median(b) / statistics.median(a):9.2f}x")
    for label, index in (("planning", 0), ("execution", 1)):
        a = [p[index] for p in plans["default"]]
        b = [p[index] for p in plans["part"]]
        print(f"pk EXPLAIN {label}: plain p50 {statistics.median(a):.3f} ms, partitioned p50 "
              f"{statistics.median(b):.3f} ms")
    connections.close_all()
    if not args.keep:
        recreate_database(args.server, plain, drop_only=True)
        recreate_database(args.server, part, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
