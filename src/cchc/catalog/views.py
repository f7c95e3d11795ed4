"""Catalog pages: public search, detail and printable posting sheet; for staff, the
announcement decisions and the posting gaps of the desks they may see.

Announcement decisions are entered by the catalog administrators (``CATALOG_WRITER_ROLES``:
Home Affairs administrators and system administrators, the roles that may write through the
API) on one page: the decision's head and a list of item rows, each a procedure announced as
new / amended / replaced / abolished with the version details. It works without JavaScript:
"Thêm dòng" posts the form back with more empty rows. The whole decision goes through
``services.announce`` (one transaction: nothing is recorded unless every row applies).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cchc.core.permissions import has_role, scope
from cchc.errors import DomainError, NotFound
from cchc.org.models import Role

from . import selectors, services
from .forms import (
    ITEM_ROWS_STEP,
    MAX_ITEMS,
    AnnouncementForm,
    AnnouncementItemFormSet,
    AsOfForm,
    CatalogSearchForm,
)
from .models import AnnouncementDecision

PAGE_SIZE = 20
DESKS_PER_PAGE = 25
CATALOG_WRITER_ROLES = (Role.SYSTEM_ADMIN, Role.HOME_AFFAIRS_ADMIN)
ITEMS_PREFIX = "items"


def can_announce(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, *CATALOG_WRITER_ROLES))


def procedure_list(request):
    form = CatalogSearchForm(request.GET or None)
    context = {"form": form, "title": _("Thủ tục hành chính")}
    if form.is_bound and not form.is_valid():
        return render(request, "catalog/procedure_list.html", context, status=400)
    arguments = form.search_arguments() if form.is_bound else {"text": ""}
    number = request.GET.get("trang", "")
    try:
        page = selectors.search_page(**arguments, size=PAGE_SIZE, cursor=request.GET.get("sau"),
                                     number=int(number) if number.isascii() and number.isdigit() else 1)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "catalog/procedure_list.html", context, status=exc.status_code)
    query = request.GET.copy()
    query.pop("trang", None)
    query.pop("sau", None)
    context.update(page=page, query=query.urlencode(), on=arguments.get("on") or selectors.today(),
                   searched=form.is_bound)
    return render(request, "catalog/procedure_list.html", context)


def _as_of(request):
    form = AsOfForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data.get("ngay") or selectors.today()


def _procedure_or_error(request, code, on):
    try:
        return selectors.get_procedure(code, on), None
    except NotFound:
        raise Http404(_("Không có thủ tục này.")) from None
    except DomainError as exc:
        return None, render(request, "catalog/error.html", {"message": exc.message},
                            status=exc.status_code)


def procedure_detail(request, code):
    form, on = _as_of(request)
    if on is None:
        return render(request, "catalog/error.html", {"message": _("Ngày không hợp lệ."),
                                                      "form": form}, status=400)
    procedure, error = _procedure_or_error(request, code, on)
    if error:
        return error
    if procedure.code != code:  # a base code: the canonical address is the local code
        url = reverse("catalog:procedure_detail", args=[procedure.code])
        return redirect(url + (f"?{request.GET.urlencode()}" if request.GET else ""))
    view = selectors.procedure_as_of(procedure, on)
    return render(request, "catalog/procedure_detail.html", {
        "view": view, "version": view.version, "procedure": procedure, "form": form,
        "title": view.version.name if view.version else procedure.code,
    })


def posting_sheet(request, code):
    """The printable posting sheet (A4 PDF) of the version in force on ``?ngay=``."""
    from weasyprint import HTML

    form, on = _as_of(request)
    if on is None:
        return render(request, "catalog/error.html", {"message": _("Ngày không hợp lệ.")},
                      status=400)
    procedure, error = _procedure_or_error(request, code, on)
    if error:
        return error
    view = selectors.procedure_as_of(procedure, on)
    if view.version is None:
        raise Http404(_("Thủ tục chưa có phiên bản nào."))
    # An official document posted at the desk: always in Vietnamese, whatever the page language.
    with translation.override("vi"):
        html = render_to_string("catalog/posting_sheet.html",
                                {"view": view, "version": view.version}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="niem-yet-{procedure.code}.pdf"'
    return response


@login_required
def announcement_list(request):
    page = Paginator(selectors.announcements(), PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "catalog/announcement_list.html",
                  {"page": page, "title": _("Quyết định công bố thủ tục hành chính"),
                   "can_announce": can_announce(request.user)})


def _with_more_rows(data):
    """The posted data with ``ITEM_ROWS_STEP`` more empty item rows (the no-JavaScript way)."""
    data = data.copy()
    key = f"{ITEMS_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except (TypeError, ValueError):
        total = 0
    data[key] = str(min(max(total, 0) + ITEM_ROWS_STEP, MAX_ITEMS))
    return data


def _service_errors(error: DomainError, form, formset, positions: dict) -> None:
    """Put the service's field errors on the fields they name (the message says the rest)."""
    for key, field_messages in (error.fields or {}).items():
        head, _dot, rest = key.partition(".")
        if head == "items" and rest:
            number, _dot, item_key = rest.partition(".")
            item_form = positions.get(int(number)) if number.isdigit() else None
            if item_form is not None:
                item_form.add_service_error(item_key, field_messages)
                continue
        if key in form.fields:
            for message in field_messages:
                form.add_error(key, message)


