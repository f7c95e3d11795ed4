"""Civil-status pages (/ho-tich/): the books of the user's units, an entry with its marginal
notes and documents, registration (at the desk or directly), corrections, copies of extracts,
search (audited), monthly counts and the inspection evidence per book.

Every change goes through ``services``; a ``DomainError`` becomes form errors or a message
with its status code, never a 500. Another unit's book or entry is simply not found (404).
Full ID numbers and the documents that carry them are for the unit's civil-status officers
(see ``selectors``); others see masked numbers.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.audittrail import record_personal_export
from cchc.errors import DomainError, Forbidden, NotFound

from . import documents, rules, selectors, services
from .forms import (
    CloseBookForm,
    CopyForm,
    NoteForm,
    RegistrationForm,
    SearchForm,
    apply_domain_error,
    desks_for,
)
from .models import BOOK_TITLES, EventType, ExtractCopy, RegisterEntry, RequestStatus

PAGE_SIZE = 50
EVENT_SLUGS = {"khai-sinh": EventType.BIRTH, "ket-hon": EventType.MARRIAGE,
               "khai-tu": EventType.DEATH}
SLUG_OF = {v: k for k, v in EVENT_SLUGS.items()}
DOCUMENT_SLUGS = {"ban-chinh": documents.CERTIFICATE, "trich-luc": documents.EXTRACT}


def _error_page(request, exc: DomainError):
    return render(request, "civil/error.html", {"title": _("Không thực hiện được"),
                                                "message": exc.message}, status=exc.status_code)


def _entry_or_404(user, pk) -> RegisterEntry:
    try:
        return selectors.get_entry(user, pk)
    except NotFound:
        raise Http404(_("Không tìm thấy mục đăng ký hộ tịch.")) from None


def _year(value, default: int) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 1900 < int(text) < 2200 else default


def shown_id(value: str, visible: bool) -> str:
    return value if visible else rules.mask_id(value)


@login_required
def home(request):
    user = request.user
    years = selectors.years_with_books(user)
    year = _year(request.GET.get("nam"), years[0] if years else timezone.localdate().year)
    books = selectors.visible_books(user).filter(year=year)
    event_type = request.GET.get("loai") or ""
    if event_type in EventType.values:
        books = books.filter(event_type=event_type)
    requests_pending = selectors.requests_for(user).exclude(status=RequestStatus.DONE).count()
    return render(request, "civil/home.html", {
        "title": _("Sổ hộ tịch"), "books": books, "years": years, "year": year,
        "event_type": event_type, "event_types": EventType.choices,
        "registrations": [(SLUG_OF[t], label) for t, label in EventType.choices],
        "requests_pending": requests_pending, "is_officer": bool(selectors.officer_unit_ids(user)),
    })


@login_required
def book_detail(request, pk):
    try:
        book = selectors.get_book(request.user, pk)
    except NotFound:
        raise Http404(_("Không tìm thấy sổ hộ tịch.")) from None
    visible = selectors.can_see_id_numbers(request.user, book.unit_id)
    page = Paginator(selectors.book_entries(book), PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = [(entry, shown_id(entry.id_number, visible)) for entry in page.object_list]
    evidence = selectors.book_evidence([book.unit], book.year)
    evidence = next((e for e in evidence if e.book.pk == book.pk), None)
    return render(request, "civil/book.html", {
        "title": f"{book.title} {book.volume}", "book": book, "page": page, "rows": rows,
        "evidence": evidence, "close_form": CloseBookForm(),
    })


@login_required
@require_POST
def close_book(request, pk):
    try:
        book = selectors.get_book(request.user, pk)
    except NotFound:
        raise Http404(_("Không tìm thấy sổ hộ tịch.")) from None
    form = CloseBookForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thông tin khóa sổ chưa đúng."))
        return redirect("civil:book", pk=book.pk)
    try:
        book = services.close_book(book, actor=request.user,
                                   total_pages=form.cleaned_data["total_pages"],
                                   volume_full=form.cleaned_data["volume_full"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("civil:book", pk=book.pk)
    messages.success(request, _("Đã khóa %(book)s quyển %(volume)s: %(n)s sự kiện, %(p)s trang.")
                     % {"book": book.title, "volume": book.volume, "n": book.total_entries,
                        "p": book.total_pages})
    return redirect("civil:book", pk=book.pk)


def _entry_context(user, entry):
    notes = selectors.notes_of(entry)
    facts = selectors.current_facts(entry, notes)
    visible = selectors.can_see_id_numbers(user, entry.unit_id)
    for column in ("id_number", "partner_id_number", "father_id_number", "mother_id_number",
                   "declarant_id_number"):
        facts[column] = shown_id(facts.get(column) or "", visible)
    return {"entry": entry, "facts": facts, "notes": notes, "ids_visible": visible,
            "copies": entry.copies.select_related("dossier").all(),
            "sex_label": rules.sex_label(facts.get("sex") or "")}


@login_required
def entry_detail(request, pk):
    entry = _entry_or_404(request.user, pk)
    context = _entry_context(request.user, entry)
    context.update(title=str(entry), note_form=NoteForm(entry=entry), copy_form=CopyForm(
        initial={"applicant_name": entry.declarant_name or entry.full_name}))
    return render(request, "civil/entry.html", context)


@login_required
def entry_for_dossier(request, code):
    """The entry written for a one-stop dossier (the link the desk follows after processing)."""
    entry = selectors.visible_entries(request.user).filter(dossier__code=code).first()
    if entry is None:
        raise Http404(_("Hồ sơ này chưa có mục trong sổ hộ tịch."))
    return redirect("civil:entry", pk=entry.pk)


def _pdf_response(data: bytes, name: str, request) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("tai") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


def _check_documents_allowed(user, entry):
    if not selectors.can_see_id_numbers(user, entry.unit_id):
        raise Forbidden(_("Chỉ công chức hộ tịch của đơn vị đăng ký được in giấy tờ hộ tịch."))


@login_required
def entry_pdf(request, pk, kind):
    entry = _entry_or_404(request.user, pk)
    if kind not in DOCUMENT_SLUGS:
        raise Http404()
    try:
        _check_documents_allowed(request.user, entry)
    except DomainError as exc:
        return _error_page(request, exc)
    kind = DOCUMENT_SLUGS[kind]
    data = documents.render_pdf(entry, kind)
    record_personal_export(request.user, kind=f"civil.{kind}", obj=entry, format="pdf")
    return _pdf_response(data, documents.file_name(entry, kind), request)


@login_required
def copy_pdf(request, pk):
    copy = (ExtractCopy.objects.select_related("entry", "dossier", "dossier__unit")
            .filter(pk=pk, entry__in=selectors.visible_entries(request.user)).first())
    if copy is None:
        raise Http404(_("Không tìm thấy bản sao trích lục."))
    try:
        _check_documents_allowed(request.user, copy.entry)
    except DomainError as exc:
        return _error_page(request, exc)
    data = documents.render_pdf(copy.entry, documents.EXTRACT, copy)
    record_personal_export(request.user, kind="civil.extract_copy", obj=copy.entry,
                           format="pdf", copy_id=copy.pk)
    return _pdf_response(data, documents.file_name(copy.entry, documents.EXTRACT), request)


@login_required
def register(request, event):
    event_type = EVENT_SLUGS.get(event)
    if event_type is None:
        raise Http404()
    user = request.user
    desks = desks_for(user)
    if not desks.exists():
        return render(request, "civil/error.html", {
            "title": _("Không có quyền đăng ký"),
            "message": _("Chỉ công chức hộ tịch, cán bộ một cửa, lãnh đạo của xã, phường có bộ "
                         "phận tiếp nhận được đăng ký hộ tịch.")}, status=403)
    title = _("Đăng ký %(event)s") % {"event": EventType(event_type).label.lower()}
    if request.method != "POST":
        form = RegistrationForm(event_type=event_type, desks=desks,
                                initial={"agency": desks.first()})
        return render(request, "civil/register.html", {"title": title, "form": form})
    form = RegistrationForm(request.POST, event_type=event_type, desks=desks)
    if not form.is_valid():
        messages.error(request, _("Thông tin chưa đúng, xin kiểm tra các ô được đánh dấu."))
        return render(request, "civil/register.html", {"title": title, "form": form}, status=400)
    data = form.cleaned_data
    try:
        if data["mode"] == RegistrationForm.MODE_DESK:
            civil_request = services.register_at_desk(
                agency=data["agency"], event_type=event_type, data=form.data_dict(), actor=user,
                kind=data["kind"] or None)
        else:
            entry = services.register_directly(
                agency=data["agency"], event_type=event_type, data=form.data_dict(), actor=user,
                kind=data["kind"] or None)
    except DomainError as exc:
        apply_domain_error(form, exc)
        messages.error(request, exc.message)
        return render(request, "civil/register.html", {"title": title, "form": form},
                      status=exc.status_code)
    if data["mode"] == RegistrationForm.MODE_DESK:
        dossier = civil_request.dossier
        messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s. Việc %(event)s sẽ được ghi vào "
                                    "sổ khi hồ sơ được xử lý xong.")
                         % {"code": dossier.code, "event": EventType(event_type).label.lower()})
        return redirect("onestop:dossier", code=dossier.code)
    messages.success(request, _("Đã ghi vào %(book)s quyển %(volume)s, số %(number)s.")
                     % {"book": entry.book.title, "volume": entry.book.volume,
                        "number": entry.number})
    return redirect("civil:entry", pk=entry.pk)


@login_required
@require_POST
def add_note(request, pk):
    entry = _entry_or_404(request.user, pk)
    form = NoteForm(request.POST, entry=entry)
    if form.is_valid():
        try:
            services.record_note_directly(
                entry=entry, kind=form.cleaned_data["kind"], changes=form.changes(),
                text=form.cleaned_data["text"], basis=form.cleaned_data["basis"],
                actor=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã ghi chú vào sổ."))
            return redirect("civil:entry", pk=entry.pk)
    context = _entry_context(request.user, entry)
    context.update(title=str(entry), note_form=form, copy_form=CopyForm())
    return render(request, "civil/entry.html", context, status=400)


@login_required
@require_POST
def issue_copy(request, pk):
    entry = _entry_or_404(request.user, pk)
    form = CopyForm(request.POST)
    if form.is_valid():
        try:
            copy = services.issue_extract_copy(
                entry=entry, actor=request.user, copies=form.cleaned_data["copies"],
                applicant={"name": form.cleaned_data["applicant_name"],
                           "id_number": form.cleaned_data["applicant_id_number"]})
        except DomainError as exc:
            apply_domain_error(form, exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã cấp bản sao trích lục (hồ sơ %(code)s).")
                             % {"code": copy.dossier.code})
            return redirect("civil:entry", pk=entry.pk)
    context = _entry_context(request.user, entry)
    context.update(title=str(entry), note_form=NoteForm(entry=entry), copy_form=form)
    return render(request, "civil/entry.html", context, status=400)


@login_required
def search(request):
    user = request.user
    form = SearchForm(request.GET or None)
    context = {"title": _("Tra cứu sổ hộ tịch"), "form": form}
    if not form.is_bound:
        return render(request, "civil/search.html", context)
    try:
        result = services.search_register(user, request.GET, source="page")
    except DomainError as exc:
        apply_domain_error(form, exc)
        context["error"] = exc.message
        return render(request, "civil/search.html", context, status=exc.status_code)
    officer_ids = result.officer_ids
    page = Paginator(result.ids, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = [(e, shown_id(e.id_number, e.unit_id in officer_ids),
             shown_id(e.partner_id_number, e.unit_id in officer_ids))
            for e in result.load(page.object_list)]
    query = request.GET.copy()
    query.pop("trang", None)
    context.update(result=result, page=page, rows=rows, query=query.urlencode())
    return render(request, "civil/search.html", context)


@login_required
def statistics(request):
    year = _year(request.GET.get("nam"), timezone.localdate().year)
    rows = selectors.monthly_counts(selectors.report_roots(request.user), year)
    totals = {t: sum(r[t] for r in rows) for t in EventType.values}
    return render(request, "civil/statistics.html", {
        "title": _("Số việc hộ tịch theo tháng"), "rows": rows, "year": year, "totals": totals,
        "total": sum(totals.values())})


@login_required
def evidence(request):
    year = _year(request.GET.get("nam"), timezone.localdate().year - 1)
    rows = selectors.book_evidence(selectors.report_roots(request.user), year)
    return render(request, "civil/evidence.html", {
        "title": _("Kiểm tra sổ hộ tịch"), "rows": rows, "year": year,
        "clean": all(r.clean for r in rows), "titles": BOOK_TITLES})


@login_required
def requests_list(request):
    status = request.GET.get("tinh_trang") or ""
    queryset = selectors.requests_for(request.user, status if status in RequestStatus.values
                                      else None)
    page = Paginator(queryset.select_related("dossier__register_entry"), PAGE_SIZE).get_page(
        request.GET.get("trang"))
    return render(request, "civil/requests.html", {
        "title": _("Hồ sơ hộ tịch qua một cửa"), "page": page, "status": status,
        "statuses": RequestStatus.choices})


@login_required
@require_POST
def retry_request(request, pk):
    civil_request = selectors.requests_for(request.user).filter(pk=pk).first()
    if civil_request is None:
        raise Http404()
    try:
        civil_request = services.retry_civil_request(civil_request, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if civil_request.status == RequestStatus.DONE:
            messages.success(request, _("Đã ghi vào sổ."))
        else:
            messages.error(request, civil_request.error)
    return redirect(reverse("civil:requests") + "?tinh_trang=failed")
