from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, Field, ProcedureLevel, VersionStatus
from .selectors import MAX_SEARCH_LENGTH, implementing_agency_names

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
