"""Django's PostgreSQL backend, aware of the tables cchc partitions (docs/scaling.md 2), and
with a health check that costs no round trip.

A partitioned table's primary key contains its partition key: ``onestop_dossier`` has
``(id, submitted_at)`` and ``onestop_dossierevent`` ``(id, at)``, while Django still sees
``id`` as the key. Django shortens ``GROUP BY`` to the primary key of a model whose key is
selected (PostgreSQL accepts the other columns as functionally dependent on a primary key);
for these tables ``id`` alone is no longer one, and PostgreSQL refuses the query ("must
appear in the GROUP BY clause"). Here that shortcut is off for those tables: the grouping
lists every selected column, as on the other databases.
"""

import select

from django.db.backends.postgresql import base, features
from psycopg import pq

PARTITIONED_TABLES = frozenset({"onestop_dossier", "onestop_dossierevent"})


class DatabaseFeatures(features.DatabaseFeatures):
    def allows_group_by_selected_pks_on_model(self, model):
        if model._meta.db_table in PARTITIONED_TABLES:
            return False
        return super().allows_group_by_selected_pks_on_model(model)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures

    def is_usable(self):
        """Whether the connection can serve the next request.

        With ``CONN_HEALTH_CHECKS`` Django asks this before the first query of every request,
        and its own answer is a ``SELECT 1``: one round trip in fourteen of an intake
        (bench/README.md, intake). An idle connection has nothing to read; one that the
        server closed (a restart, a failover, ``pg_terminate_backend``) has its termination
        notice or the end of the stream waiting on the socket. So an idle connection is
        usable when its socket has nothing to read; anything else there (even a harmless
        notice) only costs a new connection. A connection that is not idle gets Django's
        check.
        """
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        if pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