@login_required
def announcement_create(request):
    """Enter an announcement decision and apply it to the catalog."""
    if not can_announce(request.user):
        raise PermissionDenied(_("Chỉ quản trị Nội vụ hoặc quản trị hệ thống được ghi nhận quyết "
                                 "định công bố."))
    status = 200
    if request.method == "POST" and "them_dong" in request.POST:
        data = _with_more_rows(request.POST)
        form = AnnouncementForm(data)
        formset = AnnouncementItemFormSet(data, prefix=ITEMS_PREFIX)
        show_errors = False
    elif request.method == "POST":
        form = AnnouncementForm(request.POST)
        formset = AnnouncementItemFormSet(request.POST, prefix=ITEMS_PREFIX)
        show_errors = True
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            used = formset.used_forms()
            positions = dict(enumerate(used, start=1))
            try:
                decision = services.announce(
                    items=[item_form.item_arguments() for item_form in used],
                    **form.decision_arguments())
            except DomainError as error:
                _service_errors(error, form, formset, positions)
                messages.error(request, _("Chưa ghi nhận quyết định: %(reason)s")
                               % {"reason": error.message})
                status = error.status_code
            else:
                messages.success(request, _("Đã ghi nhận quyết định %(number)s với %(count)s thủ "
                                            "tục.") % {"number": decision.number,
                                                      "count": len(used)})
                return redirect("catalog:announcement_detail", decision.pk)
        else:
            messages.error(request, _("Chưa ghi nhận quyết định: vui lòng sửa các ô được đánh dấu."))
            status = 400
    else:
        form = AnnouncementForm()
        formset = AnnouncementItemFormSet(prefix=ITEMS_PREFIX)
        show_errors = False
    return render(request, "catalog/announcement_form.html", {
        "form": form, "formset": formset, "show_errors": show_errors,
        "title": _("Ghi nhận quyết định công bố"), "max_items": MAX_ITEMS,
    }, status=status)


@login_required
def announcement_detail(request, pk):
    decision = get_object_or_404(AnnouncementDecision, pk=pk)
    return render(request, "catalog/announcement_detail.html", {
        "decision": decision, "items": selectors.announcement_items(decision),
        "title": decision.number,
    })


@login_required
def posting_gap_list(request):
    form, on = _as_of(request)
    if on is None:
        return render(request, "catalog/error.html", {"message": _("Ngày không hợp lệ.")},
                      status=400)
    visible = scope(selectors.desks(), request.user, unit_field="unit").order_by(
        "unit__era", "unit__path", "name")
    page = Paginator(visible, DESKS_PER_PAGE).get_page(request.GET.get("trang"))
    rows = [selectors.posting_gaps(desk, on) for desk in page.object_list]
    return render(request, "catalog/posting_gaps.html", {
        "form": form, "on": on, "page": page, "rows": rows,
        "title": _("Niêm yết thủ tục tại nơi tiếp nhận"),
    })


@login_required
def posting_gap_detail(request, agency_code):
    form, on = _as_of(request)
    if on is None:
        return render(request, "catalog/error.html", {"message": _("Ngày không hợp lệ.")},
                      status=400)
    desk = scope(selectors.desks(), request.user, unit_field="unit").filter(
        code=agency_code).first()
    if desk is None:
        raise Http404(_("Không có nơi tiếp nhận này."))
    gaps = selectors.posting_gaps(desk, on)
    postings = selectors.active_postings(desk, on).order_by("version__procedure__code")
    return render(request, "catalog/posting_gap_detail.html", {
        "form": form, "on": on, "gaps": gaps, "desk": desk, "postings": postings,
        "title": desk.name,
    })
