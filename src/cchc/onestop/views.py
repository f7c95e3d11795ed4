"""One-stop pages: staff work queues, intake at the desk, the dossier page with one form
per available action; for citizens (no login) online submission, lookup by code and the
satisfaction rating.

Every change goes through ``services`` (and ``uploads`` for files, in the same
transaction); a ``DomainError`` becomes a message or form errors on the page, never a
500. Another unit's dossier is simply not found (404).

Choices where the brief is silent:
- The public lookup and rating are rate-limited per client address (``REMOTE_ADDR``; a
  reverse proxy must set it to the client's address) with fixed windows in Django's cache:
  at most 20 lookups a minute and 10 unknown codes in 10 minutes, so codes cannot be
  enumerated. Online submissions: at most 10 an hour per address.
- The components checklist at the desk is an aid for the officer; what was received is
  recorded on the receipt (form 01) from the procedure's published components.
"""

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cchc.catalog import selectors as catalog_selectors
from cchc.core.audittrail import record_personal_export
from cchc.core.permissions import has_role, memberships
from cchc.core.privacy import applicant_contact
from cchc.core.services import record_personal_search
from cchc.errors import Conflict, DomainError, NotFound
from cchc.org.models import Role

from . import selectors, services, uploads
from .forms import (
    ACTION_FORMS,
    IntakeForm,
    LookupForm,
    OnlineForm,
    ProcedureSearchForm,
    QueueFilterForm,
    RatingForm,
    action_form,
    apply_domain_error,
)
from .models import Dossier, Status, Timeliness
from .templatetags.onestop_tags import form_url, register_url
from .timeliness import Clock, effective_due
from .transitions import TRANSITIONS

PAGE_SIZE = 25
SEARCH_RESULTS = 20

QUEUE_TITLES = {
    "mine": gettext_lazy("Hồ sơ của tôi"),
    "due_soon": gettext_lazy("Sắp đến hạn"),
    "overdue": gettext_lazy("Quá hạn"),
    "supplement": gettext_lazy("Chờ bổ sung"),
    "all": gettext_lazy("Tất cả hồ sơ đang giải quyết"),
}

EVENT_LABELS = {
    "receive": gettext_lazy("Tiếp nhận hồ sơ"),
    "submit": gettext_lazy("Nộp hồ sơ trực tuyến"),
    "rate": gettext_lazy("Công dân đánh giá mức độ hài lòng"),
    "import": gettext_lazy("Nhập từ hệ thống cũ"),
}

