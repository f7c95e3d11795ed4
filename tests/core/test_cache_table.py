"""``migrate`` creates the database cache's table (core 0005, 0006), so that a deployment
cannot serve 500s for a forgotten ``createcachetable`` or for a database migrated in debug."""

import importlib
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

migration = importlib.import_module("cchc.core.migrations.0005_cache_table")
TABLE = "cchc_cache_migration_test"


@pytest.mark.django_db(transaction=True)
def test_the_migration_creates_the_database_cache_table_and_can_run_again():
    caches = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": TABLE}}
    editor = SimpleNamespace(connection=connection)
    try:
        with override_settings(CACHES=caches):
            assert TABLE not in connection.introspection.table_names()
            migration.create_cache_table(None, editor)
            assert TABLE in connection.introspection.table_names()
            migration.create_cache_table(None, editor)  # idempotent
            from django.core.cache import caches as handler

            handler["default"].set("k", "v")
            assert handler["default"].get("k") == "v"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


@pytest.mark.django_db
def test_the_production_cache_table_exists_after_a_migrate_under_another_cache():
    """The test database was migrated with the local-memory cache of the tests, as the demo's
    is under debug: the production cache's table must be there all the same (core 0006)."""
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert settings.CCHC_DATABASE_CACHE_TABLE in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {settings.CCHC_DATABASE_CACHE_TABLE}")
        assert cursor.fetchone() == (0,)
    always = importlib.import_module("cchc.core.migrations.0006_database_cache_table_always")
    always.create_database_cache_table(None, SimpleNamespace(connection=connection))  # again


def test_production_serves_from_the_table_migrate_creates():
    env = {"CCHC_DEBUG": "0", "CCHC_SECRET_KEY": "x" * 50, "CCHC_ALLOWED_HOSTS": "h"}
    code = ("from django.conf import settings; import django; django.setup(); "
            "c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "cchc.settings",
                               "CCHC_TESTING": "0"}, timeout=120)
    assert done.stdout.split() == ["django.core.cache.backends.db.DatabaseCache",
                                   settings.CCHC_DATABASE_CACHE_TABLE], done.stderr
