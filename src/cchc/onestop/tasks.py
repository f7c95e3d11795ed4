"""Background tasks of the one-stop desks (django-tasks, see settings ``TASKS``).

``send_dossier_notification`` sends one message to a citizen. The services schedule it through
``notifications.schedule``, so it is enqueued only for a change that happened; with the
database backend the task is a row written in the action's own transaction, that
``cchc db_worker`` runs once committed, and a row not yet run survives a restart of the web
server or of the worker. Delivery is
recorded per dossier, kind and occurrence (``NotificationDelivery``): a transient failure
(SMTP 4xx, network) is retried with backoff by a new task row deferred with ``run_after``,
up to ``notifications.MAX_ATTEMPTS`` attempts, and no channel is ever sent twice; a delivery
given up is recorded as failed (the task too, with its traceback) and listed by
``cchc notifications failed`` and in the admin.

``seal_dossier_events`` appends the seals of the dossier events to the audit log (what
``cchc audit-log seal`` does), for a deployment that schedules tasks rather than commands.
"""

from django_tasks import task

from . import audit, notifications


@task()
def send_dossier_notification(dossier_id: int, kind: str, occurrence: int | None = None) -> str:
    return notifications.deliver(dossier_id, kind, occurrence)


@task()
def seal_dossier_events() -> str:
    seals = covered = 0
    while (record := audit.seal_dossier_events()) is not None:
        seals += 1
        covered += record.data["count"]
    return f"{seals} seal(s), {covered} event(s)"