FORM_TITLES = {
    "01": gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "02": gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "03": gettext_lazy("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "04": gettext_lazy("Văn bản xin lỗi và hẹn lại ngày trả kết quả"),
    "05": gettext_lazy("Thông báo dừng giải quyết hồ sơ"),
    "06": gettext_lazy("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
}
# Shown unfolded on the dossier page: the usual next step. The others (supplement, apology,
# refusal, stop, withdrawal) are folded and open on demand.
PRIMARY_ACTIONS = {"accept", "transfer", "approve", "return_result", "receive_supplement",
                   "receive_financial"}
# The form an action produces, offered in the message after it.
ACTION_FORM_NUMBERS = {"refuse": "03", "request_supplement": "02", "apologize": "04", "stop": "05"}

LOOKUPS_PER_MINUTE = 20
MISSES_PER_10_MINUTES = 10
SUBMISSIONS_PER_HOUR = 10


# -- throttling of the public pages ---------------------------------------------------------


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _window_count(name: str, ip: str, window: int, *, bump: bool = True) -> int:
    key = f"onestop:{name}:{ip}:{int(time.time() // window)}"
    if not bump:
        return cache.get(key, 0)
    if cache.add(key, 1, window + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 5)
        return 1


def _lookup_throttled(request) -> bool:
    """Counts this lookup; True when the address is over either limit."""
    ip = client_ip(request)
    if _window_count("miss", ip, 600, bump=False) >= MISSES_PER_10_MINUTES:
        return True
    return _window_count("lookup", ip, 60) > LOOKUPS_PER_MINUTE


def _record_miss(request) -> None:
    _window_count("miss", client_ip(request), 600)


def _throttled(request, retry_after: int = 60):
    response = render(request, "onestop/throttled.html", {"title": _("Quá nhiều yêu cầu")},
                      status=429)
    response["Retry-After"] = str(retry_after)
    return response


# -- helpers ----------------------------------------------------------------------------------


def _dossier_or_404(user, code: str) -> Dossier:
    try:
        return selectors.get_dossier(user, code)
    except NotFound:
        raise Http404(_("Không tìm thấy hồ sơ %(code)s.") % {"code": code}) from None


def user_desks(user):
    """The reception desks where ``user`` works as a desk officer (all desks for a superuser)."""
    desks = catalog_selectors.desks().order_by("unit__name", "name")
    if user.is_superuser:
        return desks
    query = Q(pk__in=[])
    for membership in memberships(user).filter(role=Role.DESK_OFFICER):
        if membership.agency_id and membership.agency.kind in catalog_selectors.DESK_KINDS:
            query |= Q(pk=membership.agency_id)
        else:
            query |= Q(unit_id=membership.unit_id)
    return desks.filter(query)


def _procedure_and_version(request, code: str):
    """The procedure chosen by its local code and its version in force today, or an error
    message for the page."""
    try:
        procedure = catalog_selectors.get_procedure(code)
    except DomainError as exc:
        return None, None, str(exc.message)
    version = catalog_selectors.version_in_force(procedure)
    if version is None:
        return None, None, _("Thủ tục %(code)s hiện không còn hiệu lực.") % {"code": procedure.code}
    return procedure, version, ""


def _procedure_search(request, *, channel=None):
    form = ProcedureSearchForm(request.GET or None)
    results, error = [], ""
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        try:
            results = list(catalog_selectors.search_results(
                catalog_selectors.search_procedures(form.cleaned_data["q"], channel=channel)
            )[:SEARCH_RESULTS])
        except DomainError as exc:
            error = str(exc.message)
    return form, results, error


def _success_with_form(request, text: str, code: str, number: str | None):
    url = form_url(code, number) if number else ""
    if url:
        messages.success(request, format_html(
            '{} <a href="{}" target="_blank" rel="noopener">{}</a>', text, url,
            _("Mở %(title)s (mẫu %(number)s)") % {"title": FORM_TITLES[number], "number": number}))
    else:
        messages.success(request, text)


# -- staff: queues ----------------------------------------------------------------------------


def _procedure_choices(queryset):
    seen = {}
    rows = (queryset.order_by().values_list("procedure__code", "procedure_version__name")
            .distinct())
    for code, name in rows:
        seen.setdefault(code, name)
    return sorted(seen.items(), key=lambda item: item[1])


@login_required
def queue(request, queue: str = "mine"):
    if queue not in selectors.QUEUES:
        raise Http404(_("Không có hàng đợi này."))
    user = request.user
    now = timezone.now()
    base = selectors.work_queue(user, queue, now=now)
    procedures = _procedure_choices(base)
    form = QueueFilterForm(request.GET or None, procedures=procedures)
    status = 200
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Bộ lọc không hợp lệ (xem các ô được đánh dấu); đang hiển thị "
                                  "toàn bộ hàng đợi."))
        dossiers = base
        status = 400
    elif form.is_bound:
        dossiers = form.filter(base)
        if (form.cleaned_data.get("q") or "").strip():
            # A search of people (by name or ID number): recorded (Nghị định 13/2023).
            record_personal_search(user, source="onestop.queue", params={
                "queue": queue, "q": form.cleaned_data["q"].strip()},
                result_count=dossiers.count())
    else:
        dossiers = base
    dossiers = dossiers.select_related("procedure", "procedure_version", "current_agency",
                                       "current_step")
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = [(d, services.open_timeliness(d, now)) for d in page.object_list]
    query = request.GET.copy()
    query.pop("trang", None)
    counts = {key: selectors.work_queue(user, key, now=now).count() for key in selectors.QUEUES}
    titles = {key: str(label) for key, label in QUEUE_TITLES.items()}
    roles = [selectors.ROLE_QUEUE_TITLES[m.role] for m in memberships(user)
             if m.role in selectors.ROLE_QUEUE_TITLES]
    is_desk = user.is_superuser or has_role(user, Role.DESK_OFFICER)
    registers = []
    if is_desk:
        # The register (form 07) covers the received-date filter, by default the current month.
        period = {}
        if form.is_bound and form.is_valid():
            period = {key: form.cleaned_data[name].isoformat()
                      for key, name in (("tu", "tu_ngay"), ("den", "den_ngay")) if form.cleaned_data.get(name)}
        suffix = f"?{urlencode(period)}" if period else ""
        for desk in user_desks(user)[:10]:
            links = [(fmt.upper(), url + suffix) for fmt in ("pdf", "xlsx")
                     if (url := register_url(desk.code, fmt))]
            if links:
                registers.append((desk, links))
    return render(request, "onestop/queue.html", {
        "title": titles[queue], "queue": queue, "tabs": [(k, titles[k], counts[k]) for k in selectors.QUEUES],
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "role_titles": list(dict.fromkeys(str(r) for r in roles)), "is_desk": is_desk,
        "registers": registers, "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
    }, status=status)


