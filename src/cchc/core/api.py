"""API plumbing shared by every app: pagination and the error format.

Every error body has a machine-readable ``code`` and a ``detail`` for people, in the
request's language (Vietnamese by default, English with ``Accept-Language: en``);
validation errors add ``errors``: {field: [messages]}.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cchc.errors import DomainError, InvalidInput


class Pagination(PageNumberPagination):
    """Page numbers from 1; a page or page size that is not a positive number is a 400."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        for param in (self.page_query_param, self.page_size_query_param):
            value = request.query_params.get(param)
            if value is None or (param == self.page_query_param and value in self.last_page_strings):
                continue
            if not value.isdigit() or int(value) < 1:
                raise InvalidInput(
                    _("Tham số phân trang không hợp lệ."), code="invalid_page",
                    fields={param: [_("Phải là số nguyên dương.")]},
                )
        return super().paginate_queryset(queryset, request, view)


_CODES = {
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "parse_error",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}

_MESSAGES = {
    "invalid": _("Dữ liệu gửi lên không hợp lệ."),
    "parse_error": _("Không đọc được dữ liệu gửi lên."),
    "authentication_failed": _("Xác thực không thành công."),
    "not_authenticated": _("Cần đăng nhập hoặc gửi mã truy cập (token)."),
    "permission_denied": _("Bạn không có quyền thực hiện thao tác này."),
    "not_found": _("Không tìm thấy."),
    "method_not_allowed": _("Phương thức không được hỗ trợ."),
    "not_acceptable": _("Định dạng yêu cầu không được hỗ trợ."),
    "unsupported_media_type": _("Kiểu dữ liệu gửi lên không được hỗ trợ."),
    "throttled": _("Quá nhiều yêu cầu, vui lòng thử lại sau."),
}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": str(exc.message)}
        if exc.fields:
            body["errors"] = {k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
                              for k, v in exc.fields.items()}
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        response.data = {"code": code, "detail": str(_MESSAGES[code]), "errors": errors}
    else:
        detail = getattr(exc, "detail", None)
        response.data = {"code": code, "detail": str(_MESSAGES.get(code, detail))}
        if code == "throttled" and getattr(exc, "wait", None):
            response.data["retry_after_seconds"] = int(exc.wait)
    if response.status_code >= 500:  # pragma: no cover - DRF maps nothing here to 5xx
        response.status_code = status.HTTP_400_BAD_REQUEST
    return response
