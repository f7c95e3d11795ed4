"""Benchmark: serving an article page of the CCHC portal with 10,000 articles, on PostgreSQL.

    uv run python bench/news_article.py [--articles 10000] [--requests 1000]

Creates a throwaway database (cchc_bench_news, dropped at the end) on the server named by
CCHC_BENCH_PG (default postgres://postgres@127.0.0.1:5432/postgres), migrates it, builds the
portal (a province, 10 unit sections, the categories) and 10,000 live articles, then requests
article pages through Django's test client (the whole middleware stack, no network) and prints
p50/p95/p99 for: a trivial page (the platform's home), article pages with the page cache off,
article pages with the cache on (first request of each article = miss, then hits), and the
first request after a publish (the cache is invalidated), interleaved with and without the
warming task that renders the affected pages when the publish commits (issue #6; here the
immediate task backend runs it at commit, as the worker would). With the cache off, the same articles
are also requested interleaved with the portal's routing (cchc/news/routing.py) and with
Wagtail's own, printing the queries per render of each (issue #6, same-run comparison).
Production settings (DEBUG off, database cache backend), except static files: the plain
storage instead of the compressed manifest one, whose collectstatic takes minutes here.

The 10,000 articles are not created one by one through Wagtail (≈0.1 s each with revisions,
search index and reference index): one article is created through the service, then the tree
rows are written in bulk — wagtailcore_page rows with treebeard paths computed in Python
(bulk_create), and the news_articlepage rows copied from the template in one INSERT … SELECT.
They have no revisions or search-index entries, which serving does not read.
"""

import argparse
import datetime
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid

ADMIN_URL = os.environ.get("CCHC_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "cchc_bench_news"
TARGET_P95_MS = 50.0


def admin_connection():
    import psycopg

    return psycopg.connect(ADMIN_URL, autocommit=True)


def create_database():
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database():
    from django.db import connections

    connections.close_all()
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def setup_django(data_dir: str):
    base = ADMIN_URL.rsplit("/", 1)[0]
    os.environ.update({
        "CCHC_DATA_DIR": data_dir,
        "DATABASE_URL": f"{base}/{DB_NAME}", "CCHC_DEBUG": "0", "CCHC_SECRET_KEY": "bench-only",
        "CCHC_ALLOWED_HOSTS": "testserver,localhost", "CCHC_SSL_REDIRECT": "0",
        # The warming task runs when the publish commits, as the worker would run it at once.
        "CCHC_TASK_BACKEND": "immediate",
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
    })
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()
    from django.conf import settings

    # Production serves static files through the manifest storage, whose collectstatic (with
    # compression) takes minutes here; the plain storage builds the same <link> tags.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def build_portal(n_articles: int):
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Page

    from cchc.news import services
    from cchc.news.models import ArticlePage, CategoryIndexPage
    from cchc.org.models import AdministrativeUnit, Era, Level

    province = AdministrativeUnit.objects.create(era=Era.CURRENT, code="82", name="Đồng Tháp",
                                                 level=Level.PROVINCE)
    units = [AdministrativeUnit.objects.create(era=Era.CURRENT, code=str(30000 + i),
                                               name=f"Xã Thử Nghiệm {i}", level=Level.COMMUNE,
                                               parent=province) for i in range(10)]
    home = services.ensure_portal(province)
    sections = [services.ensure_unit_section(home, unit) for unit in units]
    categories = list(CategoryIndexPage.objects.child_of(home))
    body = [{"type": "paragraph", "value": "<p>" + "Cải cách thủ tục hành chính, một cửa, "
             "dịch vụ công trực tuyến. " * 30 + "</p>"}] * 4
    templates = [services.publish_article(
        section, title=f"Bài mẫu {i}", summary="Tóm tắt bài viết về cải cách hành chính. " * 3,
        body=body, category=categories[i % len(categories)], author="Thu Hà",
        photo_credit="Minh Tâm", tags=["cải cách hành chính"]) for i, section in enumerate(sections)]
    ct = templates[0].content_type_id
    now = timezone.now()
    per_section = (n_articles - len(templates)) // len(sections)
    with transaction.atomic():
        for section, template in zip(sections, templates, strict=True):
            section = Page.objects.get(pk=section.pk)
            start = section.numchild
            rows = []
            for i in range(per_section):
                slug = f"bai-viet-{section.pk}-{i}"
                rows.append(Page(
                    path=Page._get_path(section.path, section.depth + 1, start + i + 1),
                    depth=section.depth + 1, numchild=0, title=f"Bài viết số {i} của {section.title}",
                    draft_title=f"Bài viết số {i}", slug=slug, content_type_id=ct, live=True,
                    has_unpublished_changes=False, url_path=f"{section.url_path}{slug}/",
                    first_published_at=now - datetime.timedelta(hours=i),
                    last_published_at=now - datetime.timedelta(hours=i),
                    locale_id=template.locale_id, translation_key=uuid.uuid4(),
                    owner_id=None, show_in_menus=False, seo_title="", search_description="",
                ))
            created = Page.objects.bulk_create(rows, batch_size=1000)
            Page.objects.filter(pk=section.pk).update(numchild=start + len(created))
            columns = [f.column for f in ArticlePage._meta.local_concrete_fields
                       if f.column != "page_ptr_id"]
            ids = [p.pk for p in created]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO news_articlepage (page_ptr_id, {', '.join(columns)}) "
                    f"SELECT p.id, {', '.join('t.' + c for c in columns)} "
                    "FROM wagtailcore_page p, news_articlepage t "
                    "WHERE t.page_ptr_id = %s AND p.id = ANY(%s)", [template.pk, ids])
    return ArticlePage.objects.live().count()


