"""Request and response shapes of the one-stop REST API (``api.py``).

Choice fields whose names other apps also use (status, channel, level, action, role,
result) are documented as plain integers/strings with their values in the description:
drf-spectacular names enums after the field, and a second ``status`` choice set would make
the names of every app's enums collide.
"""

import json
import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from cchc.core.privacy import applicant_contact
from cchc.i18n import translated
from cchc.org.models import Role, agency_code_validator
from cchc.org.selectors import agency_with_unit
from cchc.workcal.api import ExplanationOutSerializer

from . import selectors, services
from .models import Channel, Rating, Status, Timeliness
from .uploads import MAX_FILES

STATUS_HELP = _("Mã trạng thái của Cổng dịch vụ công quốc gia: 1 Mới đăng ký, 2 Được tiếp nhận, "
                "3 Không được tiếp nhận, 4 Đang xử lý, 5 Yêu cầu bổ sung giấy tờ, 6 Yêu cầu thực "
                "hiện nghĩa vụ tài chính, 7 Công dân yêu cầu rút hồ sơ, 8 Dừng xử lý, 9 Đã xử lý "
                "xong, 10 Đã trả kết quả.")
CHANNEL_HELP = _("Kênh nộp: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích.")
ROLE_HELP = _("Vai trò: desk_officer (cán bộ một cửa), specialist (chuyên viên), leader (lãnh "
              "đạo); rỗng khi hồ sơ không còn ở bước nào.")
STEP_RESULT_HELP = _("Kết quả của bước: early (trước hạn), on_time (đúng hạn), late (quá hạn); "
                     "rỗng khi bước chưa xong.")
LEVEL_HELP = _("Mức độ hài lòng: very_satisfied (rất hài lòng), satisfied (hài lòng), "
               "dissatisfied (không hài lòng).")
ACTION_HELP = _(
    "Thao tác: accept, refuse (reason), transfer (note), send_back (reason), request_supplement "
    "(reason, documents), receive_supplement (note), request_financial (amount, note), "
    "receive_financial (note), approve (result), stop (reason), withdraw (reason), "
    "return_result (note), apologize (reason, new_due_at)."
)
DOSSIER_CODE = re.compile(r"^[0-9A-Za-z.\-]{1,25}$")


@extend_schema_field(OpenApiTypes.INT)
class IntChoiceField(serializers.ChoiceField):
    """A choice of integers, documented without a named enum (see the module docstring)."""


@extend_schema_field(OpenApiTypes.STR)
class StrChoiceField(serializers.ChoiceField):
    """A choice of strings, documented without a named enum (see the module docstring)."""


