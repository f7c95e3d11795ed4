"""Messages to citizens: email through Django's mail backend (console in the demo) and an
SMS interface (``CCHC_SMS_BACKEND``: a dotted path to a class with ``send(phone, text)``;
by default messages are only logged).

The functions named after events (``dossier_received``...) are called after commit; each
enqueues a background task (``tasks.send_dossier_notification``) instead of sending inline,
so a slow mail server never holds a desk officer's request. A failure to enqueue is logged,
never raised into the action that caused it; the task itself calls ``deliver``."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class LoggingSmsBackend:
    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


def sms_backend():
    return import_string(getattr(settings, "CCHC_SMS_BACKEND", "cchc.onestop.notifications.LoggingSmsBackend"))()


MESSAGES = {
    "received": ("Đã tiếp nhận hồ sơ",
                 "Kính gửi {name}: hồ sơ {code} đã được tiếp nhận. Ngày hẹn trả kết quả: {due}."),
    "refused": ("Hồ sơ không được tiếp nhận",
                "Kính gửi {name}: hồ sơ {code} không được tiếp nhận. "
                "Vui lòng xem phiếu từ chối để biết lý do."),
    "supplement": ("Yêu cầu bổ sung hồ sơ",
                   "Kính gửi {name}: hồ sơ {code} cần bổ sung giấy tờ. "
                   "Vui lòng xem phiếu yêu cầu bổ sung."),
    "result": ("Đã có kết quả",
               "Kính gửi {name}: hồ sơ {code} đã có kết quả, mời ông/bà đến nhận."),
    "apology": ("Xin lỗi và hẹn lại ngày trả kết quả",
                "Kính gửi {name}: hồ sơ {code} chưa giải quyết kịp; cơ quan xin lỗi và hẹn "
                "trả kết quả vào {due}."),
}


def deliver(dossier_id: int, kind: str) -> str:
    """Send the message ``kind`` for a dossier now (run by the task worker). Returns what
    was done; raises if a channel failed, so that the task is recorded as failed."""
    from .models import Dossier

    subject, body = MESSAGES[kind]
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None:
        return "no dossier"
    text = body.format(code=dossier.code, name=dossier.applicant_name,
                       due=dossier.promised_at.astimezone().strftime("%H:%M %d/%m/%Y") if dossier.promised_at else "")
    sent, errors = [], []
    if dossier.applicant_email:
        try:
            send_mail(f"[{dossier.code}] {subject}", text, None, [dossier.applicant_email])
            sent.append("email")
        except Exception as exc:
            errors.append(exc)
    if dossier.applicant_phone:
        try:
            sms_backend().send(dossier.applicant_phone, text)
            sent.append("sms")
        except Exception as exc:
            errors.append(exc)
    if errors:
        raise RuntimeError(f"Notification {kind} for dossier {dossier_id} failed "
                           f"(sent: {sent or 'nothing'})") from errors[0]
    return ",".join(sent) or "no address"


def _send(dossier_id: int, kind: str) -> None:
    try:
        from .tasks import send_dossier_notification

        send_dossier_notification.enqueue(dossier_id, kind)
    except Exception:  # a notification must never undo or break the action
        logger.exception("Notification %s for dossier %s could not be enqueued", kind, dossier_id)


def dossier_received(dossier_id):
    _send(dossier_id, "received")


def dossier_refused(dossier_id):
    _send(dossier_id, "refused")


def supplement_requested(dossier_id):
    _send(dossier_id, "supplement")


def result_ready(dossier_id):
    _send(dossier_id, "result")


def apology_issued(dossier_id):
    _send(dossier_id, "apology")
