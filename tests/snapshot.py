"""Replay a costly fixture's rows instead of rebuilding them in every test.

``replayed(key, build)`` runs ``build()`` the first time in a test process, records every row
it added (table by table, with their primary keys) and what it returned (as model classes
and primary keys), and lets the test's transaction roll it all back as usual. In the
following tests of that process it inserts the same rows again, with the same keys, in one
``executemany`` per table, and returns the same structure with instances read from the
database. A fixture built through the services (the demo catalog: ~900 statements and its
history rows) costs a few milliseconds to replay.

Only for builders whose result depends on the database alone (not on the clock, and not on
what the test did before): the rows are the first build's, with its timestamps. Foreign keys
are checked at commit on both databases (Django declares them deferrable), so the order of
the tables does not matter; the test rolls back before any commit.
"""

from django.apps import apps
from django.db import connection
from django.db.models import Model

_recorded: dict[str, tuple[list, object]] = {}


def _tables():
    seen = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        yield meta.db_table, meta.pk.column


def _keys(cursor, table: str, pk: str) -> set:
    qn = connection.ops.quote_name
    cursor.execute(f"SELECT {qn(pk)} FROM {qn(table)}")
    return {row[0] for row in cursor.fetchall()}


def _added_rows(before: dict) -> list:
    qn = connection.ops.quote_name
    added = []
    with connection.cursor() as cursor:
        for table, pk in _tables():
            # The key first: a full-text table's ``rowid`` is not among its ``*`` columns.
            cursor.execute(f"SELECT {qn(pk)}, * FROM {qn(table)}")
            columns = [c[0] for c in cursor.description]
            rows = [row for row in cursor.fetchall() if row[0] not in before[table]]
            if pk in columns[1:]:
                columns, rows = columns[1:], [row[1:] for row in rows]
            if rows:
                added.append((table, columns, rows))
    return added


def _freeze(value):
    if isinstance(value, Model):
        return ("model", type(value), value.pk)
    if isinstance(value, dict):
        return ("dict", {k: _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_freeze(v) for v in value])
    return ("value", value)


def _thaw(frozen):
    kind, *rest = frozen
    if kind == "model":
        model, pk = rest
        return model._default_manager.get(pk=pk)
    if kind == "dict":
        return {k: _thaw(v) for k, v in rest[0].items()}
    if kind in ("list", "tuple"):
        items = [_thaw(v) for v in rest[0]]
        return items if kind == "list" else tuple(items)
    return rest[0]


def replayed(key: str, build):
    key = f"{connection.vendor}:{key}"
    if key in _recorded:
        added, frozen = _recorded[key]
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, columns, rows in added:
                marks = ", ".join(["%s"] * len(columns))
                names = ", ".join(qn(c) for c in columns)
                cursor.executemany(f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})", rows)
        return _thaw(frozen)
    with connection.cursor() as cursor:
        before = {table: _keys(cursor, table, pk) for table, pk in _tables()}
    result = build()
    _recorded[key] = (_added_rows(before), _freeze(result))
    return result
