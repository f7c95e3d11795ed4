"""The SQLite side of the catalog search index.

On SQLite a LIKE '%...%' cannot use a B-tree index, and a scan of 100,000 versions costs more
than the 50 ms the search is allowed. An FTS5 table with the trigram tokenizer (SQLite >= 3.34)
over the folded search column finds the candidate rows for every word of 3 characters or more;
the LIKE filters then keep exactly the substring semantics of PostgreSQL (trigram GIN index,
migration 0002). The table is external-content, kept in sync by triggers.

It is (re)created after every ``migrate`` rather than in a migration, because SQLite's schema
editor rebuilds a table to alter it and the triggers would silently disappear with the old one.
"""

from django.db import connections

FTS_TABLE = "catalog_version_fts"
SOURCE = "catalog_procedureversion"
TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""AFTER INSERT ON {SOURCE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, search_folded) VALUES (new.id, new.search_folded); END""",
    f"{FTS_TABLE}_ad": f"""AFTER DELETE ON {SOURCE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_folded)
        VALUES ('delete', old.id, old.search_folded); END""",
    f"{FTS_TABLE}_au": f"""AFTER UPDATE OF search_folded ON {SOURCE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_folded)
        VALUES ('delete', old.id, old.search_folded);
        INSERT INTO {FTS_TABLE}(rowid, search_folded) VALUES (new.id, new.search_folded); END""",
}


def ensure_sqlite_search_index(using: str = "default") -> bool:
    """Create the FTS table and its triggers if missing (rebuilding the index then)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {row[0] for row in cursor.fetchall()}
        if SOURCE not in existing:
            return False
        missing = (FTS_TABLE not in existing) or any(name not in existing for name in TRIGGERS)
        if not missing:
            return True
        try:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_folded, "
                f"content='{SOURCE}', content_rowid='id', tokenize='trigram')")
        except Exception:  # noqa: BLE001 - SQLite without FTS5 or older than 3.34: LIKE only
            return False
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return True


def sqlite_search_index_ready(using: str = "default") -> bool:
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        return cursor.fetchone()[0] == 1


def fts_candidates(words: list[str]) -> tuple[str, list[str]] | None:
    """SQL selecting the rowids that contain every word the trigram index can use (3 characters
    or more; each word is an FTS5 phrase, i.e. a substring); None when no word can use it."""
    usable = [word for word in words if len(word) >= 3]
    if not usable:
        return None
    expression = " AND ".join('"' + word.replace('"', '""') + '"' for word in usable)
    return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression]
