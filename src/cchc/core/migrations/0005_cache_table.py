"""The database cache's table (settings.CACHES outside debug and tests) is created by
``migrate`` itself: a deployment that forgot ``cchc createcachetable`` served 500s on every
cached page and the dashboards (found by the load test). Idempotent; a no-op for any other
cache backend (Redis, local memory). A later change of the cache's table name still needs
``cchc createcachetable``."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_actor_protect"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False),
    ]