def flat_errors(errors, prefix: str = "") -> dict:
    """DRF's nested errors as one level of dotted keys (``applicant.name``, ``documents.0``),
    the shape the services use, so that a client reads every 400 the same way."""
    flat: dict = {}

    def merge(more):
        for key, messages in more.items():
            flat.setdefault(key, []).extend(messages)

    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == "non_field_errors" and prefix:
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            merge(flat_errors(value, name))
    elif isinstance(errors, list) and any(isinstance(e, dict | list) for e in errors):
        for index, value in enumerate(errors):
            if value:
                merge(flat_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        messages = errors if isinstance(errors, list) else [errors]
        merge({prefix or "non_field_errors": [str(m) for m in messages]})
    return flat


def validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    if not serializer.is_valid():
        raise serializers.ValidationError(flat_errors(serializer.errors))
    return serializer.validated_data


class AgencyCodeField(serializers.CharField):
    """An agency by its 13-character e-ID code (mã định danh)."""

    default_error_messages = {"unknown": _("Không có cơ quan mã “{code}”.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Mã định danh cơ quan (13 ký tự), ví dụ 000.10.50.H20."))
        super().__init__(max_length=13, **kwargs)
        self.validators.append(agency_code_validator)

    def run_validators(self, value):
        """Length and format are checked on the code in ``to_internal_value``."""

    def to_internal_value(self, data):
        code = super().to_internal_value(data).strip().upper()
        if len(code) > 13:
            self.fail("max_length", max_length=13)
        agency_code_validator(code)
        agency = agency_with_unit(code)
        if agency is None:
            self.fail("unknown", code=code)
        return agency


# -- common output pieces -----------------------------------------------------------------


class DossierAgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DossierProcedureSerializer(serializers.Serializer):
    code = serializers.CharField(source="procedure.code", help_text=_("Mã thủ tục tại địa phương."))
    base_code = serializers.CharField(source="procedure.base_code")
    name = serializers.CharField(help_text=_("Tên thủ tục theo phiên bản áp dụng cho hồ sơ."))
    version = serializers.IntegerField(source="number",
                                       help_text=_("Phiên bản thủ tục có hiệu lực khi tiếp nhận."))


class DossierUserSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")


class DossierApplicantSerializer(serializers.Serializer):
    """The applicant. Checked by the service (``services.Applicant``); errors name
    ``applicant.<field>``."""

    name = serializers.CharField(help_text=_("Họ và tên (bắt buộc, tối đa 200 ký tự)."))
    id_number = serializers.CharField(required=False, allow_blank=True,
                                      help_text=_("Số định danh cá nhân: 12 chữ số."))
    phone = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True,
                                    help_text=_("Tối đa 300 ký tự."))

    def to_representation(self, dossier):
        return applicant_representation(dossier, self.context)


def applicant_representation(dossier, context) -> dict:
    contact = {"id_number": dossier.applicant_id_number, "phone": dossier.applicant_phone,
               "email": dossier.applicant_email, "address": dossier.applicant_address}
    request = context.get("request")
    rights = context.get("actor_rights")  # read by the service already (intake)
    if request is not None and not (rights is not None and rights.handles(dossier.unit_id)):
        # Masked for those who see the dossier but do not handle it (Nghị định 13/2023).
        contact = applicant_contact(request.user, dossier.unit_id, **contact)
        contact.pop("masked")
    return {"name": dossier.applicant_name, **contact}


class DossierApplicantInputSerializer(DossierApplicantSerializer):
    # Presence and format are the service's to check, with its own messages.
    name = serializers.CharField(required=False, allow_blank=True,
                                 help_text=_("Họ và tên (bắt buộc, tối đa 200 ký tự)."))

    def get_value(self, dictionary):
        # In a form (multipart): "applicant.name", ... or one "applicant" field holding JSON.
        if html.is_html_input(dictionary) and isinstance(dictionary.get(self.field_name), str):
            try:
                return json.loads(dictionary[self.field_name])
            except ValueError:
                return dictionary[self.field_name]
        return super().get_value(dictionary)


class DossierStepBriefSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    agency = DossierAgencySerializer()
    role = serializers.CharField(help_text=ROLE_HELP)
    role_label = serializers.CharField(source="get_role_display")
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()


class DossierActionRefSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()


class DossierApologySerializer(serializers.Serializer):
    issued_at = serializers.DateTimeField(source="apology_issued_at")
    reason = serializers.CharField(source="apology_reason")
    new_due_at = serializers.DateTimeField(source="apology_new_due_at")


# -- dossiers -----------------------------------------------------------------------------


