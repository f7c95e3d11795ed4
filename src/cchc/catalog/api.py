"""REST API of the catalog (under /api/v1/).

Reads are public (the catalog is published by law); the posting gaps of a desk are for staff
who may see that desk. Writes go through the services and are for system administrators and
Home Affairs administrators only.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from cchc.core.api import Pagination
from cchc.core.permissions import has_role, scope
from cchc.errors import InvalidInput
from cchc.org.models import Agency, Role, agency_code_validator

from . import selectors, services
from .models import (
    AnnouncementDecision,
    AnnouncementItem,
    Channel,
    Field,
    IssuerKind,
    ItemAction,
    OnlineLevel,
    ProcedureLevel,
    ProcedureVersion,
    VersionStatus,
)

WRITER_ROLES = (Role.SYSTEM_ADMIN, Role.HOME_AFFAIRS_ADMIN)


class IsCatalogAdminOrReadOnly(permissions.BasePermission):
    message = _("Chỉ quản trị hệ thống hoặc quản trị Nội vụ được thay đổi danh mục thủ tục.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated
                    and has_role(request.user, *WRITER_ROLES))


# --- query parameters ----------------------------------------------------------------------


class AgencyCodeField(serializers.CharField):
    default_error_messages = {"unknown": _("Không có cơ quan mã “{code}”.")}

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        try:
            agency_code_validator(code)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            self.fail("unknown", code=code)
        return agency


class DateParamField(serializers.DateField):
    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not 1900 <= date.year <= 2100:
            raise serializers.ValidationError(_("Ngày phải trong khoảng năm 1900-2100."))
        return date


class FieldCodeField(serializers.SlugRelatedField):
    """A field code. Text with NUL characters is no code (and PostgreSQL cannot even compare
    it): answered as an unknown code, not a server error."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class ProcedureQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True,
                                   max_length=selectors.MAX_SEARCH_LENGTH, trim_whitespace=True,
                                   help_text=_("Tìm không phân biệt dấu và chữ hoa (tên hoặc mã)."))
    field = FieldCodeField(slug_field="code", queryset=Field.objects.all(),
                           required=False, help_text=_("Mã lĩnh vực."))
    level = serializers.ChoiceField(choices=ProcedureLevel.choices, required=False)
    agency = AgencyCodeField(required=False, help_text=_("Mã định danh cơ quan (13 ký tự)."))
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    status = serializers.ChoiceField(choices=VersionStatus.choices, required=False)
    on = DateParamField(required=False, help_text=_("Ngày (YYYY-MM-DD); mặc định hôm nay."))

    def search_arguments(self) -> dict:
        data = self.validated_data
        return {"text": data.get("search", ""), "on": data.get("on"), "field": data.get("field"),
                "level": data.get("level"), "agency": data.get("agency"),
                "channel": data.get("channel"), "status": data.get("status")}


class OnQuerySerializer(serializers.Serializer):
    on = DateParamField(required=False)


class DeskQuerySerializer(serializers.Serializer):
    agency = serializers.CharField(validators=[agency_code_validator],
                                   help_text=_("Mã định danh nơi tiếp nhận."))
    on = DateParamField(required=False)


# --- output --------------------------------------------------------------------------------


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["code", "name"]


class MethodSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    days = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0,
                                    help_text=_("Ngày làm việc; 0 = trong ngày."))
    fee = serializers.IntegerField(min_value=0, default=0, help_text=_("Đồng."))
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ComponentSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    originals = serializers.IntegerField(min_value=0, max_value=100, default=0)
    certified_copies = serializers.IntegerField(min_value=0, max_value=100, default=0)
    copies = serializers.IntegerField(min_value=0, max_value=100, default=0)
    form_template = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                          default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class VersionSummarySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="procedure.code")
    base_code = serializers.CharField(source="procedure.base_code")
    field = FieldSerializer()
    version = serializers.IntegerField(source="number")
    methods = MethodSerializer(many=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = ["code", "base_code", "name", "level", "field", "implementing_agency_name",
                  "status", "version", "effective_from", "effective_to", "online_level", "methods",
                  "url"]

    def get_url(self, version) -> str:
        return reverse("catalog:procedure_detail", args=[version.procedure.code])


class HistorySerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="number")
    decision = serializers.CharField(source="item.decision.number", default=None)
    action = serializers.CharField(source="item.action", default=None)

    class Meta:
        model = ProcedureVersion
        fields = ["version", "status", "effective_from", "effective_to", "decision", "action"]


