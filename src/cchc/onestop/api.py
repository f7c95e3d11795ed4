"""REST API of the one-stop desks, under /api/v1/: dossiers for staff (token), and under
/api/v1/public/ the lookup, the rating and the online submission for citizens (no login).

- Staff see only the dossiers of their units (``selectors.visible_dossiers``); another
  unit's dossier answers exactly like an unknown code (404), so codes cannot be probed.
- Every change goes through ``services.perform``, one locked transaction; a client that
  sends the ``version`` it read gets 409 ``stale_version`` if someone acted in between.
- Public endpoints are throttled per client address: ``CCHC_PUBLIC_LOOKUP_RATE`` (default
  30/min) for lookups and ratings together, and ``CCHC_PUBLIC_MISS_RATE`` (default 10 unknown
  codes per 10 minutes) after which every lookup from that address is refused until the
  window ends: codes are sequential, and a hit/miss answer must not be harvestable.
  ``CCHC_PUBLIC_SUBMIT_RATE`` (default 20/h) limits online submissions. A rate of ``None``
  disables a throttle; ``CCHC_THROTTLE_CACHE`` names the cache that keeps the counts. The
  address is REMOTE_ADDR, or X-Forwarded-For behind ``REST_FRAMEWORK["NUM_PROXIES"]``
  trusted proxies (behind a proxy without it, every citizen shares one count).
- Choice where the rules are silent: an online submission must give a phone number or an
  email address, since the desk has to be able to ask for missing documents (form 02).
  Its files are checked and stored in the same transaction as the dossier: a bad file
  leaves no dossier and gives its number back.
"""

import datetime
import inspect
import re
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from cchc.catalog.selectors import get_procedure
from cchc.errors import Forbidden, InvalidInput, NotFound, OutsideJurisdiction
from cchc.workcal.calendar import VN_TZ
from cchc.workcal.deadlines import add_working_time, next_opening, working_days_to_timedelta

from . import selectors, services
from .models import OPEN_STATUSES, Dossier, ReceiptKey, Timeliness
from .partitions import dossier_events
from .serializers import (
    DossierActionSerializer,
    DossierDetailSerializer,
    DossierHistorySerializer,
    DossierListQuerySerializer,
    DossierRatingInputSerializer,
    DossierRatingSerializer,
    DossierReceiveSerializer,
    DossierSummarySerializer,
    OnestopErrorSerializer,
    PublicDossierSerializer,
    PublicDossierSubmissionSerializer,
    PublicDossierSubmitMultipartSerializer,
    PublicDossierSubmitSerializer,
    validated,
)
from .timeliness import Clock, classify
from .uploads import attach_documents

# -- throttles ------------------------------------------------------------------------------

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
            "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


def parse_rate(rate) -> tuple[int | None, int | None]:
    """``"30/min"``, ``"10/10min"``, ``"20/h"`` -> (requests, seconds); None -> no limit."""
    if rate is None or str(rate).strip().lower() in ("", "none", "off", "0"):
        return None, None
    match = _RATE.match(str(rate).lower())
    if not match or match[3] not in _PERIODS:
        raise ImproperlyConfigured(
            f"Giới hạn tần suất không hợp lệ: {rate!r}; dùng dạng 30/min hoặc 10/10min. "
            f"(Invalid throttle rate.)")
    return int(match[1]), int(match[2] or 1) * _PERIODS[match[3]]


class _AddressThrottle(SimpleRateThrottle):
    """Per client address, rate from a setting (so that tests and benchmarks can change it).

    Counts are kept in the cache named by ``CCHC_THROTTLE_CACHE`` (default: "default"). Every
    counted request writes its key: with the database cache that is a row update and a
    commit per public request, hence the setting (bench/README.md)."""

    setting = ""
    default_rate = ""

    @property
    def cache(self):
        return caches[getattr(settings, "CCHC_THROTTLE_CACHE", "default")]

    def get_rate(self):
        return getattr(settings, self.setting, self.default_rate)

    def parse_rate(self, rate):
        return parse_rate(rate)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicLookupThrottle(_AddressThrottle):
    scope = "public_lookup"
    setting = "CCHC_PUBLIC_LOOKUP_RATE"
    default_rate = "30/min"


class PublicSubmitThrottle(_AddressThrottle):
    scope = "public_submit"
    setting = "CCHC_PUBLIC_SUBMIT_RATE"
    default_rate = "20/h"


class PublicMissThrottle(_AddressThrottle):
    """Counts unknown codes (404s) only; once over the limit, refuses every lookup."""

    scope = "public_miss"
    setting = "CCHC_PUBLIC_MISS_RATE"
    default_rate = "10/10min"

    def _history(self, request, view):
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        history = self.cache.get(self.key, [])
        while history and history[-1] <= self.now - self.duration:
            history.pop()
        return history

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.history = self._history(request, view)
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return True

    def record_miss(self, request, view):
        if self.rate is None:
            return
        history = self._history(request, view)
        history.insert(0, self.now)
        self.cache.set(self.key, history, self.duration)


