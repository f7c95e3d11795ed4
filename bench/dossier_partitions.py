"""Benchmark: the dossiers table plain (onestop 0007) against partitioned by month of
submission (onestop 0008, docs/scaling.md 2.3), same data, same run (PostgreSQL), with the
levers of issue #9: fewer partitions, prepared statements, a bound from the code.

    uv run python bench/dossier_partitions.py [--count 200000] [--rounds 7] [--repeat 20]
        [--server postgresql://postgres@127.0.0.1:5432] [--prefix h_part_bench] [--keep]
        [--reuse]

Builds ``<prefix>_plain``: migrated, then onestop 0008 reversed (the reverse step is
exercised too), the org and catalog demos, ``--count`` seeded dossiers received from
2023-01-01 to today, analysed. ``<prefix>_part`` is a copy of it (``CREATE DATABASE …
TEMPLATE``) on which onestop 0008 is applied (its time printed): the current layout, one
partition per closed year, one per month of this year, ``partitions.MONTHS_AHEAD`` months
ahead and a default (~21). ``<prefix>_monthly`` is a copy of that one relaid the way the
first attempt had it: one partition per month from January 2020 to 24 months ahead (~109),
for the A/B of the first lever. All are dropped at the end unless ``--keep``. It never
touches another database.

Each database is read through two connections: Django's default (client-side binding, a
new plan per statement) and one with ``CCHC_DB_PREPARED_STATEMENTS``' options (server-side
binding, ``prepare_threshold`` 2: psycopg prepares a statement on its second run and
PostgreSQL may then reuse a generic plan), each a persistent connection as in a gunicorn
worker. ``--rounds`` interleaved rounds (the order rotates) of ``--repeat`` runs of each
query through the ORM, p50/p95 over all rounds:

- queue: the first 50 open dossiers of the desk holding the most, by due date, with the
  procedure version and agency (``selectors.work_queue``'s core);
- year: the dossiers received in the last full year (the report's count);
- pk: one dossier by ``id`` (services, every child row's dossier);
- code: one dossier by ``code`` with no bound;
- code+day: by ``code`` with the submission day the code names
  (``selectors.dossier_by_code``, what ``get_dossier`` and the public lookup do);
- public: the public lookup's two statements (the dossier by code with its day, then its
  finished steps);
- and EXPLAIN (ANALYZE, SUMMARY) planning/execution of the pk lookup (client-side binding).
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

QUERIES = ("queue", "year", "pk", "code", "code+day", "public")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def relayout_monthly(connection, spec, months_ahead=24):
    """The first attempt's layout on a database with the current one: every yearly
    partition split into its months again, and months up to ``months_ahead`` ahead.
    Triggers are skipped while the rows are moved (the codes stay registered)."""
    from django.db import transaction

    from cchc.onestop import partitions

    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for name in partitions.existing_partitions(connection, spec):
            parsed = spec.parse(name)
            if parsed is None or parsed[1] is not None:
                continue
            year = parsed[0]
            cursor.execute(f'ALTER TABLE "{spec.table}" DETACH PARTITION "{name}"')
            for month in range(1, 13):
                first = datetime.date(year, month, 1)
                partitions._create_month(cursor, first, has_default=False, spec=spec)  # noqa: SLF001
            cursor.execute(f'INSERT INTO "{spec.table}" SELECT * FROM "{name}"')
            cursor.execute(f'DROP TABLE "{name}"')
    partitions.ensure_partitions(spec, months_ahead, connection=connection, roll_up=False)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{spec.table}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--server", default=default_server())
    parser.add_argument("--prefix", default="h_part_bench")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="keep <prefix>_plain from an earlier --keep run (only the copies are rebuilt)")
    args = parser.parse_args()
    plain, part, monthly = f"{args.prefix}_plain", f"{args.prefix}_part", f"{args.prefix}_monthly"
    print(f"load average at start: {os.getloadavg()}")
    if not args.reuse:
        recreate_database(args.server, plain)
    recreate_database(args.server, part, drop_only=True)
    recreate_database(args.server, monthly, drop_only=True)
    setup_django(database_url(args.server, plain))

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Count
    from django.utils import timezone

    from cchc.onestop import partitions, selectors
    from cchc.onestop.models import OPEN_STATUSES, Dossier, Status

    started = time.perf_counter()
    if not args.reuse:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("migrate", "onestop", "0007_fewer_event_partitions", interactive=False,
                     verbosity=0)
        load_province()
        seed_dossiers = __import__("cchc.onestop.seeding", fromlist=["seed_dossiers"]).seed_dossiers
        seed_dossiers(args.count, datetime.date(2023, 1, 1), timezone.localdate(), seed=11,
                      progress=False)
        with connections["default"].cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"built {plain}: {args.count:,} dossiers in {time.perf_counter() - started:.0f} s")
    connections.close_all()
    import psycopg

    def add_alias(alias, name, prepared):
        options = dict(settings.DATABASES["default"].get("OPTIONS", {}))
        if prepared:
            options.update({"server_side_binding": True, "prepare_threshold": 2})
        settings.DATABASES[alias] = {**settings.DATABASES["default"], "NAME": name,
                                     "OPTIONS": options}
        connections.settings[alias] = connections.configure_settings(
            {"default": settings.DATABASES["default"], alias: settings.DATABASES[alias]})[alias]

    with psycopg.connect(database_url(args.server, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{part}" TEMPLATE "{plain}"')
    add_alias("part", part, False)
    started = time.perf_counter()
    call_command("migrate", "onestop", "0008_partition_dossiers", database="part",
                 interactive=False, verbosity=0)
    with connections["part"].cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'onestop_dossier'")
        assert cursor.fetchone()[0] == "p"
        cursor.execute("ANALYZE")
    print(f"onestop 0008 on {args.count:,} dossiers: {time.perf_counter() - started:.1f} s")
    connections["part"].close()
    with psycopg.connect(database_url(args.server, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{monthly}" TEMPLATE "{part}"')
    add_alias("monthly", monthly, False)
    relayout_monthly(connections["monthly"], partitions.DOSSIERS)
    for alias in ("part", "monthly"):
        print(f"{alias}: {len(partitions.existing_partitions(connections[alias], partitions.DOSSIERS))}"
              " dossier partitions")
    from django.db import transaction

    started = time.perf_counter()
    this_year = timezone.localdate().year
    with transaction.atomic(using="monthly"), connections["monthly"].cursor() as cursor:
        created = partitions.ensure_dossier_partitions(
            connection=connections["monthly"], today=datetime.date(this_year + 1, 1, 15))
        rolled = [name for name in created if partitions.DOSSIERS.parse(name)[1] is None]
        elapsed = time.perf_counter() - started
        rows = 0
        for name in rolled:
            cursor.execute(f'SELECT count(*) FROM "{name}"')
            rows += cursor.fetchone()[0]
        transaction.set_rollback(True, using="monthly")
    print(f"roll-up of every closed year's months, as next January ({len(rolled)} years, "
          f"{rows:,} dossiers, rolled back): {elapsed:.1f} s")
    connections["monthly"].close()
    add_alias("plain_prep", plain, True)
    add_alias("part_prep", part, True)
    add_alias("monthly_prep", monthly, True)
    aliases = ("default", "plain_prep", "part", "part_prep", "monthly", "monthly_prep")
    label = {"default": "plain", "plain_prep": "plain+prep", "part": "part", "part_prep": "part+prep",
             "monthly": "monthly", "monthly_prep": "monthly+prep"}

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

    def public(manager, code):
        dossier = selectors.dossier_by_code(manager.select_related("procedure_version"), code)
        return dossier.pk, [s.pk for s in dossier.steps.using(manager.db)
                            .filter(finished_at__isnull=False).order_by("finished_at", "pk")]

    def queries(alias, k):
        manager = Dossier.objects.using(alias)
        dossier_id = samples[k % len(samples)]
        code = codes[dossier_id]
        return {
            "queue": lambda: [d.pk for d in manager.filter(
                current_agency_id=agency, status__in=(*OPEN_STATUSES, Status.PROCESSED))
                .select_related("procedure_version", "current_agency")
                .order_by("due_at", "id")[:50]],
            "year": lambda: manager.filter(received_at__gte=y0, received_at__lt=y1).count(),
            "pk": lambda: manager.get(pk=dossier_id).pk,
            "code": lambda: manager.get(code=code).pk,
            "code+day": lambda: selectors.dossier_by_code(manager, code).pk,
            "public": lambda: public(manager, code),
        }

    results = {alias: {} for alias in aliases}
    answers = {alias: {} for alias in aliases}
    plans = {alias: [] for alias in ("default", "part", "monthly")}
    for r in range(args.rounds):
        order = aliases[r % len(aliases):] + aliases[:r % len(aliases)]
        for alias in order:
            for k in range(args.repeat):
                for name, run in queries(alias, r * args.repeat + k).items():
                    t = time.perf_counter()
                    value = run()
                    results[alias].setdefault(name, []).append((time.perf_counter() - t) * 1000)
                    answers[alias][(name, r, k)] = value
                if alias in plans:
                    with connections[alias].cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) SELECT * FROM "
                                       "onestop_dossier WHERE id = %s",
                                       [samples[(r * args.repeat + k) % len(samples)]])
                        plan = cursor.fetchone()[0][0]
                        plans[alias].append((plan["Planning Time"], plan["Execution Time"]))
    for alias in aliases[1:]:
        assert answers[alias] == answers["default"], f"{alias} answers differently"
    print(f"load average at end: {os.getloadavg()}")
    print("p50 / p95 ms, and the p50 ratio to the plain table with the same binding")
    print(f"{'query':9}" + "".join(f"{label[a]:>22}" for a in aliases))
    for name in QUERIES:
        cells = []
        for alias in aliases:
            values = results[alias][name]
            reference = results["plain_prep" if alias.endswith("_prep") else "default"][name]
            ratio = statistics.median(values) / statistics.median(reference)
            cells.append(f"{statistics.median(values):6.2f}/{pct(values, 95):6.2f} {ratio:5.2f}x")
        print(f"{name:9}" + "".join(f"{cell:>22}" for cell in cells))
    for label_, index in (("planning", 0), ("execution", 1)):
        print(f"pk EXPLAIN {label_} p50: " + ", ".join(
            f"{label[a]} {statistics.median(p[index] for p in plans[a]):.3f} ms" for a in plans))
    connections.close_all()
    if not args.keep:
        for name in (plain, part, monthly):
            recreate_database(args.server, name, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
