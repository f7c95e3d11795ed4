"""Benchmark: dossier intake (POST /api/v1/dossiers/) under gunicorn against PostgreSQL.

    uv run python bench/onestop_intake.py [--seconds 20] [--clients 8] [--desks 8]
        [--workers 4] [--server postgresql://postgres@127.0.0.1:5432] [--profile] [--keep]

Works in a throwaway database (``cchc_bench_onestop``, dropped and created, migrated, dropped
again at the end): it never touches another database. A small world: one province, one
commune per desk with its reception desk and desk officer (token), one procedure of 5
working days. Then, in the same run:

1. baseline: ``--clients`` psycopg connections each doing INSERT of one row + COMMIT into a
   scratch table, for a few seconds (the database's raw single-row commit rate);
2. gunicorn (``-w --workers``, sync workers) in production mode: CCHC_DEBUG=0, a secret key,
   CCHC_ALLOWED_HOSTS=127.0.0.1, CCHC_SSL_REDIRECT=0 (no TLS proxy in front), the database
   cache; email through Django's dummy backend (an SMTP server's latency would be added
   to every request: notifications are sent in the request after commit);
3. ``--clients`` threads POST intakes for ``--seconds``, each as the officer of desk
   ``i % --desks`` (``--desks 1``: every intake at one desk, serialised by its daily
   counter; ``--desks 8``: a province's load spread over its desks);
4. the baseline again; then a check that every desk's day is numbered 1..N without a gap.

A warm-up of ``--warmup`` seconds of the same load comes first and is not counted (each
worker imports its code and builds the working calendar on its first intakes).

Prints dossiers/s, p50/p95/p99 latency, errors, the ratio to the baseline, and the CPU time
per intake of gunicorn, of the workers' PostgreSQL backends and of the clients (from /proc;
the server must run on this machine), which say what the run would do on idle cores when the
machine is shared and the wall-clock rate says little.
``--profile`` adds, in-process: queries per intake (listed) and a cProfile of 200 intakes;
``--profile-only`` does only that.
``--ab-rev REV`` / ``--ab-env NAME=VALUE``: an A/B in the same run instead: gunicorn alternately
serving A (the code of git revision REV, from ``git archive``, or this code without the
variable) and B (this code, with the variable), ``--rounds`` rounds of ``--seconds`` each, one
line per round with the rate and the CPU per intake (compare within a run on a shared machine).
Clients run on the same machine as the server and the database: they take CPU too.
"""

import argparse
import contextlib
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# BENCH_DB_NAME: another throwaway name, for two benchmarks on one server at once.
BENCH_DB = os.environ.get("BENCH_DB_NAME", "cchc_bench_onestop")
TARGET = 300  # dossiers/s, from the issue
APPLICANT = {"name": "Nguyễn Văn An", "id_number": "087090001234", "phone": "0912345678",
             "email": "an@example.org", "address": "Phường Hồng Ngự, Đồng Tháp"}
SECRET = secrets.token_urlsafe(40)
PRODUCTION_ENV = {
    "CCHC_DEBUG": "0", "CCHC_SECRET_KEY": SECRET, "CCHC_ALLOWED_HOSTS": "127.0.0.1",
    "CCHC_SSL_REDIRECT": "0", "CCHC_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "CCHC_LOG_LEVEL": "WARNING",
}


# -- the throwaway database -----------------------------------------------------------------


def default_server() -> str:
    url = os.environ.get("BENCH_PG_SERVER") or os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return "postgresql://postgres@127.0.0.1:5432"


def database_url(server: str, name: str = BENCH_DB) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def _admin(server: str):
    import psycopg

    return psycopg.connect(database_url(server, "postgres"), autocommit=True)


def create_database(server: str) -> str:
    with _admin(server) as conn:
        drop_database(server, conn)
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return database_url(server)


def drop_database(server: str, conn=None) -> None:
    own = conn is None
    conn = conn or _admin(server)
    try:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", [BENCH_DB])
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    finally:
        if own:
            conn.close()


