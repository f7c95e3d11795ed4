"""Downloads of the one-stop documents: forms 01-06 of a dossier and the register (form 07)."""

import datetime
import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cchc.core.audittrail import record_personal_export
from cchc.core.permissions import visible_units
from cchc.errors import DomainError, InvalidInput, NotFound
from cchc.org.models import Agency
from cchc.workcal.calendar import VN_TZ

from . import documents, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER_FORMATS = ("pdf", "xlsx")


def _error(request, message, status):
    return render(request, "onestop/forms/error.html",
                  {"title": _("Không tải được văn bản"), "message": message}, status=status)


def _safe_name(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in ".-_") else "-" for c in text)


@require_GET
@never_cache
@login_required
def form_pdf(request, code, number):
    if number not in documents.FORM_NUMBERS:
        return _error(request, _("Không có mẫu số %(number)s: các mẫu in theo hồ sơ là 01 đến 06.")
                      % {"number": number}, 404)
    try:
        dossier = selectors.get_dossier(request.user, code)
        pdf = documents.render_form(dossier, number, request=request)
    except DomainError as exc:
        return _error(request, exc.message, exc.status_code)
    record_personal_export(request.user, kind=f"onestop.form_{number}", obj=dossier,
                           format="pdf", code=dossier.code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"mau-{number}-{_safe_name(dossier.code)}.pdf")
    return response


def _date(value: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("Ngày “%(value)s” của tham số %(name)s không hợp lệ: hãy viết theo "
                             "dạng NNNN-TT-NN, ví dụ 2026-04-24.") % {"value": value, "name": name},
                           code="bad_date") from None


def _period(request) -> tuple[datetime.date, datetime.date]:
    """``?tu=YYYY-MM-DD&den=YYYY-MM-DD``; by default the current month (a missing end is the
    end of the start's month, a missing start the first day of the end's month)."""
    start_text, end_text = request.GET.get("tu", "").strip(), request.GET.get("den", "").strip()
    today = timezone.now().astimezone(VN_TZ).date()
    start = _date(start_text, "tu") if start_text else None
    end = _date(end_text, "den") if end_text else None
    if start is None:
        start = (end or today).replace(day=1)
    if end is None:
        following = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        end = following - datetime.timedelta(days=1)
    if start > end:
        raise InvalidInput(_("Ngày bắt đầu (tu) phải trước hoặc bằng ngày kết thúc (den)."),
                           code="bad_period")
    return start, end


@require_GET
@never_cache
@login_required
def register(request, agency_code, fmt):
    if fmt not in REGISTER_FORMATS:
        return _error(request, _("Định dạng “%(fmt)s” không được hỗ trợ: chọn pdf hoặc xlsx.")
                      % {"fmt": fmt}, 400)
    try:
        start, end = _period(request)
        agency = (Agency.objects.select_related("unit", "parent")
                  .filter(code=agency_code, unit__in=visible_units(request.user)).first())
        if agency is None:
            raise NotFound(_("Không tìm thấy nơi tiếp nhận %(code)s.") % {"code": agency_code})
        name = f"so-theo-doi-{_safe_name(agency.code)}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
        audit = {"kind": "onestop.register", "obj": agency, "format": fmt,
                 "from": start, "to": end}
        if fmt == "pdf":
            response = HttpResponse(documents.register_pdf(agency, start, end),
                                    content_type="application/pdf")
            record_personal_export(request.user, **audit)
            response["Content-Disposition"] = content_disposition_header(False, name)
            return response
    except DomainError as exc:
        return _error(request, exc.message, exc.status_code)
    spool = tempfile.TemporaryFile()
    try:
        documents.register_xlsx(agency, start, end, spool)
        spool.seek(0)
        record_personal_export(request.user, **audit)
    except BaseException:
        spool.close()
        raise
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX)
