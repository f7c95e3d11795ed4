"""PostgreSQL only: dossiers become a table partitioned by month of submission, the foreign
keys into it and the uniqueness of ``code`` enforced by triggers (onestop/partitions.py,
docs/scaling.md 2.2).

SQLite keeps the plain table; the model state does not change. After reports 0002 (its
indexes on the dossiers are carried over, found by introspection) and after every migration
that creates a foreign key into the dossiers (civil 0001), so the order is fixed: a later
migration adding a foreign key to ``Dossier`` must use ``db_constraint=False`` and a trigger.
"""

from django.db import migrations

from cchc.onestop.partitions import partition_dossiers, unpartition_dossiers


class Migration(migrations.Migration):
    dependencies = [
        ("onestop", "0006_lean_indexes"),
        ("reports", "0002_report_indexes"),
        ("civil", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(partition_dossiers, unpartition_dossiers, elidable=False),
    ]