def percentiles(samples):
    ordered = sorted(samples)

    def pct(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return pct(50), pct(95), pct(99), statistics.mean(ordered)


def timed(client, urls):
    samples = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()

    create_database()
    data_dir = tempfile.mkdtemp(prefix="cchc-bench-news-")
    try:
        setup_django(data_dir)
        from django.conf import settings
        from django.core.cache import cache
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import override_settings

        t0 = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        t1 = time.perf_counter()
        count = build_portal(args.articles)
        t2 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        from cchc.news.models import ArticlePage

        urls = [a.url for a in ArticlePage.objects.live().order_by("?")[:500]]
        rng = random.Random(6)
        client = Client()
        print(f"PostgreSQL {connection.pg_version // 10000}, {count:,} live articles; "
              f"migrate {t1 - t0:.1f} s, build {t2 - t1:.1f} s; cache backend "
              f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
              f"{args.requests} requests per series")
        from django.contrib.staticfiles.storage import staticfiles_storage
        from django.core.files.storage import storages
        from django.utils.functional import empty

        storages._storages.pop("staticfiles", None)  # take the storage set in setup_django
        storages.__dict__.pop("backends", None)
        storages._backends = None
        staticfiles_storage._wrapped = empty
        timed(client, ["/", *urls[:20]])  # warm-up: imports, template loading, connections
        cache.clear()
        rows = []
        trivial = timed(client, ["/"] * args.requests)
        rows.append(("trivial page (/)", trivial))
        with override_settings(CCHC_NEWS_CACHE_SECONDS=0):
            rows.append(("article, cache off", timed(
                client, [rng.choice(urls) for _ in range(args.requests)])))
            # Same-run comparison for issue #6: the same articles, interleaved, with the portal's
            # routing (routing.py) and with Wagtail's own (Site + root page queries, then route).
            from django.db import reset_queries
            from django.test.utils import CaptureQueriesContext

            from cchc.news import cache as news_cache

            portal_routing = news_cache._prefill_route
            series = {"portal": [], "wagtail": []}
            queries = {}
            for i in range(args.requests):
                url = rng.choice(urls)
                order = ("portal", "wagtail") if i % 2 else ("wagtail", "portal")
                for name in order:
                    news_cache._prefill_route = (portal_routing if name == "portal"
                                                 else lambda *a: None)
                    reset_queries()  # the query log is capped: a full log would count 0
                    with CaptureQueriesContext(connection) as captured:
                        series[name] += timed(client, [url])
                    queries[name] = len(captured.captured_queries)
            news_cache._prefill_route = portal_routing
            reset_queries()
            rows.append((f"  same run, Wagtail routing ({queries['wagtail']} q)", series["wagtail"]))
            rows.append((f"  same run, portal routing ({queries['portal']} q)", series["portal"]))
        cache.clear()
        rows.append(("article, cache miss (1st view)", timed(client, urls[:200])))
        rows.append(("article, cache on (hits)", timed(
            client, [rng.choice(urls[:200]) for _ in range(args.requests)])))
        # Issue #6: a visitor right after a publish. Interleaved: with the warming task (run
        # when the publish commits, as the worker would) and without it (a cold render), plus
        # another article (not warmed: the publish made every cached page stale).
        from cchc.news import warming

        article = ArticlePage.objects.get(url_path__endswith=urls[0].split("/")[-2] + "/")
        schedule_warm = warming.schedule_warm
        series = {"warmed": [], "cold": [], "other": [], "publish": []}
        for n in range(100):
            warmed = n % 2 == 0
            warming.schedule_warm = schedule_warm if warmed else (lambda page: None)
            article.title = f"Bài viết đã sửa lần {n}"
            start = time.perf_counter()
            article.save_revision().publish()
            if warmed:
                series["publish"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            response = client.get(urls[0])
            series["warmed" if warmed else "cold"].append((time.perf_counter() - start) * 1000)
            assert f"lần {n}" in response.content.decode()
            assert response["X-Cache"] == ("hit" if warmed else "miss")
            if warmed:
                series["other"] += timed(client, [urls[1 + n % 400]])
        warming.schedule_warm = schedule_warm
        rows.append(("article, 1st view after publish", series["cold"]))
        rows.append(("  same run, warmed after commit", series["warmed"]))
        rows.append(("  other article after publish", series["other"]))
        rows.append(("publish + warming (editor, worker)", series["publish"]))

        print(f"{'series':34} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'mean':>8}  (ms)")
        for name, samples in rows:
            p50, p95, p99, mean = percentiles(samples)
            print(f"{name:34} {len(samples):5d} {p50:8.2f} {p95:8.2f} {p99:8.2f} {mean:8.2f}")
        print(f"1-minute load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPU)")
        served = percentiles(dict(rows)["article, cache on (hits)"])[1]
        print(f"article page as served (cache on) p95: {served:.2f} ms; target < "
              f"{TARGET_P95_MS:.0f} ms -> {'OK' if served < TARGET_P95_MS else 'MISSED'} "
              f"(a miss re-renders: see the cache-off and after-publish rows)")
        return 0 if served < TARGET_P95_MS else 1
    finally:
        drop_database()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