def setup_django(db_url: str) -> None:
    """This process: production settings against the throwaway database."""
    os.environ.update(PRODUCTION_ENV)
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cchc.settings"
    sys.path.insert(0, str(ROOT))  # tests.factories
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def make_world(desks: int) -> dict:
    """One province, ``desks`` communes each with a reception desk and its desk officer."""
    import datetime

    from rest_framework.authtoken.models import Token

    from cchc.catalog.services import ensure_field, register_procedure
    from cchc.org.models import AgencyKind, Era, Level, Role
    from tests.factories import AgencyFactory, MembershipFactory, UnitFactory, UserFactory

    province = UnitFactory(era=Era.CURRENT, code="82", name="Đồng Tháp", level=Level.PROVINCE)
    department = AgencyFactory(unit=province, code="000.00.12.H20", name="Sở Tư pháp",
                               kind=AgencyKind.DEPARTMENT)
    field = ensure_field("HT", "Hộ tịch")
    procedure = register_procedure(
        base_code="1.001612", agency=department, effective_from=datetime.date(2020, 1, 1),
        data={"level": "commune", "field": field.code, "implementing_agency": department.code,
              "name": "Đăng ký kết hôn có yếu tố nước ngoài",
              "methods": [{"channel": "direct", "days": 5, "fee": 0},
                          {"channel": "online", "days": 5, "fee": 0}]})
    officers = []
    for n in range(desks):
        commune = UnitFactory(era=Era.CURRENT, code=f"{30000 + n}", name=f"Xã Thử {n}",
                              level=Level.COMMUNE, parent=province)
        desk = AgencyFactory(unit=commune, code=f"{100 + n:03d}.10.50.H20",
                             kind=AgencyKind.RECEPTION_DESK, name=f"Bộ phận một cửa xã {n}")
        user = UserFactory(username=f"motcua{n}")
        MembershipFactory(user=user, unit=commune, agency=desk, role=Role.DESK_OFFICER)
        officers.append({"desk": desk.code, "token": Token.objects.create(user=user).key,
                         "user_id": user.pk, "desk_id": desk.pk})
    return {"procedure": procedure.code, "procedure_id": procedure.pk, "officers": officers}


# -- the baseline ---------------------------------------------------------------------------