def _record_miss(request, view):
    for throttle in view.get_throttles():
        if isinstance(throttle, PublicMissThrottle):
            throttle.record_miss(request, view)


# -- helpers --------------------------------------------------------------------------------

# Service errors that are about one field of the request, though the service cannot know
# the field's name in the API.
_FIELD_OF = {
    "not_a_reception_desk": "agency",
    "procedure_not_in_force": "procedure",
    "procedure_without_time": "procedure",
    "ambiguous_code": "procedure",
}


@contextmanager
def _naming_fields():
    try:
        yield
    except InvalidInput as exc:
        field = _FIELD_OF.get(exc.code)
        if field and not exc.fields:
            exc.fields = {field: [str(exc.message)]}
        raise


@contextmanager
def _unknown_procedure():
    """A procedure code that names none is bad input (400), not a missing resource."""
    try:
        yield
    except OutsideJurisdiction:  # a NotFound too (no existence leak), about the dossier
        raise
    except NotFound as exc:
        raise InvalidInput(str(exc.message), code="unknown_procedure",
                           fields={"procedure": [str(exc.message)]}) from None


def _procedure(code: str):
    with _naming_fields(), _unknown_procedure():
        return get_procedure(code, timezone.localdate())


def _required_params(action: str) -> set[str]:
    """Keyword parameters the action's service cannot do without (e.g. a refusal's reason)."""
    service = services.ACTIONS.get(action)
    if service is None:
        return set()
    return {name for name, p in inspect.signature(service).parameters.items()
            if p.kind is p.KEYWORD_ONLY and p.default is p.empty and name != "actor"}


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=VN_TZ)


FINISHED_TIMELINESS = (Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.LATE)


def filter_timeliness(queryset, values, now):
    """Dossiers whose timeliness is one of ``values``: recorded for finished dossiers,
    measured at ``now`` for open ones (``timeliness.classify``).

    An open dossier that was never paused and had at most one supplement request is due at
    ``due_at``: it is classified in SQL. The others (few) are classified in Python."""
    finished = [v for v in values if v in FINISHED_TIMELINESS]
    wanted = set(values) - set(finished)
    condition = Q(timeliness__in=finished) if finished else Q(pk__in=[])
    if wanted:
        measured = queryset.filter(status__in=OPEN_STATUSES, received_at__isnull=False,
                                   due_at__isnull=False)
        simple = Q(paused_seconds=0, paused_since__isnull=True, supplement_count__lte=1)
        # The last instant at most one working day ahead (an instant in the closed hours
        # after it is still one working day away).
        soon = next_opening(add_working_time(now, working_days_to_timedelta(1)))
        sql = {
            Timeliness.OVERDUE: Q(due_at__lt=now),
            Timeliness.DUE_SOON: Q(due_at__gte=now, due_at__lte=soon),
            Timeliness.WITHIN: Q(due_at__gt=soon),
        }
        for value in wanted & set(sql):
            condition |= Q(pk__in=measured.filter(simple & sql[value]).values("pk"))
        complex_rows = measured.exclude(simple).values_list(
            "pk", "status", "received_at", "due_at", "finished_at", "supplement_count",
            "paused_seconds", "paused_since")
        pks = [row[0] for row in complex_rows if classify(Clock(*row[1:]), now) in wanted]
        if pks:
            condition |= Q(pk__in=pks)
    return queryset.filter(condition)


_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