class DossierSummarySerializer(serializers.Serializer):
    """One line of a list. ``timeliness`` is measured now for an open dossier."""

    code = serializers.CharField(help_text=_("Mã hồ sơ: <mã nơi tiếp nhận>-<YYMMDD>-<số thứ tự>."))
    status = serializers.IntegerField(help_text=STATUS_HELP)
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.IntegerField(help_text=CHANNEL_HELP)
    procedure = DossierProcedureSerializer(source="procedure_version")
    applicant_name = serializers.CharField()
    receiving_agency = DossierAgencySerializer()
    current_agency = DossierAgencySerializer(allow_null=True)
    current_role = serializers.CharField(help_text=ROLE_HELP)
    submitted_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text=_("Hạn giải quyết theo luật."))
    promised_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Ngày hẹn trả công dân đang giữ: ngày hẹn lại nếu đã có văn "
                                     "bản xin lỗi, nếu không thì hạn giải quyết."))
    timeliness = serializers.SerializerMethodField()
    timeliness_label = serializers.SerializerMethodField()
    version = serializers.IntegerField(
        help_text=_("Số phiên bản: gửi lại trong thao tác để phát hiện người khác vừa xử lý."))

    def _timeliness(self, dossier) -> str:
        cache = self.context.setdefault("_timeliness", {})
        if dossier.pk not in cache:
            cache[dossier.pk] = services.open_timeliness(dossier, self.context.get("now"))
        return cache[dossier.pk]

    @extend_schema_field(serializers.ChoiceField(choices=Timeliness.choices, allow_blank=True))
    def get_timeliness(self, dossier) -> str:
        return self._timeliness(dossier)

    def get_timeliness_label(self, dossier) -> str:
        value = self._timeliness(dossier)
        return translated(Timeliness(value).label) if value else ""

    # The answers below are written out by hand: DRF builds (deep-copies) every declared
    # field, nested serializers included, for each serializer it instantiates, which cost
    # about a sixth of an intake's CPU (bench/README.md, intake). The declared fields still
    # document the schema, and tests/onestop/api/test_representation.py checks that both
    # give the same answer; a field added above must be added here too.
    def to_representation(self, dossier):
        version = dossier.procedure_version
        timeliness = self._timeliness(dossier)
        return {
            "code": dossier.code,
            "status": int(dossier.status),
            # The enums' labels: ``get_FOO_display`` builds the field's choices dict on every
            # call (a tenth of the intake's answer).
            "status_label": translated(Status(dossier.status).label),
            "channel": int(dossier.channel),
            "procedure": {"code": version.procedure.code, "base_code": version.procedure.base_code,
                          "name": version.name, "version": int(version.number)},
            "applicant_name": dossier.applicant_name,
            "receiving_agency": _agency(dossier.receiving_agency),
            "current_agency": _agency(dossier.current_agency),
            "current_role": str(dossier.current_role),
            "submitted_at": _datetime(dossier.submitted_at),
            "received_at": _datetime(dossier.received_at),
            "due_at": _datetime(dossier.due_at),
            "promised_at": _datetime(dossier.promised_at),
            "timeliness": timeliness,
            "timeliness_label": translated(Timeliness(timeliness).label) if timeliness else "",
            "version": int(dossier.version),
        }


