"""PostgreSQL only: the dossier events' partitions become one per closed year and one per
month of the current year, up to ``partitions.MONTHS_AHEAD`` (3) months ahead, instead of one
per month from 2020 to 24 months ahead (~108): every query that cannot prune plans every
partition (docs/scaling.md 2.1, bench/README.md).

The closed years' months are copied into their year under an exclusive lock on the table
(one transaction per year, as ``cchc create-partitions`` does each January); the empty months
beyond the horizon are dropped. On a fresh database 0002 already builds this layout and
nothing is left to do. The reverse step keeps the partitions: the layout is data, not
schema, and 0002's reverse step copies through the parent whatever the layout.
"""

from django.db import migrations

from cchc.onestop import partitions


def fewer_partitions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    partitions.ensure_partitions(partitions.EVENTS, connection=schema_editor.connection,
                                 roll_up=True, trim=True)


class Migration(migrations.Migration):
    dependencies = [
        ("onestop", "0006_lean_indexes"),
    ]

    operations = [
        migrations.RunPython(fewer_partitions, migrations.RunPython.noop, elidable=False),
    ]
