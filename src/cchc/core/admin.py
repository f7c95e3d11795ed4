"""Admin of the core app: the record of searches of people, read-only (written by
``services.record_personal_search`` only; Nghị định 13/2023 wants it kept as written)."""

from django.contrib import admin

from .models import PersonalDataSearch


class ReadOnlyAdminMixin:
    """View only: no add, change or delete, in lists, pages and bulk actions (records that the
    services alone write: registers, dossier history, audit trails)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(PersonalDataSearch)
class PersonalDataSearchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "user", "source", "params", "result_count", "truncated")
    list_filter = ("source", "truncated")
    list_select_related = ("user",)
    date_hierarchy = "at"
