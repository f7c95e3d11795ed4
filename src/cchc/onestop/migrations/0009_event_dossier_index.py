"""One index fewer on every event: the single-column index of ``DossierEvent.dossier`` goes,
``event_dossier_action_idx`` (dossier, action, at) starts with the same column and serves
every lookup by dossier (its history, the cascade on delete).

On PostgreSQL that composite index already exists: partitions.EVENTS builds it with the
partitions (onestop 0002 and 0007), until now as ``dossierevent_dossier_action_idx``, a name
too long for a model's index (30 characters at most), so it is renamed. The model state now
declares it, and SQLite, which had only the single-column index, gets it here.

The events are the largest table (six rows per dossier): the seeding spent 15 % of its
database time on the index dropped here (bench/README.md "Seeding 1,000,000 dossiers",
session 7).
"""

from django.db import migrations, models

TABLE = "onestop_dossierevent"
COMPOSITE = models.Index(fields=["dossier", "action", "at"], name="event_dossier_action_idx")
OLD_NAME = "dossierevent_dossier_action_idx"


def _constraints(schema_editor) -> dict:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, TABLE)


def _single_dossier_indexes(constraints: dict) -> list[str]:
    return [name for name, info in constraints.items()
            if info["index"] and info["columns"] == ["dossier_id"]
            and not (info["unique"] or info["primary_key"] or info["foreign_key"])]


def drop_single_index(apps, schema_editor):
    model = apps.get_model("onestop", "DossierEvent")
    constraints = _constraints(schema_editor)
    if OLD_NAME in constraints:
        schema_editor.execute(f"ALTER INDEX {OLD_NAME} RENAME TO {COMPOSITE.name}")
    elif COMPOSITE.name not in constraints:
        schema_editor.add_index(model, COMPOSITE)
    for name in _single_dossier_indexes(constraints):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore_single_index(apps, schema_editor):
    """Back to the single-column index; on PostgreSQL the composite stays (under its new
    name, which partitions.EVENTS knows)."""
    model = apps.get_model("onestop", "DossierEvent")
    constraints = _constraints(schema_editor)
    if not _single_dossier_indexes(constraints):
        field = model._meta.get_field("dossier")
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
    if schema_editor.connection.vendor != "postgresql" and COMPOSITE.name in constraints:
        schema_editor.remove_index(model, COMPOSITE)


class Migration(migrations.Migration):

    dependencies = [
        ("onestop", "0008_partition_dossiers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dossierevent",
                    name="dossier",
                    field=models.ForeignKey(db_index=False, on_delete=models.deletion.CASCADE,
                                            related_name="events", to="onestop.dossier"),
                ),
                migrations.AddIndex(model_name="dossierevent", index=COMPOSITE),
            ],
            database_operations=[
                migrations.RunPython(drop_single_index, restore_single_index, elidable=False),
            ],
        ),
    ]