class VersionDetailSerializer(VersionSummarySerializer):
    components = ComponentSerializer(many=True)
    decision = serializers.CharField(source="item.decision.number", default=None)

    class Meta(VersionSummarySerializer.Meta):
        fields = [*VersionSummarySerializer.Meta.fields, "steps", "subjects", "conditions",
                  "result", "legal_basis", "fee_note", "time_note", "components", "decision"]


def procedure_payload(view: selectors.ProcedureView) -> dict:
    procedure = view.procedure
    return {
        "code": procedure.code, "base_code": procedure.base_code,
        "agency": procedure.agency.code, "on": view.on, "status_on": view.status,
        "abolished_on": procedure.abolished_on,
        "replaced_by": procedure.replaced_by.code if procedure.replaced_by else None,
        "version": VersionDetailSerializer(view.version).data if view.version else None,
        "history": HistorySerializer(view.history, many=True).data,
    }


class ItemSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure.code")
    replacement = serializers.CharField(source="replacement.code", default=None)

    class Meta:
        model = AnnouncementItem
        fields = ["position", "action", "procedure", "replacement", "effective_on", "note"]


class AnnouncementSerializer(serializers.ModelSerializer):
    items_count = serializers.IntegerField(read_only=True)
    publication_deadline = serializers.DateField(read_only=True)
    database_entry_deadline = serializers.DateField(read_only=True)

    class Meta:
        model = AnnouncementDecision
        fields = ["id", "number", "title", "issued_on", "issuer", "issuer_kind", "effective_on",
                  "legal_text", "legal_effective_on", "legal_expedited", "publication_deadline",
                  "published_late", "database_entered_on", "database_entry_deadline",
                  "database_entry_late", "items_count"]


class AnnouncementDetailSerializer(AnnouncementSerializer):
    items = ItemSerializer(many=True)

    class Meta(AnnouncementSerializer.Meta):
        fields = [*AnnouncementSerializer.Meta.fields, "items"]


# --- input ---------------------------------------------------------------------------------


class VersionDataSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    level = serializers.ChoiceField(choices=ProcedureLevel.choices)
    field = serializers.CharField(help_text=_("Mã hoặc tên lĩnh vực."))
    implementing_agency = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    implementing_agency_name = serializers.CharField(max_length=300, required=False,
                                                     allow_blank=True)
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices, required=False,
                                           allow_blank=True)
    methods = MethodSerializer(many=True, allow_empty=False)
    components = ComponentSerializer(many=True, required=False)
    steps = serializers.CharField(required=False, allow_blank=True)
    subjects = serializers.CharField(required=False, allow_blank=True)
    conditions = serializers.CharField(required=False, allow_blank=True)
    result = serializers.CharField(required=False, allow_blank=True)
    legal_basis = serializers.CharField(required=False, allow_blank=True)
    fee_note = serializers.CharField(required=False, allow_blank=True)
    time_note = serializers.CharField(required=False, allow_blank=True)


class ProcedureCreateSerializer(VersionDataSerializer):
    base_code = serializers.CharField(max_length=8)
    agency = serializers.CharField(max_length=13, help_text=_("Mã định danh cơ quan của mã thủ tục."))
    effective_from = serializers.DateField()


class ReplacementSerializer(serializers.Serializer):
    base_code = serializers.CharField(max_length=8)
    agency = serializers.CharField(max_length=13, required=False)
    data = serializers.DictField(required=False, help_text=_("Thuộc tính khác với thủ tục bị thay thế."))

    def validate_data(self, value):
        check = VersionDataSerializer(data=value, partial=True)
        check.is_valid(raise_exception=True)
        return dict(check.validated_data)


class ItemInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ItemAction.choices)
    procedure = serializers.CharField(required=False, help_text=_(
        "Mã tại địa phương (sửa đổi, thay thế, bãi bỏ)."))
    base_code = serializers.CharField(required=False, max_length=8, help_text=_("Thủ tục mới."))
    agency = serializers.CharField(required=False, max_length=13)
    data = serializers.DictField(required=False, help_text=_(
        "Thuộc tính thủ tục (mới: đầy đủ; sửa đổi: phần thay đổi)."))
    replacement = ReplacementSerializer(required=False)
    effective_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        action = attrs["action"]
        if action == ItemAction.NEW and not attrs.get("base_code"):
            raise serializers.ValidationError({"base_code": _("Thủ tục mới cần mã thủ tục.")})
        if action != ItemAction.NEW and not attrs.get("procedure"):
            raise serializers.ValidationError({"procedure": _("Cần mã thủ tục tại địa phương.")})
        if action == ItemAction.REPLACED and not attrs.get("replacement"):
            raise serializers.ValidationError({"replacement": _("Cần thủ tục thay thế.")})
        data = attrs.get("data")
        if data is not None:
            check = VersionDataSerializer(data=data, partial=action != ItemAction.NEW)
            check.is_valid(raise_exception=True)
            attrs["data"] = dict(check.validated_data)
        return attrs


class AnnouncementCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=60)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    issued_on = serializers.DateField()
    issuer = serializers.CharField(max_length=200)
    issuer_kind = serializers.ChoiceField(choices=IssuerKind.choices, default=IssuerKind.PROVINCE)
    issuing_agency = serializers.CharField(max_length=13, required=False, allow_null=True)
    effective_on = serializers.DateField()
    legal_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    legal_effective_on = serializers.DateField(required=False, allow_null=True)
    legal_expedited = serializers.BooleanField(default=False)
    legal_signed_on = serializers.DateField(required=False, allow_null=True)
    database_entered_on = serializers.DateField(required=False, allow_null=True)
    items = ItemInputSerializer(many=True, allow_empty=False)


def _version_data(validated: dict) -> dict:
    data = {k: v for k, v in validated.items() if k in services.VERSION_KEYS}
    for key in ("methods", "components"):
        if key in data:
            data[key] = [dict(entry) for entry in data[key]]
    return data


# --- search pagination -----------------------------------------------------------------------


class SearchPagination(Pagination):
    """The search's pages: numbered (``page``) inside the window of the first
    ``selectors.COUNT_CAP`` results, then reached by ``cursor`` through the ``next`` links
    (keyset pagination: any depth costs one page). ``count`` is exact up to the cap; above it
    ``count`` is the cap and ``count_exact`` is false. A page past the window or a bad cursor
    is a 400 (``invalid_page``, ``invalid_cursor``)."""

    cursor_query_param = "cursor"

    def search(self, request, arguments: dict) -> Response:
        self.request = request
        for param in (self.page_query_param, self.page_size_query_param):
            value = request.query_params.get(param)
            if value is None or (param == self.page_query_param and value in self.last_page_strings):
                continue
            if not (value.isascii() and value.isdigit()) or int(value) < 1:
                raise InvalidInput(_("Tham số phân trang không hợp lệ."), code="invalid_page",
                                   fields={param: [_("Phải là số nguyên dương.")]})
        raw = request.query_params.get(self.page_query_param)
        number = None if raw in self.last_page_strings else int(raw or 1)
        page = selectors.search_page(**arguments, number=number, size=self.get_page_size(request),
                                     cursor=request.query_params.get(self.cursor_query_param),
                                     strict=True)
        url = remove_query_param(request.build_absolute_uri(), self.cursor_query_param)
        next_url = previous_url = None
        if page.next_number:
            next_url = replace_query_param(url, self.page_query_param, page.next_number)
        elif page.next_cursor:
            next_url = replace_query_param(remove_query_param(url, self.page_query_param),
                                           self.cursor_query_param, page.next_cursor)
        if page.previous_number == 1:
            previous_url = remove_query_param(url, self.page_query_param)
        elif page.previous_number:
            previous_url = replace_query_param(url, self.page_query_param, page.previous_number)
        return Response({
            "count": page.count, "count_exact": page.count_exact,
            "next": next_url, "previous": previous_url,
            "results": VersionSummarySerializer(page.rows, many=True).data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"Số kết quả, chính xác đến {selectors.COUNT_CAP}; trên đó là {selectors.COUNT_CAP} "
            "và count_exact = false.")
        response["properties"]["count_exact"] = {
            "type": "boolean", "example": True,
            "description": "false khi có hơn count kết quả (không đếm hết)."}
        response["properties"]["next"]["description"] = (
            "Trang sau: ?page=N trong các trang đánh số, sau đó ?cursor=... .")
        response["required"] = [*response.get("required", []), "count_exact"]
        return response

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), {
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "Vị trí sau trang trước (lấy từ liên kết next, khi đã quá "
                           f"{selectors.COUNT_CAP} kết quả đầu).",
            "schema": {"type": "string"}}]


