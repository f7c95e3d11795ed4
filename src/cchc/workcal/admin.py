from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cchc.errors import InvalidInput

from . import services
from .calendar import WEEKDAY_NAMES
from .forms import CulturalDayForm
from .models import CalendarOverride, OfficeHours


class YearFilter(admin.SimpleListFilter):
    title = _("năm")
    parameter_name = "nam"

    def lookups(self, request, model_admin):
        years = CalendarOverride.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(SimpleHistoryAdmin):
    list_display = ("date", "weekday", "kind", "reference", "note")
    list_filter = (YearFilter, "kind")
    search_fields = ("reference", "note")
    date_hierarchy = "date"
    ordering = ("-date",)
    actions = ["delete_selected_overrides"]

    @admin.display(description=_("thứ"), ordering="date")
    def weekday(self, obj):
        return WEEKDAY_NAMES[obj.date.weekday()]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete skips history; use ours
        return actions

    @admin.action(description=_("Xóa các ngày đã chọn (trở về lịch quốc gia)"),
                  permissions=["delete"])
    def delete_selected_overrides(self, request, queryset):
        count = 0
        for override in queryset:
            count += services.remove_override(override.date)
        self.message_user(request, _("Đã xóa %(n)s ngày.") % {"n": count}, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        try:
            services.save_override(obj)
        except InvalidInput as exc:  # pragma: no cover - the form validated it already
            self.message_user(request, exc.message, messages.ERROR)

    def delete_model(self, request, obj):
        services.remove_override(obj.date)

    def get_urls(self):
        urls = [
            path("ngay-van-hoa/", self.admin_site.admin_view(self.cultural_day_view),
                 name="workcal_calendaroverride_cultural_day"),
        ]
        return urls + super().get_urls()

    def cultural_day_view(self, request):
        """Switch Ngày Văn hóa Việt Nam (24/11) of a year on or off."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = CulturalDayForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.set_cultural_day(data["year"], data["off"], data["reference"], data["note"])
            except InvalidInput as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    (_("Đã đặt 24/11/%(y)s là ngày nghỉ.") if data["off"]
                     else _("Đã đặt 24/11/%(y)s là ngày làm việc bình thường.")) % {"y": data["year"]},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:workcal_calendaroverride_changelist")
                                + f"?nam={data['year']}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Ngày Văn hóa Việt Nam (24/11)"),
            "form": form,
        }
        return TemplateResponse(request, "admin/workcal/calendaroverride/cultural_day.html", context)


@admin.register(OfficeHours)
class OfficeHoursAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "same_day_cutoff", "updated_at")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not OfficeHours.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {f: getattr(obj, f) for f in ("morning_start", "morning_end", "afternoon_start",
                                               "afternoon_end", "same_day_cutoff")}
        saved = services.update_office_hours(**values)
        obj.pk = saved.pk
