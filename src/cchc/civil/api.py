"""REST API of the civil-status registers, under /api/v1/civil/ (token or session).

- Books: list, detail, close. Entries: search (audited, like the page), detail, direct
  registration; desk intake (``requests``); marginal notes; copies of extracts (2.000635);
  the extract and the certificate as PDF. Monthly counts and the inspection evidence.
- Errors: bad input 400 naming the fields (``data.child.birth_date``); another unit's book or
  entry 404, exactly like an unknown id; a closed book or an abolished unit 409; a role that
  may not act 403.
"""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.core.audittrail import record_personal_export
from cchc.core.permissions import visible_units
from cchc.errors import Forbidden, InvalidInput, NotFound
from cchc.org.selectors import unit_by_key, units_under

from . import documents, selectors, services
from .models import EventType, ExtractCopy, RegisterEntry
from .serializers import (
    BookCloseSerializer,
    BookSerializer,
    CivilRequestSerializer,
    CopyInputSerializer,
    CopySerializer,
    DeskRegistrationSerializer,
    EntryDetailSerializer,
    EntrySummarySerializer,
    ErrorSerializer,
    EvidenceSerializer,
    MonthlyRowSerializer,
    NoteInputSerializer,
    NoteSerializer,
    RegistrationSerializer,
)

TAG = gettext_lazy("Hộ tịch")
DATA_KEYS = ("child", "father", "mother", "declarant", "husband", "wife", "deceased", "death",
             "original_registered_on", "note")


def _error(description, *examples):
    return OpenApiResponse(ErrorSerializer, description=description, examples=[
        OpenApiExample(name, value=value, summary=name, response_only=True, status_codes=[code])
        for name, code, value in examples])


ERROR_400 = _error(gettext_lazy("Dữ liệu không hợp lệ; ``errors`` nêu từng trường."), (
    "Chưa đủ tuổi kết hôn", "400",
    {"code": "rule_violation",
     "detail": "Bên nữ Phạm Thị Thu Hà sinh ngày 10/03/2006, đến ngày đăng ký 09/03/2024 mới 17 "
               "tuổi; nữ phải từ đủ 18 tuổi (Điều 8 Luật Hôn nhân và gia đình), tức từ ngày "
               "10/03/2024.",
     "errors": {"data.wife.birth_date": ["Bên nữ Phạm Thị Thu Hà sinh ngày 10/03/2006, ..."]}}))
ERROR_403 = _error(gettext_lazy("Vai trò không được thực hiện việc này."), (
    "Không có quyền", "403",
    {"code": "forbidden", "detail": "Chỉ lãnh đạo của Phường Hồng Ngự được thực hiện việc này."}))
ERROR_404 = _error(gettext_lazy("Không có trong phạm vi của bạn (sổ, mục của đơn vị khác được "
                                "trả lời như không tồn tại)."), (
    "Không tìm thấy", "404", {"code": "not_found", "detail": "Không tìm thấy mục đăng ký hộ tịch."}))
ERROR_409 = _error(gettext_lazy("Sổ đã khóa, hoặc đơn vị đã chấm dứt hoạt động."), (
    "Sổ đã khóa", "409",
    {"code": "book_closed", "detail": "Sổ đăng ký khai sinh quyển 01/2025 của Phường Hồng Ngự đã "
                                      "khóa ngày 31/12/2025: sổ đã khóa không ghi thêm."}))