class DossierDetailSerializer(DossierSummarySerializer):
    channel_label = serializers.CharField(source="get_channel_display")
    applicant = DossierApplicantSerializer(source="*")
    request = serializers.CharField()
    sets = serializers.IntegerField()
    legal_days = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False,
                                          help_text=_("Thời hạn giải quyết, ngày làm việc."))
    due_explanation = serializers.SerializerMethodField()
    apology = serializers.SerializerMethodField()
    supplement_count = serializers.IntegerField()
    paused_since = serializers.DateTimeField(
        allow_null=True, help_text=_("Đang tạm dừng tính thời gian (chờ bổ sung) từ lúc này."))
    paused_seconds = serializers.IntegerField(help_text=_("Tổng thời gian làm việc đã tạm dừng."))
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    result_note = serializers.CharField()
    current_step = DossierStepBriefSerializer(allow_null=True)
    available_actions = serializers.SerializerMethodField()
    supplement_warning = serializers.SerializerMethodField()
    imported = serializers.BooleanField()

    @extend_schema_field(ExplanationOutSerializer(allow_null=True))
    def get_due_explanation(self, dossier):
        return dossier.due_explanation or None

    @extend_schema_field(DossierApologySerializer(allow_null=True))
    def get_apology(self, dossier):
        if dossier.apology_issued_at is None:
            return None
        return DossierApologySerializer(dossier).data

    @extend_schema_field(DossierActionRefSerializer(many=True))
    def get_available_actions(self, dossier):
        request = self.context.get("request")
        if request is None:
            return []
        rights = self.context.get("actor_rights")
        roles = rights.roles if rights is not None else None
        return [{"action": t.action, "label": translated(t.label)}
                for t in selectors.available_actions(request.user, dossier, roles)]

    def get_supplement_warning(self, dossier) -> str:
        """Shown before a second supplement request: it makes the dossier late (QĐ 766)."""
        return services.supplement_warning(dossier) if dossier.is_open else ""

    def to_representation(self, dossier):
        step = dossier.current_step
        return {
            **super().to_representation(dossier),
            "channel_label": translated(Channel(dossier.channel).label),
            "applicant": applicant_representation(dossier, self.context),
            "request": str(dossier.request),
            "sets": int(dossier.sets),
            "legal_days": _LEGAL_DAYS.to_representation(dossier.legal_days),
            "due_explanation": self.get_due_explanation(dossier),
            "apology": self.get_apology(dossier),
            "supplement_count": int(dossier.supplement_count),
            "paused_since": _datetime(dossier.paused_since),
            "paused_seconds": int(dossier.paused_seconds),
            "finished_at": _datetime(dossier.finished_at),
            "returned_at": _datetime(dossier.returned_at),
            "result_note": str(dossier.result_note),
            "current_step": None if step is None else {
                "position": int(step.position), "name": str(step.name), "agency": _agency(step.agency),
                "role": str(step.role), "role_label": _role_label(step.role),
                "started_at": _datetime(step.started_at), "due_at": _datetime(step.due_at)},
            "available_actions": self.get_available_actions(dossier),
            "supplement_warning": self.get_supplement_warning(dossier),
            "imported": bool(dossier.imported),
        }


# What the declared fields of the hand-written answers do with a value (unbound fields: they
# read no context).
_DATETIME = serializers.DateTimeField()
_LEGAL_DAYS = DossierDetailSerializer._declared_fields["legal_days"]


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


def _role_label(role) -> str:
    """``get_role_display()`` without building the choices dict on every call."""
    return translated(Role(role).label) if role in Role.values else str(role)


def _agency(agency):
    return None if agency is None else {"code": str(agency.code), "name": str(agency.name)}


class DossierReceiveSerializer(serializers.Serializer):
    agency = AgencyCodeField(help_text=_("Mã định danh nơi tiếp nhận (bộ phận một cửa hoặc trung "
                                         "tâm phục vụ hành chính công)."))
    procedure = serializers.CharField(max_length=40, help_text=_(
        "Mã thủ tục tại địa phương (1.001193.000.10.51.H20) hoặc mã thủ tục (1.001193)."))
    channel = IntChoiceField(choices=[(Channel.DIRECT.value, Channel.DIRECT.label),
                                      (Channel.POSTAL.value, Channel.POSTAL.label)],
                             default=Channel.DIRECT.value,
                             help_text=_("1 trực tiếp, 3 bưu chính công ích (hồ sơ trực tuyến do "
                                         "công dân nộp qua /api/v1/public/dossiers/)."))
    applicant = DossierApplicantInputSerializer()
    request = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="",
                                    help_text=_("Nội dung yêu cầu; để trống thì lấy tên thủ tục."))
    sets = serializers.IntegerField(min_value=1, max_value=20, default=1,
                                    help_text=_("Số bộ hồ sơ."))

    @classmethod
    def plain_input(cls, data) -> dict | None:
        """What ``validated(cls, data)`` returns, for a well-formed JSON body without anything
        DRF would have to reject or coerce; None for anything else, which then goes through
        DRF for its errors and coercions. The intake skips building the serializer's fields
        (DRF deep-copies them for every instance: a tenth of an intake's CPU, bench/README.md).
        tests/onestop/api/test_plain_input.py checks both give the same on valid and invalid
        bodies."""
        if type(data) is not dict:
            return None
        agency, procedure, applicant = data.get("agency"), data.get("procedure"), data.get("applicant")
        channel, sets, request = data.get("channel", 1), data.get("sets", 1), data.get("request", "")
        if not (_plain(agency) and _plain(procedure) and _plain(request) and type(applicant) is dict
                and type(channel) is int and channel in RECEPTION_CHANNELS
                and type(sets) is int and 1 <= sets <= 20):
            return None
        procedure, request = procedure.strip(), request.strip()
        if not procedure or len(procedure) > 40 or len(request) > 4000:
            return None
        contact = {}
        for key in APPLICANT_KEYS:
            if key in applicant:
                if not _plain(applicant[key]):
                    return None
                contact[key] = applicant[key].strip()
        code = agency.strip().upper()
        if not AGENCY_CODE.match(code):
            return None
        agency = agency_with_unit(code)
        if agency is None:
            return None
        return {"agency": agency, "procedure": procedure, "channel": channel,
                "applicant": contact, "request": request, "sets": sets}


