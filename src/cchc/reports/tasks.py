"""Background tasks of the reports (django-tasks, see settings ``TASKS``).

``rollup_timeliness`` does what ``cchc report rollup`` does, for a deployment that schedules
tasks rather than commands."""

from django_tasks import task

from . import services


@task()
def rollup_timeliness() -> str:
    result = services.rollup_timeliness()
    return f"through {result.through_day}: {result.days} day(s), {result.rows} row(s), mark {result.dossier_mark}"
