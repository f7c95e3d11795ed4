"""Forms of the one-stop pages. They check the shape of the input and give Vietnamese
field errors; the rules themselves (transitions, applicant, dates) live in the services,
whose ``InvalidInput.fields`` are mapped back onto these fields by ``apply_domain_error``."""

import datetime

from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.catalog.selectors import MAX_SEARCH_LENGTH

from . import uploads
from .models import OPEN_STATUSES, Channel, Rating

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%H:%M %d/%m/%Y", "%d/%m/%Y %H:%M"]
ALL = [("", _("Tất cả"))]

# Service field names (``InvalidInput.fields``) -> form field names.
SERVICE_FIELDS = {
    "applicant.name": "applicant_name",
    "applicant.id_number": "applicant_id_number",
    "applicant.phone": "applicant_phone",
    "applicant.email": "applicant_email",
    "applicant.address": "applicant_address",
    "applicant": "applicant_name",
}


def apply_domain_error(form, exc) -> None:
    """Put a ``DomainError`` on the form: per-field messages where the form has the field,
    the general message otherwise."""
    placed = False
    for name, errors in (exc.fields or {}).items():
        field = SERVICE_FIELDS.get(name, name)
        messages = errors if isinstance(errors, list | tuple) else [errors]
        if field in form.fields:
            for message in messages:
                form.add_error(field, str(message))
            placed = True
    form.add_error(None, str(exc.message))
    return placed


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content (PDF, JPEG, PNG)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > uploads.MAX_FILES:
            raise forms.ValidationError(_("Tối đa %(n)s tệp.") % {"n": uploads.MAX_FILES})
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        errors = []
        for upload in cleaned:
            try:
                uploads.validate_upload(upload)
            except Exception as exc:  # InvalidInput: its message names the file
                errors.append(str(getattr(exc, "message", exc)))
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


def _text(label, *, required=False, max_length=2000, rows=2, help_text=""):
    return forms.CharField(label=label, required=required, max_length=max_length,
                           help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}))


# -- queues -----------------------------------------------------------------------------


SORTS = {
    "han": ("due_at", False),
    "-han": ("due_at", True),
    "nhan": ("received_at", False),
    "-nhan": ("received_at", True),
}


class QueueFilterForm(forms.Form):
    """``?thu_tuc=&trang_thai=&tu_ngay=&den_ngay=&q=&sap_xep=``: all optional."""

    q = forms.CharField(label=_("Mã hồ sơ hoặc tên người nộp"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Ví dụ: 000.10.50.H20-260424")}))
    thu_tuc = forms.ChoiceField(label=_("Thủ tục"), required=False)
    trang_thai = forms.TypedChoiceField(
        label=_("Trạng thái"), required=False, coerce=int, empty_value=None,
        choices=ALL + [(s.value, s.label) for s in OPEN_STATUSES])
    tu_ngay = forms.DateField(label=_("Tiếp nhận từ ngày"), required=False, input_formats=DATE_FORMATS,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    den_ngay = forms.DateField(label=_("đến ngày"), required=False, input_formats=DATE_FORMATS,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sap_xep = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=[
        ("han", _("Hạn trả: sớm nhất trước")), ("-han", _("Hạn trả: muộn nhất trước")),
        ("nhan", _("Ngày tiếp nhận: cũ nhất trước")), ("-nhan", _("Ngày tiếp nhận: mới nhất trước")),
    ])

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["thu_tuc"].choices = ALL + [(code, f"{name} ({code})") for code, name in procedures]

    def clean(self):
        data = super().clean()
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        for name in ("tu_ngay", "den_ngay"):
            value = data.get(name)
            if value is not None and not 2000 <= value.year <= 2100:
                self.add_error(name, _("Ngày phải trong khoảng năm 2000-2100."))
        if start and end and start > end:
            self.add_error("den_ngay", _("“Đến ngày” phải sau hoặc bằng “từ ngày”."))
        return data

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("thu_tuc"):
            queryset = queryset.filter(procedure__code=data["thu_tuc"])
        if data.get("trang_thai"):
            queryset = queryset.filter(status=data["trang_thai"])
        tz = timezone.get_current_timezone()
        if data.get("tu_ngay"):
            start = datetime.datetime.combine(data["tu_ngay"], datetime.time.min, tzinfo=tz)
            queryset = queryset.filter(received_at__gte=start)
        if data.get("den_ngay"):
            end = datetime.datetime.combine(data["den_ngay"] + datetime.timedelta(days=1),
                                            datetime.time.min, tzinfo=tz)
            queryset = queryset.filter(received_at__lt=end)
        text = (data.get("q") or "").strip()
        if text:
            queryset = queryset.filter(Q(code__icontains=text) | Q(applicant_name__icontains=text)
                                       | Q(applicant_id_number=text))
        field, descending = SORTS[data.get("sap_xep") or "han"]
        order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        return queryset.order_by(order, "pk")


# -- intake and online submission -------------------------------------------------------


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm thủ tục"), required=False, max_length=MAX_SEARCH_LENGTH,
                        help_text=_("Gõ tên hoặc mã thủ tục, không cần dấu."),
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("Ví dụ: khai sinh, ket hon, 1.001193")}))


