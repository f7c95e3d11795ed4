"""Public, read-only API of administrative units and agencies (no login: public information).

Query parameters are checked by a serializer before any query runs; a malformed value is a
400 with ``code`` ``invalid_filter`` and the problems per parameter under ``errors``.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from cchc.errors import InvalidInput

from . import selectors
from .models import AdministrativeUnit, Agency, AgencyKind, Era, Level

# --- query parameters --------------------------------------------------------------------

_KEY_PATTERN = r"^(?:(?:pre2025|2025):)?\d{1,10}$"
_PROVINCE_PATTERN = r"^(?:\d{1,2}|(?:pre2025|2025):\d{1,10})$"


def _choice(choices, message):
    return serializers.ChoiceField(
        choices=choices, required=False, error_messages={"invalid_choice": message},
    )


def _boolean(help_text):
    return serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=help_text,
        error_messages={"invalid": _("Giá trị phải là true hoặc false.")},
    )


class _CommonFilters(serializers.Serializer):
    province = serializers.RegexField(
        _PROVINCE_PATTERN, required=False,
        help_text=_("Mã tỉnh sau 01/7/2025 (ví dụ 82), hoặc khóa của một tỉnh cũ "
                    "(ví dụ pre2025:87): đơn vị thuộc cây của tỉnh đó."),
        error_messages={"invalid": _("Mã tỉnh phải là mã 2 chữ số (ví dụ 82) hoặc dạng "
                                     "thời kỳ:mã (ví dụ pre2025:87).")},
    )
    include_predecessors = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Kèm cây 3 cấp của các tỉnh cũ đã hợp nhất vào tỉnh (dùng với province)."),
        error_messages={"invalid": _("Giá trị phải là true hoặc false.")},
    )
    level = _choice(Level.choices, _("Cấp không hợp lệ: dùng province, district hoặc commune."))
    era = _choice(Era.choices, _("Thời kỳ không hợp lệ: dùng 2025 hoặc pre2025."))
    valid_on = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"],
        help_text=_("Chỉ đơn vị có hiệu lực vào ngày này (YYYY-MM-DD)."),
        error_messages={"invalid": _("Ngày không hợp lệ: dùng dạng YYYY-MM-DD, "
                                     "ví dụ 2025-07-01.")},
    )
    search = serializers.CharField(
        required=False, max_length=100, trim_whitespace=True,
        help_text=_("Tìm theo tên, không phân biệt dấu và hoa thường (“dong thap” tìm "
                    "thấy “Đồng Tháp”); hoặc theo mã."),
        error_messages={"max_length": _("Chuỗi tìm kiếm tối đa 100 ký tự.")},
    )


class UnitFilters(_CommonFilters):
    parent = serializers.RegexField(
        _KEY_PATTERN, required=False,
        help_text=_("Đơn vị cấp trên trực tiếp, dạng thời kỳ:mã (ví dụ pre2025:868); "
                    "mã không kèm thời kỳ hiểu theo tham số era, mặc định 2025."),
        error_messages={"invalid": _("Đơn vị cấp trên phải có dạng thời kỳ:mã, "
                                     "ví dụ pre2025:868.")},
    )


class AgencyFilters(_CommonFilters):
    kind = _choice(AgencyKind.choices, _("Loại cơ quan không hợp lệ: dùng ubnd, department, "
                                         "office, service_centre hoặc reception_desk."))
    unit = serializers.RegexField(
        _KEY_PATTERN, required=False,
        help_text=_("Đơn vị hành chính của cơ quan, dạng thời kỳ:mã (ví dụ 2025:82)."),
        error_messages={"invalid": _("Đơn vị phải có dạng thời kỳ:mã, ví dụ 2025:82.")},
    )
    parent = serializers.RegexField(
        r"^\d{3}\.\d{2}\.\d{2}\.[Hh]\d{2}$", required=False,
        help_text=_("Mã định danh của cơ quan chủ quản."),
        error_messages={"invalid": _("Mã định danh phải có dạng xxx.xx.xx.Hnn.")},
    )
    home_affairs = _boolean(_("true: chỉ Sở/Phòng Nội vụ; false: trừ Sở/Phòng Nội vụ."))
    active = _boolean(_("true: chỉ cơ quan đang hoạt động."))


def _filters(serializer_class, request) -> dict:
    # A plain dict (last value wins): with a QueryDict, DRF reads a missing boolean as false.
    serializer = serializer_class(data=request.query_params.dict())
    if not serializer.is_valid():
        raise InvalidInput(
            _("Tham số lọc không hợp lệ."), code="invalid_filter",
            fields={k: [str(m) for m in v] for k, v in serializer.errors.items()},
        )
    return {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}


# --- output ------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True, help_text=_("Khóa thời kỳ:mã, ví dụ 2025:82."))
    parent = serializers.SerializerMethodField(help_text=_("Khóa đơn vị cấp trên."))
    successors = serializers.SerializerMethodField(
        help_text=_("Khóa các đơn vị kế thừa (với đơn vị trước 01/7/2025).")
    )

    class Meta:
        model = AdministrativeUnit
        fields = [
            "key", "era", "code", "name", "division_type", "level", "parent",
            "valid_from", "valid_to", "successors",
        ]

    def get_parent(self, unit) -> str | None:
        return unit.parent.key if unit.parent_id else None

    def get_successors(self, unit) -> list[str]:
        return [s.key for s in unit.successors.all()]


class AgencySerializer(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField(help_text=_("Khóa đơn vị hành chính."))
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    parent = serializers.SerializerMethodField(help_text=_("Mã định danh cơ quan chủ quản."))

    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "unit", "unit_name", "parent", "is_home_affairs",
                  "active"]

    def get_unit(self, agency) -> str:
        return agency.unit.key

    def get_parent(self, agency) -> str | None:
        return agency.parent.code if agency.parent_id else None


_ERROR = inline_serializer(
    "OrgError",
    {
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                        required=False),
    },
)
_BAD_FILTER = OpenApiResponse(
    _ERROR, description=_("Tham số không hợp lệ."),
    examples=[OpenApiExample(
        "BadDate", summary="Ngày sai", status_codes=["400"],
        value={"code": "invalid_filter", "detail": "Tham số lọc không hợp lệ.",
               "errors": {"valid_on": ["Ngày không hợp lệ: dùng dạng YYYY-MM-DD, "
                                       "ví dụ 2025-07-01."]}},
    )],
)
_NOT_FOUND = OpenApiResponse(_ERROR, description=_("Không tìm thấy."))

_UNIT_EXAMPLE = {
    "key": "pre2025:868", "era": "pre2025", "code": "868", "name": "Thành phố Hồng Ngự",
    "division_type": "thành phố", "level": "district", "parent": "pre2025:87",
    "valid_from": None, "valid_to": "2025-06-30",
    "successors": ["2025:29954", "2025:29955", "2025:29978"],
}
_AGENCY_EXAMPLE = {
    "code": "000.00.01.H82", "name": "Sở Nội vụ tỉnh Đồng Tháp", "kind": "department",
    "unit": "2025:82", "unit_name": "Tỉnh Đồng Tháp", "parent": "000.00.00.H82",
    "is_home_affairs": True, "active": True,
}


class _Public:
    permission_classes = [AllowAny]
    authentication_classes: list = []
    filter_backends: list = []


@extend_schema(
    tags=["Đơn vị hành chính"],
    summary=_("Danh sách đơn vị hành chính"),
    description=_(
        "Đơn vị hành chính hai thời kỳ: `2025` (tỉnh, xã từ 01/7/2025) và `pre2025` (tỉnh, "
        "huyện, xã đến 30/6/2025), với quan hệ kế thừa. Công khai, không cần đăng nhập."
    ),
    parameters=[UnitFilters],
    responses={200: UnitSerializer(many=True), 400: _BAD_FILTER},
    examples=[OpenApiExample("HongNgu", summary="Thành phố Hồng Ngự (cũ)", value=_UNIT_EXAMPLE,
                             response_only=True)],
)
class UnitListView(_Public, generics.ListAPIView):
    serializer_class = UnitSerializer

    def get_queryset(self):
        return selectors.units(**_filters(UnitFilters, self.request)).select_related(
            "parent"
        ).prefetch_related(
            Prefetch("successors", queryset=AdministrativeUnit.objects.only("era", "code"))
        )


@extend_schema(
    tags=["Đơn vị hành chính"],
    summary=_("Một đơn vị hành chính"),
    parameters=[OpenApiParameter(
        "key", OpenApiTypes.STR, OpenApiParameter.PATH,
        description=_("Khóa thời kỳ:mã, ví dụ 2025:82 hoặc pre2025:868."),
        examples=[OpenApiExample("DongThap", summary="Tỉnh Đồng Tháp", value="2025:82"),
                  OpenApiExample("HongNgu", summary="Thành phố Hồng Ngự (cũ)",
                                 value="pre2025:868")],
    )],
    responses={200: UnitSerializer, 400: _BAD_FILTER, 404: _NOT_FOUND},
    examples=[OpenApiExample("HongNgu", summary="Thành phố Hồng Ngự (cũ)", value=_UNIT_EXAMPLE,
                             response_only=True)],
)
class UnitDetailView(_Public, generics.RetrieveAPIView):
    serializer_class = UnitSerializer
    queryset = AdministrativeUnit.objects.none()

    def get_object(self):
        return selectors.unit_by_key(self.kwargs["key"])


@extend_schema(
    tags=["Cơ quan"],
    summary=_("Danh sách cơ quan"),
    description=_("Cơ quan (UBND, Sở, Phòng, Trung tâm Phục vụ hành chính công, Bộ phận một "
                  "cửa) với mã định danh điện tử 13 ký tự xxx.xx.xx.Hnn."),
    parameters=[AgencyFilters],
    responses={200: AgencySerializer(many=True), 400: _BAD_FILTER},
    examples=[OpenApiExample("SoNoiVu", summary="Sở Nội vụ", value=_AGENCY_EXAMPLE,
                             response_only=True)],
)
class AgencyListView(_Public, generics.ListAPIView):
    serializer_class = AgencySerializer

    def get_queryset(self):
        return selectors.agencies(**_filters(AgencyFilters, self.request)).select_related(
            "unit", "parent"
        )


@extend_schema(
    tags=["Cơ quan"],
    summary=_("Một cơ quan"),
    parameters=[OpenApiParameter(
        "code", OpenApiTypes.STR, OpenApiParameter.PATH,
        description=_("Mã định danh điện tử, ví dụ 000.00.01.H82."),
    )],
    responses={200: AgencySerializer, 404: _NOT_FOUND},
    examples=[OpenApiExample("SoNoiVu", summary="Sở Nội vụ", value=_AGENCY_EXAMPLE,
                             response_only=True)],
)
class AgencyDetailView(_Public, generics.RetrieveAPIView):
    serializer_class = AgencySerializer
    queryset = Agency.objects.none()

    def get_object(self):
        return selectors.agency_by_code(self.kwargs["code"])