RECEPTION_CHANNELS = (Channel.DIRECT.value, Channel.POSTAL.value)
APPLICANT_KEYS = ("name", "id_number", "phone", "email", "address")
AGENCY_CODE = re.compile(agency_code_validator.regex.pattern)
# What DRF's CharField refuses (null characters, surrogates) or coerces (numbers).
_NOT_PLAIN = re.compile("[\x00\ud800-\udfff]")


def _plain(value) -> bool:
    return type(value) is str and not _NOT_PLAIN.search(value)


class DossierListQuerySerializer(serializers.Serializer):
    queue = serializers.ChoiceField(
        choices=selectors.QUEUES, required=False,
        help_text=_("Hàng đợi: mine (đang ở bước của tôi), due_soon (còn dưới 1 ngày làm việc), "
                    "overdue (quá hạn), supplement (chờ bổ sung), all (mọi hồ sơ đang xử lý). "
                    "Bỏ trống: mọi hồ sơ trong phạm vi, kể cả đã xong."))
    status = serializers.CharField(required=False, max_length=60, help_text=_(
        "Một hoặc nhiều mã trạng thái 1-10, cách nhau bằng dấu phẩy, ví dụ 2,4,5."))
    procedure = serializers.CharField(required=False, max_length=40,
                                      help_text=_("Mã thủ tục tại địa phương hoặc mã thủ tục."))
    agency = serializers.CharField(required=False, help_text=_(
        "Mã định danh cơ quan: nơi tiếp nhận hoặc cơ quan đang xử lý hồ sơ."))
    received_from = serializers.DateField(required=False,
                                          help_text=_("Tiếp nhận từ ngày (YYYY-MM-DD)."))
    received_to = serializers.DateField(required=False,
                                        help_text=_("Tiếp nhận đến hết ngày (YYYY-MM-DD)."))
    timeliness = serializers.CharField(required=False, max_length=80, help_text=_(
        "Một hoặc nhiều giá trị cách nhau bằng dấu phẩy: early, on_time, late (hồ sơ đã xong); "
        "within, due_soon, overdue, paused (hồ sơ đang xử lý, tính tại thời điểm gọi)."))
    code = serializers.CharField(required=False, max_length=25,
                                 help_text=_("Phần đầu của mã hồ sơ, ví dụ 000.10.50.H20-2604."))
    ordering = serializers.ChoiceField(
        choices=["due", "-due", "received", "-received"], required=False, default="due",
        help_text=_("Sắp xếp: due (hạn gần nhất trước, mặc định), -due, received, -received."))

    def validate_status(self, value):
        values = []
        for part in value.split(","):
            part = part.strip()
            if not part.isdigit() or not 1 <= int(part) <= 10:
                raise serializers.ValidationError(
                    _("Mã trạng thái phải là số từ 1 đến 10, cách nhau bằng dấu phẩy."))
            values.append(int(part))
        return values

    def validate_timeliness(self, value):
        values = [part.strip() for part in value.split(",")]
        wrong = [v for v in values if v not in Timeliness.values]
        if wrong:
            raise serializers.ValidationError(
                _("Giá trị không hợp lệ: %(wrong)s. Dùng: %(values)s.")
                % {"wrong": ", ".join(wrong)[:80], "values": ", ".join(Timeliness.values)})
        return values

    def validate_agency(self, value):
        value = value.strip().upper()
        agency_code_validator(value)
        return value

    def validate_code(self, value):
        value = value.strip().upper()
        if not DOSSIER_CODE.match(value):
            raise serializers.ValidationError(_("Mã hồ sơ chỉ gồm chữ số, chữ cái, dấu chấm và "
                                                "dấu gạch ngang."))
        return value

    def _check_year(self, value, field):
        if not 1900 <= value.year <= 2100:
            raise serializers.ValidationError({field: [_("Ngày phải trong khoảng năm 1900-2100.")]})

    def validate(self, attrs):
        start, end = attrs.get("received_from"), attrs.get("received_to")
        if start:
            self._check_year(start, "received_from")
        if end:
            self._check_year(end, "received_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"received_to": [_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")]})
        return attrs


