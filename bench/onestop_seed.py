"""Benchmark: seeding dossiers on PostgreSQL (``cchc seed-dossiers``), against a raw COPY.

    uv run python bench/onestop_seed.py [--count 1000000] [--from 2023-01-01] [--seed 1]
        [--chunk-size 100000] [--writers 2] [--server postgresql://postgres@127.0.0.1:5432]
        [--keep] [--no-skip-triggers] [--lean-indexes] [--plain-dossiers]

Works in a throwaway database (``cchc_bench_seed``: dropped if present, created, migrated,
dropped again at the end unless ``--keep``); it never touches another database. It loads
the demo province (units, agencies, accounts, the demo catalog), then, in the same run:

1. baseline: a raw ``COPY`` of ``--count`` minimal rows (bigint, int) into a scratch table,
   the database's bare bulk-load rate on this machine at this moment;
2. ``seed_dossiers(--count)`` received from ``--from`` to today (binary COPY of dossiers,
   steps, events and ratings, chunks of ``--chunk-size`` in their own transactions);
3. the baseline again (the machine's load moves; the ratio uses the mean of both);
4. checks: the rows are there, every desk's day is numbered 1..N and its counter says N.

``--plain-dossiers`` reverses onestop 0008 first (the dossiers table unpartitioned), for the
A/B of the partitioned table (docs/scaling.md 2.3). ``--lean-indexes`` first drops or
narrows, in the throwaway database, the indexes the bulk load maintains for nothing
(``REDUNDANT``, ``PARTIAL``), to measure that proposal.

Prints dossiers per minute (target >= 500,000), the ratio to the raw COPY, and the CPU
seconds of this process (generation, COPY) and of the writers' database backends
(sampled from /proc when the server runs on this machine), which show what the run would
take on two otherwise idle cores: the machine is often shared and its load is printed.
Exits non-zero if the target is missed or a check fails.
"""

import argparse
import datetime
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# BENCH_DB_NAME: another throwaway name (as onestop_intake.py).
BENCH_DB = os.environ.get("BENCH_DB_NAME", "cchc_bench_seed")
TARGET = 500_000  # dossiers per minute, from the issue


def default_server() -> str:
    url = os.environ.get("BENCH_PG_SERVER") or os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return "postgresql://postgres@127.0.0.1:5432"


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def recreate_database(server: str, name: str, *, drop_only=False) -> None:
    import psycopg

    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                     [name])
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(db_url: str) -> None:
    os.environ.update({"CCHC_DEBUG": "0", "CCHC_SECRET_KEY": secrets.token_urlsafe(40),
                       "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "cchc.settings"})
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def load_province(stdout=None) -> None:
    """The org and catalog demos (not the one-stop demo): desks, procedures, accounts."""
    from cchc.catalog import demo as catalog_demo
    from cchc.core import demo as core_demo

    core_demo.load(stdout)
    catalog_demo.load(stdout)


def process_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BackendCPU:
    """CPU seconds of the database backends the seed's writers use, sampled from /proc while
    they live (the server must run on this machine; otherwise nothing is reported)."""

    def __init__(self):
        import threading

        from cchc.onestop import bulk

        self.pids: set = set()
        self.seen: dict = {}
        self.stop = threading.Event()
        original = bulk.CopyWriter.begin_chunk
        pids = self.pids

        def begin_chunk(writer):
            with writer.connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.add(cursor.fetchone()[0])
            return original(writer)

        bulk.CopyWriter.begin_chunk = begin_chunk
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while not self.stop.wait(0.2):
            for pid in list(self.pids):
                cpu = process_cpu(pid)
                if cpu is not None:
                    self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))

    def total(self) -> float | None:
        self.stop.set()
        self.thread.join()
        return sum(self.seen.values()) if self.seen else None


