"""Benchmark: the timeliness report for a year across the province over 10,000,000 dossiers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/reports_timeliness.py
    ... --count 1000000 --keep     # smaller, and keep the database for another run (--reuse)

PostgreSQL only. Creates a throwaway database ``cchc_bench_reports`` on the server named by
DATABASE_URL (never the database in the URL itself), migrates it, loads the units of the
demo province (new Đồng Tháp and the two old provinces merged into it) with their desks, and
generates the dossiers with one ``INSERT ... SELECT`` over ``generate_series`` on the
province's working calendar: received in office hours on working days from 1/1/2023 to
30/6/2026 (old units until 30/6/2025, new ones after), dues from the legal time, 15% with
one supplement request and 3% with two (request and resumption events written), the stored
timeliness computed as ``classify`` does, the dossiers still running on 30/6/2026 open.
Then builds the report's indexes (reports migration 0002), vacuums, builds the per-unit,
per-day rollup as the periodic job does (from scratch, then one night's run, each timed),
and measures in the same run, interleaved: the report selector (``timeliness_report``, which
reads the rollup) unscoped as the command line runs it, the same scoped to the province's
Home Affairs administrator, the selector without the rollup (live), and the best
hand-written SQL for the same numbers (one statement each) over the raw rows and over the
rollup. The numbers must agree.
Prints min/median of each, the ratio, the peak RSS before and after, and EXPLAIN ANALYZE.
Targets: under 2 s, and no slower than 1.5x the hand-written SQL.
"""

import argparse
import datetime
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BENCH_DATABASE = "cchc_bench_reports"
D = 28_800  # office seconds in a working day (07:00-11:30, 13:30-17:00)
FIRST_DAY = datetime.date(2023, 1, 1)
LAST_DAY = datetime.date(2026, 6, 30)
REFORM = datetime.date(2025, 7, 1)
YEAR = 2025

def proposed_indexes() -> dict:
    """The report's indexes (reports migrations 0002 and 0004, which ``migrate`` creates): name ->
    definition. The generation drops them with the other secondary indexes and
    ``ensure_proposed_indexes`` builds them again once the rows are in."""
    import importlib

    indexes = {}
    for migration in ("0002_report_indexes", "0004_open_period_with_submission"):
        module = importlib.import_module(f"cchc.reports.migrations.{migration}")
        indexes.update({name: ddl for name, (ddl, _concurrently) in module.INDEXES.items()})
    return indexes


def ensure_proposed_indexes():
    """Create the proposed indexes, replacing one whose definition changed (a kept database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for name, ddl in proposed_indexes().items():
            cursor.execute("SELECT d.description FROM pg_class c LEFT JOIN pg_description d "
                           "ON d.objoid = c.oid WHERE c.relname = %s", [name])
            row = cursor.fetchone()
            if row is not None and row[0] == ddl:
                continue
            if row is not None:
                cursor.execute(f"DROP INDEX {name}")
            run_ddl([ddl])
            cursor.execute(f"COMMENT ON INDEX {name} IS %s", [ddl])


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_args(doc: str, *, count: int, rounds: int, database: str):
    """The options of the report benchmarks (this one and reports_dashboard.py) and the
    PostgreSQL server from DATABASE_URL."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=count)
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database (no generation)")
    parser.add_argument("--database", default=database, help="name of the throwaway database")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("PostgreSQL only: set DATABASE_URL=postgres://user@host:port/postgres")
    return args, database_url