class ApplicantFields(forms.Form):
    applicant_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=200,
                                     widget=forms.TextInput(attrs={"autocomplete": "name"}))
    applicant_id_number = forms.RegexField(
        label=_("Số định danh cá nhân"), required=False, regex=r"^\d{12}$",
        error_messages={"invalid": _("Số định danh cá nhân phải gồm đúng 12 chữ số.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}))
    applicant_phone = forms.CharField(label=_("Điện thoại"), required=False, max_length=20,
                                      widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False,
                                       error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
                                       widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    applicant_address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=300)

    def applicant(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["applicant_name"], "id_number": data.get("applicant_id_number") or "",
            "phone": data.get("applicant_phone") or "", "email": data.get("applicant_email") or "",
            "address": data.get("applicant_address") or "",
        }


class IntakeForm(ApplicantFields):
    """At the desk: a dossier received in person or by post (form 01 follows)."""

    procedure = forms.CharField(widget=forms.HiddenInput)
    agency = forms.ModelChoiceField(label=_("Nơi tiếp nhận"), queryset=None, empty_label=None)
    channel = forms.TypedChoiceField(
        label=_("Hình thức nộp"), coerce=int, initial=Channel.DIRECT, widget=forms.RadioSelect,
        choices=[(Channel.DIRECT.value, Channel.DIRECT.label), (Channel.POSTAL.value, Channel.POSTAL.label)])
    components = forms.MultipleChoiceField(
        label=_("Thành phần hồ sơ đã kiểm tra"), required=False, widget=forms.CheckboxSelectMultiple)
    request = _text(_("Nội dung yêu cầu giải quyết"), rows=2,
                    help_text=_("Để trống: dùng tên thủ tục."))
    sets = forms.IntegerField(label=_("Số bộ hồ sơ"), min_value=1, max_value=20, initial=1)
    documents = MultipleFileField(label=_("Bản quét giấy tờ (PDF, JPEG, PNG; không bắt buộc)"),
                                  required=False)
    field_order = ["procedure", "agency", "channel", "components", "applicant_name",
                   "applicant_id_number", "applicant_phone", "applicant_email", "applicant_address",
                   "request", "sets", "documents"]

    def __init__(self, *args, desks, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = desks
        self.component_list = list(version.components.all())
        self.fields["components"].choices = [(str(c.position), c.name) for c in self.component_list]

    def component_rows(self):
        """(component, checked, input id) for the checklist table."""
        checked = set(self["components"].value() or [])
        return [(c, str(c.position) in checked, f"id_components_{index}")
                for index, c in enumerate(self.component_list)]


class OnlineForm(ApplicantFields):
    """A citizen files online: no account, the documents are the dossier."""

    procedure = forms.CharField(widget=forms.HiddenInput)
    agency = forms.ModelChoiceField(label=_("Nộp tại"), queryset=None,
                                    empty_label=_("— Chọn nơi tiếp nhận —"))
    request = _text(_("Nội dung yêu cầu giải quyết"), rows=3,
                    help_text=_("Để trống: dùng tên thủ tục."))
    documents = MultipleFileField(label=_("Giấy tờ trong hồ sơ (PDF, JPEG, PNG; tối đa 10 MB mỗi tệp)"))
    consent = forms.BooleanField(
        label=_("Tôi cam đoan thông tin và giấy tờ đã khai là đúng sự thật."),
        error_messages={"required": _("Cần xác nhận lời cam đoan.")})
    field_order = ["procedure", "agency", "applicant_name", "applicant_id_number", "applicant_phone",
                   "applicant_email", "applicant_address", "request", "documents", "consent"]

    def __init__(self, *args, desks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = desks
        self.fields["agency"].label_from_instance = lambda a: f"{a.name} ({a.unit.name})"
        self.fields["applicant_phone"].help_text = _("Để nhận thông báo; cần điện thoại hoặc thư điện tử.")

    def clean(self):
        data = super().clean()
        if not (data.get("applicant_phone") or data.get("applicant_email")) and not self.has_error("applicant_email"):
            self.add_error("applicant_phone", _("Cần điện thoại hoặc thư điện tử để nhận thông báo."))
        return data


# -- actions on a dossier ----------------------------------------------------------------


class ActionForm(forms.Form):
    """Every action posts the dossier version it was shown, so a stale page cannot act."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput,
                                 error_messages={"required": _("Thiếu phiên bản hồ sơ; hãy tải lại trang."),
                                                 "invalid": _("Phiên bản hồ sơ không hợp lệ; hãy tải lại trang."),
                                                 "min_value": _("Phiên bản hồ sơ không hợp lệ; hãy tải lại trang.")})
    params: tuple = ()
    upload_fields: tuple = ()

    def service_params(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.params}

    def uploads(self) -> list:
        return [f for name in self.upload_fields for f in self.cleaned_data.get(name) or []]


class NoteForm(ActionForm):
    note = _text(_("Ghi chú"))
    params = ("note",)


class ReasonForm(ActionForm):
    reason = _text(_("Lý do"), required=True, rows=3)
    params = ("reason",)


class WithdrawForm(ActionForm):
    reason = _text(_("Lý do rút hồ sơ"))
    params = ("reason",)


class SupplementRequestForm(ActionForm):
    reason = _text(_("Lý do yêu cầu bổ sung"), required=True, rows=3)
    documents = _text(_("Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)"), rows=3)
    params = ("reason", "documents")

    def clean_documents(self):
        lines = [line.strip() for line in (self.cleaned_data.get("documents") or "").splitlines()]
        lines = [line for line in lines if line]
        if any(len(line) > 300 for line in lines):
            raise forms.ValidationError(_("Mỗi giấy tờ tối đa 300 ký tự."))
        if len(lines) > 30:
            raise forms.ValidationError(_("Tối đa 30 giấy tờ."))
        return lines


class SupplementReceiveForm(ActionForm):
    note = _text(_("Ghi chú"))
    upload_fields = ("attachments",)
    attachments = MultipleFileField(label=_("Bản quét giấy tờ bổ sung (không bắt buộc)"), required=False)
    params = ("note",)


class FinancialRequestForm(ActionForm):
    amount = forms.IntegerField(label=_("Số tiền (đồng)"), required=False, min_value=0,
                                max_value=10**12,
                                error_messages={"invalid": _("Số tiền phải là số nguyên (đồng).")})
    note = _text(_("Nội dung nghĩa vụ tài chính"))
    params = ("amount", "note")


class ApproveForm(ActionForm):
    result = _text(_("Kết quả giải quyết"), rows=2)
    params = ("result",)


class ApologyForm(ActionForm):
    reason = _text(_("Lý do chậm trễ"), required=True, rows=3)
    new_due_at = forms.DateTimeField(
        label=_("Hẹn lại ngày trả"), input_formats=DATETIME_FORMATS,
        help_text=_("Chỉ được hẹn lại một lần."),
        error_messages={"invalid": _("Nhập ngày giờ dạng hh:mm dd/mm/yyyy.")},
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    params = ("reason", "new_due_at")


ACTION_FORMS = {
    "accept": ActionForm,
    "refuse": ReasonForm,
    "transfer": NoteForm,
    "send_back": ReasonForm,
    "request_supplement": SupplementRequestForm,
    "receive_supplement": SupplementReceiveForm,
    "request_financial": FinancialRequestForm,
    "receive_financial": NoteForm,
    "approve": ApproveForm,
    "stop": ReasonForm,
    "withdraw": WithdrawForm,
    "return_result": NoteForm,
    "apologize": ApologyForm,
}


def action_form(action: str, *args, **kwargs) -> ActionForm:
    return ACTION_FORMS[action](*args, auto_id=f"id_{action}_%s", **kwargs)


# -- citizens ---------------------------------------------------------------------------


class LookupForm(forms.Form):
    ma = forms.CharField(label=_("Mã hồ sơ"), max_length=40,
                         help_text=_("Mã in trên giấy tiếp nhận, ví dụ 000.10.50.H20-260424-0001."),
                         widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class RatingForm(forms.Form):
    level = forms.ChoiceField(label=_("Mức độ hài lòng"), choices=Rating.Level.choices,
                              widget=forms.RadioSelect)
    comment = _text(_("Góp ý (không bắt buộc)"), rows=3)

