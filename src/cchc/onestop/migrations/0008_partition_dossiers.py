"""PostgreSQL only: dossiers become a table partitioned by month of submission, the foreign
keys into it and the uniqueness of ``code`` enforced by triggers (onestop/partitions.py,
docs/scaling.md 2.3).

SQLite keeps the plain table; the model state does not change. After reports 0002 and 0004
(their indexes on the dossiers are carried over, found by introspection; 0004 builds its
index ``CONCURRENTLY``, which PostgreSQL refuses on a partitioned table) and after every
migration that creates a foreign key into the dossiers (civil 0001), so the order is fixed: a
later migration adding a foreign key to ``Dossier`` must use ``db_constraint=False`` and a
trigger, and one adding an index to it cannot build it ``CONCURRENTLY`` on the parent.
"""

from django.db import migrations

from cchc.onestop.partitions import partition_dossiers, unpartition_dossiers


class Migration(migrations.Migration):
    dependencies = [
        ("onestop", "0007_fewer_event_partitions"),
        ("reports", "0004_open_period_with_submission"),
        ("civil", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(partition_dossiers, unpartition_dossiers, elidable=False),
    ]