def configure(database_url: str, database: str, reuse: bool):
    """Create (or, with ``reuse``, keep) the throwaway ``database`` on the server of
    ``database_url`` and point Django at it; returns (drop, reused)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "cchc.settings"
    os.environ["CCHC_DEBUG"] = "1"
    os.environ.setdefault("CCHC_DATA_DIR", f"/tmp/{database}")
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    admin = psycopg.connect(dbname=config["NAME"] or "postgres", user=config["USER"] or None,
                            password=config["PASSWORD"] or None, host=config["HOST"] or None,
                            port=config["PORT"] or None, autocommit=True)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
    if not (reuse and exists):
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
    base, _sep, _name = database_url.rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{database}"

    def drop():
        from django.db import connections

        connections.close_all()
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.close()

    return drop, bool(reuse and exists)


# -- the world ----------------------------------------------------------------------------------


def load_world():
    """Units of the demo province, a desk in every unit that received dossiers, 40 procedures."""
    from cchc.catalog.models import ProcedureVersion
    from cchc.catalog.services import ensure_field, register_procedure
    from cchc.core.demo import load_units_and_agencies
    from cchc.org.models import (
        AdministrativeUnit,
        Agency,
        AgencyKind,
        Era,
        Level,
        Membership,
        Role,
        User,
    )
    from cchc.org.services import ensure_standard_agencies

    units = load_units_and_agencies()
    province = units["province"]
    desks = Agency.objects.filter(kind__in=[AgencyKind.RECEPTION_DESK, AgencyKind.SERVICE_CENTRE])
    existing = list(ProcedureVersion.objects.filter(name__startswith="Thủ tục thử nghiệm số ")
                    .order_by("procedure__base_code"))
    if len(existing) == 40:  # a kept database: the world is there
        return ([(v.procedure_id, v.pk, float(v.methods.get(channel="direct").days)) for v in existing],
                [(a.pk, a.unit_id) for a in desks.filter(unit__era=Era.PRE_2025).order_by("pk")],
                [(a.pk, a.unit_id) for a in desks.filter(unit__era=Era.CURRENT).order_by("pk")])
    old = list(AdministrativeUnit.objects.filter(era=Era.PRE_2025).exclude(level=Level.PROVINCE))
    ensure_standard_agencies(old + list(AdministrativeUnit.objects.filter(era=Era.PRE_2025, level=Level.PROVINCE)))
    owner = Agency.objects.filter(unit=province).order_by("code").first()
    fields = [ensure_field(code, name) for code, name in (
        ("HT", "Hộ tịch"), ("CT", "Chứng thực"), ("DD", "Đất đai"), ("XD", "Xây dựng"),
        ("LDTBXH", "Lao động, thương binh và xã hội"))]
    procedures = []
    days = [0, 0, 0.5, 1, 2, 3, 3, 5, 5, 7, 10, 10, 15, 20, 30]
    for i in range(40):
        legal = days[i % len(days)]
        procedure = register_procedure(
            base_code=f"1.{900000 + i:06d}", agency=owner, effective_from=datetime.date(2020, 1, 1),
            data={"level": "commune", "field": fields[i % len(fields)].code,
                  "name": f"Thủ tục thử nghiệm số {i + 1} ({legal} ngày)",
                  "methods": [{"channel": "direct", "days": legal}, {"channel": "online", "days": legal}]})
        procedures.append((procedure.pk, procedure.versions.get().pk, legal))
    user, _created = User.objects.get_or_create(username="bench.noivu", defaults={"full_name": "Nội vụ"})
    Membership.objects.get_or_create(user=user, unit=province, agency=None, role=Role.HOME_AFFAIRS_ADMIN)
    old_desks = [(a.pk, a.unit_id) for a in desks.filter(unit__era=Era.PRE_2025).order_by("pk")]
    new_desks = [(a.pk, a.unit_id) for a in desks.filter(unit__era=Era.CURRENT).order_by("pk")]
    return procedures, old_desks, new_desks


def working_days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    from cchc.workcal.selectors import get_calendar

    calendar = get_calendar()
    days, day = [], first
    while day <= last:
        if calendar.is_working_day(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def instant(pos: str, days_literal: str) -> str:
    """SQL: the earliest instant at office position ``pos`` (working-day index x D + seconds)."""
    k = f"((({pos}) + {D} - 1) / {D})"  # 1-based index of the day the position falls in
    s = f"(({pos}) - ({k} - 1) * {D})"
    return (f"(({days_literal})[{k}] + CASE WHEN {s} <= 16200 THEN time '07:00' + {s} * interval '1 second' "
            f"ELSE time '13:30' + ({s} - 16200) * interval '1 second' END) AT TIME ZONE 'Asia/Ho_Chi_Minh'")


def generate(count: int, procedures, old_desks, new_desks):
    """All dossiers in one INSERT ... SELECT; supplement events in a second one."""
    from django.db import connection

    days = working_days(datetime.date(2022, 12, 1), datetime.date(2027, 12, 31))
    index = {d: i for i, d in enumerate(days)}  # position of day i starts at i * D
    n0, n1 = index[min(d for d in days if d >= FIRST_DAY)], index[max(d for d in days if d <= LAST_DAY)]
    reform = index[min(d for d in days if d >= REFORM)]
    now = (n1 + 1) * D  # 30/6/2026 17:00
    days_literal = "'{" + ",".join(d.isoformat() for d in days) + "}'::date[]"
    arr = lambda values, kind: "'{" + ",".join(str(v) for v in values) + "}'::" + kind + "[]"  # noqa: E731
    proc_ids, version_ids, legal = (arr([p[0] for p in procedures], "bigint"),
                                    arr([p[1] for p in procedures], "bigint"),
                                    arr([p[2] for p in procedures], "numeric"))
    old_ag, old_un = arr([a for a, _u in old_desks], "bigint"), arr([u for _a, u in old_desks], "bigint")
    new_ag, new_un = arr([a for a, _u in new_desks], "bigint"), arr([u for _a, u in new_desks], "bigint")
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # consistent by construction
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute("DROP TABLE IF EXISTS bench_plan, bench_plan2")
        # Positions are office seconds since the first listed working day.
        cursor.execute(f"""
            CREATE UNLOGGED TABLE bench_plan AS
            SELECT i, n, o, pk, legal_days, chan, sup, stat, r_dur, p1, p2, r_split, r_desk,
                   n * {D} + o AS pos,
                   CASE WHEN legal_days > 0 THEN n * {D} + o + (legal_days * {D})::bigint
                        WHEN o <= 21600 THEN (n + 1) * {D} ELSE (n + 2) * {D} END AS due_pos
            FROM (
                SELECT i, {n0} + floor(random() * {n1 - n0 + 1})::int AS n,
                       floor(random() * {D})::int AS o,
                       1 + floor(random() * {len(procedures)})::int AS pk,
                       random() AS r_chan, random() AS r_sup, random() AS stat, random() AS r_dur,
                       {D} + floor(random() * 4 * {D})::bigint AS p1,
                       {D} + floor(random() * 2 * {D})::bigint AS p2,
                       random() AS r_split, random() AS r_desk
                FROM generate_series(1, {count}) AS i
            ) r,
            LATERAL (SELECT ({legal})[r.pk] AS legal_days,
                            CASE WHEN r.r_chan < 0.60 THEN 1 WHEN r.r_chan < 0.95 THEN 2 ELSE 3 END AS chan,
                            CASE WHEN r.r_sup < 0.85 THEN 0 WHEN r.r_sup < 0.97 THEN 1 ELSE 2 END AS sup) c
        """)
        # Processing time without pauses: 88% within the legal time, 12% up to twice it.
        cursor.execute("""
            CREATE UNLOGGED TABLE bench_plan2 AS
            SELECT p.*, a, pos + a + (CASE WHEN sup >= 1 THEN p1 ELSE 0 END)
                        + (CASE WHEN sup >= 2 THEN p2 ELSE 0 END) AS end_pos,
                   pos + greatest(floor(a * r_split * 0.5)::bigint, 60) AS req1,
                   pos + greatest(floor(a * r_split * 0.5)::bigint, 60) + p1 AS res1,
                   pos + greatest(floor(a * r_split * 0.5)::bigint, 60) + p1 + greatest(floor(a * 0.25)::bigint, 60) AS req2,
                   pos + greatest(floor(a * r_split * 0.5)::bigint, 60) + p1 + greatest(floor(a * 0.25)::bigint, 60) + p2 AS res2
            FROM bench_plan p,
            LATERAL (SELECT greatest(600, floor((due_pos - pos) *
                        CASE WHEN r_dur < 0.88 THEN 0.05 + r_dur / 0.88 * 0.95
                             ELSE 1 + (r_dur - 0.88) / 0.12 END)::bigint) AS a) x
        """)
        cursor.execute("DROP TABLE bench_plan")
        old_len, new_len = len(old_desks), len(new_desks)
        desk = (f"CASE WHEN n < {reform} THEN ({old_ag})[1 + floor(r_desk * {old_len})::int] "
                f"ELSE ({new_ag})[1 + floor(r_desk * {new_len})::int] END")
        unit = (f"CASE WHEN n < {reform} THEN ({old_un})[1 + floor(r_desk * {old_len})::int] "
                f"ELSE ({new_un})[1 + floor(r_desk * {new_len})::int] END")
        finished = f"end_pos <= {now}"
        # What happened by "now" for the dossiers still open: requests and resumptions before it.
        count_now = (f"(CASE WHEN sup >= 1 AND req1 <= {now} THEN 1 ELSE 0 END + "
                     f"CASE WHEN sup >= 2 AND req2 <= {now} THEN 1 ELSE 0 END)")
        paused_now = (f"(CASE WHEN sup >= 1 AND res1 <= {now} THEN p1 ELSE 0 END + "
                      f"CASE WHEN sup >= 2 AND res2 <= {now} THEN p2 ELSE 0 END)")
        waiting = (f"CASE WHEN sup >= 1 AND req1 <= {now} AND res1 > {now} THEN req1 "
                   f"WHEN sup >= 2 AND req2 <= {now} AND res2 > {now} THEN req2 END")
        eff_due = "(due_pos + CASE WHEN sup >= 1 THEN p1 ELSE 0 END + CASE WHEN sup >= 2 THEN p2 ELSE 0 END)"
        late = f"(sup >= 2 OR end_pos > {eff_due})"
        early = f"((end_pos + {D} - 1) / {D} < ({eff_due} + {D} - 1) / {D})"
        ts = lambda pos: instant(pos, days_literal)  # noqa: E731
        received = (f"((({days_literal})[n + 1] + CASE WHEN o < 16200 THEN time '07:00' + o * interval '1 second' "
                    f"ELSE time '13:30' + (o - 16200) * interval '1 second' END) AT TIME ZONE 'Asia/Ho_Chi_Minh')")
        cursor.execute(f"""
            INSERT INTO onestop_dossier (
                id, code, receiving_agency_id, unit_id, procedure_id, procedure_version_id, channel,
                status, applicant_name, applicant_id_number, applicant_phone, applicant_email,
                applicant_address, request, sets, submitted_at, received_at, legal_days, due_at,
                due_explanation, supplement_count, paused_since, paused_seconds, finished_at,
                returned_at, timeliness, apology_issued_at, apology_reason, apology_new_due_at,
                current_agency_id, "current_role", current_step_id, assignee_id, result_note, imported,
                version, created_at)
            SELECT i, 'BENCH-' || lpad(i::text, 19, '0'), {desk}, {unit}, ({proc_ids})[pk],
                   ({version_ids})[pk], chan,
                   CASE WHEN NOT {finished} THEN (CASE WHEN {waiting} IS NOT NULL THEN 5 ELSE 4 END)
                        WHEN stat < 0.025 THEN 7 WHEN stat < 0.05 THEN 8 WHEN stat < 0.10 THEN 9 ELSE 10 END,
                   'Nguyễn Văn An', '', '', '', '', '', 1, {received}, {received}, legal_days,
                   {ts("due_pos")}, '{{"seeded": true}}'::jsonb,
                   CASE WHEN {finished} THEN sup ELSE {count_now} END,
                   CASE WHEN {finished} THEN NULL ELSE {ts(waiting)} END,
                   CASE WHEN {finished} THEN (CASE WHEN sup >= 1 THEN p1 ELSE 0 END + CASE WHEN sup >= 2 THEN p2 ELSE 0 END)
                        ELSE {paused_now} END,
                   CASE WHEN {finished} THEN {ts("end_pos")} END,
                   CASE WHEN {finished} AND stat >= 0.10 THEN {ts("end_pos")} + interval '2 days' END,
                   CASE WHEN NOT {finished} THEN '' WHEN {late} THEN 'late' WHEN {early} THEN 'early' ELSE 'on_time' END,
                   NULL, '', NULL, NULL, '', NULL, NULL, '', true, 0, now()
            FROM bench_plan2
        """)
        # The supplement events, up to "now".
        for req, res, p, nth in (("req1", "res1", "p1", 1), ("req2", "res2", "p2", 2)):
            cursor.execute(f"""
                INSERT INTO onestop_dossierevent (dossier_id, action, at, status_before, status_after, note, data)
                SELECT i, 'request_supplement', {ts(req)}, 4, 5, 'Thiếu giấy tờ',
                       jsonb_build_object('documents', jsonb_build_array('Giấy tờ tùy thân'), 'counts_late', {nth} > 1)
                FROM bench_plan2 WHERE sup >= {nth} AND {req} <= {now}
            """)
            cursor.execute(f"""
                INSERT INTO onestop_dossierevent (dossier_id, action, at, status_before, status_after, note, data)
                SELECT i, 'receive_supplement', {ts(res)}, 5, 4, '', jsonb_build_object('paused_seconds', {p})
                FROM bench_plan2 WHERE sup >= {nth} AND {res} <= {now}
            """)
        cursor.execute("DROP TABLE bench_plan2")
        cursor.execute("SELECT setval(pg_get_serial_sequence('onestop_dossier', 'id'), %s)", [count])
        cursor.execute("SET session_replication_role = DEFAULT")


def drop_secondary_indexes() -> list[str]:
    """Drop the dossier and event tables' secondary indexes before loading; returns the DDL to
    recreate them (kept in a table until then, so that an interrupted run can be resumed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_ddl (position serial, statement text)")
        cursor.execute("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname
            FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
            WHERE i.indrelid IN ('onestop_dossier'::regclass, 'onestop_dossierevent'::regclass)
              AND NOT i.indisprimary""")
        rows = cursor.fetchall()
        ddl = []
        for name, definition, constraint in rows:
            table = "onestop_dossier" if " ON public.onestop_dossier " in definition else "onestop_dossierevent"
            if constraint:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                columns = definition.split("(", 1)[1].rsplit(")", 1)[0]
                ddl.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" UNIQUE ({columns})')
            else:
                cursor.execute(f'DROP INDEX "{name}"')
                if name not in proposed_indexes():  # rebuilt by ensure_proposed_indexes
                    ddl.append(definition)
        for statement in ddl:
            cursor.execute("INSERT INTO bench_ddl (statement) VALUES (%s)", [statement])
        cursor.execute("SELECT statement FROM bench_ddl ORDER BY position")
        return [row[0] for row in cursor.fetchall()]


def run_ddl(statements: list[str]):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for statement in statements:
            started = time.perf_counter()
            cursor.execute(statement)
            print(f"  {time.perf_counter() - started:6.1f} s  {statement[:110]}", flush=True)


# -- the hand-written SQL -------------------------------------------------------------------------


# "open from reception to finish" as the GiST index of reports 0002/0004 declares it
RNG = "tstzrange(received_at, COALESCE(finished_at, 'infinity'::timestamptz), '[]')"


def _year_statement(year: int, work, scoped_units: list[int] | None):
    """What both hand-written statements start from: the year's bounds, the position of its
    end in office time, the unit filter, and the parameters (the calendar as arrays)."""
    start = datetime.datetime(year, 1, 1, tzinfo=VN)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=VN)
    scope = "" if scoped_units is None else "AND unit_id = ANY(%(units)s)"
    params = {"start": start, "end": end, "units": scoped_units,
              "days": [d for d, _c, _w in work.days], "cums": [c for _d, c, _w in work.days],
              "works": [w for _d, _c, w in work.days]}
    return work.position_of_midnight(end.date()), scope, params


def paused_ctes(scope: str, p_t, work) -> str:
    """The pending dossiers at the period's end with a supplement history (``s``), their events
    from their submission to the end (``ev``: run-time partition pruning), and how many of them
    are overdue per unit (``paused``): the part both hand-written statements share."""
    return f"""
    s AS (
        SELECT id, unit_id, due_at, submitted_at FROM onestop_dossier
        WHERE {RNG} @> %(end)s AND received_at < %(end)s AND supplement_count > 0 {scope}),
    ev AS MATERIALIZED (
        SELECT s.id AS dossier_id, x.* FROM s CROSS JOIN LATERAL (
          SELECT count(*) FILTER (WHERE e.action = 'request_supplement') AS n,
            min(e.at) FILTER (WHERE e.action = 'request_supplement') AS req,
            min(e.at) FILTER (WHERE e.action = 'receive_supplement') AS res,
            min((e.data->>'paused_seconds')::bigint) FILTER (WHERE e.action = 'receive_supplement') AS p
          FROM onestop_dossierevent e
          WHERE e.dossier_id = s.id AND e.at >= s.submitted_at AND e.at < %(end)s
            AND e.action IN ('request_supplement', 'receive_supplement')) x),
    paused AS (
        SELECT s.unit_id, sum(CASE
            WHEN s.due_at IS NULL THEN 0
            WHEN COALESCE(ev.n, 0) = 0 THEN (s.due_at < %(end)s)::int
            WHEN ev.n > 1 THEN 1
            WHEN ev.res IS NULL THEN (ev.req > s.due_at)::int
            WHEN ev.p = 0 THEN (s.due_at < %(end)s)::int
            ELSE ({p_t} - {work.position("s.due_at", "wd")} >= ev.p)::int END) AS overdue
        FROM s LEFT JOIN ev ON ev.dossier_id = s.id {work.join("s.due_at", "wd")}
        GROUP BY s.unit_id)"""


def hand_sql(year: int, work, scoped_units: list[int] | None):
    """The same numbers per receiving unit in one statement: the two index-served halves counted
    per cell (how received x state at the end), and the pending dossiers with a supplement
    history classified from their events at the end. (Every finished dossier of the generated
    data has a stored timeliness, so no "unclassified" cell.)"""
    p_t, scope, params = _year_statement(year, work, scoped_units)

    sql = f"""
    WITH workdays(day, cum, working) AS (
        SELECT * FROM unnest(%(days)s::date[], %(cums)s::double precision[], %(works)s::boolean[])),
    base AS (
        SELECT unit_id, received_at, finished_at, channel, timeliness, supplement_count, due_at
        FROM onestop_dossier WHERE received_at >= %(start)s AND received_at < %(end)s {scope}
        UNION ALL
        SELECT unit_id, received_at, finished_at, channel, timeliness, supplement_count, due_at
        FROM onestop_dossier WHERE {RNG} @> %(start)s AND received_at < %(start)s {scope}),
    cells AS (
        SELECT unit_id,
          CASE WHEN received_at < %(start)s THEN 0 WHEN channel = 2 THEN 1 ELSE 2 END AS how,
          CASE WHEN finished_at < %(end)s THEN (CASE WHEN timeliness = 'late' THEN 1 ELSE 0 END)
               WHEN supplement_count > 0 THEN 3 WHEN due_at < %(end)s THEN 4 ELSE 5 END AS state,
          count(*) AS n
        FROM base GROUP BY 1, 2, 3),
    agg AS (
        SELECT unit_id, sum(n) AS received,
          sum(n) FILTER (WHERE how = 0) AS carried_over, sum(n) FILTER (WHERE how = 1) AS online,
          sum(n) FILTER (WHERE how = 2) AS new_direct_postal,
          sum(n) FILTER (WHERE state <= 1) AS resolved, sum(n) FILTER (WHERE state = 0) AS on_time,
          sum(n) FILTER (WHERE state = 1) AS late, sum(n) FILTER (WHERE state >= 3) AS pending,
          sum(n) FILTER (WHERE state = 4) AS overdue_plain
        FROM cells GROUP BY unit_id),
    {paused_ctes(scope, p_t, work).strip()}
    SELECT agg.unit_id, received, COALESCE(online, 0), COALESCE(carried_over, 0),
           COALESCE(new_direct_postal, 0), COALESCE(resolved, 0), COALESCE(on_time, 0), COALESCE(late, 0),
           COALESCE(pending, 0), COALESCE(pending, 0) - COALESCE(overdue_plain, 0) - COALESCE(paused.overdue, 0),
           COALESCE(overdue_plain, 0) + COALESCE(paused.overdue, 0)
    FROM agg LEFT JOIN paused ON paused.unit_id = agg.unit_id
    """
    return sql, params


def hand_rollup_sql(year: int, work, scoped_units: list[int] | None, mark: int):
    """The same numbers from the rollup (``reports_timelinessday``, every day of the year
    covered), the dossiers above its mark, the carried over at the start and the pending at
    the end (GiST), the paused ones classified from their events as in ``hand_sql``."""
    p_t, scope, params = _year_statement(year, work, scoped_units)
    sql = f"""
    WITH workdays(day, cum, working) AS (
        SELECT * FROM unnest(%(days)s::date[], %(cums)s::double precision[], %(works)s::boolean[])),
    carried AS (
        SELECT unit_id, count(*) AS n FROM onestop_dossier
        WHERE {RNG} @> %(start)s AND received_at < %(start)s {scope} GROUP BY unit_id),
    closed AS (
        SELECT unit_id, sum(online) AS online, sum(direct_postal) AS direct_postal,
               sum(on_time) AS on_time, sum(late) AS late
        FROM reports_timelinessday WHERE day BETWEEN %(first)s AND %(last)s {scope} GROUP BY unit_id),
    above AS (
        SELECT unit_id,
          count(*) FILTER (WHERE received_at >= %(start)s AND received_at < %(end)s AND channel = 2) AS online,
          count(*) FILTER (WHERE received_at >= %(start)s AND received_at < %(end)s AND channel <> 2) AS direct_postal,
          count(*) FILTER (WHERE received_at IS NOT NULL AND finished_at >= %(start)s AND finished_at < %(end)s
                           AND timeliness IN ('early', 'on_time')) AS on_time,
          count(*) FILTER (WHERE received_at IS NOT NULL AND finished_at >= %(start)s AND finished_at < %(end)s
                           AND timeliness = 'late') AS late
        FROM onestop_dossier WHERE id > %(mark)s {scope} GROUP BY unit_id),
    pend AS (
        SELECT unit_id, count(*) AS n,
               count(*) FILTER (WHERE supplement_count = 0 AND due_at < %(end)s) AS overdue_plain
        FROM onestop_dossier WHERE {RNG} @> %(end)s AND received_at < %(end)s {scope} GROUP BY unit_id),
    {paused_ctes(scope, p_t, work).strip()},
    units AS (SELECT unit_id FROM carried UNION SELECT unit_id FROM closed UNION SELECT unit_id FROM above
              UNION SELECT unit_id FROM pend),
    numbers AS (
        SELECT u.unit_id, COALESCE(c.n, 0) AS carried_over,
               COALESCE(d.online, 0) + COALESCE(a.online, 0) AS online,
               COALESCE(d.direct_postal, 0) + COALESCE(a.direct_postal, 0) AS direct_postal,
               COALESCE(d.on_time, 0) + COALESCE(a.on_time, 0) AS on_time,
               COALESCE(d.late, 0) + COALESCE(a.late, 0) AS late,
               COALESCE(p.n, 0) AS pending, COALESCE(p.overdue_plain, 0) + COALESCE(q.overdue, 0) AS overdue
        FROM units u LEFT JOIN carried c USING (unit_id) LEFT JOIN closed d USING (unit_id)
          LEFT JOIN above a USING (unit_id) LEFT JOIN pend p USING (unit_id) LEFT JOIN paused q USING (unit_id))
    SELECT unit_id, carried_over + online + direct_postal, online, carried_over, direct_postal,
           on_time + late, on_time, late, pending, pending - overdue, overdue
    FROM numbers
    """
    params.update(mark=mark, first=datetime.date(year, 1, 1), last=datetime.date(year, 12, 31))
    return sql, params


def build_rollup(connection):
    """The rollup as the nightly job builds it: once from scratch (the first deployment), then
    one night's run (the last day of the data recomputed), each timed."""
    from cchc.reports.models import TimelinessRollup
    from cchc.reports.services import rollup_timeliness

    night = LAST_DAY + datetime.timedelta(days=1)  # the data's "now" is 30/6/2026 17:00
    started, cpu = time.perf_counter(), time.process_time()
    result = rollup_timeliness(today=night, rebuild=True)
    print(f"rollup from scratch (cchc report rollup --rebuild): {time.perf_counter() - started:.1f} s "
          f"(client CPU {time.process_time() - cpu:.1f} s), {result.rows:,} rows through {result.through_day}, "
          f"mark {result.dossier_mark:,}", flush=True)
    TimelinessRollup.objects.filter(pk=1).update(through_day=LAST_DAY - datetime.timedelta(days=1))
    started = time.perf_counter()
    result = rollup_timeliness(today=night)
    print(f"rollup of one night (one day added): {time.perf_counter() - started:.2f} s, {result.days} day(s), "
          f"{result.rows:,} rows", flush=True)
    started = time.perf_counter()
    result = rollup_timeliness(today=night)
    print(f"rollup again, nothing new (the 10-minute timer): {time.perf_counter() - started:.3f} s, "
          f"{result.days} day(s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) reports_timelinessday")
        cursor.execute("SELECT count(*), pg_size_pretty(pg_total_relation_size('reports_timelinessday')) "
                       "FROM reports_timelinessday")
        rows, size = cursor.fetchone()
    print(f"reports_timelinessday: {rows:,} rows, {size} with its index", flush=True)
    return result.dossier_mark


VN = None


def main():
    global VN
    args, database_url = parse_args(__doc__, count=10_000_000, rounds=7, database=BENCH_DATABASE)
    drop, reused = configure(database_url, args.database, args.reuse)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from cchc.org.models import User
        from cchc.reports.selectors import Filters, Period, timeliness_report
        from cchc.reports.selectors.worktime import WorkDays
        from cchc.workcal.calendar import VN_TZ

        VN = VN_TZ
        print(f"PostgreSQL {connection.cursor().connection.info.server_version}; peak RSS at start "
              f"{rss_mb():.0f} MB", flush=True)
        from cchc.onestop.models import Dossier

        if not reused or not Dossier.objects.exists():
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            procedures, old_desks, new_desks = load_world()
            print(f"world: {len(old_desks)} desks before 1/7/2025, {len(new_desks)} after, "
                  f"{len(procedures)} procedures ({time.perf_counter() - started:.0f} s)", flush=True)
            ddl = drop_secondary_indexes()
            started = time.perf_counter()
            generate(args.count, procedures, old_desks, new_desks)
            print(f"generated {args.count:,} dossiers in {time.perf_counter() - started:.0f} s", flush=True)
            print("indexes:")
            run_ddl(ddl + ["DROP TABLE bench_ddl"])
        ensure_proposed_indexes()
        # Index-only scans need the visibility map: vacuum (quick when nothing changed).
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) onestop_dossier")
            cursor.execute("VACUUM (ANALYZE) onestop_dossierevent")
        print(f"vacuum analyze: {time.perf_counter() - started:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), pg_size_pretty(pg_total_relation_size('onestop_dossier')) "
                           "FROM onestop_dossier")
            total, size = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM onestop_dossierevent")
            events = cursor.fetchone()[0]
        print(f"dossiers: {total:,} ({size} with indexes), supplement events: {events:,}", flush=True)

        period = Period.year(YEAR)
        user = User.objects.get(username="bench.noivu")
        from cchc.core.permissions import visible_units

        scoped_ids = list(visible_units(user).values_list("pk", flat=True))
        work = WorkDays.around(datetime.date(YEAR + 1, 1, 1), datetime.date(YEAR + 1, 1, 1))

        mark = build_rollup(connection)

        def selector():
            return timeliness_report(Filters(period=period))

        def selector_scoped():
            return timeliness_report(Filters(period=period, user=user))

        def selector_live():
            return timeliness_report(Filters(period=period), rollup=False)

        def run_sql(sql, params):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")  # as the selector does
                cursor.execute(sql, params)
                return cursor.fetchall()

        def hand(units=None):
            return run_sql(*hand_sql(YEAR, work, units))

        def hand_scoped():
            return hand(scoped_ids)

        def hand_rollup(units=None):
            return run_sql(*hand_rollup_sql(YEAR, work, units, mark))

        def hand_rollup_scoped():
            return hand_rollup(scoped_ids)

        # Warm up: the calendar, the caches, the plans; and check the numbers agree.
        report = selector()
        rows = hand()
        by_id = {}
        from cchc.reports.selectors.common import UnitTree

        tree = UnitTree()
        for unit_id, *numbers in rows:
            by_id[tree.nodes[unit_id].key] = numbers
        mine = {r.key: [r.counts.received, r.counts.online, r.counts.carried_over, r.counts.new_direct_postal,
                        r.counts.resolved, r.counts.on_time, r.counts.late, r.counts.pending, r.counts.within,
                        r.counts.overdue] for r in report.rows}
        assert mine == by_id, "the selector and the hand-written SQL disagree"
        assert {tree.nodes[unit_id].key: numbers for unit_id, *numbers in hand_rollup()} == by_id, \
            "the hand-written SQL over the rollup disagrees"
        live = selector_live()
        assert [(r.key, r.counts) for r in live.rows] == [(r.key, r.counts) for r in report.rows], \
            "the selector through the rollup and the live selector disagree"
        assert selector_scoped().totals == report.totals
        for row in report.rows:
            assert not row.counts.invariant_errors(), row.key
        t = report.totals
        print(f"year {YEAR}: {len(report.rows)} units; received {t.received:,} (carried over "
              f"{t.carried_over:,}, online {t.online:,}), resolved {t.resolved:,} (on time {t.on_time:,}, "
              f"late {t.late:,}), pending {t.pending:,} (within {t.within:,}, overdue {t.overdue:,}); "
              f"numbers identical to the hand-written SQL", flush=True)
        rss_before = rss_mb()
        functions = {"selector (unscoped, CLI)": selector, "selector (Home Affairs user)": selector_scoped,
                     "selector, live (no rollup)": selector_live,
                     "hand-written SQL, raw rows": hand, "hand-written SQL, raw (scoped)": hand_scoped,
                     "hand-written SQL, rollup": hand_rollup, "hand-written SQL, rollup (scoped)": hand_rollup_scoped}
        timings = {name: [] for name in functions}
        load = os.getloadavg()
        print(f"load average before the rounds: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}", flush=True)
        for _round in range(args.rounds):
            for name, function in functions.items():
                started = time.perf_counter()
                function()
                timings[name].append(time.perf_counter() - started)
        rss_after = rss_mb()
        load = os.getloadavg()
        print(f"\n{args.rounds} interleaved rounds (seconds); load average after: "
              f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        for name, values in timings.items():
            print(f"  {name:34s} min {min(values):6.3f}  median {statistics.median(values):6.3f}  "
                  f"max {max(values):6.3f}")
        med = {name: statistics.median(values) for name, values in timings.items()}
        best = min(med["hand-written SQL, raw rows"], med["hand-written SQL, rollup"])
        best_scoped = min(med["hand-written SQL, raw (scoped)"], med["hand-written SQL, rollup (scoped)"])
        ratio = med["selector (unscoped, CLI)"] / best
        ratio_scoped = med["selector (Home Affairs user)"] / best_scoped
        print(f"  ratio selector / best hand-written SQL (medians): {ratio:.2f} (scoped: {ratio_scoped:.2f}); "
              f"required <= 1.5")
        print(f"  selector: rollup / live = {med['selector (unscoped, CLI)'] / med['selector, live (no rollup)']:.2f}; "
              f"hand-written: rollup / raw = {med['hand-written SQL, rollup'] / med['hand-written SQL, raw rows']:.2f}")
        print(f"peak RSS: {rss_before:.0f} MB before the measured rounds, {rss_after:.0f} MB after")
        explain(connection, period, hand_rollup_sql(YEAR, work, None, mark))
        slow = statistics.median(timings["selector (unscoped, CLI)"])
        ok = slow < 2.0 and ratio <= 1.5
        print("\nRESULT:", "OK" if ok else "TARGET MISSED")
    finally:
        if not args.keep:
            drop()


def explain(connection, period, hand):
    """EXPLAIN ANALYZE of every statement the selector runs, then of the hand-written SQL over
    the rollup."""
    from cchc.reports.selectors import Filters, timeliness_report

    captured = []

    def capture(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("SELECT", "WITH")) and (
                "FROM \"onestop_dossier\"" in sql or "reports_timelinessday" in sql):
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        timeliness_report(Filters(period=period))
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        for sql, params in [*captured, hand]:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            print("\n" + "\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
