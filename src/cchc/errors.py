"""Domain errors, shared by every app (this module sits below all of them and imports none).

Each carries a stable machine-readable ``code`` and a Vietnamese message for people.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    status_code = 400
    default_message = _("Yêu cầu không hợp lệ.")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    code = "invalid_input"
    status_code = 400
    default_message = _("Dữ liệu không hợp lệ.")


class NotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("Không tìm thấy.")


class Forbidden(DomainError):
    code = "forbidden"
    status_code = 403
    default_message = _("Bạn không có quyền thực hiện thao tác này.")


class OutsideJurisdiction(NotFound):
    """Another unit's record: answered as 'not found' so nothing leaks about its existence."""

    code = "not_found"


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status_code = 409
    default_message = _("Thao tác không được phép ở trạng thái hiện tại.")


class Conflict(DomainError):
    code = "conflict"
    status_code = 409
    default_message = _("Dữ liệu đã bị người khác thay đổi, vui lòng tải lại.")
