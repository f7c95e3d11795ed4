from django.contrib import admin

from . import models


class ItemInline(admin.TabularInline):
    model = models.CriterionItem
    extra = 0


class UnusedSetOnly:
    """A criteria set used by an inspection is never changed in place (copy it as a new
    version on the criteria page instead)."""

    def _set_of(self, obj):
        return obj if isinstance(obj, models.CriteriaSet) else obj.criteria_set

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._set_of(obj).in_use:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._set_of(obj).in_use:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(models.CriteriaArea)
class CriteriaAreaAdmin(UnusedSetOnly, admin.ModelAdmin):
    list_display = ["criteria_set", "code", "name"]
    inlines = [ItemInline]


class AreaInline(admin.TabularInline):
    model = models.CriteriaArea
    extra = 0


@admin.register(models.CriteriaSet)
class CriteriaSetAdmin(UnusedSetOnly, admin.ModelAdmin):
    list_display = ["name", "version", "is_default"]
    inlines = [AreaInline]


@admin.register(models.InspectionPlan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "decision_number", "decision_date"]


@admin.register(models.Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["plan", "unit", "status"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        # Results change only through the services (freezing, adoption lock).
        return False


@admin.register(models.Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["text", "responsible_unit", "deadline", "status"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.ReformTask)
class ReformTaskAdmin(admin.ModelAdmin):
    list_display = ["content", "lead_unit", "deadline", "completed_on"]
