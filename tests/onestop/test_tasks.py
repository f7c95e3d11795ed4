"""Notifications to citizens are background tasks enqueued on commit: with the database
backend a task is a row that a worker started later runs exactly once."""

import pytest
from django.core import mail
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from cchc.onestop import notifications
from cchc.onestop.models import Dossier
from tests.onestop.conftest import APPLICANT


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def new_worker(worker_id):
    """A worker process as `cchc db_worker --batch` starts it: runs what is ready, then exits."""
    return Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                  startup_delay=False, max_tasks=None, worker_id=worker_id,
                  excluded_queue_names=[])


def test_nothing_is_enqueued_before_commit(receive, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receive()
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()  # the commit happens
    assert len(mail.outbox) == 1 and "Đã tiếp nhận hồ sơ" in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_an_enqueued_task_survives_until_a_new_worker_runs_it_once(
        world, receive, database_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive()
    # The web request is over; no worker ran: the task is a row, and nothing was sent.
    [row] = DBTaskResult.objects.all()
    assert row.status == "READY" and row.task_path.endswith("send_dossier_notification")
    assert row.args_kwargs == {"args": [dossier.pk, "received"], "kwargs": {}}
    assert mail.outbox == []

    new_worker("worker-after-restart").run()
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and row.worker_ids == ["worker-after-restart"]
    assert [m.to for m in mail.outbox] == [[APPLICANT["email"]]]
    assert dossier.code in mail.outbox[0].subject

    new_worker("another-worker").run()  # a second worker finds nothing left to do
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.get().worker_ids == ["worker-after-restart"]


@pytest.mark.django_db(transaction=True)
def test_a_failing_channel_marks_the_task_failed_without_touching_the_dossier(
        world, receive, database_tasks, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.onestop.test_tasks.BrokenMail"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive()
    new_worker("w").run()
    row = DBTaskResult.objects.get()
    assert row.status == "FAILED"
    assert "BrokenMail" in row.traceback or "SMTP" in row.traceback
    assert Dossier.objects.get(pk=dossier.pk).status == dossier.status


class BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


def test_a_failure_to_enqueue_never_breaks_the_action(settings, caplog):
    settings.TASKS = {"default": {"BACKEND": "cchc.onestop.no_such_backend.Backend"}}
    notifications.dossier_received(123)  # logged, not raised
    assert "Notification received for dossier 123 could not be enqueued" in caplog.text


@pytest.mark.django_db
def test_deliver_reports_what_it_sent(receive):
    dossier = receive()
    assert notifications.deliver(dossier.pk, "result") == "email,sms"
    assert notifications.deliver(999999, "result") == "no dossier"