def raw_commit_rate(db_url: str, connections: int, seconds: float) -> float:
    """Single-row INSERT + COMMIT per round trip, ``connections`` at once."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_scratch "
                     "(id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), v text)")
    counts = [0] * connections
    start = threading.Barrier(connections + 1)
    stop = threading.Event()

    def work(index):
        with psycopg.connect(db_url) as conn:
            start.wait()
            while not stop.is_set():
                conn.execute("INSERT INTO bench_scratch (v) VALUES (%s)", ["x" * 40])
                conn.commit()
                counts[index] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


# -- gunicorn and clients -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, db_url: str, workers: int, env: dict | None = None, pythonpath=None):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile("w+", prefix="gunicorn-", suffix=".log",
                                               delete=False)
        environment = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": db_url, **(env or {})}
        if pythonpath:
            environment["PYTHONPATH"] = os.pathsep.join(
                [str(pythonpath), environment.get("PYTHONPATH", "")]).strip(os.pathsep)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cchc.wsgi", "-w", str(workers),
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT)
        self.workers = workers

    def wait_ready(self, path="/api/v1/dossiers/", timeout=180) -> None:
        deadline = time.monotonic() + timeout
        ready = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                conn.close()
            except OSError:
                time.sleep(0.2)
                continue
            if response.status != 401:  # the answer without a token
                raise RuntimeError(f"gunicorn answers {response.status} to GET {path}: see "
                                   f"{self.log.name}")
            ready += 1
            if ready >= self.workers * 3:  # every worker has loaded the application
                return
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        errors = [line for line in Path(self.log.name).read_text().splitlines()
                  if "Traceback" in line or "ERROR" in line]
        if errors:
            print(f"gunicorn log {self.log.name}: {len(errors)} error lines", file=sys.stderr)
        else:
            os.unlink(self.log.name)


class Client:
    """One keep-alive HTTP connection, reopened whenever the server closes it (gunicorn's
    sync workers close after every response)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close" or response.will_close:
                    self.conn.close()
                    self.conn = None
                return response.status, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def percentile(values, p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def intake_load(port: int, world: dict, clients: int, desks: int, seconds: float):
    results: list[list[tuple[float, int]]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def work(index):
        officer = world["officers"][index % desks]
        headers = {"Authorization": f"Token {officer['token']}",
                   "Content-Type": "application/json", "Accept": "application/json"}
        body = json.dumps({"agency": officer["desk"], "procedure": world["procedure"],
                           "channel": 1, "applicant": APPLICANT, "sets": 1}).encode()
        client = Client(port)
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                status, _ = client.request("POST", "/api/v1/dossiers/", body, headers)
            except (http.client.HTTPException, OSError):
                status = 0
            results[index].append((time.perf_counter() - began, status))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    return [r for rs in results for r in rs], time.perf_counter() - began


def check_numbering() -> tuple[int, int]:
    """(dossiers, desk-days with a gap or a duplicate)."""
    from cchc.onestop.models import DailySequence, Dossier

    bad = 0
    for counter in DailySequence.objects.all():
        numbers = sorted(int(code[-4:]) for code in Dossier.objects.filter(
            receiving_agency_id=counter.agency_id,
            code__contains=f"-{counter.day:%y%m%d}-").values_list("code", flat=True))
        bad += numbers != list(range(1, counter.last + 1))
    return Dossier.objects.count(), bad


def cpu_calibration() -> float:
    """ms for ``sum(range(10**6))``, best of 5: how fast a core is for Python right now
    (about 10 ms on an idle modern core; more when the machine is shared)."""
    import timeit

    return min(timeit.repeat("sum(range(10**6))", number=5, repeat=5)) / 5 * 1000


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "?"


# -- profile --------------------------------------------------------------------------------


@contextlib.contextmanager
def capture_queries():
    """The SQL of every statement run on the default connection meanwhile."""
    from django.db import connection

    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield queries


def backend_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of a local PostgreSQL backend, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (gunicorn's workers), from /proc."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class RunCPU:
    """CPU seconds spent during the measured run by gunicorn (master and workers), by the
    PostgreSQL backends connected to the throwaway database (the workers keep theirs:
    CONN_MAX_AGE), and by this process (the client threads). Under load the wall-clock
    rate says little; CPU per intake says what the run would do on idle cores."""

    def __init__(self, gunicorn_pid: int, db_url: str):
        import psycopg

        self.gunicorn = [gunicorn_pid, *children(gunicorn_pid)]
        with psycopg.connect(db_url, autocommit=True) as conn:
            self.backends = [pid for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()").fetchall()]
        self.start = self.sample()

    def sample(self) -> tuple[float, float, float]:
        def total(pids):
            return sum(cpu for pid in pids if (cpu := backend_cpu(pid)) is not None)

        return total(self.gunicorn), total(self.backends), time.process_time()

    def per_intake(self, intakes: int) -> tuple[float, float, float]:
        end = self.sample()
        return tuple((b - a) / max(intakes, 1) * 1000 for a, b in zip(self.start, end, strict=True))


def profile(world: dict, intakes: int = 200) -> None:
    """In-process, production settings: the queries of one intake and where the time goes."""
    import cProfile
    import pstats
    from collections import Counter

    from django.db import connection
    from django.test import Client as DjangoClient

    officer = world["officers"][0]
    client = DjangoClient(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {officer['token']}")
    body = {"agency": officer["desk"], "procedure": world["procedure"], "channel": 1,
            "applicant": APPLICANT, "sets": 1}

    def post():
        response = client.post("/api/v1/dossiers/", body, content_type="application/json")
        assert response.status_code == 201, response.content

    post()
    with capture_queries() as queries:
        post()
    print(f"\nqueries per intake: {len(queries)}")
    kinds = Counter()
    for sql in queries:
        words = sql.split()
        table = next((w.strip('"') for w in words if w.startswith('"') and "_" in w), "")
        kinds[f"{words[0]} {table}".strip()] += 1
    for kind, count in kinds.most_common():
        print(f"  {count:3d}  {kind}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    wall, app, db = time.perf_counter(), time.process_time(), backend_cpu(backend)
    for _ in range(intakes):
        post()
    wall, app = time.perf_counter() - wall, time.process_time() - app
    db = backend_cpu(backend) - db if db is not None else float("nan")
    print(f"\nCPU per intake, one client in-process, {intakes} intakes: application "
          f"{app / intakes * 1000:.2f} ms, PostgreSQL backend {db / intakes * 1000:.2f} ms, wall "
          f"{wall / intakes * 1000:.2f} ms")
    print(f"=> ceiling on {os.cpu_count()} dedicated cores without HTTP and client costs: "
          f"{os.cpu_count() / (app + db) * intakes:.0f} dossiers/s")

    # CPU time, not wall time: what limits the throughput once the cores are busy (and what
    # other load on the machine disturbs least).
    profiler = cProfile.Profile(time.process_time)
    began = time.perf_counter()
    profiler.enable()
    for _ in range(intakes):
        post()
    profiler.disable()
    elapsed = time.perf_counter() - began
    print(f"\n{intakes} intakes in-process, one at a time: {elapsed / intakes * 1000:.1f} ms each "
          f"(wall, under cProfile)")
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    buckets = {
        "database round trips (psycopg)": ("psycopg/connection.py", ("wait",)),
        "token authentication": ("rest_framework/authentication.py", ("authenticate",)),
        "roles and jurisdiction (core.permissions)": ("cchc/core/permissions.py",
                                                      ("has_role", "visible_units", "roles_of")),
        "procedure resolution (catalog.selectors)": ("cchc/catalog/selectors.py",
                                                     ("get_procedure", "version_in_force")),
        "receive_dossier (whole service)": ("cchc/onestop/services.py", ("receive_dossier",)),
        "  allocate_code": ("cchc/onestop/services.py", ("allocate_code",)),
        "  legal_days (x2)": ("cchc/onestop/services.py", ("legal_days",)),
        "  due explanation (workcal)": ("cchc/workcal/deadlines.py", ("explain_due",)),
        "  first step (process template, budgets)": ("cchc/onestop/services.py", ("_start_step",)),
        "  commit": ("django/db/transaction.py", ("__exit__",)),
        "notification after commit": ("cchc/onestop/notifications.py", ("_send",)),
        "response serializer": ("rest_framework/serializers.py", ("data",)),
        "  available_actions": ("cchc/onestop/selectors.py", ("available_actions",)),
        "middleware + view dispatch (whole request)": ("django/core/handlers/base.py",
                                                       ("get_response",)),
    }
    print(f"\ncProfile of the application's CPU time, {intakes} intakes, {total:.2f} s:")
    for label, (path, names) in buckets.items():
        seconds = max((v[3] for k, v in stats.stats.items()
                       if path in k[0] and k[2] in names), default=0.0)
        print(f"  {label:45s} {seconds / intakes * 1000:7.2f} ms/intake "
              f"{seconds / total * 100:5.1f} %")
    print("\ntop cchc functions by cumulative CPU time:")
    stats.sort_stats("cumulative").print_stats(r"cchc/", 20)
    print("top functions by own CPU time:")
    stats.sort_stats("tottime").print_stats(15)


# -- A/B in one run ------------------------------------------------------------------------


@contextlib.contextmanager
def code_of(revision: str):
    """``src/`` of a git revision in a temporary directory (for PYTHONPATH)."""
    with tempfile.TemporaryDirectory(prefix="cchc-ab-") as directory:
        archive = subprocess.run(["git", "archive", revision, "src"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", directory], input=archive, check=True)
        yield Path(directory) / "src"


def gunicorn_run(db_url: str, world: dict, args, env=None, pythonpath=None):
    """gunicorn started, warmed up (every worker loads its code and builds the working
    calendar on its first intakes), loaded for ``args.seconds`` and stopped: the results,
    the elapsed time and the CPU per intake (gunicorn, PostgreSQL, clients)."""
    gunicorn = Gunicorn(db_url, args.workers, env=env, pythonpath=pythonpath)
    try:
        gunicorn.wait_ready()
        intake_load(gunicorn.port, world, args.clients, args.desks, args.warmup)
        cpu = RunCPU(gunicorn.process.pid, db_url)
        results, elapsed = intake_load(gunicorn.port, world, args.clients, args.desks,
                                       args.seconds)
        created = sum(status == 201 for _latency, status in results)
        return results, elapsed, cpu.per_intake(created)
    finally:
        gunicorn.stop()


def measure(db_url: str, world: dict, args, env=None, pythonpath=None) -> str:
    results, elapsed, (app_ms, db_ms, client_ms) = gunicorn_run(db_url, world, args, env,
                                                                pythonpath)
    ok = [latency for latency, status in results if status == 201]
    return (f"{len(ok) / elapsed:6.1f}/s p50 {percentile(ok, 50) * 1000:6.1f} ms errors "
            f"{len(results) - len(ok)}; CPU/intake gunicorn {app_ms:.2f} + PG {db_ms:.2f} + "
            f"clients {client_ms:.2f} = {app_ms + db_ms + client_ms:.2f} ms; load {load_average()}")


def ab(db_url: str, world: dict, args) -> None:
    with contextlib.ExitStack() as stack:
        if args.ab_rev:
            a = ("A " + args.ab_rev, {}, stack.enter_context(code_of(args.ab_rev)))
            b = ("B this code", {}, None)
        else:
            name, _, value = args.ab_env.partition("=")
            a = (f"A without {name}", {}, None)
            b = (f"B {name}={value}", {name: value}, None)
        for round_ in range(args.rounds):
            for label, env, pythonpath in (a, b):
                print(f"{label:28s} round {round_}: "
                      f"{measure(db_url, world, args, env, pythonpath)}", flush=True)


# -- main -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--desks", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load not counted")
    parser.add_argument("--baseline-seconds", type=float, default=5)
    parser.add_argument("--server", default=default_server(),
                        help="PostgreSQL server (the database name is ignored)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-only", action="store_true",
                        help="only the in-process profile (no gunicorn run, no baseline)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument("--ab-rev", help="A/B: the code of this git revision against this code")
    parser.add_argument("--ab-env", help="A/B: this code without and with NAME=VALUE")
    parser.add_argument("--rounds", type=int, default=2, help="A/B rounds")
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load_average()}, "
          f"sum(range(10**6)) {cpu_calibration():.1f} ms; database {BENCH_DB} (throwaway) on "
          f"{urlsplit(args.server).netloc}")
    db_url = create_database(args.server)
    try:
        setup_django(db_url)
        world = make_world(max(args.desks, 1))
        if args.ab_rev or args.ab_env:
            ab(db_url, world, args)
            return 0
        if args.profile_only:
            profile(world)
            return 0
        before = raw_commit_rate(db_url, args.clients, args.baseline_seconds)
        results, elapsed, (app_ms, db_ms, client_ms) = gunicorn_run(db_url, world, args)
        after = raw_commit_rate(db_url, args.clients, args.baseline_seconds)
        dossiers, gaps = check_numbering()

        ok = [latency for latency, status in results if status == 201]
        errors = len(results) - len(ok)
        rate = len(ok) / elapsed
        baseline = statistics.mean([before, after])
        print(f"gunicorn -w {args.workers} (sync), {args.clients} clients, {args.desks} desk(s), "
              f"{args.seconds:.0f} s, load now {load_average()}")
        print(f"intakes                 : {len(ok):8d} created, {errors} errors "
              f"({dossiers} in the database, {gaps} desk-days with a gap)")
        print(f"throughput              : {rate:8.1f} dossiers/s (target >= {TARGET})")
        print(f"latency p50 / p95 / p99 : {percentile(ok, 50) * 1000:8.1f} / "
              f"{percentile(ok, 95) * 1000:.1f} / {percentile(ok, 99) * 1000:.1f} ms")
        print(f"raw INSERT+COMMIT       : {before:8.0f} /s before, {after:.0f} /s after "
              f"({args.clients} connections)")
        print(f"intake / raw commit     : {rate / baseline:8.3f}")
        total_ms = app_ms + db_ms + client_ms
        print(f"CPU per intake          : {app_ms:8.2f} ms gunicorn + {db_ms:.2f} ms PostgreSQL "
              f"+ {client_ms:.2f} ms clients = {total_ms:.2f} ms")
        print(f"=> on {os.cpu_count()} idle cores    : {os.cpu_count() * 1000 / total_ms:8.0f} "
              f"dossiers/s at most (CPU-bound; {TARGET} needs <= "
              f"{os.cpu_count() * 1000 / TARGET:.1f} ms)")
        if args.profile:
            profile(world)
        return 0 if errors == 0 and gaps == 0 else 1
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.server)


if __name__ == "__main__":
    sys.exit(main())