def _idempotency_key(request) -> str | None:
    """The optional ``Idempotency-Key`` header: 8-64 letters, digits or ``_.:-``."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        message = _("Khóa chống gửi trùng (Idempotency-Key) phải gồm 8 đến 64 ký tự chữ cái "
                    "không dấu, chữ số hoặc _ . : -.")
        raise InvalidInput(message, code="invalid_idempotency_key",
                           fields={"Idempotency-Key": [message]})
    return key


def _code(code: str) -> str:
    """A code from the path as a lookup key. PostgreSQL text cannot hold NUL: such a code
    names no dossier, and must be answered 404 like any unknown code, not fail."""
    return code.replace("\x00", "\ufffd")


def _context(request, now=None) -> dict:
    return {"request": request, "now": now or timezone.now()}


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response


# -- schema pieces --------------------------------------------------------------------------

CODE_PARAMETER = OpenApiParameter(
    "code", str, OpenApiParameter.PATH,
    description=gettext_lazy("Mã hồ sơ (25 ký tự), ví dụ 000.10.50.H20-260424-0001."),
)


def _example(name, value, *, status_code="200", summary=None, request=False):
    return OpenApiExample(name, value=value, summary=summary or name,
                          request_only=request, response_only=not request,
                          status_codes=None if request else [status_code])


def _error(description, *examples):
    return OpenApiResponse(OnestopErrorSerializer, description=description, examples=[
        OpenApiExample(name, value=value, summary=name, response_only=True,
                       status_codes=[code])
        for name, code, value in examples
    ])


EXAMPLE_CODE = "000.10.50.H20-260424-0001"
ERROR_401 = _error(gettext_lazy("Chưa gửi mã truy cập."), (
    "Chưa đăng nhập", "401",
    {"code": "not_authenticated", "detail": "Cần đăng nhập hoặc gửi mã truy cập (token)."}))
ERROR_404 = _error(gettext_lazy("Không có hồ sơ này trong phạm vi của bạn (kể cả hồ sơ của "
                                "đơn vị khác: trả lời như mã không tồn tại)."), (
    "Không tìm thấy", "404",
    {"code": "not_found", "detail": f"Không tìm thấy hồ sơ {EXAMPLE_CODE}."}))
ERROR_400_FILTER = _error(gettext_lazy("Tham số lọc không hợp lệ."), (
    "Trạng thái sai", "400",
    {"code": "invalid", "detail": "Dữ liệu gửi lên không hợp lệ.",
     "errors": {"status": ["Mã trạng thái phải là số từ 1 đến 10, cách nhau bằng dấu phẩy."]}}))
ERROR_429 = _error(gettext_lazy("Quá nhiều yêu cầu từ địa chỉ này."), (
    "Quá nhiều yêu cầu", "429",
    {"code": "throttled", "detail": "Quá nhiều yêu cầu, vui lòng thử lại sau.",
     "retry_after_seconds": 540}))

APPLICANT_EXAMPLE = {"name": "Nguyễn Văn An", "id_number": "087090001234", "phone": "0912345678",
                     "email": "an@example.org", "address": "Phường Hồng Ngự, Đồng Tháp"}
AGENCY_EXAMPLE = {"code": "000.10.50.H20",
                  "name": "Bộ phận Tiếp nhận và Trả kết quả Phường Hồng Ngự"}
UBND_EXAMPLE = {"code": "000.10.51.H20", "name": "Ủy ban nhân dân Phường Hồng Ngự"}
SUMMARY_EXAMPLE = {
    "code": EXAMPLE_CODE, "status": 2, "status_label": "Được tiếp nhận", "channel": 1,
    "procedure": {"code": "1.001612.000.10.51.H20", "base_code": "1.001612",
                  "name": "Đăng ký kết hôn có yếu tố nước ngoài", "version": 1},
    "applicant_name": "Nguyễn Văn An", "receiving_agency": AGENCY_EXAMPLE,
    "current_agency": AGENCY_EXAMPLE, "current_role": "desk_officer",
    "submitted_at": "2026-04-24T09:00:00+07:00", "received_at": "2026-04-24T09:00:00+07:00",
    "due_at": "2026-05-06T09:00:00+07:00", "promised_at": "2026-05-06T09:00:00+07:00",
    "timeliness": "within", "timeliness_label": "Trong hạn", "version": 0,
}
DETAIL_EXAMPLE = {
    **SUMMARY_EXAMPLE, "channel_label": "Trực tiếp", "applicant": APPLICANT_EXAMPLE,
    "request": "Đăng ký kết hôn có yếu tố nước ngoài", "sets": 1, "legal_days": 5.0,
    "due_explanation": {"received": "2026-04-24T09:00:00+07:00", "days": 5, "rule": "working_time",
                        "due": "2026-05-06T09:00:00+07:00", "...": "..."},
    "apology": None, "supplement_count": 0, "paused_since": None, "paused_seconds": 0,
    "finished_at": None, "returned_at": None, "result_note": "",
    "current_step": {"position": 1, "name": "Tiếp nhận, chuyển hồ sơ", "agency": AGENCY_EXAMPLE,
                     "role": "desk_officer", "role_label": "Cán bộ một cửa",
                     "started_at": "2026-04-24T09:00:00+07:00",
                     "due_at": "2026-04-24T13:30:00+07:00"},
    "available_actions": [
        {"action": "transfer", "label": "Chuyển bước tiếp theo"},
        {"action": "request_supplement", "label": "Yêu cầu bổ sung hồ sơ"},
        {"action": "withdraw", "label": "Công dân rút hồ sơ"},
        {"action": "apologize", "label": "Gửi văn bản xin lỗi, hẹn lại ngày trả"}],
    "supplement_warning": "", "imported": False,
}
PUBLIC_EXAMPLE = {
    "code": EXAMPLE_CODE, "procedure": "Đăng ký kết hôn có yếu tố nước ngoài", "status": 10,
    "status_label": "Đã trả kết quả", "received_at": "2026-04-24T09:00:00+07:00",
    "due_at": "2026-05-06T09:00:00+07:00", "new_due_at": None, "result_ready": True,
    "returned_at": "2026-05-04T08:00:00+07:00", "applicant_initials": "N. V. A.",
    "steps_done": [{"name": "Tiếp nhận, chuyển hồ sơ", "finished_at": "2026-04-24T10:00:00+07:00"},
                   {"name": "Thẩm định, đề xuất", "finished_at": "2026-04-28T16:00:00+07:00"},
                   {"name": "Phê duyệt", "finished_at": "2026-04-29T09:00:00+07:00"},
                   {"name": "Trả kết quả", "finished_at": "2026-05-04T08:00:00+07:00"}],
    "can_rate": True,
}
ONESTOP_TAG = gettext_lazy("Một cửa: hồ sơ")
PUBLIC_TAG = gettext_lazy("Một cửa: công dân (không cần đăng nhập)")


# -- staff ----------------------------------------------------------------------------------


class DossierListView(generics.GenericAPIView):
    parser_classes = [JSONParser]
    serializer_class = DossierSummarySerializer
    filter_backends: list = []

    def get_queryset(self):  # for the schema; the list is built in get()
        return Dossier.objects.none()

    @extend_schema(
        operation_id="dossiers_list", tags=[ONESTOP_TAG],
        summary=gettext_lazy("Danh sách hồ sơ trong phạm vi, lọc và hàng đợi công việc"),
        description=gettext_lazy(
            "Hồ sơ tiếp nhận tại đơn vị của người dùng (và cấp dưới) hoặc đã qua một cơ quan "
            "của đơn vị. `queue` chọn hàng đợi công việc; các bộ lọc khác cộng thêm điều kiện. "
            "Sắp xếp mặc định theo hạn giải quyết gần nhất. Tham số sai: 400 nêu tên tham số."),
        parameters=[DossierListQuerySerializer],
        responses={200: DossierSummarySerializer(many=True), 400: ERROR_400_FILTER,
                   401: ERROR_401},
        examples=[_example("Hồ sơ trong hàng đợi", {"count": 1, "next": None, "previous": None,
                                                      "results": [SUMMARY_EXAMPLE]})],
    )
    def get(self, request):
        params = validated(DossierListQuerySerializer, request.query_params)
        now = timezone.now()
        queue = params.get("queue")
        if queue:
            queryset = selectors.work_queue(request.user, queue, now=now)
        else:
            queryset = selectors.visible_dossiers(request.user)
        if "status" in params:
            queryset = queryset.filter(status__in=params["status"])
        if "procedure" in params:
            code = params["procedure"].strip()
            queryset = queryset.filter(Q(procedure__code=code) | Q(procedure__base_code=code))
        if "agency" in params:
            queryset = queryset.filter(Q(receiving_agency__code=params["agency"])
                                       | Q(current_agency__code=params["agency"]))
        if "received_from" in params:
            queryset = queryset.filter(received_at__gte=_day_start(params["received_from"]))
        if "received_to" in params:
            end = params["received_to"] + datetime.timedelta(days=1)
            queryset = queryset.filter(received_at__lt=_day_start(end))
        if "code" in params:
            queryset = queryset.filter(code__startswith=params["code"])
        if "timeliness" in params:
            queryset = filter_timeliness(queryset, params["timeliness"], now)
        ordering = {
            "due": [F("due_at").asc(nulls_last=True), "pk"],
            "-due": [F("due_at").desc(nulls_last=True), "-pk"],
            "received": [F("received_at").asc(nulls_last=True), "pk"],
            "-received": [F("received_at").desc(nulls_last=True), "-pk"],
        }[params["ordering"]]
        queryset = queryset.select_related(
            "procedure", "procedure_version", "receiving_agency", "current_agency",
        ).order_by(*ordering)
        page = self.paginate_queryset(queryset)
        data = DossierSummarySerializer(page, many=True, context=_context(request, now)).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="dossiers_receive", tags=[ONESTOP_TAG],
        summary=gettext_lazy("Tiếp nhận hồ sơ trực tiếp hoặc qua bưu chính (cán bộ một cửa)"),
        description=gettext_lazy(
            "Cấp mã hồ sơ (số thứ tự liên tục trong ngày của nơi tiếp nhận), tính hạn giải "
            "quyết theo lịch làm việc, mở bước đầu của phiếu kiểm soát. Chỉ cán bộ một cửa "
            "của đơn vị có nơi tiếp nhận đó."),
        request=DossierReceiveSerializer,
        parameters=[OpenApiParameter(
            "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
            description=gettext_lazy(
                "Khóa do máy khách tự sinh cho mỗi hồ sơ (8-64 ký tự). Gửi lại cùng yêu cầu với "
                "cùng khóa sau khi mất kết nối: nhận 200 và hồ sơ đã tạo lần trước, không tạo "
                "hồ sơ thứ hai."))],
        responses={
            200: DossierDetailSerializer,
            201: DossierDetailSerializer,
            400: _error(gettext_lazy("Dữ liệu không hợp lệ; `errors` nêu từng trường."), (
                "Người nộp sai", "400",
                {"code": "invalid_input", "detail": "Thông tin người nộp chưa đúng.",
                 "errors": {"applicant.id_number": ["Số định danh cá nhân phải gồm đúng 12 "
                                                    "chữ số."]}}), (
                "Thủ tục không có", "400",
                {"code": "unknown_procedure", "detail": "Không có thủ tục mã “9.999999”.",
                 "errors": {"procedure": ["Không có thủ tục mã “9.999999”."]}})),
            401: ERROR_401,
            403: _error(gettext_lazy("Không phải cán bộ một cửa."), (
                "Sai vai trò", "403",
                {"code": "forbidden", "detail": "Chỉ cán bộ một cửa được tiếp nhận hồ sơ."})),
        },
        examples=[
            _example("Tiếp nhận trực tiếp", request=True, value={
                "agency": "000.10.50.H20", "procedure": "1.001612.000.10.51.H20", "channel": 1,
                "applicant": APPLICANT_EXAMPLE, "request": "", "sets": 1}),
            _example("Hồ sơ đã tiếp nhận", DETAIL_EXAMPLE, status_code="201"),
            _example("Gửi lại cùng Idempotency-Key", DETAIL_EXAMPLE, status_code="200"),
        ],
    )
    def post(self, request):
        key = _idempotency_key(request)
        data = (DossierReceiveSerializer.plain_input(request.data)
                or validated(DossierReceiveSerializer, request.data))
        agency = data["agency"]
        try:
            with _naming_fields(), _unknown_procedure():
                # The service reads the procedure by its code with its version and methods.
                dossier = services.receive_dossier(
                    agency=agency, procedure=data["procedure"], applicant=dict(data["applicant"]),
                    actor=request.user, channel=data["channel"], request=data["request"],
                    sets=data["sets"], idempotency_key=key)
        except OutsideJurisdiction:
            message = _("Bạn không tiếp nhận hồ sơ tại %(agency)s.") % {"agency": agency.name}
            raise InvalidInput(message, code="agency_outside_jurisdiction",
                               fields={"agency": [message]}) from None
        except IntegrityError:
            # The same key in a concurrent request that committed first: its dossier.
            earlier = (ReceiptKey.objects.filter(user=request.user, key=key)
                       .select_related("dossier").first() if key else None)
            if earlier is None:
                raise
            dossier = earlier.dossier
            dossier.replayed = True
        context = _context(request)
        # The service read the officer's roles and units for its checks: the answer (its
        # actions, the unmasked contact) reuses them instead of reading them again.
        context["actor_rights"] = getattr(dossier, "actor_rights", None)
        body = DossierDetailSerializer(dossier, context=context).data
        replayed = getattr(dossier, "replayed", False)
        headers = {"Location": reverse("api-dossier", args=[dossier.code])}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(body, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
                        headers=headers)


class DossierDetailView(APIView):
    @extend_schema(
        operation_id="dossiers_retrieve", tags=[ONESTOP_TAG],
        summary=gettext_lazy("Chi tiết hồ sơ"),
        description=gettext_lazy(
            "Trạng thái, hạn giải quyết và cách tính, ngày hẹn trả, đúng hạn/quá hạn tại thời "
            "điểm gọi, bước đang xử lý, các thao tác người dùng được làm, và `version` để gửi "
            "kèm thao tác."),
        parameters=[CODE_PARAMETER],
        responses={200: DossierDetailSerializer, 401: ERROR_401, 404: ERROR_404},
        examples=[_example("Hồ sơ đang ở bộ phận một cửa", DETAIL_EXAMPLE)],
    )
    def get(self, request, code):
        dossier = selectors.get_dossier(request.user, _code(code))
        return Response(DossierDetailSerializer(dossier, context=_context(request)).data)


class DossierHistoryView(APIView):
    @extend_schema(
        operation_id="dossiers_history", tags=[ONESTOP_TAG],
        summary=gettext_lazy("Lịch sử xử lý và phiếu kiểm soát (mẫu 06)"),
        description=gettext_lazy(
            "`events`: mọi thao tác (người làm, thời điểm, trạng thái trước và sau, ghi chú, "
            "dữ liệu). `steps`: các bước luân chuyển với cơ quan, vai trò, thời điểm nhận, "
            "hạn, thời điểm giao và kết quả trước hạn / đúng hạn / quá hạn."),
        parameters=[CODE_PARAMETER],
        responses={200: DossierHistorySerializer, 401: ERROR_401, 404: ERROR_404},
        examples=[_example("Đã chuyển cho chuyên viên", {
            "code": EXAMPLE_CODE,
            "events": [
                {"action": "receive", "action_label": "Tiếp nhận hồ sơ",
                 "at": "2026-04-24T09:00:00+07:00",
                 "actor": {"username": "motcua", "full_name": "Trần Thị Bình"},
                 "status_before": None, "status_before_label": "", "status_after": 2,
                 "status_after_label": "Được tiếp nhận", "note": "", "data": {"channel": 1}},
                {"action": "transfer", "action_label": "Chuyển bước tiếp theo",
                 "at": "2026-04-24T10:00:00+07:00",
                 "actor": {"username": "motcua", "full_name": "Trần Thị Bình"},
                 "status_before": 2, "status_before_label": "Được tiếp nhận", "status_after": 4,
                 "status_after_label": "Đang xử lý", "note": "",
                 "data": {"to_step": 2, "step_result": "on_time"}}],
            "steps": [
                {"position": 1, "name": "Tiếp nhận, chuyển hồ sơ", "agency": AGENCY_EXAMPLE,
                 "role": "desk_officer", "role_label": "Cán bộ một cửa", "budget_seconds": 14400,
                 "started_at": "2026-04-24T09:00:00+07:00", "due_at": "2026-04-24T13:30:00+07:00",
                 "finished_at": "2026-04-24T10:00:00+07:00", "result": "on_time",
                 "result_label": "Đúng hạn",
                 "received_by": {"username": "motcua", "full_name": "Trần Thị Bình"},
                 "handed_by": {"username": "motcua", "full_name": "Trần Thị Bình"}, "note": ""},
                {"position": 2, "name": "Thẩm định, đề xuất", "agency": UBND_EXAMPLE,
                 "role": "specialist", "role_label": "Chuyên viên", "budget_seconds": 86400,
                 "started_at": "2026-04-24T10:00:00+07:00", "due_at": "2026-05-04T10:00:00+07:00",
                 "finished_at": None, "result": "", "result_label": "", "received_by": None,
                 "handed_by": None, "note": ""}],
        })],
    )
    def get(self, request, code):
        dossier = selectors.get_dossier(request.user, _code(code))
        events = dossier_events(dossier).select_related("actor").order_by("at", "id")
        steps = dossier.steps.select_related("agency", "handed_by", "received_by").order_by(
            "started_at", "id")
        return Response(DossierHistorySerializer(
            {"code": dossier.code, "events": events, "steps": steps}).data)


class DossierActionView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="dossiers_act", tags=[ONESTOP_TAG],
        summary=gettext_lazy("Thực hiện một thao tác trên hồ sơ"),
        description=gettext_lazy(
            "Tiếp nhận/từ chối hồ sơ trực tuyến, chuyển bước, trả lại bước trước, yêu cầu bổ "
            "sung (tạm dừng tính thời gian), nhận bổ sung, nghĩa vụ tài chính, phê duyệt, dừng "
            "xử lý, rút hồ sơ, trả kết quả, xin lỗi và hẹn lại ngày trả (một lần). Mỗi thao "
            "tác chỉ nhận các tham số của nó. Gửi `version` đã đọc để tránh ghi đè: 409 "
            "`stale_version` nếu người khác vừa xử lý."),
        parameters=[CODE_PARAMETER],
        request=DossierActionSerializer,
        responses={
            200: DossierDetailSerializer,
            400: _error(gettext_lazy("Thao tác hoặc tham số không hợp lệ."), (
                "Thiếu lý do", "400",
                {"code": "invalid_input", "detail": "Cần nhập reason.",
                 "errors": {"reason": ["Bắt buộc."]}}), (
                "Tham số thừa", "400",
                {"code": "invalid_input",
                 "detail": "Tham số không dùng cho thao tác này: amount.",
                 "errors": {"amount": ["Không dùng cho thao tác này."]}})),
            401: ERROR_401,
            403: _error(gettext_lazy("Vai trò không được làm thao tác này."), (
                "Sai vai trò", "403",
                {"code": "forbidden",
                 "detail": "Vai trò của bạn không được thực hiện “Phê duyệt, hoàn thành xử lý”."})),
            404: ERROR_404,
            409: _error(gettext_lazy("Không làm được ở trạng thái hiện tại, hoặc người khác vừa "
                                     "xử lý."), (
                "Sai trạng thái", "409",
                {"code": "invalid_transition",
                 "detail": "Không thể “Trả kết quả” khi hồ sơ đang ở trạng thái “Đang xử lý”."}), (
                "Phiên bản cũ", "409",
                {"code": "stale_version",
                 "detail": f"Hồ sơ {EXAMPLE_CODE} vừa được người khác xử lý; hãy tải lại trang."})),
        },
        examples=[
            _example("Chuyển bước", {"action": "transfer", "version": 0,
                                      "note": "Đủ hồ sơ"}, request=True),
            _example("Yêu cầu bổ sung", {"action": "request_supplement", "version": 1,
                                         "reason": "Thiếu giấy xác nhận tình trạng hôn nhân",
                                         "documents": ["Giấy xác nhận tình trạng hôn nhân"]},
                     request=True),
            _example("Xin lỗi, hẹn lại", {"action": "apologize", "version": 2,
                                          "reason": "Chờ kết quả xác minh",
                                          "new_due_at": "2026-05-12T16:00:00+07:00"},
                     request=True),
            _example("Hồ sơ sau thao tác", {**DETAIL_EXAMPLE, "status": 4,
                                            "status_label": "Đang xử lý", "version": 1}),
        ],
    )
    def post(self, request, code):
        dossier = selectors.get_dossier(request.user, _code(code))
        data = validated(DossierActionSerializer, request.data)
        unknown = sorted(set(request.data) - set(DossierActionSerializer().fields))
        if unknown:
            raise InvalidInput(
                _("Tham số không dùng cho thao tác này: %(names)s.") % {"names": ", ".join(unknown)},
                fields={name: [_("Không dùng cho thao tác này.")] for name in unknown})
        params = {k: v for k, v in data.items() if k not in ("action", "version")}
        missing = sorted(_required_params(data["action"]) - set(params))
        if missing:
            raise InvalidInput(_("Thiếu tham số: %(names)s.") % {"names": ", ".join(missing)},
                               fields={name: [_("Bắt buộc.")] for name in missing})
        try:
            updated = services.perform(dossier, data["action"], actor=request.user,
                                       expected_version=data.get("version"), **params)
        except OutsideJurisdiction:
            # Seen here because a step passed through the user's unit, but held elsewhere now.
            raise Forbidden(_("Hồ sơ %(code)s không còn thuộc phạm vi xử lý của bạn.")
                            % {"code": dossier.code}, code="outside_jurisdiction") from None
        try:
            dossier = selectors.get_dossier(request.user, _code(code))
        except NotFound:
            dossier = updated
        return Response(DossierDetailSerializer(dossier, context=_context(request)).data)


# -- public ---------------------------------------------------------------------------------


class _PublicView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []


class PublicDossierView(_PublicView):
    throttle_classes = [PublicLookupThrottle, PublicMissThrottle]

    @extend_schema(
        operation_id="public_dossiers_lookup", tags=[PUBLIC_TAG],
        summary=gettext_lazy("Tra cứu tình trạng hồ sơ bằng mã trên giấy tiếp nhận"),
        description=gettext_lazy(
            "Không cần đăng nhập. Chỉ hiện chữ cái đầu của tên người nộp; không có số định "
            "danh, điện thoại, địa chỉ. Giới hạn theo địa chỉ IP; tra quá nhiều mã không tồn "
            "tại thì bị chặn một thời gian (429)."),
        parameters=[CODE_PARAMETER],
        responses={
            200: PublicDossierSerializer,
            404: _error(gettext_lazy("Không có hồ sơ mang mã này."), (
                "Mã không có", "404",
                {"code": "not_found", "detail": "Không tìm thấy hồ sơ có mã "
                 "“000.10.50.H20-260424-9999”. Vui lòng kiểm tra lại mã trên giấy tiếp nhận."})),
            429: ERROR_429,
        },
        examples=[_example("Đã trả kết quả", PUBLIC_EXAMPLE)],
    )
    def get(self, request, code):
        try:
            public = selectors.public_lookup(_code(code))
        except NotFound:
            _record_miss(request, self)
            raise
        return _no_store(Response(PublicDossierSerializer(public).data))


class PublicRatingView(_PublicView):
    parser_classes = [JSONParser]
    throttle_classes = [PublicLookupThrottle, PublicMissThrottle]

    @extend_schema(
        operation_id="public_dossiers_rate", tags=[PUBLIC_TAG],
        summary=gettext_lazy("Đánh giá mức độ hài lòng sau khi nhận kết quả (một lần)"),
        parameters=[CODE_PARAMETER],
        request=DossierRatingInputSerializer,
        responses={
            201: DossierRatingSerializer,
            400: _error(gettext_lazy("Mức độ không hợp lệ."), (
                "Mức độ sai", "400",
                {"code": "invalid", "detail": "Dữ liệu gửi lên không hợp lệ.",
                 "errors": {"level": ["“rat_tot” không phải là một lựa chọn hợp lệ."]}})),
            404: _error(gettext_lazy("Không có hồ sơ mang mã này."), (
                "Mã không có", "404", {"code": "not_found", "detail": "Không tìm thấy hồ sơ có "
                                       "mã “000.10.50.H20-260424-9999”. Vui lòng kiểm tra lại "
                                       "mã trên giấy tiếp nhận."})),
            409: _error(gettext_lazy("Chưa trả kết quả, hoặc đã đánh giá."), (
                "Đã đánh giá", "409",
                {"code": "already_rated", "detail": "Hồ sơ này đã được đánh giá."})),
            429: ERROR_429,
        },
        examples=[
            _example("Rất hài lòng", {"level": "very_satisfied",
                                      "comment": "Cán bộ hướng dẫn tận tình"}, request=True),
            _example("Đã ghi nhận", {"code": EXAMPLE_CODE, "level": "very_satisfied",
                                     "level_label": "Rất hài lòng",
                                     "comment": "Cán bộ hướng dẫn tận tình",
                                     "at": "2026-05-04T08:05:00+07:00"}, status_code="201"),
        ],
    )
    def post(self, request, code):
        try:
            public = selectors.public_lookup(_code(code))
        except NotFound:
            _record_miss(request, self)
            raise
        data = validated(DossierRatingInputSerializer, request.data)
        dossier = Dossier.objects.only("pk").get(code=public.code)
        rating = services.rate_dossier(dossier.pk, level=data["level"], comment=data["comment"])
        return _no_store(Response(DossierRatingSerializer(rating).data, status=status.HTTP_201_CREATED))


class PublicSubmitView(_PublicView):
    parser_classes = [JSONParser, MultiPartParser]
    throttle_classes = [PublicSubmitThrottle]

    @extend_schema(
        operation_id="public_dossiers_submit", tags=[PUBLIC_TAG],
        summary=gettext_lazy("Nộp hồ sơ trực tuyến"),
        description=gettext_lazy(
            "JSON, hoặc multipart/form-data kèm tệp (`documents`, nhiều tệp; `applicant.name`, "
            "`applicant.phone`... là các trường riêng). Hồ sơ có mã ngay (trạng thái 1, Mới "
            "đăng ký); thời hạn giải quyết tính từ khi bộ phận một cửa tiếp nhận. Cần số điện "
            "thoại hoặc thư điện tử. Tệp chỉ nhận PDF, JPEG, PNG (nhận biết theo nội dung), tối "
            "đa 10 MB mỗi tệp; một tệp sai thì không tạo hồ sơ."),
        request={"application/json": PublicDossierSubmitSerializer,
                 "multipart/form-data": PublicDossierSubmitMultipartSerializer},
        responses={
            201: PublicDossierSubmissionSerializer,
            400: _error(gettext_lazy("Dữ liệu hoặc tệp không hợp lệ."), (
                "Tệp sai loại", "400",
                {"code": "file_type_not_allowed",
                 "detail": "Tệp “to-khai.docx” không phải PDF, JPEG hoặc PNG.",
                 "errors": {"documents": ["Chỉ nhận PDF, JPEG, PNG."]}}), (
                "Thiếu liên hệ", "400",
                {"code": "invalid_input", "detail": "Thông tin người nộp chưa đúng.",
                 "errors": {"applicant.phone": ["Cần số điện thoại hoặc thư điện tử để liên hệ."]}})),
            429: ERROR_429,
        },
        examples=[
            _example("Nộp trực tuyến (JSON)", request=True, value={
                "agency": "000.10.50.H20", "procedure": "1.001612.000.10.51.H20",
                "applicant": APPLICANT_EXAMPLE, "request": "Đăng ký kết hôn"}),
            _example("Đã nộp", status_code="201", value={
                **PUBLIC_EXAMPLE, "code": "000.10.50.H20-260425-0001", "status": 1,
                "status_label": "Mới đăng ký", "received_at": None, "due_at": None,
                "result_ready": False, "returned_at": None, "steps_done": [], "can_rate": False,
                "documents": [{"name": "To khai.pdf", "content_type": "application/pdf",
                               "size": 48213}]}),
        ],
    )
    def post(self, request):
        multipart = (request.content_type or "").startswith("multipart/")
        data = validated(PublicDossierSubmitMultipartSerializer if multipart else PublicDossierSubmitSerializer,
                         request.data)
        if not multipart and "documents" in request.data:
            raise InvalidInput(_("Tệp giấy tờ gửi bằng multipart/form-data."),
                               fields={"documents": [_("Dùng multipart/form-data để gửi tệp.")]})
        applicant = dict(data["applicant"])
        errors: dict = {}
        try:
            services.Applicant.from_dict(applicant)
        except InvalidInput as exc:
            errors.update(exc.fields)
        if not (applicant.get("phone") or "").strip() and not (applicant.get("email") or "").strip():
            errors.setdefault("applicant.phone", []).append(
                _("Cần số điện thoại hoặc thư điện tử để liên hệ."))
        if errors:
            raise InvalidInput(_("Thông tin người nộp chưa đúng."), fields=errors)
        procedure = _procedure(data["procedure"])
        with transaction.atomic(), _naming_fields():
            dossier = services.submit_online(agency=data["agency"], procedure=procedure,
                                             applicant=applicant, request=data["request"])
            documents = attach_documents(dossier, data.get("documents") or [],
                                         names=data.get("document_names"))
        body = {**PublicDossierSerializer(selectors.public_lookup(dossier.code)).data,
                "documents": [{"name": d.name, "content_type": d.content_type, "size": d.size}
                              for d in documents]}
        return _no_store(Response(
            body, status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-public-dossier", args=[dossier.code])}))

