"""Benchmark: public dossier lookup (GET /api/v1/public/dossiers/{code}/) at a fixed rate.

    uv run python bench/onestop_lookup.py [--rate 200] [--seconds 20] [--dossiers 1000]
        [--workers 4] [--server postgresql://postgres@127.0.0.1:5432] [--keep]

Same throwaway database and production-mode gunicorn as ``onestop_intake.py``. Seeds
``--dossiers`` dossiers through the services (a third handed on, a sixth returned), then
sends requests open-loop: one every 1/``--rate`` s whatever the answers, from a pool of
threads, each latency counted from the instant the request was due (so a stalled server
is not hidden by a client that waits for it). In the same run, in interleaved slices of a
few seconds, a trivial endpoint at the same rate: ``GET /api/v1/dossiers/`` without a token,
which goes through every middleware and DRF and answers 401 without a database query.

The lookup throttles must not limit the benchmark. gunicorn runs with a settings module
written to a temporary directory (``from cchc.settings import *`` plus the throttle rates):
first with the throttles off (``CCHC_PUBLIC_LOOKUP_RATE = None``, ``CCHC_PUBLIC_MISS_RATE
= None``), then on at a rate never reached, to show what counting costs: in the production
(database) cache, then in a file cache (``CCHC_THROTTLE_CACHE``). Requests come as if through
one trusted proxy (``NUM_PROXIES = 1``) from 1,000 client addresses (X-Forwarded-For).
Prints p50/p95/p99 for each (target: lookup p99 < 20 ms with the throttles off).
"""

import argparse
import http.client
import os
import queue
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from onestop_intake import (  # noqa: E402
    APPLICANT,
    BENCH_DB,
    Gunicorn,
    backend_cpu,
    capture_queries,
    cpu_calibration,
    create_database,
    default_server,
    drop_database,
    load_average,
    make_world,
    percentile,
    setup_django,
)

TARGET_P99_MS = 20
RATES_ON = "CCHC_PUBLIC_LOOKUP_RATE = '1000000/min'\nCCHC_PUBLIC_MISS_RATE = '1000000/10min'\n"
SETTINGS = {
    "throttles off": "CCHC_PUBLIC_LOOKUP_RATE = None\nCCHC_PUBLIC_MISS_RATE = None\n",
    "throttles on, database cache": RATES_ON,
    "throttles on, file cache": RATES_ON + (
        'CACHES = {**CACHES, "throttle": {"BACKEND": '  # noqa: ISC003
        '"django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "{directory}"}}\n'
        'CCHC_THROTTLE_CACHE = "throttle"\n'),
}
# Behind one trusted proxy (as in production behind nginx), from 1,000 client addresses; and
# Django logs every 4xx as a warning: a line per request of the trivial endpoint.
COMMON = ('REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": 1}  # noqa: F405\n'
          'LOGGING = {**LOGGING, "loggers": {"django.request": {"level": "ERROR"}}}  '
          '# noqa: F405\n')
ADDRESSES = [f"10.{n // 250}.{n % 250}.{1 + n % 7}" for n in range(1000)]