class DossierActionSerializer(serializers.Serializer):
    """An action and its parameters; a parameter the action does not take is refused (400)."""

    action = StrChoiceField(choices=sorted(services.ACTIONS), help_text=ACTION_HELP)
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1,
        help_text=_("Phiên bản hồ sơ đã đọc; khác phiên bản hiện tại thì trả 409 stale_version."))
    reason = serializers.CharField(required=False, max_length=2000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    documents = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=50,
        help_text=_("Tên các giấy tờ cần bổ sung (yêu cầu bổ sung)."))
    amount = serializers.IntegerField(required=False, min_value=0, max_value=10**12,
                                      help_text=_("Số tiền phải nộp, đồng."))
    result = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                   help_text=_("Kết quả giải quyết (phê duyệt)."))
    new_due_at = serializers.DateTimeField(
        required=False, help_text=_("Ngày giờ hẹn trả mới (xin lỗi), ISO 8601; không ghi múi "
                                    "giờ thì là giờ Việt Nam."))


class DossierEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    actor = DossierUserSerializer(allow_null=True)
    status_before = serializers.IntegerField(allow_null=True, help_text=STATUS_HELP)
    status_before_label = serializers.SerializerMethodField()
    status_after = serializers.IntegerField(help_text=STATUS_HELP)
    status_after_label = serializers.CharField(source="get_status_after_display")
    note = serializers.CharField()
    data = serializers.JSONField(help_text=_("Dữ liệu của thao tác (bước chuyển đến, giấy tờ "
                                             "cần bổ sung, số tiền, ngày hẹn mới...)."))

    EXTRA_LABELS = {
        "receive": _("Tiếp nhận hồ sơ"),
        "submit": _("Nộp hồ sơ trực tuyến"),
        "rate": _("Đánh giá mức độ hài lòng"),
    }

    def get_action_label(self, event) -> str:
        from .transitions import TRANSITIONS

        transition = TRANSITIONS.get(event.action)
        label = transition.label if transition else self.EXTRA_LABELS.get(event.action, event.action)
        return str(label)

    def get_status_before_label(self, event) -> str:
        return translated(Status(event.status_before).label) if event.status_before else ""


class DossierStepSerializer(serializers.Serializer):
    """One line of the control sheet (form 06)."""

    position = serializers.IntegerField()
    name = serializers.CharField()
    agency = DossierAgencySerializer()
    role = serializers.CharField(help_text=ROLE_HELP)
    role_label = serializers.CharField(source="get_role_display")
    budget_seconds = serializers.IntegerField(help_text=_("Thời gian được giao, giây làm việc."))
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    result = serializers.CharField(help_text=STEP_RESULT_HELP)
    result_label = serializers.CharField(source="get_result_display")
    received_by = DossierUserSerializer(allow_null=True)
    handed_by = DossierUserSerializer(allow_null=True)
    note = serializers.CharField()


