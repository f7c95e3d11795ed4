"""The production cache's table, whatever cache the migrating process uses. 0005 ran
``createcachetable``, which creates tables only for the database caches of the settings it
runs under: a database migrated by ``cchc demo`` (debug: local-memory cache) and then served
in production answered 500 on the dashboards and 503 on ``/readyz`` (found by the load test
of 28/11/2026). Idempotent."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_database_cache_table(apps, schema_editor):
    # With a table name, ``createcachetable`` creates that table whatever CACHES says.
    call_command("createcachetable", settings.CCHC_DATABASE_CACHE_TABLE,
                 database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_cache_table"),
    ]

    operations = [
        migrations.RunPython(create_database_cache_table, migrations.RunPython.noop,
                             elidable=False),
    ]
