"""Officers manage the catalog here, with the history of every change (django-simple-history).

Versions and announcement items are read-only: they change only through announcement
decisions (the API or the services), so that a version a dossier points at is never
rewritten. Decision metadata, fields, receiving agencies and postings are editable.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AnnouncementDecision,
    AnnouncementItem,
    DeskPosting,
    DossierComponent,
    Field,
    FilingMethod,
    Procedure,
    ProcedureVersion,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Field)
class FieldAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name_folded"]


class VersionInline(ReadOnlyInline):
    model = ProcedureVersion
    fields = ["number", "name", "level", "status", "effective_from", "effective_to", "item"]


@admin.register(Procedure)
class ProcedureAdmin(SimpleHistoryAdmin):
    list_display = ["code", "current_name", "abolished_on", "replaced_by"]
    list_filter = ["agency"]
    search_fields = ["code", "versions__name_folded"]
    readonly_fields = ["base_code", "agency", "code", "abolished_on", "replaced_by", "created_at"]
    filter_horizontal = ["receiving_agencies"]
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False  # new procedures come from an announcement or an import

    @admin.display(description=_("tên thủ tục (phiên bản mới nhất)"))
    def current_name(self, procedure):
        latest = procedure.versions.order_by("-number").first()
        return latest.name if latest else ""


class MethodInline(ReadOnlyInline):
    model = FilingMethod
    fields = ["channel", "days", "fee", "description"]
    show_change_link = False


class ComponentInline(ReadOnlyInline):
    model = DossierComponent
    fields = ["position", "name", "originals", "certified_copies", "copies", "form_template"]
    show_change_link = False


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(SimpleHistoryAdmin):
    list_display = ["procedure", "number", "name", "level", "status", "effective_from",
                    "effective_to"]
    list_filter = ["level", "status", "field"]
    search_fields = ["search_folded"]
    inlines = [MethodInline, ComponentInline]
    list_select_related = ["procedure"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ItemInline(ReadOnlyInline):
    model = AnnouncementItem
    fields = ["position", "action", "procedure", "replacement", "effective_on", "note"]
    show_change_link = False


@admin.register(AnnouncementDecision)
class AnnouncementDecisionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "issued_on", "effective_on", "issuer", "published_late",
                    "database_entry_late"]
    list_filter = ["issuer_kind", "published_late", "database_entry_late"]
    search_fields = ["number", "title"]
    date_hierarchy = "issued_on"
    readonly_fields = ["number", "issued_on", "effective_on", "published_late",
                       "database_entry_late", "created_at"]
    inlines = [ItemInline]

    def has_add_permission(self, request):
        return False  # a decision is recorded with its items, through the API or the services

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeskPosting)
class DeskPostingAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "version", "posted_on", "removed_on"]
    list_filter = ["agency"]
    date_hierarchy = "posted_on"
    raw_id_fields = ["version"]
    list_select_related = ["agency", "version", "version__procedure"]
