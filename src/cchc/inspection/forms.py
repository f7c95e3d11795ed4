from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.org.models import AdministrativeUnit

from .models import FindingKind, TeamRole


class DateInput(forms.DateInput):
    input_type = "date"


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=300)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=50)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DateInput)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200, initial=_("Sở Nội vụ"))
    period_start = forms.DateField(label=_("Kỳ kiểm tra từ"), widget=DateInput)
    period_end = forms.DateField(label=_("Kỳ kiểm tra đến"), widget=DateInput)
    units = forms.ModelMultipleChoiceField(label=_("Đơn vị được kiểm tra"),
                                           queryset=AdministrativeUnit.objects.none())
    leader = forms.CharField(label=_("Trưởng đoàn"), max_length=150)
    members = forms.CharField(label=_("Thành viên (mỗi dòng một người)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["units"].queryset = units

    def team(self):
        data = self.cleaned_data
        team = [{"name": data["leader"], "role": TeamRole.LEADER}]
        team += [{"name": line.strip(), "role": TeamRole.MEMBER}
                 for line in data.get("members", "").splitlines() if line.strip()]
        return team


class ScoreForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(label=_("Điểm"), required=False, max_digits=5, decimal_places=2)
    reason = forms.CharField(label=_("Lý do"), required=False)


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=FindingKind.choices)
    item = forms.IntegerField(label=_("Tiêu chí"), required=False)
    text = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 2}))


class RecommendationForm(forms.Form):
    item = forms.IntegerField(label=_("Tiêu chí"), required=False)
    text = forms.CharField(label=_("Kiến nghị"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Thời hạn"), widget=DateInput)


class ConferenceForm(forms.Form):
    held_on = forms.DateField(label=_("Ngày họp"), widget=DateInput)
    chair = forms.CharField(label=_("Chủ trì"), max_length=200)
    online = forms.BooleanField(label=_("Trực tuyến"), required=False, initial=True)
    minutes = forms.CharField(label=_("Biên bản"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))


class RemediationForm(forms.Form):
    text = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Tệp đính kèm"), required=False)


class TaskProgressForm(forms.Form):
    text = forms.CharField(label=_("Tiến độ, kết quả"), widget=forms.Textarea(attrs={"rows": 3}))
    document_number = forms.CharField(label=_("Số văn bản"), max_length=50, required=False)
    document_date = forms.DateField(label=_("Ngày văn bản"), required=False, widget=DateInput)
    file = forms.FileField(label=_("Tệp"), required=False)
    completed_on = forms.DateField(label=_("Hoàn thành ngày"), required=False, widget=DateInput)
