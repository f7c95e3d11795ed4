"""Admin of the one-stop models.

Dossiers, their steps, events, documents and ratings are records the law requires to keep:
here they can be read, never added, edited or deleted (changes go through the services,
which leave an event). Each officer sees only the dossiers of their units. The internal
processes (quy trình nội bộ) are edited here, with their steps inline.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cchc.core.admin import ReadOnlyAdminMixin
from cchc.org.models import Role

from . import selectors
from .models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStep,
    NotificationDelivery,
    ProcessTemplate,
    ProcessTemplateStep,
    Rating,
)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class StepInline(ReadOnlyInline):
    model = DossierStep
    fields = ["position", "name", "agency", "role", "started_at", "due_at", "finished_at",
              "handed_by", "result", "note"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = ["at", "action", "actor", "status_before", "status_after", "note"]
    readonly_fields = fields


class DocumentInline(ReadOnlyInline):
    model = DossierDocument
    fields = ["name", "kind", "content_type", "size", "uploaded_at"]
    readonly_fields = fields


class ScopedMixin:
    """Only the dossiers the officer may see (``selectors.visible_dossiers``)."""

    dossier_path = "dossier"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = selectors.visible_dossiers(request.user).values("pk")
        if not self.dossier_path:
            return queryset.filter(pk__in=visible)
        return queryset.filter(**{f"{self.dossier_path}__in": visible})


@admin.register(Dossier)
class DossierAdmin(ScopedMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    dossier_path = ""
    list_display = ["code", "procedure", "applicant_name", "status", "channel", "received_at",
                    "due_at", "timeliness"]
    list_filter = ["status", "channel", "timeliness", "imported"]
    search_fields = ["code", "applicant_name"]
    date_hierarchy = "received_at"
    list_select_related = ["procedure"]
    inlines = [StepInline, EventInline, DocumentInline]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(DossierEvent)
class DossierEventAdmin(ScopedMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dossier", "at", "action", "actor", "status_before", "status_after"]
    list_filter = ["action", "status_after"]
    search_fields = ["dossier__code", "note"]
    date_hierarchy = "at"
    list_select_related = ["dossier", "actor"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(Rating)
class RatingAdmin(ScopedMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dossier", "level", "at"]
    list_filter = ["level"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(ScopedMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Messages to citizens and what became of them: filter on "Gửi không được" (given up)
    and "Đang gửi" (a worker died mid-send: check before sending by other means)."""

    list_display = ["dossier", "kind", "occurrence", "status", "attempts", "channels",
                    "next_attempt_at", "updated_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["dossier__code"]
    date_hierarchy = "updated_at"
    list_select_related = ["dossier"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


class ProcessStepFormSet(forms.BaseInlineFormSet):
    """The steps must form a process the services can run: positions 1..n, approval by a
    leader just before the last step, the result returned by the desk, shares adding up to 1."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        steps = [
            form.cleaned_data for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not steps:
            return
        errors = []
        steps.sort(key=lambda s: s["position"])
        positions = [s["position"] for s in steps]
        if positions != list(range(1, len(steps) + 1)):
            errors.append(_("Các bước phải được đánh số liên tục từ 1 (hiện có: %(positions)s).")
                          % {"positions": ", ".join(str(p) for p in positions)})
        if len(steps) < 3:
            errors.append(_("Quy trình cần ít nhất 3 bước: tiếp nhận, phê duyệt, trả kết quả."))
        else:
            if steps[-2]["role"] != Role.LEADER:
                errors.append(_("Bước trước bước cuối phải là bước phê duyệt của lãnh đạo."))
            if steps[-1]["role"] != Role.DESK_OFFICER:
                errors.append(_("Bước cuối phải là bước trả kết quả của cán bộ một cửa."))
        if any(s["share"] is None or s["share"] <= 0 for s in steps):
            errors.append(_("Tỷ lệ thời gian của mỗi bước phải lớn hơn 0."))
        else:
            total = sum((s["share"] for s in steps), Decimal(0))
            if total != Decimal(1):
                errors.append(_("Tổng tỷ lệ thời gian của các bước phải bằng 1 (hiện là %(total)s).")
                              % {"total": f"{total.normalize():f}"})
        if errors:
            raise ValidationError(errors)


class ProcessStepInline(admin.TabularInline):
    model = ProcessTemplateStep
    formset = ProcessStepFormSet
    extra = 0
    fields = ["position", "name", "role", "agency", "share"]
    raw_id_fields = ["agency"]


@admin.register(ProcessTemplate)
class ProcessTemplateAdmin(admin.ModelAdmin):
    list_display = ["procedure", "step_count", "note"]
    search_fields = ["procedure__code", "procedure__versions__name_folded"]
    raw_id_fields = ["procedure"]
    inlines = [ProcessStepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_steps=Count("steps"))

    @admin.display(description=_("số bước"), ordering="_steps")
    def step_count(self, template):
        return template._steps