BIRTH_EXAMPLE = {
    "event_type": "birth", "agency": "000.10.50.H20",
    "data": {
        "child": {"full_name": "Nguyễn Thị Bảo Ngọc", "sex": "F", "birth_date": "2026-04-10",
                  "birth_place": "Bệnh viện Đa khoa khu vực Hồng Ngự, Đồng Tháp",
                  "hometown": "Đồng Tháp", "ethnicity": "Kinh", "nationality": "Việt Nam"},
        "father": {"full_name": "Nguyễn Văn Hùng", "birth_year": "1995", "ethnicity": "Kinh",
                   "nationality": "Việt Nam", "residence": "Phường Hồng Ngự, Đồng Tháp",
                   "id_number": "087095001234"},
        "mother": {"full_name": "Trần Thị Lan", "birth_year": "1997", "ethnicity": "Kinh",
                   "nationality": "Việt Nam", "residence": "Phường Hồng Ngự, Đồng Tháp",
                   "id_number": "087197004321"},
        "declarant": {"full_name": "Nguyễn Văn Hùng", "id_number": "087095001234",
                      "relationship": "Cha"}},
}
MARRIAGE_EXAMPLE = {
    "event_type": "marriage", "unit": "2025:30280",
    "data": {
        "husband": {"full_name": "Lê Minh Tuấn", "birth_date": "1998-05-20", "ethnicity": "Kinh",
                    "nationality": "Việt Nam", "residence": "Phường Hồng Ngự, Đồng Tháp",
                    "id_number": "087098002468"},
        "wife": {"full_name": "Phạm Thị Thu Hà", "birth_date": "2000-09-02", "ethnicity": "Kinh",
                 "nationality": "Việt Nam", "residence": "Xã Tân Hồng, Đồng Tháp",
                 "id_number": "087300013579"}},
}
ENTRY_EXAMPLE = {
    "id": 1, "event_type": "birth",
    "unit": {"key": "2025:30280", "name": "Phường Hồng Ngự", "era": "2025"}, "book": 1,
    "volume": "01/2026", "number": 1, "registered_at": "2026-04-24T09:00:00+07:00",
    "kind": "normal", "dossier": "000.10.50.H20-260424-0001", "full_name": "Nguyễn Thị Bảo Ngọc",
    "birth_date": "2026-04-10", "id_number": "", "partner_full_name": "",
    "partner_birth_date": None, "partner_id_number": "",
}
BOOK_EXAMPLE = {
    "id": 1, "unit": {"key": "2025:30280", "name": "Phường Hồng Ngự", "era": "2025"},
    "event_type": "birth", "title": "Sổ đăng ký khai sinh", "year": 2025, "volume": "01/2025",
    "first_number": 1, "last_number": 212, "entries": 212,
    "opened_at": "2025-07-01T07:45:00+07:00", "closed_at": "2025-12-31T16:30:00+07:00",
    "closed_by": "Mai Thanh Sơn", "closed_full": False, "total_entries": 212, "total_pages": 106,
}


def _context(request) -> dict:
    return {"request": request, "officer_ids": selectors.officer_unit_ids(request.user)}


def _prefixed(exc: InvalidInput) -> InvalidInput:
    """The rules name fields as in ``data`` ("child.birth_date"); the API names them in full."""
    if exc.fields:
        exc.fields = {(f"data.{k}" if k.split(".")[0] in DATA_KEYS else k): v
                      for k, v in exc.fields.items()}
    return exc


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _unit(key: str):
    try:
        return unit_by_key(key)
    except (InvalidInput, NotFound) as exc:
        raise InvalidInput(str(exc.message), fields={"unit": [str(exc.message)]}) from None


def _entry(request, pk):
    return selectors.get_entry(request.user, pk)


# -- books -------------------------------------------------------------------------------------


@extend_schema(tags=[TAG])
class BookListView(generics.ListAPIView):
    serializer_class = BookSerializer

    @extend_schema(
        summary=gettext_lazy("Sổ hộ tịch của các đơn vị bạn quản lý"),
        parameters=[
            OpenApiParameter("year", int, description=gettext_lazy("Năm của sổ.")),
            OpenApiParameter("event_type", str, enum=EventType.values),
            OpenApiParameter("unit", str, description=gettext_lazy("Đơn vị và các đơn vị trực "
                                                                   "thuộc, ví dụ 2025:30280.")),
            OpenApiParameter("open", bool, description=gettext_lazy("Chỉ sổ đang ghi (true) "
                                                                    "hoặc đã khóa (false).")),
        ],
        examples=[OpenApiExample("Sổ khai sinh 2025", value=[BOOK_EXAMPLE], response_only=True)],
        responses={200: BookSerializer(many=True), 400: ERROR_400})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        books = selectors.visible_books(self.request.user)
        errors = {}
        if params.get("year"):
            if params["year"].isdigit():
                books = books.filter(year=int(params["year"]))
            else:
                errors["year"] = [_("Năm phải là số.")]
        if params.get("event_type"):
            if params["event_type"] in EventType.values:
                books = books.filter(event_type=params["event_type"])
            else:
                errors["event_type"] = [_("Chọn birth, marriage hoặc death.")]
        if params.get("open") in ("true", "1"):
            books = books.filter(closed_at__isnull=True)
        elif params.get("open") in ("false", "0"):
            books = books.filter(closed_at__isnull=False)
        if params.get("unit"):
            books = books.filter(unit__in=units_under([_unit(params["unit"])]))
        if errors:
            raise InvalidInput(_("Tham số lọc không hợp lệ."), fields=errors)
        return books.order_by("-year", "unit__path", "event_type", "volume")


