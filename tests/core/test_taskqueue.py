"""cchc's database task backend writes the task row django_tasks_db's own backend writes."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cchc.onestop.tasks import send_dossier_notification

pytestmark = pytest.mark.django_db

BACKENDS = {"cchc": "cchc.core.taskqueue.DatabaseBackend",
            "django_tasks_db": "django_tasks_db.DatabaseBackend"}


def row_of(settings, backend, deferred):
    settings.TASKS = {"default": {"BACKEND": BACKENDS[backend]}}
    task = send_dossier_notification
    if deferred:
        task = task.using(run_after=timezone.now() + datetime.timedelta(minutes=5))
    result = task.enqueue(41, "received", occurrence=2)
    row = DBTaskResult.objects.get(pk=result.id)
    values = {f.attname: getattr(row, f.attname) for f in DBTaskResult._meta.concrete_fields}
    return task, result, values


@pytest.mark.parametrize("deferred", [False, True])
def test_the_task_row_is_the_one_django_tasks_db_writes(settings, deferred):
    _task, theirs, reference = row_of(settings, "django_tasks_db", deferred)
    task, ours, mine = row_of(settings, "cchc", deferred)
    assert mine.pop("id") != reference.pop("id")
    assert abs(mine.pop("enqueued_at") - reference.pop("enqueued_at")) < datetime.timedelta(seconds=5)
    if deferred:
        assert abs(mine.pop("run_after") - reference.pop("run_after")) < datetime.timedelta(seconds=5)
    assert mine == reference
    assert mine["args_kwargs"] == {"args": [41, "received"], "kwargs": {"occurrence": 2}}
    # The task result answers as the parent's does, and reads back from the row.
    assert (ours.status, ours.args, ours.kwargs) == (theirs.status, theirs.args, theirs.kwargs)
    assert task.get_result(ours.id).args == [41, "received"]
