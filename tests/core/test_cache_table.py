"""``migrate`` creates the database cache's table (core 0005), so that a deployment cannot
serve 500s for a forgotten ``createcachetable``."""

import importlib
from types import SimpleNamespace

import pytest
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
def test_the_migration_does_nothing_for_another_cache_backend():
    before = set(connection.introspection.table_names())
    migration.create_cache_table(None, SimpleNamespace(connection=connection))  # tests: LocMem
    assert set(connection.introspection.table_names()) == before
