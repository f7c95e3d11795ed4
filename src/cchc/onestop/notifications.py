"""Messages to citizens: email through Django's mail backend (console in the demo) and an
SMS interface (``CCHC_SMS_BACKEND``: a dotted path to a class with ``send(phone, text)``;
by default messages are only logged).

The services call ``schedule`` inside their transaction; it enqueues a background task
(``tasks.send_dossier_notification``) instead of sending inline, so a slow mail server never
holds a desk officer's request, and the task itself calls ``deliver``:
- with the database task backend, the task row is written in the action's own transaction
  (a transactional outbox): the worker cannot see it before the commit, a rollback takes it
  away with the change, it can no longer be lost between the commit and the enqueue, and it
  costs one statement instead of a transaction of its own (bench/README.md, intake). A
  database error writing it fails the action, like any other row of it;
- with any other backend (the immediate one of the demo and tests, which sends at once) it
  enqueues after the commit, so that nothing is sent for a change that did not happen; a failure to enqueue is logged, never
  raised into the action that caused it."""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, router, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class LoggingSmsBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


def sms_backend():
    return import_string(getattr(settings, "CCHC_SMS_BACKEND", "cchc.onestop.notifications.LoggingSmsBackend"))()


# Subject and body of each message, translatable; they are rendered in the site's default
# language (Vietnamese), whatever language the request or worker that sends them has active.
MESSAGES = {
    "received": (_("Đã tiếp nhận hồ sơ"),
                 _("Kính gửi {name}: hồ sơ {code} đã được tiếp nhận. "
                   "Ngày hẹn trả kết quả: {due}.")),
    "refused": (_("Hồ sơ không được tiếp nhận"),
                _("Kính gửi {name}: hồ sơ {code} không được tiếp nhận. "
                  "Vui lòng xem phiếu từ chối để biết lý do.")),
    "supplement": (_("Yêu cầu bổ sung hồ sơ"),
                   _("Kính gửi {name}: hồ sơ {code} cần bổ sung giấy tờ. "
                     "Vui lòng xem phiếu yêu cầu bổ sung.")),
    "result": (_("Đã có kết quả"),
               _("Kính gửi {name}: hồ sơ {code} đã có kết quả, mời ông/bà đến nhận.")),
    "apology": (_("Xin lỗi và hẹn lại ngày trả kết quả"),
                _("Kính gửi {name}: hồ sơ {code} chưa giải quyết kịp; cơ quan xin lỗi và hẹn "
                  "trả kết quả vào {due}.")),
}


def render_message(kind: str, *, code: str, name: str, due: str) -> tuple[str, str]:
    """(subject, text) of the message ``kind``, in the site's default language."""
    subject, body = MESSAGES[kind]
    with translation.override(settings.LANGUAGE_CODE):
        return f"[{code}] {subject}", str(body).format(code=code, name=name, due=due)


MAX_ATTEMPTS = 5
# Seconds to wait before attempts 2, 3, 4 and 5: about 2.5 hours in all, enough for a mail
# server restarted or an SMS gateway back from maintenance, short enough to be still useful.
BACKOFF = (60, 300, 1800, 7200)


class TransientError(Exception):
    """Raised by an SMS backend for a failure worth trying again (gateway busy, timeout)."""


def is_transient(exc: BaseException) -> bool:
    """A failure that may pass by itself: network errors, SMTP 4xx replies, a dropped
    connection. A 5xx reply (address refused, authentication) or anything else is not."""
    if isinstance(exc, TransientError):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(400 <= code < 500
                                            for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)  # refused, reset, timed out, name not resolved


class DeliveryFailed(RuntimeError):
    """The message could not be sent and will not be retried (the task is marked failed)."""


def _occurrence(dossier, kind: str) -> int:
    # A dossier may be asked for supplements more than once (each is a message of its own);
    # the other messages happen once per dossier.
    return max(1, dossier.supplement_count) if kind == "supplement" else 1


def _delivery(dossier, kind: str, occurrence: int | None):
    from .models import NotificationDelivery

    key = {"dossier": dossier, "kind": kind,
           "occurrence": occurrence or _occurrence(dossier, kind)}
    try:
        with transaction.atomic():
            return NotificationDelivery.objects.get_or_create(**key)[0]
    except IntegrityError:  # another worker created it at the same moment
        return NotificationDelivery.objects.get(**key)


