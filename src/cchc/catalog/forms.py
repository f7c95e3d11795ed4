from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    Channel,
    Field,
    IssuerKind,
    ItemAction,
    OnlineLevel,
    ProcedureLevel,
    VersionStatus,
)
from .selectors import MAX_SEARCH_LENGTH, implementing_agency_names
from .services import parse_fee

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
ALL = [("", _("Tất cả"))]


class AsOfForm(forms.Form):
    """``?ngay=YYYY-MM-DD``: show the catalog as it was (or will be) on that date."""

    ngay = forms.DateField(label=_("Ngày"), required=False, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean_ngay(self):
        value = self.cleaned_data["ngay"]
        if value is not None and not 1900 <= value.year <= 2100:
            raise forms.ValidationError(_("Ngày phải trong khoảng năm 1900-2100."))
        return value


class CatalogSearchForm(AsOfForm):
    q = forms.CharField(label=_("Tìm thủ tục"), required=False, max_length=MAX_SEARCH_LENGTH,
                        widget=forms.TextInput(attrs={
                            "type": "search", "placeholder": _("Ví dụ: đăng ký khai sinh, 1.001193"),
                        }))
    linh_vuc = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Field.objects.all(),
                                      to_field_name="code", required=False, empty_label=_("Tất cả"))
    cap = forms.ChoiceField(label=_("Cấp thực hiện"), required=False,
                            choices=ALL + ProcedureLevel.choices)
    co_quan = forms.ChoiceField(label=_("Cơ quan thực hiện"), required=False)
    cach_thuc = forms.ChoiceField(label=_("Cách thức nộp"), required=False,
                                  choices=ALL + Channel.choices)
    trang_thai = forms.ChoiceField(label=_("Trạng thái"), required=False,
                                   choices=ALL + VersionStatus.choices)
    field_order = ["q", "linh_vuc", "cap", "co_quan", "cach_thuc", "trang_thai", "ngay"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_quan"].choices = ALL + [(n, n) for n in implementing_agency_names()]

    def search_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data.get("q") or "", "on": data.get("ngay"), "field": data.get("linh_vuc"),
            "level": data.get("cap") or None, "agency_name": data.get("co_quan") or None,
            "channel": data.get("cach_thuc") or None, "status": data.get("trang_thai") or None,
        }


# --- announcement decisions (staff) -----------------------------------------------------------

CHANNEL_FIELDS = [(channel, f"days_{channel}", f"fee_{channel}") for channel in Channel.values]
VERSION_TEXT_FIELDS = ("implementing_agency_name", "subjects", "steps", "conditions", "result",
                       "legal_basis", "fee_note", "time_note")
ITEM_HEAD_FIELDS = ("action", "procedure", "base_code", "agency", "effective_on", "note")
NO_CHANGE = [("", _("— giữ nguyên / chọn —"))]


