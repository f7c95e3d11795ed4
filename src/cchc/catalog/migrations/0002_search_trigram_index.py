"""On PostgreSQL, a trigram GIN index makes the folded-text LIKE '%...%' search use an index.

``django.contrib.postgres`` is not installed, so the extension and index are created with SQL,
only on PostgreSQL; SQLite searches the same folded column with a plain scan. If the
extension cannot be created (no privilege), the search still works, only slower.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

INDEX = "catalog_version_search_trgm"


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_procedureversion "
                "USING gin (search_folded gin_trgm_ops)"
            )
    except Exception as exc:  # noqa: BLE001 - permission or missing contrib package
        logger.warning("Không tạo được chỉ mục trigram cho tìm kiếm thủ tục: %s", exc)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
