from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.org.models import AdministrativeUnit

from .models import CriteriaSet, EvidenceKind, FindingKind, TeamRole


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
    criteria_set = forms.ModelChoiceField(label=_("Bộ tiêu chí"),
                                          queryset=CriteriaSet.objects.none(), required=False,
                                          empty_label=_("Bộ tiêu chí mặc định"))
    leader = forms.CharField(label=_("Trưởng đoàn"), max_length=150)
    leader_user = forms.ModelChoiceField(
        label=_("Tài khoản trưởng đoàn"), queryset=None, required=False,
        help_text=_("Người được mở lại kết quả kiểm tra đã hoàn thành."))
    members = forms.CharField(label=_("Thành viên (mỗi dòng một người)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=None, inspectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["units"].queryset = units
        self.fields["criteria_set"].queryset = CriteriaSet.objects.order_by("-is_default", "name")
        from django.contrib.auth import get_user_model

        self.fields["leader_user"].queryset = (inspectors if inspectors is not None
                                               else get_user_model().objects.none())

    def team(self):
        data = self.cleaned_data
        team = [{"name": data["leader"], "role": TeamRole.LEADER,
                 "user": data.get("leader_user")}]
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


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}))


class CriteriaSetNameForm(forms.Form):
    name = forms.CharField(label=_("Tên bộ tiêu chí"), max_length=200)


class CriterionRowForm(forms.Form):
    """One line of the criteria editor: the area it belongs to and the criterion. Checked as
    a whole by ``services.update_criteria_set`` (every error at once, by line)."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    order = forms.IntegerField(label=_("Thứ tự"), required=False, min_value=0, max_value=9999)
    area_code = forms.CharField(label=_("Mã lĩnh vực"), max_length=10, required=False)
    area_name = forms.CharField(label=_("Lĩnh vực"), max_length=200, required=False)
    code = forms.CharField(label=_("Mã tiêu chí"), max_length=12, required=False)
    name = forms.CharField(label=_("Tiêu chí"), max_length=300, required=False)
    max_points = forms.CharField(label=_("Điểm tối đa"), max_length=10, required=False)
    evidence_kind = forms.ChoiceField(label=_("Nguồn minh chứng"), choices=EvidenceKind.choices,
                                      initial=EvidenceKind.MANUAL, required=False)
    guidance = forms.CharField(label=_("Hướng dẫn chấm"), required=False,
                               widget=forms.Textarea(attrs={"rows": 1}))

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(k) for k in ("area_code", "area_name", "code", "name",
                                              "max_points", "guidance"))


CriteriaFormSet = forms.formset_factory(CriterionRowForm, extra=3, can_delete=True,
                                        max_num=200, absolute_max=300, validate_max=True)


def criteria_initial(criteria_set) -> list[dict]:
    rows = []
    for area in criteria_set.areas.prefetch_related("items"):
        for item in area.items.all():
            rows.append({"id": item.pk, "order": (len(rows) + 1) * 10, "area_code": area.code,
                         "area_name": area.name, "code": item.code, "name": item.name,
                         "max_points": f"{item.max_points:.2f}".rstrip("0").rstrip("."),
                         "evidence_kind": item.evidence_kind, "guidance": item.guidance})
    return rows


def criteria_rows(formset) -> list[dict]:
    """The non-deleted, non-blank lines sorted by their order, each with its line number on
    the page (``row``) for the error messages."""
    rows = []
    for index, form in enumerate(formset.forms):
        if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE") or form.is_blank():
            continue
        data = dict(form.cleaned_data)
        data["row"] = index + 1
        rows.append(data)
    rows.sort(key=lambda r: (r["order"] if r.get("order") is not None else 10**6, r["row"]))
    return rows
