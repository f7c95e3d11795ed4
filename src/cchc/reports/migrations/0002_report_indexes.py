"""PostgreSQL only: the indexes the timeliness report and the dashboard read (bench/README.md
"reports"), until now created only by the benchmark.

- ``dossier_received_cover_idx``: the dossiers received in a period with every column the
  report counts, read by index-only scans;
- ``dossier_open_period_gist``: "open at instant t" (carried over into a period, pending at its
  end) as a range containment (``timeliness.OpenAt``), index-only too;
- ``dossierevent_supplement_idx``: the supplement events of one dossier (partial: only the two
  actions), probed per pending dossier with a paused clock;
- ``dossierstep_finished_idx``, ``rating_at_idx``: the hand-overs and the ratings of a month
  (the dashboard's late steps and satisfaction), so that the current month, which the
  dashboard counts live, costs a month of rows and not the whole tables.

They live on onestop's tables but serve only the reports, so they are declared here, outside
the onestop models (a GiST index of an expression has no portable model form). The dossier
indexes are built ``CONCURRENTLY`` (no write lock on a live table; the migration is therefore
not atomic); the event index is on the partitioned parent, which PostgreSQL cannot build
concurrently, and every partition created later gets it. Each index carries its definition as
a comment, which the benchmark compares to decide whether to rebuild it. Cost: one more
B-tree and one GiST entry per dossier row version, a B-tree entry per supplement event, step
row version and rating: paid by intake and every dossier update.
"""

from django.db import migrations

# name -> (definition, concurrently)
INDEXES = {
    "dossier_received_cover_idx": (
        "CREATE INDEX dossier_received_cover_idx ON onestop_dossier (received_at) INCLUDE "
        "(finished_at, unit_id, channel, timeliness, supplement_count, due_at, procedure_id, "
        "procedure_version_id)", True),
    "dossier_open_period_gist": (
        "CREATE INDEX dossier_open_period_gist ON onestop_dossier USING gist "
        "(tstzrange(received_at, COALESCE(finished_at, 'infinity'::timestamptz), '[]')) INCLUDE "
        "(id, received_at, finished_at, unit_id, channel, timeliness, supplement_count, due_at, "
        "paused_seconds, paused_since, procedure_id, procedure_version_id)", True),
    "dossierevent_supplement_idx": (
        "CREATE INDEX dossierevent_supplement_idx ON onestop_dossierevent (dossier_id, at) "
        "INCLUDE (action, data) WHERE action IN ('request_supplement', 'receive_supplement')", False),
    "dossierstep_finished_idx": (
        "CREATE INDEX dossierstep_finished_idx ON onestop_dossierstep (finished_at)", True),
    "rating_at_idx": ("CREATE INDEX rating_at_idx ON onestop_rating (at)", True),
}


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, (ddl, concurrently) in INDEXES.items():
            prefix = "CREATE INDEX CONCURRENTLY IF NOT EXISTS " if concurrently else "CREATE INDEX IF NOT EXISTS "
            cursor.execute(ddl.replace("CREATE INDEX ", prefix, 1))
            # A literal, not a parameter: with server-side binding (CCHC_DB_PREPARED_STATEMENTS)
            # PostgreSQL takes no parameters in a utility statement such as COMMENT.
            cursor.execute(f"COMMENT ON INDEX {name} IS {schema_editor.quote_value(ddl)}")


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reports", "0001_initial"),
        ("onestop", "0003_receipt_key"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
