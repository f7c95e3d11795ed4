"""The lean indexes of onestop 0006 (bench/README.md "Seeding 1,000,000 dossiers"): what every
dossier, step and event row no longer pays for, on both databases."""

from django.db import connection


def _indexes(table: str) -> dict[str, tuple[list[str], str]]:
    """name -> (columns, definition) of the table's indexes."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                           "AND tbl_name = %s", [table])
        definitions = {name: sql or "" for name, sql in cursor.fetchall()}
    return {name: (c["columns"], definitions.get(name, "")) for name, c in constraints.items()
            if c["index"] and not c["primary_key"]}


def test_no_single_column_index_that_a_composite_one_starts_with(db):
    indexes = _indexes("onestop_dossier")
    single = {tuple(columns) for columns, _sql in indexes.values() if len(columns) == 1}
    for column in ("unit_id", "procedure_id", "current_agency_id"):
        assert (column,) not in single
        assert any(columns[0] == column and len(columns) > 1 for columns, _ in indexes.values())
    timeliness = [sql for columns, sql in indexes.values() if columns == ["timeliness"]]
    assert len(timeliness) == 1 and "pattern_ops" not in timeliness[0]


def test_mostly_null_foreign_keys_have_partial_indexes(db):
    for table, column in (("onestop_dossier", "assignee_id"), ("onestop_dossier", "current_step_id"),
                          ("onestop_dossierevent", "actor_id"), ("onestop_dossierstep", "handed_by_id"),
                          ("onestop_dossierstep", "received_by_id")):
        found = [sql for columns, sql in _indexes(table).values() if columns == [column]]
        assert len(found) == 1, (table, column, found)
        assert "IS NOT NULL" in found[0], (table, column, found[0])
