from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.errors import InvalidInput

from .calendar import MAX_YEAR, MIN_YEAR, parse_days
from .deadlines import parse_instant


class DueForm(forms.Form):
    """"Tính ngày hẹn trả": sent by GET so that a result can be linked to."""

    tiep_nhan = forms.CharField(
        label=_("Ngày giờ tiếp nhận"), max_length=40,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 60}),
    )
    so_ngay = forms.CharField(
        label=_("Số ngày làm việc"), max_length=10,
        help_text=_("Bội số của 0,5; nhập 0 cho thủ tục giải quyết trong ngày."),
        widget=forms.NumberInput(attrs={"min": 0, "max": 1000, "step": 0.5}),
    )

    def clean_tiep_nhan(self):
        try:
            return parse_instant(self.cleaned_data["tiep_nhan"], field="tiep_nhan")
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_so_ngay(self):
        try:
            return parse_days(self.cleaned_data["so_ngay"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None


class CulturalDayForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    off = forms.TypedChoiceField(
        label=_("Ngày Văn hóa Việt Nam (24/11)"),
        choices=[("1", _("Là ngày nghỉ")), ("0", _("Làm việc bình thường"))],
        coerce=lambda v: v == "1", widget=forms.RadioSelect,
    )
    reference = forms.CharField(label=_("Văn bản căn cứ"), max_length=255)
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)
