"""Admin of the core app: the record of searches of people, read-only (written by
``services.record_personal_search`` only; Nghị định 13/2023 wants it kept as written)."""

from django.contrib import admin

from .models import PersonalDataSearch


@admin.register(PersonalDataSearch)
class PersonalDataSearchAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "source", "params", "result_count", "truncated")
    list_filter = ("source", "truncated")
    list_select_related = ("user",)
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
