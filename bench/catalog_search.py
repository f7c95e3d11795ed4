"""Benchmark: catalog search over 100,000 generated procedures.

    uv run python bench/catalog_search.py                      # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test uv run python bench/catalog_search.py

Runs on a throwaway database: a temporary SQLite file, or on PostgreSQL a database
``cchc_bench_catalog`` created on the server named by DATABASE_URL and dropped at the end
(never the database in the URL itself). Measures, in the same run, interleaved:

- ``search_page``: what the page and the API do now (capped count, first page of 20, the
  broad queries read in name order from the (name_folded, id) index);
- the same selector read the old way: ``count()`` of every match + the first 20 by OFFSET
  (sorting every match), as before issue #3's broad-word work;
- a plain ``name__icontains`` query (count + first 20);

then, for the broad words, a deep page (results 2,001-2,020): the old OFFSET 2000 with a full
count against the new cursor page. Prints p50/p95/p99 in milliseconds. Target: p95 under
50 ms for the search as served (``search_page``), broad words included.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BENCH_DATABASE = "cchc_bench_catalog"

QUERIES = [
    "khai sinh", "KHAI SINH", "khải sinh", "dang ky khai sinh", "Đăng ký kết hôn",
    "giay phep xay dung", "cấp lại giấy chứng nhận", "ho kinh doanh", "1.001193", "trich luc",
    "chung thuc ban sao tu ban chinh", "xac nhan tinh trang hon nhan", "tro cap xa hoi",
    "yeu to nuoc ngoai", "đất đai",
]
# Broad words: tens of thousands of matches (the catalog's commonest verbs and nouns).
BROAD = ["đăng ký", "cấp", "cap lai", "giấy", "xac nhan", "giay phep"]
# A one-letter query matches most of the catalog and no trigram index can narrow it: measured
# and printed, but not part of the headline percentiles (nobody searches a catalog for "d").
WORST_CASE = ["d"]
DEEP_OFFSET = 2000

VERBS = ["Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Điều chỉnh", "Thay đổi",
         "Xác nhận", "Chấm dứt", "Công nhận", "Thẩm định", "Phê duyệt", "Thu hồi", "Hỗ trợ",
         "Giải quyết", "Chứng thực", "Đăng ký lại", "Thông báo", "Cho phép", "Tạm ngừng"]
OBJECTS = ["khai sinh", "kết hôn", "khai tử", "giám hộ", "nhận cha, mẹ, con", "bản sao trích lục hộ tịch",
           "giấy phép xây dựng", "giấy chứng nhận quyền sử dụng đất", "hộ kinh doanh",
           "giấy phép lao động", "trợ cấp xã hội hằng tháng", "giấy xác nhận khuyết tật",
           "hộ nghèo, hộ cận nghèo", "phiếu lý lịch tư pháp", "doanh nghiệp tư nhân",
           "giấy phép kinh doanh vận tải", "chứng chỉ hành nghề dược", "giấy phép khai thác nước",
           "cơ sở giáo dục mầm non", "trường trung học cơ sở", "giấy phép lái xe",
           "hợp tác xã", "tổ hợp tác", "nhà ở xã hội", "giấy phép môi trường",
           "giấy chứng nhận an toàn thực phẩm", "di tích lịch sử - văn hóa", "câu lạc bộ thể thao",
           "giấy phép biểu diễn nghệ thuật", "quỹ xã hội, quỹ từ thiện", "hội, tổ chức phi chính phủ",
           "tình trạng hôn nhân", "thông tin hộ tịch", "chữ ký trong giấy tờ, văn bản",
           "bản sao từ bản chính", "hợp đồng, giao dịch", "di chúc", "văn bản thỏa thuận phân chia di sản",
           "tàu cá", "giống cây trồng", "thuốc bảo vệ thực vật", "phương tiện thủy nội địa",
           "công trình thủy lợi", "rừng trồng", "trang trại", "chợ", "điểm kinh doanh xăng dầu",
           "người có công với cách mạng", "liệt sĩ", "mai táng phí", "bảo hiểm y tế",
           "học bổng chính sách", "chuyển trường", "tuyển sinh", "văn bằng, chứng chỉ"]
QUALIFIERS = ["", "", "", " có yếu tố nước ngoài", " cho tổ chức", " cho cá nhân", " lần đầu",
              " trong trường hợp bị mất, hư hỏng", " tại cấp xã", " thuộc thẩm quyền cấp tỉnh",
              " lưu động", " đối với công trình cấp III", " trên địa bàn tỉnh", " theo yêu cầu"]


def configure(database_url: str | None):
    """Point Django at a throwaway database; returns a cleanup function."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "cchc.settings"
    os.environ["CCHC_DEBUG"] = "1"
    if database_url and database_url.startswith(("postgres://", "postgresql://")):
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(database_url)
        admin = psycopg.connect(
            dbname=config["NAME"] or "postgres", user=config["USER"] or None,
            password=config["PASSWORD"] or None, host=config["HOST"] or None,
            port=config["PORT"] or None, autocommit=True,
        )
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        base, _sep, _name = database_url.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/{BENCH_DATABASE}"

        def cleanup():
            from django.db import connections

            connections.close_all()
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
            admin.close()

        return cleanup
    directory = tempfile.mkdtemp(prefix="cchc-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ["CCHC_DATA_DIR"] = directory

    def cleanup():
        import shutil

        from django.db import connections

        connections.close_all()
        shutil.rmtree(directory, ignore_errors=True)

    return cleanup


def generate(count: int, seed: int = 2026):
    from django.db import connection, transaction
    from tqdm import tqdm

    from cchc.catalog.models import FilingMethod, Procedure, ProcedureVersion
    from cchc.catalog.services import ensure_field
    from cchc.org.models import AdministrativeUnit, Agency, AgencyKind, Era, Level
    from cchc.textfold import fold

    rng = random.Random(seed)
    province = AdministrativeUnit.objects.create(era=Era.CURRENT, code="82", name="Đồng Tháp",
                                                 level=Level.PROVINCE)
    agency = Agency.objects.create(unit=province, code="000.00.00.H20", name="UBND tỉnh",
                                   kind=AgencyKind.PEOPLES_COMMITTEE)
    fields = [ensure_field(f"f{i}", f"Lĩnh vực {i}") for i in range(30)]
    start = datetime.date(2022, 1, 1)
    today = datetime.date(2026, 11, 27)
    batch = 5000
    with tqdm(total=count, desc="Sinh thủ tục", unit="tt") as bar:
        for offset in range(0, count, batch):
            with transaction.atomic():
                size = min(batch, count - offset)
                procedures = []
                for n in range(offset, offset + size):
                    base = f"{1 + n % 3}.{n:06d}"
                    procedures.append(Procedure(base_code=base, agency=agency,
                                                code=f"{base}.{agency.code}"))
                procedures = Procedure.objects.bulk_create(procedures)
                versions = []
                for procedure in procedures:
                    name = (f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(QUALIFIERS)}")
                    amended = rng.random() < 0.1
                    periods = ([(start, datetime.date(2024, 6, 30), 1, "in_force"),
                                (datetime.date(2024, 7, 1), None, 2, "amended")]
                               if amended else [(start, None, 1, "in_force")])
                    for effective_from, effective_to, number, status in periods:
                        folded = fold(name)
                        versions.append(ProcedureVersion(
                            procedure=procedure, number=number, status=status,
                            effective_from=effective_from, effective_to=effective_to, name=name,
                            level=rng.choice(["province", "commune"]), field=rng.choice(fields),
                            name_folded=folded, search_folded=f"{procedure.code} {folded}"))
                versions = ProcedureVersion.objects.bulk_create(versions)
                FilingMethod.objects.bulk_create(
                    FilingMethod(version=v, channel=channel, days=rng.choice([0, 0.5, 3, 5, 15]))
                    for v in versions for channel in rng.sample(["direct", "online", "postal"], 2))
            bar.update(size)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return today


def measure(functions: dict, repeat: int) -> dict[str, tuple[list[float], list[float]]]:
    """Wall-clock and process-CPU milliseconds per call, the functions interleaved so that both
    see the same load. (SQLite runs inside this process, so its CPU time includes the engine's;
    PostgreSQL's server time is not in it.)"""
    for function in functions.values():
        for _ in range(3):
            function()
    timings = {label: ([], []) for label in functions}
    for _ in range(repeat):
        for label, function in functions.items():
            wall, cpu = time.perf_counter(), time.process_time()
            function()
            timings[label][0].append((time.perf_counter() - wall) * 1000)
            timings[label][1].append((time.process_time() - cpu) * 1000)
    return timings


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--procedures", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30, help="runs per query")
    args = parser.parse_args()

    cleanup = configure(os.environ.get("DATABASE_URL"))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from cchc.catalog.models import ProcedureVersion
        from cchc.catalog.selectors import (
            decode_cursor,
            encode_cursor,
            search_page,
            search_procedures,
            search_results,
        )

        call_command("migrate", verbosity=0)
        today = generate(args.procedures)
        vendor = connection.vendor
        with connection.cursor() as cursor:
            cursor.execute("select version()" if connection.vendor == "postgresql"
                           else "select sqlite_version()")
            vendor += f" ({cursor.fetchone()[0].split(',')[0]})"

        def catalog(query):
            page = search_page(query, on=today, size=20)
            return (f"{page.count}" if page.count_exact else f">{page.count}"), page.rows

        def before(query):
            versions = search_procedures(query, on=today)
            return versions.count(), list(search_results(versions[:20]))

        def plain(query):
            versions = ProcedureVersion.objects.filter(name__icontains=query).order_by("name", "pk")
            return versions.count(), list(versions[:20])

        labels = ("catalog", "before", "plain")
        rows = []
        all_timings = {label: [] for label in labels}
        all_cpu = {label: [] for label in labels}
        for query in QUERIES + BROAD + WORST_CASE:
            functions = {"catalog": lambda q=query: catalog(q), "before": lambda q=query: before(q),
                         "plain": lambda q=query: plain(q)}
            found = {label: function()[0] for label, function in functions.items()}
            first = [v.pk for v in functions["catalog"]()[1]]
            assert first == [v.pk for v in functions["before"]()[1]], query  # same first page
            timings = measure(functions, args.repeat)
            row = [query]
            for label in functions:
                wall, cpu = timings[label]
                if query not in WORST_CASE:
                    all_timings[label] += wall
                    all_cpu[label] += cpu
                row += [found[label], percentile(wall, 50), percentile(wall, 95)]
            rows.append(row)

        # Deep pages of the broad words: results 2,001-2,020.
        deep_rows = []
        for query in BROAD:
            versions = search_procedures(query, on=today)
            anchor = next(iter(versions[DEEP_OFFSET - 1:DEEP_OFFSET]), None)
            if anchor is None:  # fewer matches (a small --procedures)
                continue
            cursor = encode_cursor(anchor)
            assert decode_cursor(cursor) == (anchor.name_folded, anchor.pk)

            def deep_before(versions=versions):
                return versions.count(), list(search_results(versions[DEEP_OFFSET:DEEP_OFFSET + 20]))

            def deep_catalog(query=query, cursor=cursor):
                return search_page(query, on=today, size=20, cursor=cursor).rows

            assert ([v.pk for v in deep_catalog()] == [v.pk for v in deep_before()[1]]), query
            timings = measure({"catalog": deep_catalog, "before": deep_before}, args.repeat)
            deep_rows.append([query] + [percentile(timings[label][0], p)
                                        for label in ("catalog", "before") for p in (50, 95)])

        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"\nCSDL: {vendor}; {ProcedureVersion.objects.count():,} phiên bản của "
              f"{args.procedures:,} thủ tục; {args.repeat} lần/truy vấn, sau 3 lần khởi động; "
              f"{os.cpu_count()} CPU, tải trung bình 1 phút {load:.1f}.\n")
        print("| truy vấn | tìm thấy (search_page) | p50 | p95 | đếm hết (trước) | p50 | p95 "
              "| tìm thấy (icontains) | p50 | p95 |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for query, c_found, c50, c95, b_found, b50, b95, p_found, p50, p95 in rows:
            mark = (" (trường hợp xấu nhất, ngoài tổng hợp)" if query in WORST_CASE
                    else " (rộng)" if query in BROAD else "")
            print(f"| `{query}`{mark} | {c_found} | {c50:.1f} | {c95:.1f} | {b_found} | {b50:.1f} "
                  f"| {b95:.1f} | {p_found} | {p50:.1f} | {p95:.1f} |")
        print(f"\nTrang sâu (kết quả {DEEP_OFFSET + 1}-{DEEP_OFFSET + 20}) của các từ rộng:\n")
        print("| truy vấn | cursor p50 | cursor p95 | đếm hết + OFFSET p50 | p95 |")
        print("|---|---:|---:|---:|---:|")
        for query, c50, c95, b50, b95 in deep_rows:
            print(f"| `{query}` | {c50:.1f} | {c95:.1f} | {b50:.1f} | {b95:.1f} |")
        print(f"\nTổng hợp {len(QUERIES) + len(BROAD)} truy vấn ({len(BROAD)} từ rộng) x "
              f"{args.repeat} lần:\n")
        print("| phương pháp | p50 (ms) | p95 (ms) | p99 (ms) | trung bình (ms) | CPU tiến trình p50 / p95 (ms) |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, name in (("catalog", "search_page (đếm đến 1.000 + trang 20)"),
                            ("before", "trước: đếm hết + trang 20 (OFFSET)"),
                            ("plain", "name__icontains (đếm + trang 20)")):
            values = all_timings[label]
            cpu = all_cpu[label]
            print(f"| {name} | {percentile(values, 50):.1f} | {percentile(values, 95):.1f} | "
                  f"{percentile(values, 99):.1f} | {statistics.mean(values):.1f} | "
                  f"{percentile(cpu, 50):.1f} / {percentile(cpu, 95):.1f} |")
        p95 = percentile(all_timings["catalog"], 95)
        verdict = "ĐẠT" if p95 < 50 else "KHÔNG ĐẠT"
        print(f"\nMục tiêu p95 < 50 ms cho tìm kiếm danh mục: {verdict} (p95 = {p95:.1f} ms).")
        return 0 if p95 < 50 else 1
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