# --- views ---------------------------------------------------------------------------------

PROCEDURE_EXAMPLE = OpenApiExample(
    "Đăng ký khai sinh",
    value={"code": "1.001193.000.00.00.H20", "base_code": "1.001193", "name": "Đăng ký khai sinh",
           "level": "commune", "field": {"code": "ho-tich", "name": "Hộ tịch"},
           "implementing_agency_name": "Ủy ban nhân dân cấp xã", "status": "amended",
           "version": 2, "effective_from": "2026-03-16", "effective_to": None,
           "online_level": "full",
           "methods": [{"channel": "direct", "days": "0.0", "fee": 0, "description": ""}],
           "url": "/thu-tuc/1.001193.000.00.00.H20/"},
    response_only=True,
)


class ProcedureListView(generics.GenericAPIView):
    permission_classes = [IsCatalogAdminOrReadOnly]
    serializer_class = VersionSummarySerializer
    pagination_class = SearchPagination
    filter_backends: list = []

    def get_queryset(self):  # for the schema; the list is built by the search selector
        return ProcedureVersion.objects.none()

    @extend_schema(
        summary="Tra cứu thủ tục hành chính",
        parameters=[ProcedureQuerySerializer],
        responses={200: VersionSummarySerializer(many=True)},
        examples=[PROCEDURE_EXAMPLE],
        description="Tìm không phân biệt dấu và chữ hoa: “khai sinh”, “KHAI SINH”, “khải sinh” "
                    "đều tìm thấy “Đăng ký khai sinh”. Tham số sai trả về 400 kèm mã lỗi. "
                    f"Đếm chính xác đến {selectors.COUNT_CAP} kết quả (count_exact); trang đánh "
                    "số trong phạm vi đó, sau đó theo liên kết next (cursor).",
    )
    def get(self, request):
        params = ProcedureQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return self.paginator.search(request, params.search_arguments())

    @extend_schema(
        summary="Ghi nhận thủ tục (không qua quyết định công bố)",
        request=ProcedureCreateSerializer,
        responses={201: OpenApiTypes.OBJECT},
        description="Dùng khi nhập dữ liệu từ Cơ sở dữ liệu quốc gia. Chỉ quản trị.",
    )
    def post(self, request):
        serializer = ProcedureCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        procedure = services.register_procedure(
            base_code=data["base_code"], agency=data["agency"], data=_version_data(data),
            effective_from=data["effective_from"])
        view = selectors.procedure_as_of(procedure, data["effective_from"])
        return Response(procedure_payload(view), status=status.HTTP_201_CREATED)


