"""Admin of the civil-status registers: read-only. Books, entries and notes are written by the
services only (an entry is never edited; corrections are marginal notes), and ID numbers are
masked here as for every other user who is not the unit's civil-status officer."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cchc.core.admin import ReadOnlyAdminMixin

from . import rules
from .models import (
    CivilRequest,
    ExtractCopy,
    MarginalNote,
    RegisterBook,
    RegisterEntry,
)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(RegisterBook)
class RegisterBookAdmin(ReadOnlyAdmin):
    list_display = ("unit", "event_type", "year", "volume", "first_number", "last_number",
                    "closed_at", "total_entries", "total_pages")
    list_filter = ("event_type", "year", "unit__era")
    search_fields = ("unit__name_folded", "volume")


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    list_display = ("unit", "event_type", "volume", "number", "registered_at", "full_name",
                    "masked_id", "kind")
    list_filter = ("event_type", "kind", "unit__era")
    search_fields = ("name_folded",)
    list_select_related = ("book", "unit")
    exclude = ("id_number", "partner_id_number", "father_id_number", "mother_id_number",
               "declarant_id_number")
    raw_id_fields = ("book", "unit", "dossier")

    @admin.display(description=_("quyển số"))
    def volume(self, entry):
        return entry.book.volume

    @admin.display(description=_("số định danh"))
    def masked_id(self, entry):
        return rules.mask_id(entry.id_number)


@admin.register(MarginalNote)
class MarginalNoteAdmin(ReadOnlyAdmin):
    list_display = ("entry", "kind", "registered_at", "text")
    list_filter = ("kind",)
    exclude = ("changes", "id_number")
    raw_id_fields = ("entry", "dossier")


@admin.register(CivilRequest)
class CivilRequestAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "purpose", "event_type", "status", "created_at", "error")
    list_filter = ("purpose", "status", "event_type")
    exclude = ("data",)
    raw_id_fields = ("dossier", "target_entry")


@admin.register(ExtractCopy)
class ExtractCopyAdmin(ReadOnlyAdmin):
    list_display = ("entry", "dossier", "copies", "issued_at")
    raw_id_fields = ("entry", "dossier")

