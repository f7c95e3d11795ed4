"""Messages to citizens: email through Django's mail backend (console in the demo) and an
SMS interface (``CCHC_SMS_BACKEND``: a dotted path to a class with ``send(phone, text)``;
by default messages are only logged). Called after commit; a failure is logged, never
raised into the action that caused it."""

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


def _send(dossier_id: int, subject: str, body: str) -> None:
    from .models import Dossier

    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None:
        return
    text = body.format(code=dossier.code, name=dossier.applicant_name,
                       due=dossier.promised_at.astimezone().strftime("%H:%M %d/%m/%Y") if dossier.promised_at else "")
    try:
        if dossier.applicant_email:
            send_mail(f"[{dossier.code}] {subject}", text, None, [dossier.applicant_email])
        if dossier.applicant_phone:
            sms_backend().send(dossier.applicant_phone, text)
    except Exception:  # a notification must never undo or break the action
        logger.exception("Notification for dossier %s failed", dossier_id)


def dossier_received(dossier_id):
    _send(dossier_id, "Đã tiếp nhận hồ sơ",
          "Kính gửi {name}: hồ sơ {code} đã được tiếp nhận. Ngày hẹn trả kết quả: {due}.")


def dossier_refused(dossier_id):
    _send(dossier_id, "Hồ sơ không được tiếp nhận",
          "Kính gửi {name}: hồ sơ {code} không được tiếp nhận. Vui lòng xem phiếu từ chối để biết lý do.")


def supplement_requested(dossier_id):
    _send(dossier_id, "Yêu cầu bổ sung hồ sơ",
          "Kính gửi {name}: hồ sơ {code} cần bổ sung giấy tờ. Vui lòng xem phiếu yêu cầu bổ sung.")


def result_ready(dossier_id):
    _send(dossier_id, "Đã có kết quả", "Kính gửi {name}: hồ sơ {code} đã có kết quả, mời ông/bà đến nhận.")


def apology_issued(dossier_id):
    _send(dossier_id, "Xin lỗi và hẹn lại ngày trả kết quả",
          "Kính gửi {name}: hồ sơ {code} chưa giải quyết kịp; cơ quan xin lỗi và hẹn trả kết quả vào {due}.")
