"""A request that meets a lost database connection gets a clean 503, not a 500.

When PostgreSQL restarts (or fails over), the requests running at that moment lose their
connection: their transaction is rolled back by the server, so nothing is half-written,
and Django discards the broken connection at the end of the request (``CONN_HEALTH_CHECKS``
makes the next request open a fresh one). This middleware turns the error those requests
see into 503 with ``Retry-After``: JSON with the machine-readable code
``database_unavailable`` under ``/api/``, a short Vietnamese page elsewhere. A client may
retry: a reception sent with its ``Idempotency-Key`` is never received twice.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path_info,
                       exception, exc_info=exception)
        message = _("Hệ thống tạm thời không kết nối được cơ sở dữ liệu; vui lòng thử lại sau "
                    "ít phút. Thao tác vừa gửi chưa được ghi nhận.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"code": "database_unavailable", "detail": message},
                                    status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