def _date_field(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS,
                           help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _check_year(value):
    if value is not None and not 1900 <= value.year <= 2100:
        raise forms.ValidationError(_("Ngày phải trong khoảng năm 1900-2100."))
    return value


class AnnouncementForm(forms.Form):
    """The head of a decision (quyết định công bố); its items are ``AnnouncementItemFormSet``."""

    number = forms.CharField(label=_("Số quyết định"), max_length=60,
                             widget=forms.TextInput(attrs={"placeholder": "415/QĐ-UBND"}))
    title = forms.CharField(label=_("Trích yếu"), max_length=500, required=False)
    issued_on = _date_field(_("Ngày ban hành"))
    effective_on = _date_field(_("Ngày có hiệu lực"), help_text=_(
        "Ngày có hiệu lực của các thủ tục, trừ dòng ghi ngày riêng."))
    issuer = forms.CharField(label=_("Người ký, cơ quan ban hành"), max_length=200, widget=forms.TextInput(
        attrs={"placeholder": _("Chủ tịch Ủy ban nhân dân tỉnh")}))
    issuer_kind = forms.ChoiceField(label=_("Thẩm quyền công bố"), choices=IssuerKind.choices,
                                    initial=IssuerKind.PROVINCE)
    issuing_agency = forms.CharField(label=_("Mã cơ quan ban hành"), max_length=13, required=False,
                                     help_text=_("Mã định danh, ví dụ 000.00.00.H20; là cơ quan "
                                                 "mặc định của mã thủ tục mới."))
    legal_text = forms.CharField(label=_("Văn bản quy phạm pháp luật quy định thủ tục"),
                                 max_length=300, required=False)
    legal_effective_on = _date_field(_("Ngày văn bản có hiệu lực"), required=False, help_text=_(
        "Để trống khi quyết định chỉ công bố lại danh mục đang thực hiện."))
    legal_expedited = forms.BooleanField(label=_("Văn bản ban hành theo trình tự rút gọn"),
                                         required=False)
    legal_signed_on = _date_field(_("Ngày ký văn bản"), required=False)
    database_entered_on = _date_field(_("Ngày nhập Cơ sở dữ liệu quốc gia"), required=False)

    def clean(self):
        data = super().clean()
        for name in ("issued_on", "effective_on", "legal_effective_on", "legal_signed_on",
                     "database_entered_on"):
            try:
                _check_year(data.get(name))
            except forms.ValidationError as exc:
                self.add_error(name, exc)
                data.pop(name, None)
        issued, effective = data.get("issued_on"), data.get("effective_on")
        if issued and effective and effective < issued:
            self.add_error("effective_on", _("Ngày có hiệu lực không được trước ngày ban hành."))
        entered = data.get("database_entered_on")
        if issued and entered and entered < issued:
            self.add_error("database_entered_on",
                           _("Ngày nhập Cơ sở dữ liệu quốc gia không được trước ngày ban hành."))
        return data

    def decision_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["issuing_agency"] = data.get("issuing_agency") or None
        return data


def parse_components(text: str) -> list[dict]:
    """One document a line: ``name | originals | certified copies | copies`` (as in the import
    files; counts optional, a bare name means one original), e.g. ``Giấy chứng sinh|1|0|0``."""
    components = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 4:
            raise forms.ValidationError(
                _("Dòng “%(line)s”: nhiều nhất 4 phần, cách nhau bởi dấu “|”.")
                % {"line": line.strip()[:80]})
        counts = parts[1:] + [""] * (4 - len(parts))
        if len(parts) == 1:
            counts = ["1", "", ""]
        components.append({"name": parts[0], "originals": counts[0],
                           "certified_copies": counts[1], "copies": counts[2]})
    return components


class AnnouncementItemForm(forms.Form):
    """One procedure announced by the decision. Version fields left blank keep the amended or
    replaced procedure's value; a new procedure needs name, level, field and a way of filing."""

    action = forms.ChoiceField(label=_("Nội dung công bố"), required=False,
                               choices=[("", _("— không dùng dòng này —")), *ItemAction.choices])
    procedure = forms.CharField(label=_("Mã thủ tục được sửa đổi, thay thế, bãi bỏ"), max_length=22,
                                required=False, widget=forms.TextInput(
                                    attrs={"placeholder": "1.001193.000.00.00.H20"}))
    base_code = forms.CharField(label=_("Mã thủ tục mới / thủ tục thay thế"), max_length=8,
                                required=False, widget=forms.TextInput(attrs={"placeholder": "1.001193"}))
    agency = forms.CharField(label=_("Mã cơ quan của mã thủ tục mới"), max_length=13, required=False,
                             help_text=_("Để trống: cơ quan ban hành quyết định (thủ tục mới) hoặc "
                                         "cơ quan của thủ tục bị thay thế."))
    effective_on = _date_field(_("Hiệu lực riêng từ ngày"), required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000)

    name = forms.CharField(label=_("Tên thủ tục"), max_length=500, required=False)
    level = forms.ChoiceField(label=_("Cấp thực hiện"), required=False,
                              choices=NO_CHANGE + ProcedureLevel.choices)
    field = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Field.objects.all(),
                                   to_field_name="code", required=False,
                                   empty_label=NO_CHANGE[0][1])
    implementing_agency_name = forms.CharField(label=_("Cơ quan thực hiện"), max_length=300,
                                               required=False)
    online_level = forms.ChoiceField(label=_("Dịch vụ công trực tuyến"), required=False,
                                     choices=NO_CHANGE + OnlineLevel.choices)
    days_direct = forms.CharField(label=_("Thời hạn nộp trực tiếp (ngày làm việc)"), max_length=8,
                                  required=False)
    fee_direct = forms.CharField(label=_("Phí, lệ phí nộp trực tiếp (đồng)"), max_length=20,
                                 required=False)
    days_online = forms.CharField(label=_("Thời hạn nộp trực tuyến (ngày làm việc)"), max_length=8,
                                  required=False)
    fee_online = forms.CharField(label=_("Phí, lệ phí nộp trực tuyến (đồng)"), max_length=20,
                                 required=False)
    days_postal = forms.CharField(label=_("Thời hạn nộp qua bưu chính (ngày làm việc)"),
                                  max_length=8, required=False)
    fee_postal = forms.CharField(label=_("Phí, lệ phí nộp qua bưu chính (đồng)"), max_length=20,
                                 required=False)
    components = forms.CharField(
        label=_("Thành phần hồ sơ"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một giấy tờ: tên|số bản chính|số bản sao chứng thực|số bản sao "
                    "(ví dụ: Tờ khai theo mẫu|1|0|0). Khi sửa đổi, nhập đầy đủ danh sách mới."))
    subjects = forms.CharField(label=_("Đối tượng thực hiện"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    steps = forms.CharField(label=_("Trình tự thực hiện"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    conditions = forms.CharField(label=_("Yêu cầu, điều kiện"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("Kết quả thực hiện"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    fee_note = forms.CharField(label=_("Ghi chú phí, lệ phí"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    time_note = forms.CharField(label=_("Ghi chú thời hạn"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))

    def head_fields(self):
        return [self[name] for name in ITEM_HEAD_FIELDS]

    def version_fields(self):
        return [self[name] for name in self.fields if name not in ITEM_HEAD_FIELDS]

    def has_version_data(self) -> bool:
        return any(self.data.get(self.add_prefix(name)) for name in self.fields
                   if name not in ITEM_HEAD_FIELDS)

    def clean_effective_on(self):
        return _check_year(self.cleaned_data["effective_on"])

    def clean_components(self):
        return parse_components(self.cleaned_data["components"])

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if not action:
            if any(value not in (None, "", []) for value in data.values()):
                self.add_error("action", _("Chọn nội dung công bố (ban hành mới, sửa đổi, thay thế "
                                           "hoặc bãi bỏ) hoặc xóa thông tin của dòng này."))
            return data
        required = {
            ItemAction.NEW: ("base_code", "name", "level", "field"),
            ItemAction.AMENDED: ("procedure",),
            ItemAction.REPLACED: ("procedure", "base_code"),
            ItemAction.ABOLISHED: ("procedure",),
        }[action]
        for name in required:
            if not data.get(name):
                self.add_error(name, _("Thông tin này là bắt buộc với nội dung “%(action)s”.")
                               % {"action": ItemAction(action).label})
        for _channel, days, fee in CHANNEL_FIELDS:
            if data.get(fee):
                fee_errors: list = []
                data[fee] = parse_fee(data[fee], fee_errors)
                for message in fee_errors:
                    self.add_error(fee, message)
                if not data.get(days) and not fee_errors:
                    self.add_error(days, _("Nhập thời hạn giải quyết cho cách thức nộp có phí."))
        if action == ItemAction.NEW and not any(data.get(days) for _c, days, _f in CHANNEL_FIELDS):
            self.add_error("days_direct", _("Thủ tục mới cần thời hạn giải quyết của ít nhất một "
                                            "cách thức nộp (0 = trong ngày)."))
        version = self.version_data() if not self.errors else {}
        if action == ItemAction.AMENDED and not version:
            self.add_error(None, _("Thủ tục sửa đổi, bổ sung: nhập ít nhất một thông tin thay đổi."))
        if action == ItemAction.ABOLISHED and version:
            self.add_error(None, _("Thủ tục bị bãi bỏ không có phiên bản mới: để trống phần "
                                   "thông tin thủ tục."))
        return data

    def version_data(self) -> dict:
        """The entered version fields, as the service's version data (only what was given)."""
        data = self.cleaned_data
        version = {}
        for name in ("name", "level", "field", "online_level", *VERSION_TEXT_FIELDS):
            if data.get(name):
                version[name] = data[name]
        methods = [{"channel": channel, "days": data[days], "fee": data.get(fee) or 0}
                   for channel, days, fee in CHANNEL_FIELDS if data.get(days)]
        if methods:
            version["methods"] = methods
        if data.get("components"):
            version["components"] = data["components"]
        return version

    def item_arguments(self) -> dict:
        """Keyword arguments of ``services.apply_announcement_item`` (without the position)."""
        data = self.cleaned_data
        action = data["action"]
        item = {"action": action, "note": data.get("note") or ""}
        if data.get("effective_on"):
            item["effective_on"] = data["effective_on"]
        if action == ItemAction.NEW:
            item.update(base_code=data["base_code"], agency=data.get("agency") or None,
                        data=self.version_data())
        elif action == ItemAction.REPLACED:
            item.update(procedure=data["procedure"], replacement={
                "base_code": data["base_code"], "agency": data.get("agency") or None,
                "data": self.version_data()})
        else:
            item["procedure"] = data["procedure"]
            if action == ItemAction.AMENDED:
                item["data"] = self.version_data()
        return item

    # Where the service's error keys (below ``items.N.``) land on this form.
    SERVICE_KEYS = {"procedure": "procedure", "base_code": "base_code", "agency": "agency",
                    "effective_on": "effective_on", "action": "action",
                    "replacement.base_code": "base_code", "replacement.agency": "agency"}

    def add_service_error(self, key: str, messages: list):
        key = key.removeprefix("replacement.") if key.startswith("replacement.data.") else key
        if key.startswith("data."):
            name = key.removeprefix("data.")
            if name.startswith("methods."):
                channel = name.removeprefix("methods.")
                name = f"days_{channel}" if channel in Channel.values else "days_direct"
            elif name.startswith("components"):
                name = "components"
            elif name == "implementing_agency":
                name = "implementing_agency_name"
        else:
            name = self.SERVICE_KEYS.get(key)
        for message in messages:
            self.add_error(name if name in self.fields else None, message)


class BaseItemFormSet(forms.BaseFormSet):
    def used_forms(self):
        return [form for form in self.forms if form.cleaned_data.get("action")]

    def clean(self):
        if any(self.errors):
            return
        if not self.used_forms():
            raise forms.ValidationError(_("Quyết định công bố phải có ít nhất một thủ tục."))
        seen = set()
        for form in self.used_forms():
            code = form.cleaned_data.get("procedure")
            if code and code in seen:
                form.add_error("procedure", _("Thủ tục này đã có ở dòng khác của quyết định."))
            seen.add(code)


ITEM_ROWS_STEP = 3
MAX_ITEMS = 60
AnnouncementItemFormSet = forms.formset_factory(
    AnnouncementItemForm, formset=BaseItemFormSet, extra=ITEM_ROWS_STEP, max_num=MAX_ITEMS,
    validate_max=True, absolute_max=MAX_ITEMS)