@extend_schema(tags=[TAG])
class BookDetailView(APIView):
    @extend_schema(summary=gettext_lazy("Một sổ hộ tịch"),
                   responses={200: BookSerializer, 404: ERROR_404},
                   examples=[OpenApiExample("Sổ", value=BOOK_EXAMPLE, response_only=True)])
    def get(self, request, pk):
        return Response(BookSerializer(selectors.get_book(request.user, pk)).data)


@extend_schema(tags=[TAG])
class BookCloseView(APIView):
    @extend_schema(
        summary=gettext_lazy("Khóa sổ (ngày cuối năm, Điều 58 Luật Hộ tịch)"),
        request=BookCloseSerializer,
        responses={200: BookSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                   409: ERROR_409})
    def post(self, request, pk):
        book = selectors.get_book(request.user, pk)
        data = _validated(BookCloseSerializer, request.data)
        book = services.close_book(book, actor=request.user, total_pages=data.get("total_pages"),
                                   volume_full=data.get("volume_full", False))
        return Response(BookSerializer(book).data)


# -- entries -----------------------------------------------------------------------------------

SEARCH_PARAMETERS = [
    OpenApiParameter("name", str, description=gettext_lazy(
        "Họ tên, không cần dấu: mọi từ phải có trong tên (cả tên bên nữ của việc kết hôn).")),
    OpenApiParameter("birth_date", OpenApiTypes.DATE),
    OpenApiParameter("id_number", str, description=gettext_lazy("Số định danh cá nhân (12 số).")),
    OpenApiParameter("book", int, description=gettext_lazy("Mã sổ (id).")),
    OpenApiParameter("number", int, description=gettext_lazy("Số trong sổ (cùng với book).")),
    OpenApiParameter("event_type", str, enum=EventType.values),
    OpenApiParameter("year", int),
    OpenApiParameter("unit", str, description=gettext_lazy("Ví dụ 2025:30280.")),
]


