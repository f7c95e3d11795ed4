"""Inspection pages (/kiem-tra/): plans and their ranking, one inspection with its evidence,
scores, findings and recommendations, the adoption conference, follow-up of recommendations
and the CCHC plan tasks. Every change goes through ``services``; a domain error becomes a
message (or form errors), another unit's record a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.permissions import has_role, visible_units
from cchc.errors import DomainError, NotFound
from cchc.org.models import AdministrativeUnit, Level

from . import charts, selectors, services
from .forms import (
    ConferenceForm,
    FindingForm,
    PlanForm,
    RecommendationForm,
    RemediationForm,
    ScoreForm,
    TaskProgressForm,
)
from .models import (
    Conference,
    CriterionItem,
    InspectionStatus,
    RecommendationStatus,
    ReformPlan,
)


def _get(getter, *args):
    try:
        return getter(*args)
    except NotFound as error:
        raise Http404(str(error)) from None


def _is_inspector(user):
    return user.is_superuser or has_role(user, *services.INSPECTION_ROLES)


def _fail(request, error: DomainError, form=None):
    if form is not None:
        for field, errors in error.fields.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    messages.error(request, str(error.message) if not error.fields or form is None
                   else _("Vui lòng kiểm tra lại dữ liệu."))


@login_required
def home(request):
    plans = selectors.visible_plans(request.user).order_by("-year", "-decision_date")
    recs = selectors.visible_recommendations(request.user)
    return render(request, "inspection/home.html", {
        "title": _("Kiểm tra cải cách hành chính"), "plans": plans,
        "is_inspector": _is_inspector(request.user),
        "overdue": selectors.overdue_recommendations(recs).count(),
        "open_recs": recs.exclude(status=RecommendationStatus.VERIFIED).count(),
        "tasks_overdue": sum(t.is_overdue() for t in selectors.visible_tasks(request.user)),
    })


@login_required
def plan_create(request):
    if not _is_inspector(request.user):
        raise Http404()
    units = visible_units(request.user).exclude(level=Level.PROVINCE).order_by("era", "path")
    form = PlanForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        province = AdministrativeUnit.objects.get(era=data["units"][0].era, level=Level.PROVINCE,
                                                  code=data["units"][0].path.split("/")[0])
        try:
            plan = services.create_inspection_plan(
                actor=request.user, province=province, year=data["year"], title=data["title"],
                decision_number=data["decision_number"], decision_date=data["decision_date"],
                issuer=data["issuer"], units=data["units"], period_start=data["period_start"],
                period_end=data["period_end"], team=form.team())
        except DomainError as error:
            _fail(request, error, form)
        else:
            messages.success(request, _("Đã lập kế hoạch kiểm tra."))
            return redirect("inspection:plan", plan.pk)
    return render(request, "inspection/plan_form.html", {"title": _("Lập kế hoạch kiểm tra"),
                                                         "form": form})


@login_required
def plan_detail(request, pk):
    plan = _get(selectors.get_plan, request.user, pk)
    return render(request, "inspection/plan.html", {
        "title": plan.title, "plan": plan, "team": plan.team.all(),
        "ranking": selectors.ranking(plan), "areas": plan.criteria_set.areas.all(),
        "conferences": plan.conferences.prefetch_related("sites__unit"),
        "is_inspector": _is_inspector(request.user),
        "conference_form": ConferenceForm(),
        "can_adopt": plan.inspections.filter(status=InspectionStatus.FINALISED).exists(),
    })


@login_required
def plan_chart(request, pk):
    plan = _get(selectors.get_plan, request.user, pk)
    svg = charts.ranking_bars(selectors.ranking(plan))
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
@require_POST
def conference_create(request, pk):
    plan = _get(selectors.get_plan, request.user, pk)
    form = ConferenceForm(request.POST)
    if form.is_valid():
        sites = [{"unit": i.unit, "name": _("Điểm cầu %(unit)s") % {"unit": i.unit.name},
                  "participants": request.POST.get(f"site_{i.pk}", "")}
                 for i in plan.inspections.select_related("unit")]
        try:
            services.hold_conference(plan, actor=request.user, sites=sites, **form.cleaned_data)
            messages.success(request, _("Đã ghi nhận hội nghị."))
        except DomainError as error:
            _fail(request, error)
    else:
        messages.error(request, _("Vui lòng kiểm tra lại dữ liệu."))
    return redirect("inspection:plan", plan.pk)


@login_required
@require_POST
def conference_adopt(request, pk):
    conference = Conference.objects.filter(pk=pk).select_related("plan").first()
    if conference is None:
        raise Http404()
    plan = _get(selectors.get_plan, request.user, conference.plan_id)
    chosen = plan.inspections.filter(status=InspectionStatus.FINALISED)
    try:
        services.adopt_inspection_results(conference, actor=request.user, inspections=list(chosen),
                                          minutes=request.POST.get("minutes") or None)
        messages.success(request, _("Đã thông qua kết quả kiểm tra."))
    except DomainError as error:
        _fail(request, error)
    return redirect("inspection:plan", plan.pk)


@login_required
def inspection_detail(request, pk):
    inspection = _get(selectors.get_inspection, request.user, pk)
    results = list(inspection.results.select_related("item__area"))
    return render(request, "inspection/inspection.html", {
        "title": str(inspection), "inspection": inspection, "results": results,
        "total": sum((r.final_score or 0) for r in results),
        "max_total": sum(r.item.max_points for r in results),
        "findings": inspection.findings.select_related("item"),
        "recommendations": inspection.recommendations.select_related("item", "responsible_unit"),
        "previous": selectors.previous_inspection(inspection),
        "previous_recommendations": selectors.previous_recommendations(inspection),
        "recurring": selectors.recurring_limitations(inspection),
        "history": inspection.history.select_related("actor"),
        "is_inspector": _is_inspector(request.user),
        "items": CriterionItem.objects.filter(area__criteria_set=inspection.plan.criteria_set),
        "finding_form": FindingForm(), "recommendation_form": RecommendationForm(),
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def inspection_action(request, pk, action):
    inspection = _get(selectors.get_inspection, request.user, pk)
    user = request.user

    def item_of(value):
        if not value:
            return None
        return CriterionItem.objects.filter(
            pk=value, area__criteria_set=inspection.plan.criteria_set).first()

    try:
        if action == "bat-dau":
            services.start_inspection(inspection, actor=user)
        elif action == "thu-thap":
            services.collect_inspection_evidence(inspection, actor=user)
        elif action == "hoan-thanh":
            services.finalise_inspection(inspection, actor=user)
        elif action == "cham-diem":
            form = ScoreForm(request.POST)
            if not form.is_valid() or item_of(form.cleaned_data["item"]) is None:
                raise NotFound()
            services.score_item(inspection, item_of(form.cleaned_data["item"]), actor=user,
                                score=form.cleaned_data["score"],
                                reason=form.cleaned_data["reason"])
        elif action == "nhan-xet":
            form = FindingForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Vui lòng kiểm tra lại dữ liệu."))
                return redirect("inspection:inspection", pk)
            services.add_finding(inspection, actor=user, kind=form.cleaned_data["kind"],
                                 text=form.cleaned_data["text"],
                                 item=item_of(form.cleaned_data["item"]))
        elif action == "kien-nghi":
            form = RecommendationForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Vui lòng kiểm tra lại dữ liệu."))
                return redirect("inspection:inspection", pk)
            services.add_recommendation(inspection, actor=user, text=form.cleaned_data["text"],
                                        deadline=form.cleaned_data["deadline"],
                                        item=item_of(form.cleaned_data["item"]))
        else:
            raise Http404()
        messages.success(request, _("Đã lưu."))
    except NotFound:
        raise Http404() from None
    except DomainError as error:
        _fail(request, error)
    return redirect("inspection:inspection", pk)


@login_required
def inspection_document(request, pk, kind, fmt):
    from . import documents

    inspection = _get(selectors.get_inspection, request.user, pk)
    if kind not in documents.KINDS or fmt not in ("docx", "pdf"):
        raise Http404()
    content, mime, name = documents.render(inspection, kind, fmt)
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def recommendations(request):
    recs = selectors.visible_recommendations(request.user).prefetch_related("reports")
    status = request.GET.get("trang-thai")
    if status in RecommendationStatus.values:
        recs = recs.filter(status=status)
    return render(request, "inspection/recommendations.html", {
        "title": _("Theo dõi kiến nghị"), "recommendations": recs, "today": timezone.localdate(),
        "statuses": RecommendationStatus.choices, "status": status,
    })


@login_required
def recommendation_detail(request, pk):
    rec = _get(selectors.get_recommendation, request.user, pk)
    form = RemediationForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "report":
                form = RemediationForm(request.POST, request.FILES)
                if form.is_valid():
                    services.report_remediation(rec, actor=request.user,
                                                text=form.cleaned_data["text"],
                                                attachment=form.cleaned_data["attachment"])
                    messages.success(request, _("Đã gửi báo cáo khắc phục."))
                    return redirect("inspection:recommendation", rec.pk)
            elif action == "verify":
                services.verify_remediation(rec, actor=request.user,
                                            text=request.POST.get("text", ""))
                messages.success(request, _("Đã xác nhận khắc phục."))
                return redirect("inspection:recommendation", rec.pk)
            elif action == "reopen":
                services.reopen_recommendation(rec, actor=request.user,
                                               text=request.POST.get("text", ""))
                messages.success(request, _("Đã yêu cầu khắc phục lại."))
                return redirect("inspection:recommendation", rec.pk)
        except NotFound:
            raise Http404() from None
        except DomainError as error:
            _fail(request, error, form)
    return render(request, "inspection/recommendation.html", {
        "title": _("Kiến nghị"), "rec": rec, "form": form, "reports": rec.reports.all(),
        "is_inspector": _is_inspector(request.user), "today": timezone.localdate(),
    })


@login_required
def tasks(request):
    items = selectors.visible_tasks(request.user).order_by("deadline")
    return render(request, "inspection/tasks.html", {
        "title": _("Nhiệm vụ cải cách hành chính"), "tasks": items,
        "today": timezone.localdate(), "is_inspector": _is_inspector(request.user),
        "plans": ReformPlan.objects.filter(pk__in=items.values("plan_id")),
    })


@login_required
def task_report(request, plan, fmt):
    from . import documents

    if not _is_inspector(request.user) or fmt not in ("docx", "pdf"):
        raise Http404()
    reform = ReformPlan.objects.filter(pk=plan).first()
    if reform is None:
        raise Http404()
    quarter = request.GET.get("quy")
    quarter = int(quarter) if quarter in ("1", "2", "3", "4") else None
    content = documents.render_task_report(reform, fmt, quarter)
    mime = "application/pdf" if fmt == "pdf" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(content, content_type=mime)
    suffix = f"-quy-{quarter}" if quarter else ""
    response["Content-Disposition"] = (
        f'attachment; filename="bao-cao-nhiem-vu-cchc-{reform.year}{suffix}.{fmt}"')
    return response


@login_required
def task_detail(request, pk):
    task = _get(selectors.get_task, request.user, pk)
    form = TaskProgressForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_task_progress(task, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Đã cập nhật tiến độ."))
            return redirect("inspection:task", task.pk)
        except NotFound:
            raise Http404() from None
        except DomainError as error:
            _fail(request, error, form)
    return render(request, "inspection/task.html", {
        "title": _("Nhiệm vụ CCHC"), "task": task, "outputs": task.outputs.all(), "form": form,
        "today": timezone.localdate(),
    })