def deliver(dossier_id: int, kind: str, occurrence: int | None = None) -> str:
    """Send the message ``kind`` for a dossier now (run by the task worker), at most once per
    channel. Returns what was done; on a transient failure schedules a retry (with backoff,
    at most ``MAX_ATTEMPTS`` attempts); raises ``DeliveryFailed`` when it gives up, so that the
    task is recorded as failed. Each step is committed on its own: run it outside any
    transaction, as the task worker does. ``occurrence`` is given by retries (the first
    attempt takes it from the dossier)."""
    from .models import DeliveryStatus, Dossier, NotificationDelivery

    if kind not in MESSAGES:
        raise KeyError(kind)
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None:
        return "no dossier"
    delivery = _delivery(dossier, kind, occurrence)
    # Claim it: only one worker sends, and never a delivery that was sent or given up.
    claimed = (NotificationDelivery.objects
               .filter(pk=delivery.pk, status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING))
               .update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1,
                       next_attempt_at=None, updated_at=timezone.now()))
    delivery.refresh_from_db()
    if not claimed:
        return f"already {delivery.status}"
    subject, text = render_message(
        kind, code=dossier.code, name=dossier.applicant_name,
        due=dossier.promised_at.astimezone().strftime("%H:%M %d/%m/%Y") if dossier.promised_at else "")
    channels = []
    if dossier.applicant_email:
        channels.append(("email", lambda: send_mail(subject, text, None,
                                                    [dossier.applicant_email])))
    if dossier.applicant_phone:
        channels.append(("sms", lambda: sms_backend().send(dossier.applicant_phone, text)))
    errors = []
    for name, send in channels:
        if delivery.channels.get(name) in ("sent", "sending"):
            continue  # sent (or perhaps sent, by a worker that died): never again
        _mark(delivery, name, "sending")
        try:
            send()
        except Exception as exc:
            _mark(delivery, name, "failed")
            errors.append((name, exc))
        else:
            _mark(delivery, name, "sent")
    sent = [name for name, state in delivery.channels.items() if state == "sent"]
    if not errors:
        delivery.status, delivery.last_error = DeliveryStatus.SENT, ""
        delivery.save(update_fields=["status", "last_error", "updated_at"])
        return ",".join(sent) or "no address"
    delivery.last_error = "; ".join(f"{name}: {type(exc).__name__}: {exc}"
                                    for name, exc in errors)[:2000]
    if all(is_transient(exc) for _name, exc in errors) and delivery.attempts < MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = timezone.now() + datetime.timedelta(
            seconds=BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1])
        delivery.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
        logger.warning("Notification %s for dossier %s failed (attempt %s of %s), retry at %s: %s",
                       kind, dossier_id, delivery.attempts, MAX_ATTEMPTS,
                       delivery.next_attempt_at.isoformat(), delivery.last_error)
        schedule_retry(delivery)
        return f"retry {delivery.attempts + 1} at {delivery.next_attempt_at.isoformat()}"
    delivery.status = DeliveryStatus.FAILED
    delivery.save(update_fields=["status", "last_error", "updated_at"])
    raise DeliveryFailed(f"Notification {kind} for dossier {dossier_id} failed after "
                         f"{delivery.attempts} attempt(s) (sent: {sent or 'nothing'}): "
                         f"{delivery.last_error}") from errors[0][1]


def _mark(delivery, channel: str, state: str) -> None:
    delivery.channels[channel] = state
    delivery.save(update_fields=["channels", "updated_at"])


def schedule_retry(delivery, *, defer: bool = True) -> bool:
    """Enqueue the next attempt to run at ``next_attempt_at`` (``defer``) or now. A backend
    that cannot defer (the immediate one of the demo) or a failure to enqueue leaves the
    delivery waiting for ``cchc notifications retry-due``, which a timer runs."""
    try:
        from .tasks import send_dossier_notification

        task = (send_dossier_notification.using(run_after=delivery.next_attempt_at) if defer
                else send_dossier_notification)
        task.enqueue(delivery.dossier_id, delivery.kind, occurrence=delivery.occurrence)
    except Exception:
        logger.warning("Retry of notification %s for dossier %s not enqueued; "
                       "`cchc notifications retry-due` will", delivery.kind,
                       delivery.dossier_id, exc_info=True)
        return False
    return True


def _send(dossier_id: int, kind: str) -> None:
    try:
        from .tasks import send_dossier_notification

        send_dossier_notification.enqueue(dossier_id, kind)
    except Exception:  # a notification must never undo or break the action
        logger.exception("Notification %s for dossier %s could not be enqueued", kind, dossier_id)


def schedule(dossier_id: int, kind: str) -> None:
    """The message ``kind`` for a dossier changed in the current transaction (see the module
    docstring): written with it when the task queue is a table of the same database, else
    enqueued after the commit."""
    if not _enqueue_in_transaction(dossier_id, kind):
        transaction.on_commit(lambda: _send(dossier_id, kind))


def _enqueue_in_transaction(dossier_id: int, kind: str) -> bool:
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .models import Dossier

    try:  # the task module resolves its backend on import
        from .tasks import send_dossier_notification

        backend = send_dossier_notification.get_backend()
    except Exception:  # a misconfigured backend: _send logs it after the commit
        return False
    database = router.db_for_write(Dossier)
    if (not isinstance(backend, DatabaseBackend)
            or router.db_for_write(DBTaskResult) != database
            or not transaction.get_connection(database).in_atomic_block):
        return False
    send_dossier_notification.enqueue(dossier_id, kind)
    return True