class ProcedureDetailView(APIView):
    permission_classes = [IsCatalogAdminOrReadOnly]

    @extend_schema(summary="Chi tiết thủ tục (mã tại địa phương hoặc mã thủ tục)",
                   parameters=[OnQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code):
        params = OnQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        on = params.validated_data.get("on")
        procedure = selectors.get_procedure(code, on)
        return Response(procedure_payload(selectors.procedure_as_of(procedure, on)))

    @extend_schema(
        summary="Sửa dữ liệu thủ tục chưa có quyết định công bố",
        request=VersionDataSerializer, responses={200: OpenApiTypes.OBJECT},
        description="Thủ tục đã có quyết định công bố chỉ thay đổi bằng quyết định mới (409).",
    )
    def patch(self, request, code):
        serializer = VersionDataSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        procedure = selectors.get_procedure(code)
        services.correct_procedure(procedure, _version_data(serializer.validated_data))
        return Response(procedure_payload(selectors.procedure_as_of(procedure)))


class AnnouncementListView(generics.ListAPIView):
    permission_classes = [IsCatalogAdminOrReadOnly]
    serializer_class = AnnouncementSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.announcements().annotate(items_count=Count("items"))

    @extend_schema(summary="Danh sách quyết định công bố thủ tục hành chính")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Ghi nhận quyết định công bố và áp dụng các thủ tục trong đó",
        request=AnnouncementCreateSerializer, responses={201: AnnouncementDetailSerializer},
        examples=[OpenApiExample("Sửa đổi thời hạn", request_only=True, value={
            "number": "415/QĐ-UBND", "issued_on": "2026-03-06", "effective_on": "2026-03-16",
            "issuer": "Chủ tịch Ủy ban nhân dân tỉnh Đồng Tháp",
            "items": [{"action": "amended", "procedure": "1.004873.000.00.00.H20",
                       "data": {"methods": [{"channel": "direct", "days": 2, "fee": 3000}]}}],
        })],
    )
    def post(self, request):
        serializer = AnnouncementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        items = []
        for item in data.pop("items"):
            item = dict(item)
            if "data" in item:
                item["data"] = _version_data(item["data"])
            if "replacement" in item:
                replacement = dict(item["replacement"])
                if "data" in replacement:
                    replacement["data"] = _version_data(replacement["data"])
                item["replacement"] = replacement
            items.append(item)
        decision = services.announce(items=items, **data)
        decision = selectors.announcements().annotate(items_count=Count("items")).get(pk=decision.pk)
        return Response(AnnouncementDetailSerializer(decision).data, status=status.HTTP_201_CREATED)


class AnnouncementDetailView(generics.RetrieveAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = AnnouncementDetailSerializer

    def get_queryset(self):
        return selectors.announcements().annotate(items_count=Count("items")).prefetch_related(
            "items__procedure", "items__replacement")

    @extend_schema(summary="Chi tiết quyết định công bố")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _posting_row(posting) -> dict:
    return {"procedure": posting.version.procedure.code, "name": posting.version.name,
            "version": posting.version.number, "posted_on": posting.posted_on,
            "removed_on": posting.removed_on}


def _version_row(version) -> dict:
    return {"procedure": version.procedure.code, "name": version.name, "version": version.number,
            "effective_from": version.effective_from}


class PostingListView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(summary="Thủ tục đang niêm yết tại một nơi tiếp nhận",
                   parameters=[DeskQuerySerializer],
                   responses={200: inline_serializer("Postings", {
                       "agency": serializers.CharField(), "on": serializers.DateField(),
                       "postings": serializers.ListField(child=serializers.DictField())})})
    def get(self, request):
        params = DeskQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        desk = selectors.get_desk(params.validated_data["agency"])
        on = params.validated_data.get("on") or selectors.today()
        postings = selectors.active_postings(desk, on).order_by("version__procedure__code")
        return Response({"agency": desk.code, "name": desk.name, "on": on,
                         "postings": [_posting_row(p) for p in postings]})


class PostingGapsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Thủ tục chưa niêm yết, niêm yết phiên bản cũ, hết hiệu lực chưa gỡ",
                   parameters=[DeskQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        params = DeskQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        desk = scope(selectors.desks(), request.user, unit_field="unit").filter(
            code=params.validated_data["agency"]).first()
        if desk is None:
            raise InvalidInput(_("Không có nơi tiếp nhận này trong phạm vi của bạn."),
                               code="unknown_desk", fields={"agency": [_("Không có nơi tiếp nhận.")]})
        gaps = selectors.posting_gaps(desk, params.validated_data.get("on"))
        return Response({
            "agency": desk.code, "name": desk.name, "on": gaps.on,
            "required_count": len(gaps.required), "complete": gaps.complete,
            "missing": [_version_row(v) for v in gaps.missing],
            "outdated": [{**_version_row(v), "posted_version": p.version.number,
                          "posted_on": p.posted_on} for p, v in gaps.outdated],
            "obsolete": [_posting_row(p) for p in gaps.obsolete],
        })

