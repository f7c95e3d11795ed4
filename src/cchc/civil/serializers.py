"""Serializers of the civil-status API. Input serializers check the shape only (types,
choices); the rules are the services'. Output hides full ID numbers from users who are not
the civil-status officers of the entry's unit (``context["officer_ids"]``)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cchc.org.models import Agency

from . import rules, selectors
from .models import (
    EntryKind,
    EventType,
    ExtractCopy,
    MarginalNote,
    NoteKind,
    RegisterBook,
    RegisterEntry,
)

ID_COLUMNS = ("id_number", "partner_id_number", "father_id_number", "mother_id_number",
              "declarant_id_number")


class ErrorSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CivilError"

    code = serializers.CharField(help_text=_("Mã lỗi ổn định cho máy đọc."))
    detail = serializers.CharField(help_text=_("Thông báo tiếng Việt cho người đọc."))
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   required=False, help_text=_("Lỗi theo từng trường."))


class UnitRefSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Thời kỳ:mã, ví dụ 2025:30280."))
    name = serializers.CharField()
    era = serializers.CharField()


class BookSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    title = serializers.CharField()
    entries = serializers.IntegerField(source="entry_count")
    closed_by = serializers.SerializerMethodField()

    class Meta:
        model = RegisterBook
        fields = ["id", "unit", "event_type", "title", "year", "volume", "first_number",
                  "last_number", "entries", "opened_at", "closed_at", "closed_by",
                  "closed_full", "total_entries", "total_pages"]

    def get_closed_by(self, book) -> str | None:
        return book.closed_by.get_full_name() if book.closed_by_id else None


class BookCloseSerializer(serializers.Serializer):
    total_pages = serializers.IntegerField(required=False, allow_null=True, min_value=0,
                                           help_text=_("Số trang của sổ giấy, nếu khác số trang "
                                                       "in của hệ thống."))
    volume_full = serializers.BooleanField(required=False, default=False,
                                           help_text=_("Khóa trước cuối năm vì hết sổ."))


class NoteSerializer(serializers.ModelSerializer):
    dossier = serializers.CharField(source="dossier.code", default=None)
    registered_by = serializers.SerializerMethodField()

    class Meta:
        model = MarginalNote
        fields = ["id", "kind", "text", "changes", "basis", "dossier", "registered_at",
                  "registered_by"]

    def get_registered_by(self, note) -> str | None:
        return note.registered_by.get_full_name() if note.registered_by_id else None

    def to_representation(self, note):
        data = super().to_representation(note)
        if not self.context.get("ids_visible", True):
            data["changes"] = {
                column: ({k: rules.mask_id(v or "") for k, v in change.items()}
                         if column in ID_COLUMNS else change)
                for column, change in (note.changes or {}).items()}
        return data


class EntrySummarySerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    book = serializers.IntegerField(source="book_id")
    volume = serializers.CharField(source="book.volume")
    dossier = serializers.CharField(source="dossier.code", default=None)

    class Meta:
        model = RegisterEntry
        fields = ["id", "event_type", "unit", "book", "volume", "number", "registered_at",
                  "kind", "dossier", "full_name", "birth_date", "id_number",
                  "partner_full_name", "partner_birth_date", "partner_id_number"]

    def to_representation(self, entry):
        data = super().to_representation(entry)
        if entry.unit_id not in self.context.get("officer_ids", set()):
            for column in ID_COLUMNS:
                if column in data:
                    data[column] = rules.mask_id(data[column] or "")
        return data


class EntryDetailSerializer(EntrySummarySerializer):
    imported = serializers.BooleanField()
    current = serializers.SerializerMethodField(
        help_text=_("Nội dung hiện tại (đã áp dụng các ghi chú thay đổi, cải chính, bổ sung)."))
    notes = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta(EntrySummarySerializer.Meta):
        fields = [*EntrySummarySerializer.Meta.fields, "imported", "original_registered_on",
                  "note", "sex", "birth_place", "hometown", "ethnicity", "nationality",
                  "residence", "partner_ethnicity", "partner_nationality", "partner_residence",
                  "father_name", "father_birth_year", "father_ethnicity", "father_nationality",
                  "father_residence", "father_id_number", "mother_name", "mother_birth_year",
                  "mother_ethnicity", "mother_nationality", "mother_residence",
                  "mother_id_number", "death_date", "death_time", "death_place", "death_cause",
                  "declarant_name", "declarant_id_number", "declarant_relationship", "current",
                  "notes", "documents"]

    def _visible(self, entry) -> bool:
        return entry.unit_id in self.context.get("officer_ids", set())

    def get_current(self, entry) -> dict:
        facts = selectors.current_facts(entry, self._notes(entry))
        shown = {}
        for column in self.Meta.fields:
            if column in facts and column not in ("unit", "book", "dossier", "id"):
                value = facts[column]
                if column in ID_COLUMNS and not self._visible(entry):
                    value = rules.mask_id(value or "")
                shown[column] = value.isoformat() if hasattr(value, "isoformat") else value
        return shown

    def _notes(self, entry):
        cache = self.context.setdefault("_notes", {})
        if entry.pk not in cache:
            cache[entry.pk] = selectors.notes_of(entry)
        return cache[entry.pk]

    def get_notes(self, entry) -> list[dict]:
        return NoteSerializer(self._notes(entry), many=True,
                              context={"ids_visible": self._visible(entry)}).data

    def get_documents(self, entry) -> dict:
        request = self.context.get("request")
        if not self._visible(entry) or request is None:
            return {}
        from django.urls import reverse

        return {kind: request.build_absolute_uri(reverse("api-civil-entry-pdf",
                                                         args=[entry.pk, kind]))
                for kind in ("extract", "certificate")}


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AgencyCodeField(serializers.CharField):
    default_error_messages = {"unknown": _("Không có cơ quan mã “{code}”.")}

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        agency = Agency.objects.select_related("unit").filter(code=code).first()
        if agency is None:
            self.fail("unknown", code=code)
        return agency


class RegistrationSerializer(serializers.Serializer):
    event_type = serializers.ChoiceField(choices=EventType.choices)
    agency = AgencyCodeField(required=False, help_text=_(
        "Mã định danh của bộ phận tiếp nhận; bỏ trống thì dùng bộ phận của đơn vị (unit)."))
    unit = serializers.CharField(required=False, help_text=_("Đơn vị đăng ký, ví dụ 2025:30280."))
    kind = serializers.ChoiceField(choices=EntryKind.choices, required=False, allow_blank=True,
                                   help_text=_("Bỏ trống: xác định theo ngày (đúng hạn/quá hạn)."))
    procedure = serializers.CharField(required=False, allow_blank=True,
                                      help_text=_("Mã thủ tục; bỏ trống: theo loại việc."))
    data = serializers.DictField(help_text=_(
        "Thông tin đăng ký theo loại việc: khai sinh {child, father, mother, declarant}; kết hôn "
        "{husband, wife}; khai tử {deceased, death, declarant}; và original_registered_on, "
        "note."))
    applicant = ApplicantSerializer(required=False, help_text=_(
        "Người nộp hồ sơ; bỏ trống: người đi đăng ký (kết hôn: bên nam)."))

    def validate(self, attrs):
        if not attrs.get("agency") and not attrs.get("unit"):
            raise serializers.ValidationError({"unit": [_("Cần đơn vị (unit) hoặc bộ phận "
                                                          "tiếp nhận (agency).")]})
        return attrs


class DeskRegistrationSerializer(RegistrationSerializer):
    agency = AgencyCodeField(help_text=_("Mã định danh của bộ phận tiếp nhận."))
    unit = None

    def validate(self, attrs):
        return attrs


class NoteInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    changes = serializers.DictField(required=False, default=dict, help_text=_(
        "Thông tin thay đổi: {\"child.full_name\": \"Nguyễn Thị Bảo Ngân\"} (tên trường như khi "
        "đăng ký)."))
    text = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    basis = serializers.CharField(required=False, allow_blank=True, max_length=300)
    agency = AgencyCodeField(required=False)
    applicant = ApplicantSerializer(required=False)


class CopyInputSerializer(serializers.Serializer):
    applicant = ApplicantSerializer()
    copies = serializers.IntegerField(min_value=1, max_value=20, default=1)
    agency = AgencyCodeField(required=False)


class CopySerializer(serializers.ModelSerializer):
    dossier = serializers.CharField(source="dossier.code")
    entry = serializers.IntegerField(source="entry_id")
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = ExtractCopy
        fields = ["id", "entry", "dossier", "copies", "issued_at", "pdf"]

    def get_pdf(self, copy) -> str:
        from django.urls import reverse

        url = reverse("api-civil-copy-pdf", args=[copy.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class CivilRequestSerializer(serializers.Serializer):
    dossier = serializers.CharField(source="dossier.code")
    dossier_status = serializers.IntegerField(source="dossier.status")
    purpose = serializers.CharField()
    event_type = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    error = serializers.CharField()


class MonthlyRowSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    month = serializers.IntegerField()
    birth = serializers.IntegerField()
    marriage = serializers.IntegerField()
    death = serializers.IntegerField()
    total = serializers.IntegerField()


class EvidenceSerializer(serializers.Serializer):
    book = serializers.IntegerField()
    unit = serializers.CharField()
    unit_name = serializers.CharField()
    event_type = serializers.CharField()
    year = serializers.IntegerField()
    volume = serializers.CharField()
    entries = serializers.IntegerField()
    first_number = serializers.IntegerField(allow_null=True)
    last_number = serializers.IntegerField(allow_null=True)
    gaps = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    closed = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    total_entries = serializers.IntegerField(allow_null=True)
    total_pages = serializers.IntegerField(allow_null=True)
    unclosed_past = serializers.BooleanField()
    corrections = serializers.IntegerField()
    notes_by_kind = serializers.DictField(child=serializers.IntegerField())
    clean = serializers.BooleanField()
