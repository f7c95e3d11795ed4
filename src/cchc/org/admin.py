"""Admin of units (read-only: they come from ``cchc load-units``), agencies (written through the
services, so the same checks apply) and users with their memberships."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.forms.models import construct_instance
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from cchc.errors import InvalidInput
from cchc.textfold import fold

from . import services
from .models import AdministrativeUnit, Agency, Membership, User


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "division_type", "level", "era", "valid_from", "valid_to"]
    list_filter = ["era", "level"]
    search_fields = ["name", "name_folded", "code"]
    ordering = ["era", "path"]
    list_select_related = ["parent"]
    fields = [
        "era", "code", "name", "division_type", "level", "parent_link", "path",
        "valid_from", "valid_to", "successor_links", "predecessor_links",
    ]
    readonly_fields = fields

    @admin.display(description=_("khóa"), ordering="code")
    def key(self, unit):
        return unit.key

    @admin.display(description=_("đơn vị cấp trên"))
    def parent_link(self, unit):
        return self._links([unit.parent] if unit.parent_id else [])

    @admin.display(description=_("đơn vị kế thừa"))
    def successor_links(self, unit):
        return self._links(unit.successors.order_by("era", "path"))

    @admin.display(description=_("đơn vị tiền thân"))
    def predecessor_links(self, unit):
        return self._links(unit.predecessors.order_by("era", "path"))

    @staticmethod
    def _links(units):
        return format_html_join(
            ", ", '<a href="{}">{} ({})</a>',
            (
                (reverse("admin:org_administrativeunit_change", args=[u.pk]), u.name, u.key)
                for u in units
            ),
        ) or "—"

    def get_search_results(self, request, queryset, search_term):
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if folded := fold(search_term):
            results |= queryset.filter(name_folded__contains=folded)
        return results, duplicates

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["unit", "parent", "code", "name", "kind", "is_home_affairs", "active"]

    def _post_clean(self):
        # The service's checks replace the model's; their messages go to the fields.
        if self.errors:
            return
        values = {f: self.cleaned_data[f] for f in self._meta.fields if f in self.cleaned_data}
        self.instance = construct_instance(self, self.instance, list(values))
        try:
            if self.instance.pk:
                values.pop("unit", None)
                services.validate_agency(agency=self.instance, **values)
            else:
                services.validate_agency(**values)
        except InvalidInput as exc:
            for field, message in exc.fields.items():
                self.add_error(field if field in self.fields else None, str(message))
            if not exc.fields:
                self.add_error(None, str(exc.message))


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ["code", "name", "kind", "unit", "is_home_affairs", "active"]
    list_filter = ["kind", "is_home_affairs", "active", "unit__era", "unit__level"]
    search_fields = ["code", "name", "name_folded"]
    autocomplete_fields = ["unit", "parent"]
    list_select_related = ["unit"]

    def get_readonly_fields(self, request, obj=None):
        return ["unit"] if obj else []

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data[f] for f in form.cleaned_data if f != "unit"}
        if change:
            saved = services.update_agency(Agency.objects.get(pk=obj.pk), **values)
        else:
            saved = services.create_agency(unit=form.cleaned_data["unit"], **values)
        obj.pk, obj.code, obj.name = saved.pk, saved.code, saved.name

    def has_delete_permission(self, request, obj=None):
        # Dossiers and findings refer to agencies: deactivate instead.
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit", "agency"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Thông tin cá nhân"), {"fields": ["full_name", "phone", "email", "first_name",
                                             "last_name"]}),
        (_("Quyền"), {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                 "user_permissions"]}),
        (_("Thời điểm"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"],
                "fields": ["username", "full_name", "phone", "usable_password", "password1",
                           "password2"]}),
    ]
    list_display = ["username", "full_name", "phone", "email", "is_staff", "is_active"]
    search_fields = ["username", "full_name", "email", "phone"]
    inlines = [MembershipInline]
