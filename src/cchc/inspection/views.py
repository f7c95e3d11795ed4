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
    CriteriaFormSet,
    CriteriaSetNameForm,
    FindingForm,
    PlanForm,
    RecommendationForm,
    RemediationForm,
    ReopenForm,
    ScoreForm,
    TaskProgressForm,
    criteria_initial,
    criteria_rows,
)
from .models import (
    Conference,
    CriterionItem,
    InspectionStatus,
    RecommendationStatus,
    ReformPlan,
    TeamRole,
)
from .transitions import allowed


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
    from django.contrib.auth import get_user_model

    inspectors = get_user_model().objects.filter(
        memberships__role__in=services.INSPECTION_ROLES,
        memberships__unit__in=visible_units(request.user)).distinct().order_by("username")
    form = PlanForm(request.POST or None, units=units, inspectors=inspectors,
                    initial={"leader_user": request.user.pk,
                             "leader": getattr(request.user, "full_name", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        province = AdministrativeUnit.objects.get(era=data["units"][0].era, level=Level.PROVINCE,
                                                  code=data["units"][0].path.split("/")[0])
        try:
            plan = services.create_inspection_plan(
                actor=request.user, province=province, year=data["year"], title=data["title"],
                decision_number=data["decision_number"], decision_date=data["decision_date"],
                issuer=data["issuer"], units=data["units"], period_start=data["period_start"],
                period_end=data["period_end"], team=form.team(),
                criteria_set=data.get("criteria_set"))
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
    ranking = selectors.ranking(plan, request.user)
    areas = selectors.area_maxima(plan.criteria_set)
    return render(request, "inspection/plan.html", {
        "title": plan.title, "plan": plan, "team": plan.team.all(),
        "ranking": ranking, "areas": areas,
        "area_chart": charts.area_comparison(areas, ranking),
        "conferences": plan.conferences.prefetch_related("sites__unit"),
        "is_inspector": _is_inspector(request.user),
        "conference_form": ConferenceForm(),
        "can_adopt": plan.inspections.filter(status=InspectionStatus.FINALISED).exists(),
    })


@login_required
def plan_chart(request, pk):
    plan = _get(selectors.get_plan, request.user, pk)
    svg = charts.ranking_bars(selectors.ranking(plan, request.user))
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
    areas = selectors.area_scores(inspection)
    user = request.user
    can_reopen = _is_inspector(user) and allowed("reopen", inspection.status) and (
        user.is_superuser or inspection.plan.team.filter(role=TeamRole.LEADER,
                                                         user=user).exists())
    return render(request, "inspection/inspection.html", {
        "areas": areas, "area_chart": charts.area_bars(areas) if results else "",
        "snapshots": inspection.snapshots.select_related("reopened_by"),
        "can_reopen": can_reopen, "reopen_form": ReopenForm(),
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
        elif action == "mo-lai":
            services.reopen_inspection(inspection, actor=user,
                                       reason=request.POST.get("reason", ""))
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


def _criteria_admin_or_404(user):
    if not selectors.is_criteria_admin(user):
        raise Http404()


@login_required
def criteria_list(request):
    if not selectors.may_view_criteria(request.user):
        raise Http404()
    return render(request, "inspection/criteria_list.html", {
        "title": _("Bộ tiêu chí kiểm tra"), "sets": selectors.criteria_sets(),
        "can_edit": selectors.is_criteria_admin(request.user),
    })


@login_required
def criteria_detail(request, pk):
    """The set's areas and criteria; for a Home Affairs administrator its editor while no
    inspection uses it (afterwards: "copy as a new version")."""
    criteria_set = _get(selectors.get_criteria_set, request.user, pk)
    can_edit = selectors.is_criteria_admin(request.user)
    if request.method == "POST" and not can_edit:
        raise Http404()
    in_use = criteria_set.in_use
    context = {"title": criteria_set.name, "set": criteria_set, "can_edit": can_edit,
               "in_use": in_use, "areas": criteria_set.areas.prefetch_related("items"),
               "total": criteria_set.total_points, "errors": []}
    status = 200
    if request.method == "POST":
        formset = CriteriaFormSet(request.POST, prefix="rows")
        name_form = CriteriaSetNameForm(request.POST)
        if formset.is_valid() and name_form.is_valid():
            try:
                services.update_criteria_set(criteria_set, actor=request.user,
                                             name=name_form.cleaned_data["name"],
                                             rows=criteria_rows(formset))
            except DomainError as error:
                _fail(request, error, name_form)
                context["errors"] = [m for key in ("rows", "total")
                                     for m in error.fields.get(key, [])]
                status = 409 if error.status_code == 409 else 400
            else:
                messages.success(request, _("Đã lưu bộ tiêu chí."))
                return redirect("inspection:criteria", criteria_set.pk)
        else:
            messages.error(request, _("Vui lòng kiểm tra lại dữ liệu."))
            status = 400
        context.update(formset=formset, name_form=name_form)
    elif can_edit and not in_use:
        context.update(formset=CriteriaFormSet(initial=criteria_initial(criteria_set),
                                               prefix="rows"),
                       name_form=CriteriaSetNameForm(initial={"name": criteria_set.name}))
    if in_use:
        context.update(formset=None)
    return render(request, "inspection/criteria.html", context, status=status)


@login_required
@require_POST
def criteria_copy(request, pk):
    _criteria_admin_or_404(request.user)
    criteria_set = _get(selectors.get_criteria_set, request.user, pk)
    try:
        copy = services.copy_criteria_set(criteria_set, actor=request.user,
                                          name=request.POST.get("name", ""))
    except DomainError as error:
        _fail(request, error)
        return redirect("inspection:criteria", criteria_set.pk)
    messages.success(request, _("Đã tạo phiên bản mới của bộ tiêu chí."))
    return redirect("inspection:criteria", copy.pk)


@login_required
@require_POST
def criteria_make_default(request, pk):
    _criteria_admin_or_404(request.user)
    criteria_set = _get(selectors.get_criteria_set, request.user, pk)
    try:
        services.make_default_criteria_set(criteria_set, actor=request.user)
        messages.success(request, _("Đã đặt làm bộ tiêu chí mặc định."))
    except DomainError as error:
        _fail(request, error)
    return redirect("inspection:criteria", criteria_set.pk)


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
