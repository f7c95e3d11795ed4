"""Admin of the reports app: the proposals and their history can be read here (they change
only through the pages, i.e. the services); the scorecard's points and thresholds are edited
here, through ``services.configure_indicator``."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc.core.permissions import scope
from cchc.errors import DomainError

from . import services
from .models import IndicatorSetting, ProposalEvent, SimplificationProposal
from .selectors.scorecard import INDICATORS


class ProposalEventInline(admin.TabularInline):
    model = ProposalEvent
    fields = ("at", "action", "actor", "status_before", "status_after", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SimplificationProposal)
class SimplificationProposalAdmin(admin.ModelAdmin):
    list_display = ("procedure", "kind", "unit", "citizen_days_saved", "cost_saved", "status", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("procedure__code", "justification", "component_name")
    inlines = [ProposalEventInline]

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user).select_related("procedure", "unit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IndicatorSettingForm(admin.ModelAdmin.form):
    class Meta:
        model = IndicatorSetting
        fields = ("code", "max_points", "threshold")

    def clean(self):
        data = super().clean()
        codes = {i.code for i in INDICATORS}
        if data.get("code") and data["code"] not in codes:
            raise ValidationError({"code": _("Mã chỉ số không có trong bộ chỉ số.")})
        return data


@admin.register(IndicatorSetting)
class IndicatorSettingAdmin(admin.ModelAdmin):
    form = IndicatorSettingForm
    list_display = ("code", "max_points", "threshold", "updated_at", "updated_by")
    fields = ("code", "max_points", "threshold")

    def save_model(self, request, obj, form, change):
        try:
            saved = services.configure_indicator(actor=request.user, code=obj.code,
                                                 max_points=obj.max_points, threshold=obj.threshold)
        except DomainError as exc:  # pragma: no cover - the form checks the same
            raise ValidationError(str(exc.message)) from exc
        obj.pk = saved.pk