# -- staff: intake --------------------------------------------------------------------------


@login_required
def intake(request):
    user = request.user
    desks = user_desks(user)
    if not (user.is_superuser or has_role(user, Role.DESK_OFFICER)) or not desks.exists():
        return render(request, "onestop/error.html", {
            "title": _("Không có quyền tiếp nhận"),
            "message": _("Chỉ cán bộ một cửa của một bộ phận tiếp nhận được tiếp nhận hồ sơ."),
        }, status=403)
    code = (request.POST.get("procedure") if request.method == "POST" else request.GET.get("thu_tuc")) or ""
    search_form, results, error = _procedure_search(request)
    context = {"title": _("Tiếp nhận hồ sơ"), "search_form": search_form, "results": results}
    if not code:
        if error:
            messages.error(request, error)
        return render(request, "onestop/intake.html", context, status=400 if error else 200)
    procedure, version, error = _procedure_and_version(request, code)
    if procedure is None:
        messages.error(request, error)
        return render(request, "onestop/intake.html", context, status=400)
    methods = version.methods_by_channel()
    context.update(procedure=procedure, version=version, methods=methods)
    if request.method != "POST":
        form = IntakeForm(desks=desks, version=version, initial={
            "procedure": procedure.code, "agency": desks.first(), "sets": 1})
        context["form"] = form
        return render(request, "onestop/intake.html", context)
    form = IntakeForm(request.POST, request.FILES, desks=desks, version=version)
    context["form"] = form
    if not form.is_valid():
        messages.error(request, _("Thông tin hồ sơ chưa đúng, xin kiểm tra các ô được đánh dấu."))
        return render(request, "onestop/intake.html", context, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            dossier = services.receive_dossier(
                agency=data["agency"], procedure=procedure, applicant=form.applicant(), actor=user,
                channel=data["channel"], request=data.get("request") or "", sets=data["sets"])
            if data["documents"]:
                uploads.attach_documents(dossier, data["documents"])
    except DomainError as exc:
        apply_domain_error(form, exc)
        messages.error(request, exc.message)
        return render(request, "onestop/intake.html", context, status=exc.status_code)
    _success_with_form(
        request, _("Đã tiếp nhận hồ sơ %(code)s, hẹn trả %(due)s.") % {
            "code": dossier.code, "due": timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")},
        dossier.code, "01")
    return redirect("onestop:dossier", code=dossier.code)


# -- staff: the dossier ----------------------------------------------------------------------


def _forms_available(dossier: Dossier) -> list:
    numbers = []
    if dossier.received_at:
        numbers.append("01")
    if dossier.supplement_count:
        numbers.append("02")
    if dossier.status == Status.NOT_RECEIVED:
        numbers.append("03")
    if dossier.apology_issued_at:
        numbers.append("04")
    if dossier.status == Status.STOPPED:
        numbers.append("05")
    if dossier.received_at:
        numbers.append("06")
    return [(n, FORM_TITLES[n], form_url(dossier.code, n)) for n in numbers]


def _event_label(action: str) -> str:
    if action in TRANSITIONS:
        return TRANSITIONS[action].label
    return EVENT_LABELS.get(action, action)


def _render_dossier(request, dossier: Dossier, *, bound=None, status: int = 200):
    now = timezone.now()
    timeliness_now = services.open_timeliness(dossier, now)
    transitions = selectors.available_actions(request.user, dossier)
    action_forms = []
    for transition in transitions:
        if bound and bound[0] == transition.action:
            form = bound[1]
        else:
            form = action_form(transition.action, initial={"version": dossier.version})
        action_forms.append((transition, form, form.is_bound or transition.action in PRIMARY_ACTIONS))
    warning_due = dossier.is_open and timeliness_now in (Timeliness.DUE_SOON, Timeliness.OVERDUE)
    events = [(e, _event_label(e.action)) for e in dossier.events.select_related("actor")]
    steps = dossier.steps.select_related("agency", "handed_by", "received_by")
    forms_available = _forms_available(dossier)
    return render(request, "onestop/dossier.html", {
        "title": _("Hồ sơ %(code)s") % {"code": dossier.code},
        "dossier": dossier,
        "contact": applicant_contact(
            request.user, dossier.unit_id, id_number=dossier.applicant_id_number,
            phone=dossier.applicant_phone, email=dossier.applicant_email,
            address=dossier.applicant_address),
        "timeliness_now": timeliness_now,
        "effective_due": effective_due(Clock.of(dossier)),
        "explanation": dossier.due_explanation or {},
        "steps": steps,
        "events": events,
        "documents": dossier.documents.order_by("uploaded_at", "pk"),
        "forms_available": forms_available,
        "forms_installed": any(url for _n, _t, url in forms_available),
        "action_forms": action_forms,
        "can_apologize": any(t.action == "apologize" for t in transitions),
        "supplement_warning": services.supplement_warning(dossier),
        "warning_due": warning_due,
        "now": now,
        "rating": getattr(dossier, "rating", None) if dossier.status == Status.RETURNED else None,
    }, status=status)


@login_required
def dossier_detail(request, code: str):
    return _render_dossier(request, _dossier_or_404(request.user, code))


@login_required
@require_POST
def act(request, code: str, action: str):
    dossier = _dossier_or_404(request.user, code)
    if action not in ACTION_FORMS:
        raise Http404(_("Không có thao tác này."))
    form = action_form(action, request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Thông tin chưa đúng, xin kiểm tra các ô được đánh dấu."))
        return _render_dossier(request, dossier, bound=(action, form), status=400)
    try:
        with transaction.atomic():
            services.perform(dossier, action, actor=request.user,
                             expected_version=form.cleaned_data["version"], **form.service_params())
            if form.uploads():
                uploads.attach_documents(dossier, form.uploads(), kind="supplement")
    except Conflict:
        messages.warning(request, _("Hồ sơ vừa được người khác xử lý. Trang đã được tải lại với "
                                    "thông tin mới nhất; xin kiểm tra rồi thao tác lại."))
        return redirect("onestop:dossier", code=dossier.code)
    except DomainError as exc:
        apply_domain_error(form, exc)
        messages.error(request, exc.message)
        return _render_dossier(request, dossier, bound=(action, form), status=exc.status_code)
    _success_with_form(request, _("Đã thực hiện: %(action)s.") % {"action": TRANSITIONS[action].label},
                       dossier.code, ACTION_FORM_NUMBERS.get(action))
    return redirect("onestop:dossier", code=dossier.code)


@login_required
def document(request, code: str, pk: int):
    """A document of a dossier the user may see (the files are not served publicly)."""
    dossier = _dossier_or_404(request.user, code)
    doc = dossier.documents.filter(pk=pk).first()
    if doc is None or not doc.file:
        raise Http404(_("Không tìm thấy tệp."))
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Không tìm thấy tệp.")) from None
    record_personal_export(request.user, kind="onestop.document", obj=dossier,
                           code=dossier.code, document_id=doc.pk)
    return FileResponse(handle, content_type=doc.content_type or "application/octet-stream",
                        as_attachment=doc.content_type != "application/pdf",
                        filename=doc.file.name.rsplit("/", 1)[-1])


# -- citizens ---------------------------------------------------------------------------------


def submit(request):
    """Online submission (status 1): the desk accepts or refuses it; the code is shown at once."""
    code = (request.POST.get("procedure") if request.method == "POST" else request.GET.get("thu_tuc")) or ""
    search_form, results, error = _procedure_search(request, channel="online")
    context = {"title": _("Nộp hồ sơ trực tuyến"), "search_form": search_form, "results": results}
    if not code:
        if error:
            messages.error(request, error)
        return render(request, "onestop/submit.html", context, status=400 if error else 200)
    procedure, version, error = _procedure_and_version(request, code)
    if procedure is None or "online" not in version.methods_by_channel():
        messages.error(request, error or _("Thủ tục này chưa được nộp trực tuyến; xin nộp trực tiếp "
                                           "hoặc qua bưu chính."))
        return render(request, "onestop/submit.html", context, status=400)
    desks = catalog_selectors.desks().order_by("unit__name", "name")
    context.update(procedure=procedure, version=version, method=version.methods_by_channel()["online"])
    if request.method != "POST":
        context["form"] = OnlineForm(desks=desks, initial={"procedure": procedure.code})
        return render(request, "onestop/submit.html", context)
    if _window_count("submit", client_ip(request), 3600) > SUBMISSIONS_PER_HOUR:
        return _throttled(request, 3600)
    form = OnlineForm(request.POST, request.FILES, desks=desks)
    context["form"] = form
    if not form.is_valid():
        messages.error(request, _("Thông tin chưa đúng, xin kiểm tra các ô được đánh dấu."))
        return render(request, "onestop/submit.html", context, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            dossier = services.submit_online(agency=data["agency"], procedure=procedure,
                                             applicant=form.applicant(), request=data.get("request") or "")
            uploads.attach_documents(dossier, data["documents"])
    except DomainError as exc:
        apply_domain_error(form, exc)
        messages.error(request, exc.message)
        return render(request, "onestop/submit.html", context, status=exc.status_code)
    request.session["onestop_submitted"] = dossier.code
    return redirect("onestop:submitted")


def submitted(request):
    code = request.session.get("onestop_submitted")
    if not code:
        return redirect("onestop:submit")
    return render(request, "onestop/submitted.html", {
        "title": _("Đã nộp hồ sơ"), "code": code,
        "lookup_url": f"{reverse('onestop:lookup')}?ma={code}",
    })


def lookup(request):
    """Citizen lookup by code (the QR code on form 01 points here): masked, initials only."""
    code = (request.GET.get("ma") or "").strip()
    form = LookupForm(request.GET if code else None)
    context = {"title": _("Tra cứu hồ sơ"), "form": form}
    if not code:
        return render(request, "onestop/lookup.html", context)
    if _lookup_throttled(request):
        return _throttled(request)
    try:
        result = selectors.public_lookup(code)
    except NotFound:
        _record_miss(request)
        context["not_found"] = True
        return render(request, "onestop/lookup.html", context, status=404)
    context["result"] = result
    return render(request, "onestop/lookup.html", context)


def rate(request, code: str):
    """The citizen's satisfaction after the result was returned; once per dossier."""
    if _lookup_throttled(request):
        return _throttled(request)
    try:
        result = selectors.public_lookup(code)
    except NotFound:
        _record_miss(request)
        return render(request, "onestop/lookup.html", {
            "title": _("Tra cứu hồ sơ"), "form": LookupForm(), "not_found": True}, status=404)
    context = {"title": _("Đánh giá mức độ hài lòng"), "result": result,
               "lookup_url": f"{reverse('onestop:lookup')}?ma={result.code}"}
    if not result.can_rate:
        context["closed"] = (_("Hồ sơ này đã được đánh giá. Cảm ơn ông/bà.")
                             if result.status == Status.RETURNED else
                             _("Chỉ đánh giá được sau khi đã nhận kết quả."))
        return render(request, "onestop/rate.html", context, status=409 if request.method == "POST" else 200)
    form = RatingForm(request.POST or None)
    context["form"] = form
    if request.method != "POST":
        return render(request, "onestop/rate.html", context)
    if not form.is_valid():
        return render(request, "onestop/rate.html", context, status=400)
    pk = Dossier.objects.filter(code=result.code).values_list("pk", flat=True).first()
    try:
        services.rate_dossier(pk, level=form.cleaned_data["level"],
                              comment=form.cleaned_data.get("comment") or "")
    except DomainError as exc:
        apply_domain_error(form, exc)
        return render(request, "onestop/rate.html", context, status=exc.status_code)
    messages.success(request, _("Cảm ơn ông/bà đã đánh giá. Ý kiến sẽ được dùng để cải thiện chất "
                                "lượng phục vụ."))
    return redirect(context["lookup_url"])
