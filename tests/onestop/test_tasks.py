"""Notifications to citizens are background tasks: with the database backend a task is a row
written in the action's own transaction (an outbox) that a worker started later runs exactly
once; with another backend (the immediate one) the task is enqueued on commit."""

import datetime
import io
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from cchc.onestop import notifications
from cchc.onestop.models import DeliveryStatus, Dossier, NotificationDelivery
from tests.onestop.conftest import APPLICANT


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "cchc.core.taskqueue.DatabaseBackend"}}


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


def test_with_the_database_backend_the_task_row_is_written_by_the_action_itself(
        receive, database_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dossier = receive()
    assert callbacks == []  # nothing left for after the commit: no transaction of its own
    [row] = DBTaskResult.objects.all()
    assert row.args_kwargs == {"args": [dossier.pk, "received"], "kwargs": {}}


@pytest.mark.django_db(transaction=True)
def test_the_task_row_rolls_back_with_the_action(world, receive, database_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier = receive()
        assert DBTaskResult.objects.filter(args_kwargs__args=[dossier.pk, "received"]).exists()
        raise RuntimeError("the request fails after the intake")
    assert not Dossier.objects.exists() and not DBTaskResult.objects.exists()
    assert mail.outbox == []


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
def test_a_transient_failure_is_retried_later_by_a_new_task_and_sent_once(
        world, receive, database_tasks, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.onestop.test_tasks.BrokenMail"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive()
    new_worker("w1").run()
    first = DBTaskResult.objects.get(status="SUCCESSFUL")
    assert first.return_value.startswith("retry 2 at")
    delivery = NotificationDelivery.objects.get(dossier=dossier, kind="received")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    assert delivery.channels == {"email": "failed", "sms": "sent"}
    assert "SMTP server down" in delivery.last_error
    assert Dossier.objects.get(pk=dossier.pk).status == dossier.status
    # The retry is a task deferred by the first backoff step; not run before its time.
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs == {"args": [dossier.pk, "received"],
                                 "kwargs": {"occurrence": 1}}
    assert retry.run_after - delivery.updated_at >= datetime.timedelta(
        seconds=notifications.BACKOFF[0] - 1)
    new_worker("w2").run()
    assert DBTaskResult.objects.get(pk=retry.pk).status == "READY" and mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sms = RecordingSms.sent = []
    settings.CCHC_SMS_BACKEND = "tests.onestop.test_tasks.RecordingSms"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    new_worker("w3").run()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert [m.to for m in mail.outbox] == [[APPLICANT["email"]]]
    assert sms == []  # the SMS had gone on the first attempt: never sent twice

    # A duplicate task (an operator re-enqueued it) finds the delivery done.
    assert notifications.deliver(dossier.pk, "received") == "already sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_permanent_failure_is_not_retried_and_marks_the_task_failed(
        world, receive, database_tasks, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.onestop.test_tasks.RefusedMail"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive()
    new_worker("w").run()
    row = DBTaskResult.objects.get()  # no retry enqueued
    assert row.status == "FAILED" and "DeliveryFailed" in row.traceback
    delivery = NotificationDelivery.objects.get(dossier=dossier)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "550" in delivery.last_error
    assert Dossier.objects.get(pk=dossier.pk).status == dossier.status
    out = io.StringIO()
    call_command("notifications", "failed", stdout=out)
    assert dossier.code in out.getvalue() and "1 lượt gửi" in out.getvalue()


def test_transient_failures_give_up_after_the_maximum_attempts(world, receive, settings):
    settings.EMAIL_BACKEND = "tests.onestop.test_tasks.BrokenMail"
    dossier = receive()  # not committed: no task ran
    for attempt in range(1, notifications.MAX_ATTEMPTS):
        assert notifications.deliver(dossier.pk, "received").startswith("retry")
        delivery = NotificationDelivery.objects.get(dossier=dossier)
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, attempt)
    with pytest.raises(notifications.DeliveryFailed, match="after 5 attempt"):
        notifications.deliver(dossier.pk, "received")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert notifications.deliver(dossier.pk, "received") == "already failed"


def test_an_interrupted_send_is_never_repeated_and_is_listed(world, receive):
    dossier = receive()
    NotificationDelivery.objects.create(
        dossier=dossier, kind="received", status=DeliveryStatus.SENDING, attempts=1,
        channels={"email": "sending"})
    assert notifications.deliver(dossier.pk, "received") == "already sending"
    assert mail.outbox == []
    NotificationDelivery.objects.filter(dossier=dossier).update(
        updated_at=timezone.now() - datetime.timedelta(hours=1))
    out = io.StringIO()
    call_command("notifications", "failed", stdout=out)
    assert dossier.code in out.getvalue() and "sending" in out.getvalue()


def test_a_second_supplement_request_is_a_message_of_its_own(world, receive):
    dossier = receive()
    dossier.supplement_count = 1
    dossier.save(update_fields=["supplement_count"])
    assert notifications.deliver(dossier.pk, "supplement") == "email,sms"
    assert notifications.deliver(dossier.pk, "supplement") == "already sent"
    dossier.supplement_count = 2
    dossier.save(update_fields=["supplement_count"])
    assert notifications.deliver(dossier.pk, "supplement") == "email,sms"
    assert sorted(NotificationDelivery.objects.filter(kind="supplement")
                  .values_list("occurrence", flat=True)) == [1, 2]
    assert len([m for m in mail.outbox if "bổ sung" in m.subject]) == 2


def test_retry_due_sends_the_retries_no_task_picked_up(world, receive, settings):
    settings.EMAIL_BACKEND = "tests.onestop.test_tasks.BrokenMail"
    dossier = receive()
    notifications.deliver(dossier.pk, "received")  # the immediate backend cannot defer
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = io.StringIO()
    call_command("notifications", "retry-due", stdout=out)  # not yet due
    assert "0 lượt" in out.getvalue()
    NotificationDelivery.objects.filter(dossier=dossier).update(
        next_attempt_at=timezone.now() - datetime.timedelta(hours=1))
    call_command("notifications", "retry-due", stdout=out)
    assert "1 lượt" in out.getvalue()
    assert NotificationDelivery.objects.get(dossier=dossier).status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [[APPLICANT["email"]]]


@pytest.mark.parametrize("exc,transient", [
    (ConnectionRefusedError("down"), True),
    (TimeoutError(), True),
    (smtplib.SMTPServerDisconnected("gone"), True),
    (smtplib.SMTPResponseException(451, b"try later"), True),
    (smtplib.SMTPResponseException(554, b"rejected"), False),
    (smtplib.SMTPRecipientsRefused({"a@b": (550, b"no such user")}), False),
    (smtplib.SMTPRecipientsRefused({"a@b": (452, b"mailbox full")}), True),
    (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
    (notifications.TransientError("gateway busy"), True),
    (ValueError("bad phone"), False),
])
def test_transient_failures_are_told_from_permanent_ones(exc, transient):
    assert notifications.is_transient(exc) is transient


class RecordingSms:
    sent: list = []

    def send(self, phone, text):
        self.sent.append(phone)


class RefusedMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({APPLICANT["email"]: (550, b"no such user")})


class BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


@pytest.mark.django_db
def test_a_failure_to_enqueue_never_breaks_the_action(settings, caplog, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "cchc.onestop.no_such_backend.Backend"}}
    with django_capture_on_commit_callbacks(execute=True):
        notifications.schedule(123, "received")  # logged, not raised
    assert "Notification received for dossier 123 could not be enqueued" in caplog.text


@pytest.mark.django_db
def test_deliver_reports_what_it_sent(receive):
    dossier = receive()
    assert notifications.deliver(dossier.pk, "result") == "email,sms"
    assert notifications.deliver(999999, "result") == "no dossier"
