"""Plain statements built from the models' metadata, for the few paths where the ORM's query
compiler costs more CPU than the database spends running the query.

Measured on the dossier intake (bench/README.md, intake): compiling a ``get`` with two
``select_related`` or a 40-column ``save()`` took 1-2 ms of Python each, running it 0.1 ms of
PostgreSQL. These helpers build each statement's text once per model and connection and fill
in only the values, with the fields' own conversions (``get_db_prep_save`` on the way in, the
backend's and the field's converters on the way out), so a field added to a model is read and
written here too. They do what ``Model.save()`` (with its signals) and ``Model.from_db()``
do for plain models: no inheritance, no database defaults, and ``update`` sends no signal,
as ``QuerySet.update`` does not. Everything else goes through the ORM.
"""

from functools import cache

from django.db import connections, router
from django.db.models import Model, signals


def _connection(model, write: bool, instance=None):
    alias = (router.db_for_write if write else router.db_for_read)(model, instance=instance)
    return alias, connections[alias]


def _fields(model: type[Model], names: tuple[str, ...] | None):
    if names is None:
        return model._meta.concrete_fields
    return [model._meta.get_field(name) for name in names]


def select_list(model: type[Model], alias: str, names: tuple[str, ...] | None = None) -> str:
    """``"alias"."column", ...`` for every concrete field of ``model`` in field order (what
    ``instance`` reads back), or for the fields ``names`` (what ``values`` reads back)."""
    return ", ".join(f'{alias}."{field.column}"' for field in _fields(model, names))


@cache
def _converters(model: type[Model], using: str, names: tuple[str, ...] | None = None):
    """Each column's converters, as ``from_db`` gets them: the backend's, then the field's."""
    connection = connections[using]
    converters = []
    for field in _fields(model, names):
        column = field.get_col(model._meta.db_table)
        chain = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        converters.append((column, tuple(chain)))
    return tuple(converters)


def _convert(values: list, converters, connection) -> list:
    for index, (column, chain) in enumerate(converters):
        for converter in chain:
            values[index] = converter(values[index], column, connection)
    return values


@cache
def _reader(model: type[Model], using: str):
    """(the attnames, the primary key's position) of ``model``."""
    fields = model._meta.concrete_fields
    pk_position = [field.primary_key for field in fields].index(True)
    return [field.attname for field in fields], pk_position


def instance(model: type[Model], row, start: int = 0, using: str | None = None):
    """The ``model`` instance whose columns (``select_list``'s order) begin at ``row[start]``,
    or None when its primary key is NULL (the other side of an outer join)."""
    using = using or router.db_for_read(model)
    attnames, pk_position = _reader(model, using)
    values = list(row[start:start + len(attnames)])
    if values[pk_position] is None:
        return None
    _convert(values, _converters(model, using), connections[using])
    return model.from_db(using, attnames, values)


def values(model: type[Model], names: tuple[str, ...], row, start: int = 0,
           using: str | None = None) -> dict:
    """The fields ``names`` of ``model`` (``select_list(model, alias, names)``'s columns,
    beginning at ``row[start]``) as Python values, without building an instance."""
    using = using or router.db_for_read(model)
    converted = _convert(list(row[start:start + len(names)]), _converters(model, using, names),
                         connections[using])
    return dict(zip(names, converted, strict=True))


@cache
def _insert_sql(model: type[Model], using: str, with_key: bool):
    """(the fields written, the statement): without ``with_key``, the database numbers the
    row and returns its key."""
    meta = model._meta
    quote = connections[using].ops.quote_name
    fields = [f for f in meta.local_concrete_fields if with_key or f is not meta.auto_field]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    if not with_key:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return fields, sql


def insert(obj: Model) -> Model:
    """``obj.save()`` of a new row in one statement: its ``pre_save`` and ``post_save``
    signals, the fields' pre-save values (``auto_now_add``...), and the key the database gives
    back when ``obj`` has none (an auto field)."""
    model = type(obj)
    using, connection = _connection(model, True, obj)
    with_key = obj.pk is not None
    if not (with_key or connection.features.can_return_columns_from_insert):
        obj.save(force_insert=True, using=using)
        return obj
    params = _before_insert(obj, using, connection)
    _, sql = _insert_sql(model, using, with_key)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if not with_key:
            obj.pk = cursor.fetchone()[0]
    _after_insert(obj, using)
    return obj


def insert_all(*objs: Model) -> None:
    """``insert`` of new rows of several tables in one statement on PostgreSQL (each row in a
    data-modifying ``WITH``), one round trip instead of one per row; elsewhere one ``insert``
    each. A row that points at another of them needs that one's key beforehand (reserved
    from its sequence); the foreign keys are checked at the end of the statement or, being
    deferrable, at commit. Rows without a key get theirs back, as from ``insert``."""
    if not objs:
        return
    using, connection = _connection(type(objs[0]), True, objs[0])
    if connection.vendor != "postgresql" or any(
            _connection(type(obj), True, obj)[0] != using for obj in objs[1:]):
        for obj in objs:
            insert(obj)
        return
    params = []
    for obj in objs:
        params += _before_insert(obj, using, connection)
    keyless = [obj for obj in objs if obj.pk is None]
    sql = _insert_all_sql(tuple((type(obj), obj.pk is not None) for obj in objs), using)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchone()
    for obj, key in zip(keyless, keys, strict=False):
        obj.pk = key
    for obj in objs:
        _after_insert(obj, using)


@cache
def _insert_all_sql(rows: tuple[tuple[type[Model], bool], ...], using: str) -> str:
    """``WITH r0 AS (INSERT ...), r1 AS (INSERT ... RETURNING key) ... SELECT`` the keys of the
    rows inserted without one, in order."""
    parts, keys = [], []
    for n, (model, with_key) in enumerate(rows):
        parts.append(f"r{n} AS ({_insert_sql(model, using, with_key)[1]})")
        if not with_key:
            keys.append(f"(SELECT * FROM r{n})")
    return f"WITH {', '.join(parts)} SELECT {', '.join(keys) or 'NULL'}"


def _before_insert(obj: Model, using: str, connection) -> list:
    """``pre_save``, then the values ``obj``'s insert writes."""
    model = type(obj)
    signals.pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
    fields, _ = _insert_sql(model, using, obj.pk is not None)
    return [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]


def _after_insert(obj: Model, using: str) -> None:
    obj._state.adding = False
    obj._state.db = using
    signals.post_save.send(sender=type(obj), instance=obj, created=True, update_fields=None,
                           raw=False, using=using)


def update(model: type[Model], pk, **values) -> int:
    """``model.objects.filter(pk=pk).update(**values)`` for plain column values (not
    expressions): rows updated."""
    using, connection = _connection(model, True)
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in values]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    params = [field.get_db_prep_save(value, connection)
              for field, value in zip(fields, values.values(), strict=True)]
    params.append(meta.pk.get_db_prep_value(pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(meta.db_table)} SET {assignments} "
                       f"WHERE {quote(meta.pk.column)} = %s", params)
        return cursor.rowcount
