"""The database task queue (django_tasks_db), with its task row written in one statement."""

import django_tasks_db
from django_tasks_db.compat import normalize_json

from cchc.core import statements


class DatabaseBackend(django_tasks_db.DatabaseBackend):
    """django_tasks_db's backend, writing the task row with a statement built once
    (cchc.core.statements) instead of the ORM's ``create``: a notification enqueued in the
    intake's transaction cost a tenth of its CPU that way (bench/README.md, intake).
    tests/core/test_taskqueue.py checks that the row is the parent's, field for field."""

    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        return statements.insert(DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        ))
