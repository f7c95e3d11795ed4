"""Searches of the registers are recorded in core's ``PersonalDataSearch`` (the one record of
searches of people, with the one-stop queue's): the rows of the former ``civil.SearchAudit``
move there with their source prefixed ``civil.`` ("page" -> "civil.page"), and the model goes.

Their lines in the hash-chained audit log stay as they were written (action ``civil.search``,
object ``civil.searchaudit`` with the old id): the chain is never rewritten."""

from django.db import migrations

BATCH = 2000


def to_core(apps, schema_editor):
    old = apps.get_model("civil", "SearchAudit")
    new = apps.get_model("core", "PersonalDataSearch")
    batch = []
    for row in old.objects.order_by("pk").iterator(BATCH):
        batch.append(new(user_id=row.user_id, at=row.at, source=f"civil.{row.source}"[:40],
                         params=row.params, result_count=row.result_count,
                         truncated=row.truncated))
        if len(batch) >= BATCH:
            new.objects.bulk_create(batch)
            batch = []
    new.objects.bulk_create(batch)


def to_civil(apps, schema_editor):
    old = apps.get_model("civil", "SearchAudit")
    new = apps.get_model("core", "PersonalDataSearch")
    moved = new.objects.filter(source__startswith="civil.")
    old.objects.bulk_create(
        [old(user_id=row.user_id, at=row.at, source=row.source.removeprefix("civil.")[:10],
             params=row.params, result_count=row.result_count, truncated=row.truncated)
         for row in moved.order_by("pk").iterator(BATCH)], batch_size=BATCH)
    moved.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("civil", "0002_search_word_indexes"),
        ("core", "0003_personaldatasearch_truncated"),
    ]

    operations = [
        migrations.RunPython(to_core, to_civil),
        migrations.DeleteModel(name="SearchAudit"),
    ]
