"""Load the official civil-servant schedules 2023-2026 (RULES §6) and the default office hours."""

from django.db import migrations

YEARS = (2023, 2024, 2025, 2026)


def load(apps, schema_editor):
    from cchc.workcal.schedules import load_shipped_overrides

    CalendarOverride = apps.get_model("workcal", "CalendarOverride")
    OfficeHours = apps.get_model("workcal", "OfficeHours")
    db = schema_editor.connection.alias
    for o in load_shipped_overrides(years=YEARS):
        CalendarOverride.objects.using(db).update_or_create(
            date=o.date, defaults={"kind": o.kind, "reference": o.reference, "note": o.note}
        )
    OfficeHours.objects.using(db).get_or_create(pk=1)


def unload(apps, schema_editor):
    from cchc.workcal.schedules import load_shipped_overrides

    CalendarOverride = apps.get_model("workcal", "CalendarOverride")
    db = schema_editor.connection.alias
    dates = [o.date for o in load_shipped_overrides(years=YEARS)]
    CalendarOverride.objects.using(db).filter(date__in=dates).delete()


class Migration(migrations.Migration):
    dependencies = [("workcal", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