@extend_schema(tags=[TAG])
class EntryListView(generics.GenericAPIView):
    serializer_class = EntrySummarySerializer
    queryset = RegisterEntry.objects.none()

    @extend_schema(
        summary=gettext_lazy("Tìm trong sổ hộ tịch (mỗi lần tìm được ghi nhật ký)"),
        parameters=SEARCH_PARAMETERS,
        responses={200: EntrySummarySerializer(many=True), 400: ERROR_400},
        examples=[OpenApiExample("Kết quả", value={"count": 1, "next": None, "previous": None,
                                                   "results": [ENTRY_EXAMPLE]},
                                 response_only=True)])
    def get(self, request):
        result = services.search_register(request.user, request.query_params, source="api")
        page = self.paginate_queryset(result.ids)
        data = EntrySummarySerializer(result.load(page), many=True, context={
            "request": request, "officer_ids": result.officer_ids}).data
        response = self.get_paginated_response(data)
        response["X-Result-Count"] = str(result.count)
        response["X-Result-Truncated"] = "true" if result.truncated else "false"
        return response

    @extend_schema(
        summary=gettext_lazy("Công chức hộ tịch đăng ký trực tiếp (hồ sơ được tạo cùng)"),
        request=RegistrationSerializer,
        examples=[OpenApiExample("Khai sinh", value=BIRTH_EXAMPLE, request_only=True),
                  OpenApiExample("Kết hôn", value=MARRIAGE_EXAMPLE, request_only=True)],
        responses={201: EntryDetailSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                   409: ERROR_409})
    def post(self, request):
        data = _validated(RegistrationSerializer, request.data)
        agency = data.get("agency")
        unit = _unit(data["unit"]) if data.get("unit") and agency is None else None
        try:
            entry = services.register_directly(
                event_type=data["event_type"], data=data["data"], actor=request.user,
                agency=agency, unit=unit, applicant=data.get("applicant"),
                kind=data.get("kind") or None, procedure=data.get("procedure") or None)
        except InvalidInput as exc:
            raise _prefixed(exc) from None
        entry = selectors.get_entry(request.user, entry.pk)
        return Response(EntryDetailSerializer(entry, context=_context(request)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class EntryDetailView(APIView):
    @extend_schema(summary=gettext_lazy("Một mục trong sổ, với các ghi chú bên lề"),
                   responses={200: EntryDetailSerializer, 404: ERROR_404})
    def get(self, request, pk):
        return Response(EntryDetailSerializer(_entry(request, pk), context=_context(request)).data)


@extend_schema(tags=[TAG])
class DeskRequestView(APIView):
    @extend_schema(
        summary=gettext_lazy("Bộ phận một cửa tiếp nhận hồ sơ đăng ký hộ tịch; ghi sổ khi hồ sơ "
                             "được xử lý xong"),
        request=DeskRegistrationSerializer,
        examples=[OpenApiExample("Khai sinh", value=BIRTH_EXAMPLE, request_only=True)],
        responses={201: CivilRequestSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                   409: ERROR_409})
    def post(self, request):
        data = _validated(DeskRegistrationSerializer, request.data)
        try:
            civil_request = services.register_at_desk(
                agency=data["agency"], event_type=data["event_type"], data=data["data"],
                actor=request.user, applicant=data.get("applicant"),
                kind=data.get("kind") or None, procedure=data.get("procedure") or None)
        except InvalidInput as exc:
            raise _prefixed(exc) from None
        return Response(CivilRequestSerializer(civil_request).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class NoteCreateView(APIView):
    @extend_schema(
        summary=gettext_lazy("Ghi chú bên lề: thay đổi, cải chính, bổ sung (có hồ sơ riêng), "
                             "ly hôn, hủy kết hôn"),
        request=NoteInputSerializer,
        examples=[OpenApiExample("Cải chính tên", request_only=True, value={
            "kind": "correction", "changes": {"child.full_name": "Nguyễn Thị Bảo Ngân"},
            "applicant": {"name": "Nguyễn Văn Hùng", "id_number": "087095001234"}}),
            OpenApiExample("Ly hôn", request_only=True, value={
                "kind": "divorce", "basis": "Bản án số 12/2026/HNGĐ-ST ngày 05/3/2026 của Tòa án "
                                            "nhân dân khu vực 3 - Đồng Tháp"})],
        responses={201: NoteSerializer, 400: ERROR_400, 403: ERROR_403, 404: ERROR_404,
                   409: ERROR_409})
    def post(self, request, pk):
        entry = _entry(request, pk)
        data = _validated(NoteInputSerializer, request.data)
        note = services.record_note_directly(
            entry=entry, kind=data["kind"], changes=data.get("changes") or {},
            text=data.get("text", ""), basis=data.get("basis", ""), actor=request.user,
            agency=data.get("agency"), applicant=data.get("applicant"))
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class CopyCreateView(APIView):
    @extend_schema(
        summary=gettext_lazy("Cấp bản sao trích lục từ sổ (thủ tục 2.000635)"),
        request=CopyInputSerializer, responses={201: CopySerializer, 400: ERROR_400,
                                                403: ERROR_403, 404: ERROR_404})
    def post(self, request, pk):
        entry = _entry(request, pk)
        data = _validated(CopyInputSerializer, request.data)
        copy = services.issue_extract_copy(entry=entry, actor=request.user,
                                           applicant=data["applicant"], copies=data["copies"],
                                           agency=data.get("agency"))
        return Response(CopySerializer(copy, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _check_documents(request, entry):
    if not selectors.can_see_id_numbers(request.user, entry.unit_id):
        raise Forbidden(_("Chỉ công chức hộ tịch của đơn vị đăng ký được in giấy tờ hộ tịch."))


PDF_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description=gettext_lazy("Tệp PDF (A4)."))


@extend_schema(tags=[TAG])
class EntryPdfView(APIView):
    @extend_schema(
        operation_id="civil_entry_pdf",
        summary=gettext_lazy("Trích lục (extract, bản sao từ sổ) hoặc giấy chứng nhận "
                             "(certificate: giấy khai sinh, giấy chứng nhận kết hôn, trích lục "
                             "khai tử bản chính) dạng PDF"),
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH,
                                     enum=["extract", "certificate"])],
        responses={(200, "application/pdf"): PDF_RESPONSE, 403: ERROR_403, 404: ERROR_404})
    def get(self, request, pk, kind):
        entry = _entry(request, pk)
        if kind not in (documents.EXTRACT, documents.CERTIFICATE):
            raise NotFound()
        _check_documents(request, entry)
        data = documents.render_pdf(entry, kind)
        record_personal_export(request.user, kind=f"civil.{kind}", obj=entry, format="pdf")
        return _pdf(data, documents.file_name(entry, kind))


@extend_schema(tags=[TAG])
class CopyPdfView(APIView):
    @extend_schema(operation_id="civil_copy_pdf",
                   summary=gettext_lazy("Bản sao trích lục đã cấp, dạng PDF"),
                   responses={(200, "application/pdf"): PDF_RESPONSE, 403: ERROR_403,
                              404: ERROR_404})
    def get(self, request, pk):
        copy = (ExtractCopy.objects.select_related("entry", "dossier", "dossier__unit")
                .filter(pk=pk, entry__in=selectors.visible_entries(request.user)).first())
        if copy is None:
            raise NotFound(_("Không tìm thấy bản sao trích lục."))
        _check_documents(request, copy.entry)
        data = documents.render_pdf(copy.entry, documents.EXTRACT, copy)
        record_personal_export(request.user, kind="civil.extract_copy", obj=copy.entry,
                               format="pdf", copy_id=copy.pk)
        return _pdf(data, documents.file_name(copy.entry, documents.EXTRACT))


# -- statistics and evidence ---------------------------------------------------------------------


def _year(request, default):
    value = request.query_params.get("year")
    if value in (None, ""):
        return default
    if not value.isdigit() or not 1900 < int(value) < 2200:
        raise InvalidInput(_("Năm không hợp lệ."), fields={"year": [_("Năm có 4 chữ số.")]})
    return int(value)


def _report_units(request):
    key = request.query_params.get("unit")
    if key:
        unit = _unit(key)
        if not request.user.is_superuser and not visible_units(request.user).filter(
                pk=unit.pk).exists():
            raise NotFound(_("Không tìm thấy đơn vị."))
        return [unit]
    return selectors.report_roots(request.user)


YEAR_UNIT = [OpenApiParameter("year", int), OpenApiParameter("unit", str, description=
                                                              gettext_lazy("Ví dụ 2025:30280."))]


@extend_schema(tags=[TAG])
class MonthlyCountsView(APIView):
    @extend_schema(summary=gettext_lazy("Số việc hộ tịch theo xã và tháng"), parameters=YEAR_UNIT,
                   responses={200: MonthlyRowSerializer(many=True), 400: ERROR_400})
    def get(self, request):
        year = _year(request, timezone.localdate().year)
        rows = selectors.monthly_counts(_report_units(request), year)
        return Response(MonthlyRowSerializer(rows, many=True).data)


@extend_schema(tags=[TAG])
class EvidenceView(APIView):
    @extend_schema(summary=gettext_lazy("Minh chứng kiểm tra theo sổ: số mục, số bị thiếu, sổ "
                                        "chưa khóa, cải chính"),
                   parameters=YEAR_UNIT,
                   responses={200: EvidenceSerializer(many=True), 400: ERROR_400})
    def get(self, request):
        year = _year(request, timezone.localdate().year - 1)
        rows = selectors.book_evidence(_report_units(request), year)
        return Response(EvidenceSerializer([row.as_dict() for row in rows], many=True).data)

