"""The response to a locked-out login: a Vietnamese page, or JSON for the API."""

from django.http import JsonResponse
from django.shortcuts import render

LOCKED_OUT_MESSAGE = (
    "Bạn đã nhập sai mật khẩu quá nhiều lần. Vì an toàn, việc đăng nhập bằng tài khoản "
    "này từ máy của bạn bị tạm khóa 30 phút."
)


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "locked_out", "detail": LOCKED_OUT_MESSAGE, "retry_after_seconds": 1800},
            status=429,
        )
    return render(request, "core/locked_out.html", status=429)
