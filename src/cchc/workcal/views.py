from datetime import date

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.errors import InvalidInput

from .calendar import MAX_YEAR, MIN_YEAR
from .deadlines import explain_due
from .forms import DueForm
from .selectors import get_calendar, year_overview


def _year_from(raw: str | None, default: int):
    if raw is None or raw.strip() == "":
        return default, None
    try:
        year = int(raw.strip())
    except ValueError:
        year = None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        return default, _("Năm “%(v)s” không hợp lệ; hãy chọn một năm từ %(a)s đến %(b)s. "
                          "Đang hiển thị năm %(y)s.") % {"v": raw[:20], "a": MIN_YEAR,
                                                        "b": MAX_YEAR, "y": default}
    return year, None


def calendar_page(request):
    """Public: a year's days off and worked days with their references, and the due calculator."""
    calendar = get_calendar()
    year, year_error = _year_from(request.GET.get("nam"), timezone.localdate().year)
    bound = "tiep_nhan" in request.GET or "so_ngay" in request.GET
    form = DueForm(request.GET if bound else None)
    explanation = None
    if bound and form.is_valid():
        try:
            explanation = explain_due(form.cleaned_data["tiep_nhan"], form.cleaned_data["so_ngay"],
                                      calendar=calendar)
        except InvalidInput as exc:
            form.add_error(None, exc.message)
    overview = year_overview(year, calendar)
    context = {
        "title": _("Lịch làm việc và ngày hẹn trả"),
        "year": year,
        "year_error": year_error,
        "years": range(max(MIN_YEAR, year - 3), min(MAX_YEAR, year + 3) + 1),
        "days_off": overview["days_off"],
        "working_days": overview["working_days"],
        "cultural_day": calendar.day_status(date(year, 11, 24)),
        "office": calendar.office,
        "form": form,
        "explanation": explanation,
    }
    return render(request, "workcal/calendar.html", context, status=400 if year_error else 200)
