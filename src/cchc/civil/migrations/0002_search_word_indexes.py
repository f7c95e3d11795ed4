"""On PostgreSQL, word indexes on the folded names make the name search use an index.

``django.contrib.postgres`` is not installed, so the indexes are created with SQL, only on
PostgreSQL (the expression must match ``selectors._WordsMatch``); SQLite searches the same
folded columns with a scan. A trigram index (pg_trgm) was measured first and rejected: among
millions of Vietnamese names made of the same few syllables ("thi", "van", "ngu", "anh") its
posting lists are huge (bench/README.md).
"""

from django.db import migrations

INDEXES = {
    "civil_entry_name_words": "civil_registerentry USING gin "
                              "(to_tsvector('simple'::regconfig, name_folded))",
    "civil_entry_partner_name_words": "civil_registerentry USING gin "
                                      "(to_tsvector('simple'::regconfig, partner_name_folded))",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, definition in INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for name in INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("civil", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