class DossierHistorySerializer(serializers.Serializer):
    code = serializers.CharField()
    events = DossierEventSerializer(many=True)
    steps = DossierStepSerializer(many=True)


# -- public -------------------------------------------------------------------------------


class PublicDossierStepSerializer(serializers.Serializer):
    name = serializers.CharField()
    finished_at = serializers.DateTimeField()


class PublicDossierSerializer(serializers.Serializer):
    """What anyone holding the code sees: initials only; no ID number, phone or address."""

    code = serializers.CharField()
    procedure = serializers.CharField(help_text=_("Tên thủ tục."))
    status = serializers.IntegerField(help_text=STATUS_HELP)
    status_label = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    new_due_at = serializers.DateTimeField(allow_null=True,
                                           help_text=_("Ngày hẹn lại (nếu có văn bản xin lỗi)."))
    result_ready = serializers.BooleanField()
    returned_at = serializers.DateTimeField(allow_null=True)
    applicant_initials = serializers.CharField()
    steps_done = PublicDossierStepSerializer(many=True)
    can_rate = serializers.BooleanField()

    # By hand, as the dossier answers above (the public lookup is the most frequent request);
    # tests/onestop/api/test_representation.py checks it against the declared fields.
    def to_representation(self, public):
        return {
            "code": str(public.code),
            "procedure": str(public.procedure),
            "status": int(public.status),
            "status_label": str(public.status_label),
            "received_at": _datetime(public.received_at),
            "due_at": _datetime(public.due_at),
            "new_due_at": _datetime(public.new_due_at),
            "result_ready": bool(public.result_ready),
            "returned_at": _datetime(public.returned_at),
            "applicant_initials": str(public.applicant_initials),
            "steps_done": [{"name": str(step["name"]), "finished_at": _datetime(step["finished_at"])}
                           for step in public.steps_done],
            "can_rate": bool(public.can_rate),
        }


class PublicDossierSubmitSerializer(serializers.Serializer):
    agency = AgencyCodeField(help_text=_("Mã định danh nơi tiếp nhận hồ sơ."))
    procedure = serializers.CharField(max_length=40, help_text=_(
        "Mã thủ tục tại địa phương hoặc mã thủ tục."))
    applicant = DossierApplicantInputSerializer(help_text=_(
        "Trong multipart/form-data gửi từng trường: applicant.name, applicant.phone, ..."))
    request = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class PublicDossierSubmitMultipartSerializer(PublicDossierSubmitSerializer):
    documents = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_FILES,
        help_text=_("Tệp giấy tờ: PDF, JPEG hoặc PNG, tối đa 10 MB mỗi tệp, %(n)s tệp.")
        % {"n": MAX_FILES})
    document_names = serializers.ListField(
        child=serializers.CharField(max_length=300, allow_blank=True), required=False,
        max_length=MAX_FILES, help_text=_("Tên giấy tờ, theo thứ tự các tệp (không bắt buộc)."))


class PublicDossierDocumentSerializer(serializers.Serializer):
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class PublicDossierSubmissionSerializer(PublicDossierSerializer):
    documents = PublicDossierDocumentSerializer(many=True)


class DossierRatingInputSerializer(serializers.Serializer):
    level = StrChoiceField(choices=Rating.Level.choices, help_text=LEVEL_HELP)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DossierRatingSerializer(serializers.Serializer):
    code = serializers.CharField(source="dossier.code")
    level = serializers.CharField(help_text=LEVEL_HELP)
    level_label = serializers.CharField(source="get_level_display")
    comment = serializers.CharField()
    at = serializers.DateTimeField()


class OnestopErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Mã lỗi ổn định cho máy đọc."))
    detail = serializers.CharField(help_text=_("Thông báo tiếng Việt cho người đọc."))
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   required=False, help_text=_("Lỗi theo từng trường."))
    retry_after_seconds = serializers.IntegerField(required=False,
                                                   help_text=_("Với 429: số giây nên chờ."))

