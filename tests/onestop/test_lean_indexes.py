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


def test_a_dossiers_events_are_found_by_the_composite_index_alone(db):
    """onestop 0009: the events' single-column index on ``dossier_id`` went, the composite
    (dossier, action, at) serves the lookups by dossier, on both databases."""
    indexes = _indexes("onestop_dossierevent")
    assert ["dossier_id"] not in [columns for columns, _sql in indexes.values()]
    assert indexes["event_dossier_action_idx"][0] == ["dossier_id", "action", "at"]


def test_the_history_of_a_dossier_reads_the_composite_index(db):
    from cchc.onestop.models import DossierEvent

    sql, params = DossierEvent.objects.filter(dossier_id=1).order_by("at", "id").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    # On PostgreSQL each partition's copy of the index is named after its columns.
    assert "event_dossier_action_idx" in plan or "dossier_id_action_at_idx" in plan, plan