def raw_copy(rows: int) -> float:
    """Seconds for a plain COPY of ``rows`` (bigint, int) rows into a scratch table."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scratch")
        cursor.execute("CREATE TABLE bench_scratch (id bigint, n integer)")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy("COPY bench_scratch (id, n) FROM STDIN") as copy:
            step = 100_000
            for first in range(0, rows, step):
                copy.write("".join(f"{i}\t{i % 1000}\n" for i in range(first, min(first + step, rows))))
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_scratch")
    return elapsed


# Indexes the bulk load maintains for nothing (see the README): single-column indexes
# that a composite index already starts with, a LIKE index on a 10-character status, and
# foreign keys to users or steps that are NULL on most rows (a partial index serves the
# ON DELETE lookups as well).
REDUNDANT = [("onestop_dossier", "current_agency_id"), ("onestop_dossier", "procedure_id"),
             ("onestop_dossier", "unit_id")]
PARTIAL = [("onestop_dossier", "assignee_id"), ("onestop_dossier", "current_step_id"),
           ("onestop_dossierevent", "actor_id"), ("onestop_dossierstep", "handed_by_id"),
           ("onestop_dossierstep", "received_by_id")]


def lean_indexes() -> list[str]:
    """Apply the index changes proposed for the models, in this throwaway database only."""
    from django.db import connection

    done = []
    with connection.cursor() as cursor:
        def single(table, column):
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef "
                           "LIKE %s", [table, f"CREATE INDEX % USING btree ({column})"])
            return [row[0] for row in cursor.fetchall()]

        for table, column in REDUNDANT:
            for name in single(table, column):
                cursor.execute(f'DROP INDEX "{name}"')
                done.append(f"dropped {name}")
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'onestop_dossier' "
                       "AND indexdef LIKE '%%(timeliness varchar_pattern_ops)'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            done.append(f"dropped {name}")
        for table, column in PARTIAL:
            for name in single(table, column):
                cursor.execute(f'DROP INDEX "{name}"')
                cursor.execute(f'CREATE INDEX "{name}" ON {table} ({column}) '
                               f"WHERE {column} IS NOT NULL")
                done.append(f"{name} made partial (WHERE {column} IS NOT NULL)")
    return done


def check_codes() -> list[str]:
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FROM (
                SELECT d.receiving_agency_id, substr(d.code, 15, 6) AS day, count(*) AS n,
                       max(substr(d.code, 22, 4)::int) AS top, min(s.last) AS last
                FROM onestop_dossier d
                LEFT JOIN onestop_dailysequence s ON s.agency_id = d.receiving_agency_id
                     AND to_char(s.day, 'YYMMDD') = substr(d.code, 15, 6)
                GROUP BY 1, 2) per_day
            WHERE n <> top OR last IS DISTINCT FROM top""")
        bad = cursor.fetchone()[0]
        if bad:
            problems.append(f"{bad} desk-days numbered with gaps or a wrong counter")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--from", dest="start", default="2023-01-01")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--server", default=default_server())
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--writers", type=int, default=2, help="connections copying chunks")
    parser.add_argument("--lean-indexes", action="store_true",
                        help="first apply the index changes proposed in bench/README.md")
    parser.add_argument("--plain-dossiers", action="store_true",
                        help="reverse onestop 0008: seed a plain dossiers table, not a partitioned one")
    parser.add_argument("--no-skip-triggers", action="store_true",
                        help="keep the per-row foreign-key triggers (the path for other roles)")
    args = parser.parse_args()

    db_url = database_url(args.server, BENCH_DB)
    recreate_database(args.server, BENCH_DB)
    try:
        setup_django(db_url)
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from cchc.onestop.models import Dossier, DossierEvent, DossierStep, Rating
        from cchc.onestop.seeding import seed_dossiers

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        if args.plain_dossiers:
            call_command("migrate", "onestop", "0007_fewer_event_partitions", interactive=False,
                         verbosity=0)
        load_province()
        print(f"database {BENCH_DB}: migrated and demo province loaded in "
              f"{time.perf_counter() - started:.0f} s")
        if args.lean_indexes:
            for change in lean_indexes():
                print(f"  --lean-indexes: {change}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            server_version = cursor.fetchone()[0].split(" on ")[0]
        load_before = os.getloadavg()

        baseline_before = raw_copy(args.count)
        backends = BackendCPU()
        cpu0 = time.process_time()
        report = seed_dossiers(
            args.count, datetime.date.fromisoformat(args.start), timezone.localdate(),
            seed=args.seed, chunk_size=args.chunk_size, progress=True,
            skip_triggers=False if args.no_skip_triggers else None, writers=args.writers)
        cpu = time.process_time() - cpu0
        backend = backends.total()
        baseline_after = raw_copy(args.count)
        load_after = os.getloadavg()

        counts = {m.__name__: m.objects.count() for m in (Dossier, DossierEvent, DossierStep, Rating)}
        problems = check_codes()
        if counts["Dossier"] != args.count:
            problems.append(f"{counts['Dossier']} dossiers stored, {args.count} asked")
        baseline = (baseline_before + baseline_after) / 2
        rate = report.per_minute
        print(f"\n{server_version}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs; "
              f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
        print(f"seeded {report.dossiers:,} dossiers received {report.first_day} .. "
              f"{report.last_day} ({report.chunks} chunks; {report.method})")
        print(f"  rows: {counts['DossierEvent']:,} events, {counts['DossierStep']:,} steps, "
              f"{counts['Rating']:,} ratings")
        print(f"seed                       : {report.seconds:8.1f} s = {rate:12,.0f} dossiers/min "
              f"(target >= {TARGET:,})")
        print(f"raw COPY of {args.count:,} minimal rows: {baseline_before:.2f} s before, "
              f"{baseline_after:.2f} s after = {args.count / baseline * 60:12,.0f} rows/min")
        print(f"ratio seed / raw COPY      : {report.seconds / baseline:8.1f}x the time "
              f"({(counts['Dossier'] + counts['DossierEvent'] + counts['DossierStep'] + counts['Rating']) / args.count:.1f} rows per dossier)")
        if backend is not None:
            # Two cores shared by the generator and the writers' backends, nothing else.
            bound = max(cpu, (cpu + backend) / 2)
            print(f"CPU: this process (generation, COPY) {cpu:.1f} s, database backends "
                  f"{backend:.1f} s; on two otherwise idle cores: ~{bound:.0f} s = "
                  f"{args.count / bound * 60:,.0f} dossiers/min")
        for problem in problems:
            print(f"CHECK FAILED: {problem}")
        ok = not problems and rate >= TARGET
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(args.server, BENCH_DB, drop_only=True)
        else:
            print(f"kept database {BENCH_DB} ({db_url})")


if __name__ == "__main__":
    sys.exit(main())
