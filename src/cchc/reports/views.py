"""Report pages under /bao-cao/: the dashboard, the timeliness report with a drill-down behind
every number, the 766 scorecard, the procedure review and the simplification proposals.

Who sees them: leaders, Home Affairs, inspectors (``selectors.can_view_reports``), each only
for their units and below; a Home Affairs administrator of the province sees the province.
Every export is the table shown on the page, as XLSX (the timeliness report also as PDF).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cchc.catalog.models import DossierComponent, Procedure
from cchc.core.permissions import has_role, memberships
from cchc.errors import DomainError, Forbidden, InvalidInput

from . import charts, exports, services
from .forms import DecisionForm, PeriodForm, ProposalForm, ReviewForm, ScorecardForm, TimelinessForm
from .models import ProposalStatus
from .selectors import build_filters, can_view_reports, timeliness_dossiers, timeliness_report
from .selectors.common import Filters, Period, parse_month, resolve_unit
from .selectors.dashboards import dashboard as build_dashboard
from .selectors.review import (
    approved_for_announcement,
    procedure_overview,
    procedure_review,
    proposals,
)
from .selectors.scorecard import scorecard as build_scorecard
from .selectors.timeliness import MEASURES

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NAV = [
    ("reports:dashboard", gettext_lazy("Tổng quan")),
    ("reports:timeliness", gettext_lazy("Báo cáo giải quyết TTHC")),
    ("reports:scorecard", gettext_lazy("Bộ chỉ số phục vụ (766)")),
    ("reports:review", gettext_lazy("Rà soát thủ tục")),
    ("reports:proposals", gettext_lazy("Đề xuất đơn giản hóa")),
]


def _guard(request):
    if not can_view_reports(request.user):
        raise PermissionDenied


def _render(request, template, context):
    context.setdefault("nav", [(reverse(name), label, request.resolver_match.view_name == name)
                               for name, label in NAV])
    return render(request, template, context)


def _download(payload: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(payload, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _apply_errors(form, exc: DomainError):
    mapping = {"from": "tu_ngay", "to": "den_ngay", "unit": "don_vi", "mode": "cach_tinh",
               "level": "cap", "group": "nhom", "month": "thang", "year": "nam"}
    applied = False
    for field, errors in (exc.fields or {}).items():
        name = mapping.get(field, field)
        if name in form.fields:
            for error in errors if isinstance(errors, list | tuple) else [errors]:
                form.add_error(name, str(error))
            applied = True
    if not applied:
        form.add_error(None, str(exc.message))


def _period_filters(request, form_class=PeriodForm):
    form = form_class(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    try:
        return form, build_filters(user=request.user, **form.params())
    except InvalidInput as exc:
        _apply_errors(form, exc)
        return form, None


def _query(request, *drop) -> str:
    params = request.GET.copy()
    for key in ("trang", *drop):
        params.pop(key, None)
    return params.urlencode()


# -- dashboard ----------------------------------------------------------------------------------


def _dashboard_tables(board) -> dict:
    """Each dashboard table: (title, headers, rows) — shown on the page and exported."""
    return {
        "xu-huong": (_("Tỷ lệ giải quyết đúng hạn theo tháng"),
                     [_("Tháng"), _("Đã giải quyết"), _("Trước hạn, đúng hạn"), _("Quá hạn"), _("Tỷ lệ đúng hạn (%)")],
                     [[t["month"], t["resolved"], t["on_time"], t["late"], t["on_time_rate"]] for t in board.trend]),
        "qua-han": (_("Hồ sơ đang quá hạn theo đơn vị (cuối kỳ)"),
                    [_("Đơn vị"), _("Đang giải quyết"), _("Quá hạn")],
                    [[r["unit_name"], r["pending"], r["overdue"]] for r in board.overdue_by_unit]),
        "thu-tuc-tre": (_("Thủ tục có nhiều hồ sơ trễ hạn nhất"),
                        [_("Thủ tục"), _("Mã"), _("Đã giải quyết"), _("Trễ hạn"), _("Tỷ lệ trễ (%)")],
                        [[r["procedure_name"], r["procedure"], r["resolved"], r["late"], r["late_rate"]]
                         for r in board.late_procedures]),
        "buoc-tre": (_("Bước xử lý trễ hạn nhiều nhất"),
                     [_("Bước"), _("Vai trò"), _("Số lần bàn giao"), _("Trễ hạn"), _("Tỷ lệ trễ (%)")],
                     [[r["step"], r["role_name"], r["finished"], r["late"], r["late_rate"]]
                      for r in board.late_steps]),
        "thoi-gian": (_("Thời gian giải quyết trung bình theo tháng (ngày làm việc)"),
                      [_("Tháng"), _("Số hồ sơ"), _("Thực tế"), _("Theo quy định")],
                      [[r["month"], r["count"], r["average_days"], r["average_legal_days"]]
                       for r in board.processing]),
        "hai-long": (_("Mức độ hài lòng"),
                     [_("Mức độ"), _("Số lượt đánh giá")],
                     [[r["label"], r["count"]] for r in board.satisfaction["levels"]]),
    }


def _month_label(ym: str) -> str:
    year, month = ym.split("-")
    return f"{month}/{year}"


@login_required
def dashboard(request):
    _guard(request)
    form, filters = _period_filters(request)
    context = {"form": form, "title": _("Tổng quan cải cách hành chính")}
    if filters is not None:
        board = build_dashboard(filters)
        tables = _dashboard_tables(board)
        months = [_month_label(t["month"]) for t in board.trend]
        overdue = board.overdue_by_unit[:15]
        context.update({
            "board": board, "totals": board.report.totals,
            "on_time_rate": board.as_json()["totals"]["on_time_rate"],
            "query": _query(request),
            **{f"table_{name}": table for name, table in zip(
                ("trend", "overdue", "procs", "steps", "time", "rating"), tables.values(), strict=True)},
            "chart_trend": charts.line_chart(
                months, [(_("Tỷ lệ đúng hạn (%)"), [t["on_time_rate"] for t in board.trend])],
                title=_("Tỷ lệ hồ sơ giải quyết đúng hạn theo tháng"), y_label="%", y_max=100),
            "chart_overdue": charts.bar_chart(
                [r["unit_name"] for r in overdue], [(_("Quá hạn"), [r["overdue"] for r in overdue])],
                title=_("Hồ sơ đang quá hạn theo đơn vị"), horizontal=True, integer=True,
                y_label=_("Số hồ sơ quá hạn")) if overdue else None,
            "chart_processing": charts.bar_chart(
                months, [(_("Thực tế"), [r["average_days"] for r in board.processing]),
                         (_("Theo quy định"), [r["average_legal_days"] for r in board.processing])],
                title=_("Thời gian giải quyết trung bình (ngày làm việc)"), y_label=_("ngày"),
                value_format="{:,.1f}"),
            "chart_satisfaction": charts.bar_chart(
                [r["label"] for r in board.satisfaction["levels"]],
                [(_("Lượt đánh giá"), [r["count"] for r in board.satisfaction["levels"]])],
                title=_("Mức độ hài lòng"), y_label=_("lượt"), integer=True)
            if board.satisfaction["total"] else None,
        })
    return _render(request, "reports/dashboard.html", context)


@login_required
def dashboard_export(request, table):
    _guard(request)
    form, filters = _period_filters(request)
    if filters is None:
        raise Http404
    tables = _dashboard_tables(build_dashboard(filters))
    if table not in tables:
        raise Http404
    title, headers, rows = tables[table]
    p = filters.period
    subtitle = _("Từ ngày %(a)s đến ngày %(b)s") % {"a": f"{p.start:%d/%m/%Y}", "b": f"{p.end:%d/%m/%Y}"}
    payload = exports.table_xlsx(str(title), subtitle, [str(h) for h in headers], rows, sheet=table)
    return _download(payload, XLSX, exports.export_name(table, p, "xlsx"))


# -- timeliness ---------------------------------------------------------------------------------


@login_required
def timeliness(request):
    _guard(request)
    form, filters = _period_filters(request, TimelinessForm)
    context = {"form": form, "title": _("Báo cáo tình hình, kết quả giải quyết thủ tục hành chính")}
    if filters is not None:
        try:
            report = timeliness_report(filters)
        except Forbidden as exc:
            raise PermissionDenied from exc
        base = reverse("reports:timeliness_dossiers") + "?" + (_query(request) or urlencode(
            {"tu_ngay": filters.period.start, "den_ngay": filters.period.end}))
        columns = [exports.MEASURE_OF[(group, key)] for group, key, _label in exports.COLUMNS]

        def cells(key, counts):
            extra = {"dong": key} if key else {}
            return [(getattr(counts, m), f"{base}&{urlencode({'chi_tieu': m, **extra})}") for m in columns]

        context.update({
            "report": report, "columns": exports.COLUMNS, "groups": exports.GROUPS,
            "group_label": exports.GROUP_LABELS[filters.group],
            "rows": [(row, cells(row.key, row.counts)) for row in report.rows],
            "totals": cells(None, report.totals), "query": _query(request),
            "period_line": exports.period_line(report), "scope_line": exports.scope_line(report),
        })
    return _render(request, "reports/timeliness.html", context)


@login_required
def timeliness_export(request, fmt):
    _guard(request)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    form, filters = _period_filters(request, TimelinessForm)
    if filters is None:
        raise Http404
    report = timeliness_report(filters)
    if fmt == "xlsx":
        return _download(exports.timeliness_xlsx(report), XLSX, exports.export_name("bao-cao-tthc", report, "xlsx"))
    return _download(exports.timeliness_pdf(report), "application/pdf",
                     exports.export_name("bao-cao-tthc", report, "pdf"))


@login_required
def timeliness_drill(request):
    _guard(request)
    form, filters = _period_filters(request, TimelinessForm)
    measure = request.GET.get("chi_tieu", "")
    key = request.GET.get("dong") or None
    context = {"form": form, "measure": measure, "row_key": key,
               "back": reverse("reports:timeliness") + "?" + _query(request, "chi_tieu", "dong")}
    if filters is not None:
        try:
            dossiers = timeliness_dossiers(filters, measure, key)
        except InvalidInput as exc:
            raise Http404(str(exc.message)) from exc
        page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("trang"))
        context.update({"page": page, "filters": filters, "measure_label": MEASURES[measure],
                        "query": _query(request), "total": page.paginator.count})
    context["title"] = context.get("measure_label") or _("Danh sách hồ sơ")
    return _render(request, "reports/dossiers.html", context)


# -- scorecard ----------------------------------------------------------------------------------


@login_required
def scorecard(request):
    _guard(request)
    form = ScorecardForm(request.GET or None)
    context = {"form": form, "title": _("Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ")}
    data = form.cleaned_data if form.is_bound and form.is_valid() else (
        None if form.is_bound else {k: form.initial.get(k) for k in form.fields})
    if data is not None:
        try:
            period = parse_month(data.get("thang"))
            filters = Filters(period=period, user=request.user, unit=resolve_unit(data.get("don_vi")),
                              mode=data.get("cach_tinh") or "as_was", level=data.get("cap") or None)
            context["card"] = build_scorecard(filters)
        except InvalidInput as exc:
            _apply_errors(form, exc)
    return _render(request, "reports/scorecard.html", context)


# -- procedure review and proposals ---------------------------------------------------------------


def _review_filters(request):
    form = ReviewForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else (
        None if form.is_bound else {k: form.initial.get(k) for k in form.fields})
    if data is None:
        return form, None, None
    try:
        year = int(data["nam"])
        filters = Filters(period=Period.year(year), user=request.user, unit=resolve_unit(data.get("don_vi")))
    except InvalidInput as exc:
        _apply_errors(form, exc)
        return form, None, None
    return form, filters, year


@login_required
def review(request):
    _guard(request)
    form, filters, year = _review_filters(request)
    context = {"form": form, "title": _("Rà soát, đơn giản hóa thủ tục hành chính"), "year": year}
    if filters is not None:
        context["procedures"] = procedure_overview(filters)
    return _render(request, "reports/review.html", context)


def _proposer_units(user):
    return sorted({m.unit for m in memberships(user)}, key=lambda u: u.path)


@login_required
def review_procedure(request, code):
    _guard(request)
    procedure = get_object_or_404(Procedure, code=code)
    form, filters, year = _review_filters(request)
    components = DossierComponent.objects.filter(version__procedure=procedure).order_by(
        "-version__number", "position")
    units = _proposer_units(request.user)
    proposal_form = ProposalForm(request.POST or None, components=components, units=units)
    if request.method == "POST":
        if proposal_form.is_valid():
            data = proposal_form.cleaned_data
            unit = next((u for u in units if str(u.pk) == data["unit"]), None)
            try:
                created = services.create_proposal(
                    actor=request.user, procedure=procedure, unit=unit, kind=data["kind"],
                    justification=data["justification"], proposed_days=data.get("proposed_days"),
                    component=data.get("component"), citizen_days_saved=data.get("citizen_days_saved"),
                    cost_saved=data.get("cost_saved"))
            except DomainError as exc:
                _apply_errors(proposal_form, exc)
            else:
                messages.success(request, _("Đã lưu dự thảo đề xuất. Kiểm tra lại rồi trình phê duyệt."))
                return redirect("reports:proposal", pk=created.pk)
    context = {"form": form, "procedure": procedure, "proposal_form": proposal_form, "year": year,
               "can_propose": bool(units) and (request.user.is_superuser or has_role(
                   request.user, *services.PROPOSER_ROLES))}
    if filters is not None:
        result = procedure_review(procedure, year, filters)
        context.update({
            "review": result, "title": result.name,
            "chart_volume": charts.bar_chart(
                [str(v["year"]) for v in result.volumes], [(_("Hồ sơ tiếp nhận"), [v["received"] for v in result.volumes])],
                title=_("Số hồ sơ tiếp nhận theo năm"), y_label=_("hồ sơ"), integer=True),
            "chart_timing": charts.bar_chart(
                [d["share_of_legal_time"] for d in result.timing["distribution"]],
                [(_("Hồ sơ"), [d["count"] for d in result.timing["distribution"]])],
                title=_("Thời gian giải quyết thực tế so với thời hạn quy định"),
                y_label=_("hồ sơ"), integer=True),
        })
    context.setdefault("title", str(procedure))
    return _render(request, "reports/review_procedure.html", context)


@login_required
def proposal_list(request):
    _guard(request)
    status = request.GET.get("trang_thai") or None
    if status not in (None, *ProposalStatus.values):
        status = None
    items = proposals(user=request.user, status=status)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("trang"))
    return _render(request, "reports/proposals.html", {
        "title": _("Đề xuất đơn giản hóa thủ tục hành chính"), "page": page, "status": status,
        "statuses": ProposalStatus.choices,
    })


@login_required
def proposals_approved_export(request):
    _guard(request)
    rows = [[p.procedure.code, p.version.name, p.unit.name, str(p.get_kind_display()),
             float(p.current_days) if p.current_days is not None else None,
             float(p.proposed_days) if p.proposed_days is not None else None, p.component_name,
             p.justification, float(p.citizen_days_saved), p.cost_saved,
             f"{p.decided_at:%d/%m/%Y}" if p.decided_at else ""]
            for p in approved_for_announcement(request.user)]
    headers = [_("Mã thủ tục"), _("Tên thủ tục"), _("Đơn vị đề xuất"), _("Nội dung"),
               _("Thời hạn hiện hành"), _("Thời hạn đề xuất"), _("Thành phần hồ sơ"), _("Lý do, căn cứ"),
               _("Ngày công tiết kiệm/năm"), _("Chi phí tiết kiệm/năm (đồng)"), _("Ngày phê duyệt")]
    payload = exports.table_xlsx(_("Phương án đơn giản hóa đã phê duyệt"),
                                 _("Căn cứ đề xuất quyết định công bố thủ tục hành chính kỳ tới"),
                                 [str(h) for h in headers], rows, sheet="de-xuat")
    return _download(payload, XLSX, "de-xuat-da-phe-duyet.xlsx")


@login_required
def proposal_detail(request, pk):
    _guard(request)
    proposal = get_object_or_404(proposals(user=request.user), pk=pk)
    return _render(request, "reports/proposal.html", {
        "title": _("Đề xuất đơn giản hóa thủ tục"), "proposal": proposal,
        "events": proposal.events.select_related("actor"), "decision_form": DecisionForm(),
    })


@login_required
@require_POST
def proposal_act(request, pk, action):
    _guard(request)
    proposal = get_object_or_404(proposals(user=request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    service = {"trinh": services.submit_proposal, "phe-duyet": services.approve_proposal,
               "tu-choi": services.reject_proposal}.get(action)
    if service is None:
        raise Http404
    try:
        service(proposal, actor=request.user, note=note)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, {"trinh": _("Đã trình đề xuất."), "phe-duyet": _("Đã phê duyệt đề xuất."),
                                   "tu-choi": _("Đã từ chối đề xuất.")}[action])
    return redirect("reports:proposal", pk=proposal.pk)
