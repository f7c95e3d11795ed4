"""Background tasks of the one-stop desks (django-tasks, see settings ``TASKS``).

``send_dossier_notification`` sends one message to a citizen. The services schedule it with
``transaction.on_commit`` (through ``notifications``), so it is enqueued only for a change
that happened; with the database backend the task is a row that ``cchc db_worker`` runs,
and a row not yet run survives a restart of the web server or of the worker. A task that
fails is recorded as failed (with its traceback) in the task table and logged; it is not
retried by itself (a message sent twice is worse than one reported missing).
"""

from django_tasks import task

from . import notifications


@task()
def send_dossier_notification(dossier_id: int, kind: str) -> str:
    return notifications.deliver(dossier_id, kind)