def seed(world: dict, count: int) -> list[str]:
    """``count`` dossiers at the world's first desk, over several days, some moved on."""
    import datetime
    from zoneinfo import ZoneInfo

    from django.db import connection

    from cchc.catalog.models import Procedure
    from cchc.onestop import services
    from cchc.org.models import Agency, User

    with connection.cursor() as cursor:  # seeding only: no need to wait for the disk
        cursor.execute("SET synchronous_commit = off")
    officer = world["officers"][0]
    desk = Agency.objects.get(pk=officer["desk_id"])
    actor = User.objects.get(pk=officer["user_id"])
    procedure = Procedure.objects.get(pk=world["procedure_id"])
    start = datetime.datetime(2026, 3, 2, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    codes = []
    for n in range(count):
        at = start + datetime.timedelta(days=n // 200, minutes=n % 200)
        dossier = services.receive_dossier(agency=desk, procedure=procedure, applicant=APPLICANT,
                                           actor=actor, at=at)
        if n % 3 == 0:
            services.transfer_dossier(dossier, actor=actor, at=at)
        if n % 6 == 0:
            services.withdraw_dossier(dossier, actor=actor, reason="Rút", at=at)
        codes.append(dossier.code)
    return codes


def open_loop(port: int, paths: list[str], rate: float, seconds: float, threads: int = 32):
    """Requests due every 1/rate s; returns [(latency from due, status)], late sends."""
    jobs: queue.Queue = queue.Queue()
    results: list[tuple[float, int]] = []
    lock = threading.Lock()

    def work():
        conn = None
        while True:
            job = jobs.get()
            if job is None:
                return
            due, path = job
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers={"Accept": "application/json",
                                                   "X-Forwarded-For": random.choice(ADDRESSES)})
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
                    conn = None
            except (http.client.HTTPException, OSError):
                status = 0
                if conn is not None:
                    conn.close()
                conn = None
            with lock:
                results.append((time.perf_counter() - due, status))

    pool = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    interval = 1 / rate
    count = int(rate * seconds)
    began = time.perf_counter()
    for n in range(count):
        due = began + n * interval
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        jobs.put((due, paths[n % len(paths)]))
    for _ in pool:
        jobs.put(None)
    for thread in pool:
        thread.join(60)
    return results


def summary(label: str, results, seconds: float) -> tuple[float, str]:
    ok = [latency * 1000 for latency, status in results if status in (200, 401)]
    errors = len(results) - len(ok)
    p99 = percentile(ok, 99)
    line = (f"{label:38s} {len(results) / seconds:6.0f} req/s  p50 {percentile(ok, 50):6.2f}  "
            f"p95 {percentile(ok, 95):6.2f}  p99 {p99:6.2f} ms  max {max(ok, default=0):7.1f}  "
            f"errors {errors}")
    return p99, line


def profile(paths: dict, count: int = 500) -> None:
    """In-process, production settings: queries and CPU per request (throttles off, then on
    with the database cache), and a CPU profile of the lookup."""
    import cProfile
    import logging
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 401s of the trivial path
    client = Client(HTTP_HOST="127.0.0.1")
    throttled = {"CCHC_PUBLIC_LOOKUP_RATE": "1000000/min", "CCHC_PUBLIC_MISS_RATE": "1000000/min"}
    runs = [(label, urls, {"CCHC_PUBLIC_LOOKUP_RATE": None, "CCHC_PUBLIC_MISS_RATE": None})
            for label, urls in paths.items()]
    runs.append(("lookup, throttles on", paths["public lookup"], throttled))
    print()
    for label, urls, rates in runs:
        with override_settings(**rates):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            for url in urls[:20]:
                client.get(url)
            with capture_queries() as queries:
                status = client.get(urls[0]).status_code
            wall, app, db = time.perf_counter(), time.process_time(), backend_cpu(backend)
            for n in range(count):
                client.get(urls[n % len(urls)])
            wall, app = time.perf_counter() - wall, time.process_time() - app
            db = backend_cpu(backend) - db if db is not None else float("nan")
            print(f"{label:24s} HTTP {status}, {len(queries)} queries; CPU per request: "
                  f"application {app / count * 1000:.2f} ms, PostgreSQL {db / count * 1000:.2f} ms; "
                  f"wall {wall / count * 1000:.2f} ms")
    profiler = cProfile.Profile(time.process_time)
    urls = paths["public lookup"]
    with override_settings(CCHC_PUBLIC_LOOKUP_RATE=None, CCHC_PUBLIC_MISS_RATE=None):
        profiler.enable()
        for n in range(count):
            client.get(urls[n % len(urls)])
        profiler.disable()
    print("lookup, top functions by cumulative CPU time:")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20, help="per endpoint and setting")
    parser.add_argument("--slice", type=float, default=5, help="seconds per interleaved slice")
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--server", default=default_server())
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="also queries and CPU per request, in-process")
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load_average()}, "
          f"sum(range(10**6)) {cpu_calibration():.1f} ms; database {BENCH_DB} (throwaway)")
    db_url = create_database(args.server)
    gunicorn = None
    failed = False
    try:
        setup_django(db_url)
        world = make_world(1)
        began = time.perf_counter()
        codes = seed(world, args.dossiers)
        print(f"seeded {len(codes)} dossiers in {time.perf_counter() - began:.0f} s")
        rng = random.Random(2025)
        lookups = [f"/api/v1/public/dossiers/{rng.choice(codes)}/" for _ in range(5000)]
        trivial = ["/api/v1/dossiers/"]
        with tempfile.TemporaryDirectory(prefix="cchc-bench-") as directory:
            for label, overrides in SETTINGS.items():
                module = f"bench_settings_{abs(hash(label))}"
                overrides = overrides.replace("{directory}", str(Path(directory, "throttle")))
                Path(directory, f"{module}.py").write_text(
                    f"from cchc.settings import *  # noqa: F403\n{COMMON}{overrides}")
                gunicorn = Gunicorn(db_url, args.workers, pythonpath=directory,
                                    env={"DJANGO_SETTINGS_MODULE": module})
                gunicorn.wait_ready()
                open_loop(gunicorn.port, lookups, args.rate, 3)  # warm-up, not counted
                done = {"lookup": [], "trivial": []}
                slices = max(1, round(args.seconds / args.slice))
                for _ in range(slices):
                    done["trivial"] += open_loop(gunicorn.port, trivial, args.rate, args.slice)
                    done["lookup"] += open_loop(gunicorn.port, lookups, args.rate, args.slice)
                gunicorn.stop()
                gunicorn = None
                seconds = slices * args.slice
                print(f"\n{label}: gunicorn -w {args.workers} (sync), {args.rate:.0f} req/s "
                      f"open-loop, {seconds:.0f} s each, interleaved; load {load_average()}")
                _, line = summary("trivial (401, no query)", done["trivial"], seconds)
                print(line)
                p99, line = summary("public lookup", done["lookup"], seconds)
                print(line)
                if label == "throttles off":
                    failed |= p99 >= TARGET_P99_MS
                print(f"{'':38s} target p99 < {TARGET_P99_MS} ms: "
                      f"{'met' if p99 < TARGET_P99_MS else 'NOT met'}")
        if args.profile:
            profile({"public lookup": lookups, "trivial (401, no query)": trivial})
        return 1 if failed else 0
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.server)


if __name__ == "__main__":
    sys.exit(main())
