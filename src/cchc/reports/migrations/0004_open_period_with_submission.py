"""PostgreSQL only: the "open at instant t" GiST index (0002) also carries ``submitted_at``.

The report reads, for the dossiers pending at the period's end with a paused clock, their
submission instant (the lower bound of their events, which prunes the event partitions);
without it in the index that read visited 48,668 heap pages of the dossier table at
10,000,000 dossiers, about 0.5 s of the year's 1.2 s (bench/README.md, reports). The new
index is built ``CONCURRENTLY`` beside the old one, which is then dropped, and takes its name.
"""

from django.db import migrations

NAME = "dossier_open_period_gist"
DDL = (
    "CREATE INDEX dossier_open_period_gist ON onestop_dossier USING gist "
    "(tstzrange(received_at, COALESCE(finished_at, 'infinity'::timestamptz), '[]')) INCLUDE "
    "(id, received_at, finished_at, unit_id, channel, timeliness, supplement_count, due_at, "
    "paused_seconds, paused_since, procedure_id, procedure_version_id, submitted_at)")
# The benchmark rebuilds the report's indexes from their definitions: 0002's, with this one.
INDEXES = {NAME: (DDL, True)}


def _replace(schema_editor, ddl):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    building = f"{NAME}_new"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {building}")
        cursor.execute(ddl.replace(f"CREATE INDEX {NAME} ", f"CREATE INDEX CONCURRENTLY {building} ", 1))
        cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
        cursor.execute(f"ALTER INDEX {building} RENAME TO {NAME}")
        cursor.execute(f"COMMENT ON INDEX {NAME} IS {schema_editor.quote_value(ddl)}")


def forwards(apps, schema_editor):
    _replace(schema_editor, DDL)


def backwards(apps, schema_editor):
    import importlib

    previous = importlib.import_module("cchc.reports.migrations.0002_report_indexes")
    _replace(schema_editor, previous.INDEXES[NAME][0])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reports", "0003_timeliness_rollup"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
