"""Forms of the report pages. The filters are GET forms whose values are checked again by the
selectors (``build_filters``), so a hand-written query string gets the same errors."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.catalog.models import DossierComponent

from .models import ProposalKind

MODE_CHOICES = [("as_was", _("Theo đơn vị tiếp nhận (như lúc tiếp nhận)")),
                ("successors", _("Gộp đơn vị cũ vào đơn vị kế thừa (từ 01/7/2025)"))]
GROUP_CHOICES = [("unit", _("Theo đơn vị")), ("field", _("Theo lĩnh vực")),
                 ("procedure", _("Theo thủ tục"))]
LEVEL_CHOICES = [("", _("Từng đơn vị tiếp nhận")), ("province", _("Gộp theo tỉnh")),
                 ("district", _("Gộp theo huyện (trước 01/7/2025)")), ("commune", _("Gộp theo xã"))]


def default_period() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return datetime.date(today.year, 1, 1), today


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodForm(forms.Form):
    tu_ngay = forms.DateField(label=_("Từ ngày"), widget=DateInput())
    den_ngay = forms.DateField(label=_("Đến ngày"), widget=DateInput())
    don_vi = forms.CharField(label=_("Mã đơn vị"), required=False, max_length=20,
                             help_text=_("Ví dụ 82, 2025:30280 hoặc pre2025:868; để trống: tất cả."))
    cach_tinh = forms.ChoiceField(label=_("Đơn vị hành chính"), choices=MODE_CHOICES, required=False)
    cap = forms.ChoiceField(label=_("Gộp theo cấp"), choices=LEVEL_CHOICES, required=False)

    def __init__(self, data=None, **kwargs):
        start, end = default_period()
        initial = {"tu_ngay": start, "den_ngay": end, "cach_tinh": "as_was"}
        if data is not None and not data.get("tu_ngay"):
            data = None
        super().__init__(data, initial=initial, **kwargs)

    def params(self) -> dict:
        """What to give ``build_filters``: the submitted values, or the defaults."""
        source = self.cleaned_data if self.is_bound and self.is_valid() else {
            k: self.initial.get(k) for k in self.fields}
        return {"start": source.get("tu_ngay"), "end": source.get("den_ngay"),
                "unit": source.get("don_vi") or None, "mode": source.get("cach_tinh") or "as_was",
                "level": source.get("cap") or None, "group": source.get("nhom") or "unit"}


class TimelinessForm(PeriodForm):
    nhom = forms.ChoiceField(label=_("Thống kê"), choices=GROUP_CHOICES, required=False)


class ScorecardForm(forms.Form):
    thang = forms.CharField(label=_("Tháng"), max_length=7,
                            widget=forms.TextInput(attrs={"type": "month"}))
    don_vi = PeriodForm.base_fields["don_vi"]
    cach_tinh = PeriodForm.base_fields["cach_tinh"]
    cap = PeriodForm.base_fields["cap"]

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        if data is not None and not data.get("thang"):
            data = None
        super().__init__(data, initial={"thang": f"{today:%Y-%m}", "cach_tinh": "as_was"}, **kwargs)


class ReviewForm(forms.Form):
    nam = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    don_vi = PeriodForm.base_fields["don_vi"]

    def __init__(self, data=None, **kwargs):
        if data is not None and not data.get("nam"):
            data = None
        super().__init__(data, initial={"nam": timezone.localdate().year}, **kwargs)


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Nội dung đề xuất"), choices=ProposalKind.choices)
    proposed_days = forms.DecimalField(label=_("Thời hạn đề xuất (ngày làm việc)"), required=False,
                                       min_value=0, max_digits=5, decimal_places=1)
    component = forms.ModelChoiceField(label=_("Thành phần hồ sơ đề nghị bỏ"), required=False,
                                       queryset=DossierComponent.objects.none())
    unit = forms.ChoiceField(label=_("Đơn vị đề xuất"))
    justification = forms.CharField(label=_("Lý do, căn cứ"), widget=forms.Textarea(attrs={"rows": 4}),
                                    max_length=5000)
    citizen_days_saved = forms.DecimalField(
        label=_("Số ngày công tiết kiệm mỗi năm"), required=False, min_value=0, max_digits=12,
        decimal_places=1, help_text=_("Để trống: ước tính từ số liệu hồ sơ."))
    cost_saved = forms.IntegerField(label=_("Chi phí tuân thủ tiết kiệm mỗi năm (đồng)"), required=False,
                                    min_value=0, help_text=_("Để trống: ước tính từ số liệu hồ sơ."))

    def __init__(self, *args, components=None, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        if components is not None:
            self.fields["component"].queryset = components
        self.fields["unit"].choices = [(str(u.pk), u.name) for u in units]


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Ý kiến"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
