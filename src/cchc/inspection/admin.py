from django.contrib import admin

from . import models


class ItemInline(admin.TabularInline):
    model = models.CriterionItem
    extra = 0


@admin.register(models.CriteriaArea)
class CriteriaAreaAdmin(admin.ModelAdmin):
    list_display = ["criteria_set", "code", "name"]
    inlines = [ItemInline]


class AreaInline(admin.TabularInline):
    model = models.CriteriaArea
    extra = 0


@admin.register(models.CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]
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
