"""PostgreSQL only: dossier events become a table partitioned by month (onestop/partitions.py).

SQLite keeps the plain table; the model state does not change (Django still sees ``id`` as
the primary key, which stays unique: one sequence feeds it).
"""

from django.db import migrations

from cchc.onestop.partitions import partition_events, unpartition_events


class Migration(migrations.Migration):
    dependencies = [
        ("onestop", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(partition_events, unpartition_events, elidable=False),
    ]
