"""The response to a locked-out login: a page, or JSON for the API (in the request's language)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

LOCKED_OUT_MESSAGE = _(
    "Bạn đã nhập sai mật khẩu quá nhiều lần. Vì an toàn, việc đăng nhập bằng tài khoản "
    "này từ máy của bạn bị tạm khóa 30 phút."
)


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "locked_out", "detail": str(LOCKED_OUT_MESSAGE), "retry_after_seconds": 1800},
            status=429,
        )
    return render(request, "core/locked_out.html", status=429)
