"""Forms of the civil-status pages. They only collect input; the rules live in ``rules`` and
``services``, whose ``InvalidInput`` field names ("child.birth_date") map to form fields
("child_birth_date") with ``apply_domain_error``."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.core.permissions import memberships
from cchc.org.models import Agency, Role

from . import rules
from .models import EntryKind, EventType, NoteKind, RegisterEntry
from .services import DESK_KINDS

DATE = forms.DateInput(attrs={"type": "date"})
SEX_CHOICES = [("", "—"), (rules.MALE, _("Nam")), (rules.FEMALE, _("Nữ"))]

GROUP_TITLES = {
    "child": _("Người được khai sinh"), "father": _("Cha"), "mother": _("Mẹ"),
    "declarant": _("Người đi đăng ký"), "husband": _("Bên nam"), "wife": _("Bên nữ"),
    "deceased": _("Người chết"), "death": _("Việc chết"),
}
FIELD_LABELS = {
    "full_name": _("Họ, chữ đệm và tên"), "sex": _("Giới tính"), "birth_date": _("Ngày sinh"),
    "birth_place": _("Nơi sinh"), "hometown": _("Quê quán"), "ethnicity": _("Dân tộc"),
    "nationality": _("Quốc tịch"), "id_number": _("Số định danh cá nhân"),
    "residence": _("Nơi cư trú"), "birth_year": _("Năm sinh"), "date": _("Ngày chết"),
    "time": _("Giờ chết"), "place": _("Nơi chết"), "cause": _("Nguyên nhân chết"),
    "relationship": _("Quan hệ với người được đăng ký"),
}
DEFAULTS = {"ethnicity": "Kinh", "nationality": "Việt Nam"}


def field_name(path: str) -> str:
    return path.replace(".", "_")


def apply_domain_error(form, exc) -> None:
    """Put a ``DomainError`` on the form: per field where the form has it, else on top."""
    for name, errors in (exc.fields or {}).items():
        field = field_name(name)
        for message in errors if isinstance(errors, list | tuple) else [errors]:
            if field in form.fields:
                form.add_error(field, str(message))
            else:
                form.add_error(None, str(message))
    form.add_error(None, str(exc.message))


def desks_for(user):
    desks = Agency.objects.filter(kind__in=DESK_KINDS, active=True).select_related("unit")
    if user.is_superuser:
        return desks.order_by("unit__name", "name")
    query = Q(pk__in=[])
    for membership in memberships(user):
        if membership.role not in (Role.DESK_OFFICER, Role.SPECIALIST, Role.LEADER):
            continue
        if membership.agency_id and membership.agency.kind in DESK_KINDS:
            query |= Q(pk=membership.agency_id)
        else:
            query |= Q(unit_id=membership.unit_id)
    return desks.filter(query).order_by("unit__name", "name")


class RegistrationForm(forms.Form):
    """One form per event type, its fields generated from ``rules.SCHEMAS``."""

    MODE_DESK, MODE_DIRECT = "desk", "direct"

    mode = forms.ChoiceField(
        label=_("Cách đăng ký"), widget=forms.RadioSelect, initial=MODE_DIRECT,
        choices=[(MODE_DIRECT, _("Ghi vào sổ ngay (công chức hộ tịch giải quyết trong ngày)")),
                 (MODE_DESK, _("Tiếp nhận hồ sơ tại bộ phận một cửa, ghi sổ khi xử lý xong"))])
    agency = forms.ModelChoiceField(label=_("Nơi tiếp nhận"), queryset=Agency.objects.none(),
                                    empty_label=None)
    kind = forms.ChoiceField(label=_("Loại đăng ký"), required=False, choices=[
        ("", _("Tự xác định theo ngày (đúng hạn / quá hạn)")), *EntryKind.choices])
    original_registered_on = forms.CharField(label=_("Ngày đã đăng ký trước đây (đăng ký lại)"),
                                             required=False, widget=DATE)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, event_type: str, desks, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_type = event_type
        self.fields["agency"].queryset = desks
        self.groups: list[tuple[str, list[str]]] = []
        for group, key, _column, kind, required in rules.SCHEMAS[event_type]:
            name = f"{group}_{key}"
            label = FIELD_LABELS.get(key, key)
            if kind == "sex":
                field = forms.ChoiceField(label=label, choices=SEX_CHOICES, required=False)
            elif kind == "date":
                field = forms.CharField(label=label, required=False, widget=DATE)
            elif kind == "time":
                field = forms.CharField(label=label, required=False,
                                        widget=forms.TimeInput(attrs={"type": "time"}))
            else:
                field = forms.CharField(label=label, required=False, max_length=300)
            field.widget.is_required = required
            field.civil_required = required
            if key in DEFAULTS:
                field.initial = DEFAULTS[key]
            self.fields[name] = field
            if not self.groups or self.groups[-1][0] != group:
                self.groups.append((group, []))
            self.groups[-1][1].append(name)

    def grouped(self):
        return [(GROUP_TITLES.get(group, group), [self[name] for name in names])
                for group, names in self.groups]

    def data_dict(self) -> dict:
        data: dict = {}
        for group, key, _column, _kind, _required in rules.SCHEMAS[self.event_type]:
            value = self.cleaned_data.get(f"{group}_{key}")
            if value not in (None, ""):
                data.setdefault(group, {})[key] = value
        if self.cleaned_data.get("original_registered_on"):
            data["original_registered_on"] = self.cleaned_data["original_registered_on"]
        if self.cleaned_data.get("note"):
            data["note"] = self.cleaned_data["note"]
        return data


class CloseBookForm(forms.Form):
    total_pages = forms.IntegerField(label=_("Tổng số trang (nếu khác số trang in của hệ thống)"),
                                     required=False, min_value=0)
    volume_full = forms.BooleanField(label=_("Khóa trước cuối năm vì quyển sổ đã hết trang"),
                                     required=False)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại ghi chú"), choices=NoteKind.choices)
    field = forms.ChoiceField(label=_("Thông tin thay đổi"), required=False)
    value = forms.CharField(label=_("Giá trị mới"), required=False, max_length=300)
    text = forms.CharField(label=_("Nội dung ghi chú (để trống: tự ghi theo thay đổi)"),
                           required=False, widget=forms.Textarea(attrs={"rows": 2}))
    basis = forms.CharField(label=_("Căn cứ (số, ngày bản án, quyết định, giấy tờ)"),
                            required=False, max_length=300)

    def __init__(self, *args, entry: RegisterEntry, **kwargs):
        super().__init__(*args, **kwargs)
        paths = rules.INPUT_PATHS[entry.event_type]
        choices = [("", "—")]
        for column, path in paths.items():
            if entry.event_type == EventType.MARRIAGE and column in ("sex", "partner_sex"):
                continue
            group, key = path.split(".")
            choices.append((path, f"{GROUP_TITLES[group]}: {FIELD_LABELS.get(key, key)}"))
        self.fields["field"].choices = choices

    def changes(self) -> dict:
        field, value = self.cleaned_data.get("field"), self.cleaned_data.get("value")
        return {field: value} if field else {}


class CopyForm(forms.Form):
    applicant_name = forms.CharField(label=_("Người yêu cầu"), max_length=200)
    applicant_id_number = forms.CharField(label=_("Số định danh người yêu cầu"), required=False,
                                          max_length=12)
    copies = forms.IntegerField(label=_("Số bản sao"), min_value=1, max_value=20, initial=1)


class SearchForm(forms.Form):
    name = forms.CharField(label=_("Họ tên (không cần dấu)"), required=False, max_length=100)
    birth_date = forms.CharField(label=_("Ngày sinh"), required=False, widget=DATE)
    id_number = forms.CharField(label=_("Số định danh cá nhân"), required=False, max_length=20)
    event_type = forms.ChoiceField(label=_("Loại sổ"), required=False,
                                   choices=[("", _("Tất cả")), *EventType.choices])
    book = forms.IntegerField(label=_("Mã sổ"), required=False, min_value=1,
                              widget=forms.HiddenInput)
    number = forms.IntegerField(label=_("Số"), required=False, min_value=1)
