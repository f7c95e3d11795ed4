"""Django's PostgreSQL backend, aware of the tables cchc partitions (docs/scaling.md 2).

A partitioned table's primary key contains its partition key: ``onestop_dossier`` has
``(id, submitted_at)`` and ``onestop_dossierevent`` ``(id, at)``, while Django still sees
``id`` as the key. Django shortens ``GROUP BY`` to the primary key of a model whose key is
selected (PostgreSQL accepts the other columns as functionally dependent on a primary key);
for these tables ``id`` alone is no longer one, and PostgreSQL refuses the query ("must
appear in the GROUP BY clause"). Here that shortcut is off for those tables: the grouping
lists every selected column, as on the other databases.
"""

from django.db.backends.postgresql import base, features

PARTITIONED_TABLES = frozenset({"onestop_dossier", "onestop_dossierevent"})


class DatabaseFeatures(features.DatabaseFeatures):
    def allows_group_by_selected_pks_on_model(self, model):
        if model._meta.db_table in PARTITIONED_TABLES:
            return False
        return super().allows_group_by_selected_pks_on_model(model)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
