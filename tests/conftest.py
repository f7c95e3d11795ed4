import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))


@pytest.fixture(autouse=True)
def default_language():
    """A request activates its language for the whole thread; every test starts and ends in
    the default language so that none sees another's."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: each test's database reuses the same ids, so a
    cached page, throttle count or the dashboards' closed months must not outlive the test
    that made it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_province_memo():
    """The layout's province is memoised per process; a test's rolled-back units must not
    reach the next test through it."""
    from cchc.core.context_processors import clear_province_memo

    clear_province_memo()
    yield
    clear_province_memo()


def _restore_migration_data():
    """Put back the rows that migrations insert: the official calendar (workcal 0002) and
    Wagtail's root page, root collection and default locale."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    from cchc.workcal import selectors
    from cchc.workcal.models import CalendarOverride, OfficeHours
    from cchc.workcal.schedules import load_shipped_overrides

    # In bulk, like the migration: no model signals, so no audit record or history row.
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(date=o.date, kind=o.kind, reference=o.reference, note=o.note)
         for o in load_shipped_overrides(years=(2023, 2024, 2025, 2026))],
        update_conflicts=True, unique_fields=["date"], update_fields=["kind", "reference", "note"])
    OfficeHours.objects.bulk_create([OfficeHours(pk=1)], ignore_conflicts=True)
    selectors.invalidate_calendar()

    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale,
                                    content_type=ContentType.objects.get_for_model(Page)))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server, real concurrent clients) ends with a flush of every
    table, which also removes what the migrations inserted. With pytest-xdist the ordinary
    tests that follow on the same worker expect those rows, so they are put back once every
    fixture of the test, the flush included, has been torn down."""
    yield
    # After the last test the session's fixtures, the test database among them, are gone.
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _restore_migration_data()
