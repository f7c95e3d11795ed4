"""Every change to inspections, recommendations and the CCHC plan: one transaction each.

Who may do what:
- inspectors and Home Affairs administrators whose units cover the inspected unit plan,
  conduct, score, finalise and adopt, and verify or reopen remediation;
- staff of the responsible unit (leader, specialist) report remediation of its
  recommendations and progress on its CCHC plan tasks.

Finalising freezes the evidence; the team may still adjust scores, findings and
recommendations until adoption, which locks everything (further edits raise
``InvalidTransition``).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.permissions import has_role, visible_units
from cchc.errors import Forbidden, InvalidInput, InvalidTransition, OutsideJurisdiction
from cchc.org.models import AdministrativeUnit, Role

from . import evidence, selectors
from .models import (
    Conference,
    ConferenceSite,
    CriteriaArea,
    CriteriaSet,
    CriterionItem,
    EvidenceKind,
    Finding,
    FindingKind,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    InspectionStatusChange,
    ItemResult,
    Recommendation,
    RecommendationStatus,
    ReformPlan,
    ReformTask,
    RemediationReport,
    TaskOutput,
    TeamMember,
    TeamRole,
)

INSPECTION_ROLES = (Role.INSPECTOR, Role.HOME_AFFAIRS_ADMIN)
UNIT_ROLES = (Role.LEADER, Role.SPECIALIST, Role.HOME_AFFAIRS_ADMIN)

# RULES.md section 8: the typical provincial checklist. Points total 100, configurable.
DEFAULT_CRITERIA = [
    ("I", "Công tác chỉ đạo, điều hành CCHC", [
        ("1", "Ban hành kế hoạch, văn bản CCHC; hoàn thành nhiệm vụ đúng hạn", 10,
         EvidenceKind.PLAN_TASKS, "Tỷ lệ nhiệm vụ CCHC của kế hoạch hoàn thành đúng hạn."),
    ]),
    ("II", "Công tác tuyên truyền CCHC", [
        ("1", "Đăng tin bài CCHC thường xuyên trên cổng thông tin", 10, EvidenceKind.NEWS,
         "Trừ điểm theo số tháng dưới mức tối thiểu và số ngày không có bài mới."),
    ]),
    ("III", "Cải cách thủ tục hành chính, thực hiện cơ chế một cửa", [
        ("1", "Niêm yết, công khai TTHC đầy đủ, đúng phiên bản", 10, EvidenceKind.POSTINGS,
         "Tỷ lệ thủ tục niêm yết đủ và đúng phiên bản còn hiệu lực."),
        ("2", "Sử dụng đúng biểu mẫu theo quy định", 5, EvidenceKind.MANUAL,
         "Đoàn kiểm tra xem xét phiếu kiểm soát, sổ theo dõi, giấy tiếp nhận."),
        ("3", "Giải quyết hồ sơ đúng hạn; không có hồ sơ trễ, quá hạn", 20,
         EvidenceKind.TIMELINESS, "Điểm = tỷ lệ hồ sơ đúng hạn × điểm tối đa."),
        ("4", "Phát hành phiếu xin lỗi đối với hồ sơ trễ hạn", 5, EvidenceKind.APOLOGY,
         "Mỗi hồ sơ trễ, quá hạn phải có phiếu xin lỗi và hẹn lại ngày trả."),
        ("5", "Hồ sơ trực tuyến, số hóa hồ sơ", 10, EvidenceKind.ONLINE,
         "Bình quân tỷ lệ hồ sơ trực tuyến và tỷ lệ hồ sơ được số hóa."),
        ("6", "Liên thông hồ sơ điện tử giữa các cơ quan", 5, EvidenceKind.INTERAGENCY,
         "Đoàn kiểm tra chấm theo danh sách hồ sơ liên thông."),
        ("7", "Các lĩnh vực tiếp nhận qua Bộ phận một cửa", 5, EvidenceKind.DESK_FIELDS,
         "Đủ các lĩnh vực thuộc thẩm quyền được tiếp nhận tại Bộ phận một cửa."),
    ]),
    ("IV", "Đăng ký, quản lý hộ tịch", [
        ("1", "Sổ hộ tịch ghi chép đầy đủ, không hổng số, khóa sổ đúng quy định", 10,
         EvidenceKind.CIVIL_BOOKS, "Tỷ lệ sổ không có thiếu sót."),
    ]),
    ("V", "Bộ phận Tiếp nhận và Trả kết quả", [
        ("1", "Bố trí công chức làm việc tại Bộ phận một cửa", 5, EvidenceKind.STAFFING,
         "Mỗi nơi tiếp nhận có cán bộ một cửa được phân công."),
    ]),
    ("VI", "Chuyển đổi số", [
        ("1", "Ứng dụng công nghệ thông tin, chuyển đổi số", 5, EvidenceKind.MANUAL,
         "Đoàn kiểm tra đánh giá trực tiếp."),
    ]),
]

EVIDENCE_EDITABLE = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
RESULT_EDITABLE = (InspectionStatus.IN_PROGRESS, InspectionStatus.FINALISED)


def _now(at=None):
    return at or timezone.now()


def _text(value, field, *, required=True, limit=5000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(fields={field: [_("Trường này là bắt buộc.")]})
    if len(value) > limit:
        raise InvalidInput(fields={field: [_("Quá dài.")]})
    return value


def _check_inspector(actor, unit: AdministrativeUnit):
    if not (actor.is_superuser or has_role(actor, *INSPECTION_ROLES)):
        raise Forbidden()
    if not actor.is_superuser and not visible_units(actor).filter(pk=unit.pk).exists():
        raise OutsideJurisdiction()


def _check_unit_staff(actor, unit: AdministrativeUnit):
    if not actor.is_authenticated or not visible_units(actor).filter(pk=unit.pk).exists():
        raise OutsideJurisdiction()
    if not (actor.is_superuser or has_role(actor, *UNIT_ROLES, *INSPECTION_ROLES)):
        raise Forbidden()


def _locked_inspection(inspection) -> Inspection:
    return Inspection.objects.select_for_update().select_related("unit", "plan").get(
        pk=inspection.pk)


def _move(inspection: Inspection, status: str, actor, at=None, note=""):
    InspectionStatusChange.objects.create(inspection=inspection, status_before=inspection.status,
                                          status_after=status, actor=actor, at=_now(at), note=note)
    inspection.status = status


def _require_status(inspection, allowed, message=None):
    if inspection.status not in allowed:
        if inspection.status == InspectionStatus.ADOPTED:
            raise InvalidTransition(_("Kết quả kiểm tra đã được thông qua, không thể sửa đổi."))
        raise InvalidTransition(message)


# --- criteria ----------------------------------------------------------------------------------


@transaction.atomic
def ensure_default_criteria() -> CriteriaSet:
    existing = CriteriaSet.objects.filter(is_default=True).first()
    if existing:
        return existing
    criteria = CriteriaSet.objects.create(name=_("Bộ tiêu chí kiểm tra CCHC (mặc định)"),
                                          is_default=True)
    for a_pos, (code, name, items) in enumerate(DEFAULT_CRITERIA):
        area = CriteriaArea.objects.create(criteria_set=criteria, code=code, name=name,
                                           position=a_pos)
        for i_pos, (i_code, i_name, points, kind, guidance) in enumerate(items):
            CriterionItem.objects.create(area=area, code=f"{code}.{i_code}", name=i_name,
                                         max_points=Decimal(points), evidence_kind=kind,
                                         guidance=guidance, position=i_pos)
    return criteria


@transaction.atomic
def set_item_points(item: CriterionItem, *, actor, max_points, guidance=None) -> CriterionItem:
    if not (actor.is_superuser or has_role(actor, Role.HOME_AFFAIRS_ADMIN)):
        raise Forbidden()
    if item.area.criteria_set.plans.filter(inspections__status=InspectionStatus.ADOPTED).exists():
        raise InvalidTransition(_("Bộ tiêu chí đã được dùng cho kết quả đã thông qua."))
    item.max_points = _decimal(max_points, "max_points")
    if guidance is not None:
        item.guidance = guidance
    item.save()
    return item


def _decimal(value, field) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(fields={field: [_("Phải là một số.")]}) from None
    if number < 0 or number > 1000:
        raise InvalidInput(fields={field: [_("Giá trị không hợp lệ.")]})
    return number


# --- plan ---------------------------------------------------------------------------------------


@transaction.atomic
def create_inspection_plan(*, actor, province, year: int, title: str, decision_number: str,
                           decision_date: datetime.date, issuer: str, units,
                           period_start: datetime.date, period_end: datetime.date,
                           team=(), schedule=None, criteria_set=None) -> InspectionPlan:
    """``team``: dicts with name, role (leader/deputy/member/secretary), position, user.
    ``schedule``: {unit pk: date of the visit}."""
    _check_inspector(actor, province)
    units = list(units)
    errors = {}
    if not units:
        errors["units"] = [_("Chọn ít nhất một đơn vị được kiểm tra.")]
    if period_end < period_start:
        errors["period_end"] = [_("Kỳ kiểm tra không hợp lệ.")]
    team = list(team)
    if team and sum(m.get("role") == TeamRole.LEADER for m in team) != 1:
        errors["team"] = [_("Đoàn kiểm tra phải có đúng một trưởng đoàn.")]
    if errors:
        raise InvalidInput(fields=errors)
    visible = visible_units(actor)
    for unit in units:
        if not actor.is_superuser and not visible.filter(pk=unit.pk).exists():
            raise OutsideJurisdiction()
    plan = InspectionPlan.objects.create(
        year=year, title=_text(title, "title", limit=300),
        decision_number=_text(decision_number, "decision_number", limit=50),
        decision_date=decision_date, issuer=_text(issuer, "issuer", limit=200),
        province=province, criteria_set=criteria_set or ensure_default_criteria(),
        created_by=actor)
    for member in team:
        TeamMember.objects.create(plan=plan, user=member.get("user"),
                                  name=_text(member.get("name"), "team", limit=150),
                                  position=member.get("position", ""), role=member["role"])
    schedule = schedule or {}
    for unit in units:
        inspection = Inspection.objects.create(plan=plan, unit=unit, period_start=period_start,
                                               period_end=period_end,
                                               scheduled_on=schedule.get(unit.pk))
        InspectionStatusChange.objects.create(inspection=inspection, status_before="",
                                              status_after=InspectionStatus.PLANNED, actor=actor)
    return plan


# --- conduct ------------------------------------------------------------------------------------


def _refresh_evidence(inspection: Inspection, as_of=None, *, freeze=False):
    ctx = evidence.Context(inspection, as_of=as_of)
    now = timezone.now()
    items = CriterionItem.objects.filter(area__criteria_set=inspection.plan.criteria_set)
    follow_up = {}
    for rec in selectors.previous_recommendations(inspection):
        if rec.item is not None:
            follow_up.setdefault((rec.item.evidence_kind, rec.item.code), []).append({
                "year": rec.inspection.plan.year, "unit": rec.responsible_unit.name,
                "text": rec.text, "deadline": rec.deadline.isoformat(), "status": rec.status,
                "url": reverse("inspection:recommendation", args=[rec.pk])})
    for item in items:
        data = evidence.collect(item.evidence_kind, ctx)
        previous = follow_up.get((item.evidence_kind, item.code))
        if previous:
            data["previous_recommendations"] = previous
        if freeze:
            data["frozen_at"] = now.isoformat()
        data["as_of"] = ctx.as_of.isoformat()
        result, _created = ItemResult.objects.get_or_create(inspection=inspection, item=item)
        result.evidence = data
        result.suggested_score = evidence.suggest(data, item.max_points)
        result.collected_at = now
        result.frozen = freeze
        result.save()
    inspection.evidence_as_of = ctx.as_of


@transaction.atomic
def start_inspection(inspection, *, actor, at=None) -> Inspection:
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.unit)
    _require_status(inspection, (InspectionStatus.PLANNED,),
                    _("Chỉ bắt đầu được cuộc kiểm tra đang ở trạng thái kế hoạch."))
    _move(inspection, InspectionStatus.IN_PROGRESS, actor, at)
    _refresh_evidence(inspection)
    inspection.save()
    return inspection


@transaction.atomic
def collect_inspection_evidence(inspection, *, actor, as_of=None) -> Inspection:
    """Recompute the evidence of every item from the system (not once it is frozen)."""
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.unit)
    _require_status(inspection, (InspectionStatus.IN_PROGRESS,),
                    _("Minh chứng đã được chốt, không thể thu thập lại."))
    _refresh_evidence(inspection, as_of)
    inspection.save()
    return inspection


@transaction.atomic
def score_item(inspection, item, *, actor, score=None, reason: str = "") -> ItemResult:
    """Accept the suggestion (``score`` None) or override it; an override needs a reason."""
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.unit)
    _require_status(inspection, RESULT_EDITABLE,
                    _("Chỉ chấm điểm khi đang kiểm tra hoặc trước khi thông qua."))
    result = ItemResult.objects.select_for_update().filter(inspection=inspection, item=item).first()
    if result is None:
        raise InvalidInput(fields={"item": [_("Tiêu chí không thuộc cuộc kiểm tra này.")]})
    if score is None or score == "":
        if result.suggested_score is None:
            raise InvalidInput(fields={"score": [_("Tiêu chí này không có điểm gợi ý, hãy "
                                                   "nhập điểm.")]})
        result.score, result.override_reason = result.suggested_score, ""
    else:
        value = _decimal(score, "score")
        if value > item.max_points:
            raise InvalidInput(fields={"score": [_("Vượt quá điểm tối đa %(max)s.")
                                                 % {"max": item.max_points}]})
        reason = (reason or "").strip()
        if result.suggested_score is not None and value != result.suggested_score and not reason:
            raise InvalidInput(fields={"reason": [_("Cần nêu lý do khi chấm khác điểm gợi ý.")]})
        result.score, result.override_reason = value, reason
    result.scored_by = actor
    result.save()
    return result


@transaction.atomic
def add_finding(inspection, *, actor, kind: str, text: str, item=None) -> Finding:
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.unit)
    _require_status(inspection, RESULT_EDITABLE)
    if kind not in FindingKind.values:
        raise InvalidInput(fields={"kind": [_("Loại không hợp lệ.")]})
    return Finding.objects.create(inspection=inspection, kind=kind, text=_text(text, "text"),
                                  item=item)


@transaction.atomic
def add_recommendation(inspection, *, actor, text: str, deadline: datetime.date,
                       responsible_unit=None, item=None, finding=None) -> Recommendation:
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.unit)
    _require_status(inspection, RESULT_EDITABLE)
    if deadline is None:
        raise InvalidInput(fields={"deadline": [_("Trường này là bắt buộc.")]})
    if finding is not None and item is None:
        item = finding.item
    return Recommendation.objects.create(
        inspection=inspection, text=_text(text, "text"), deadline=deadline,
        responsible_unit=responsible_unit or inspection.unit, item=item, finding=finding)


@transaction.atomic
def finalise_inspection(inspection, *, actor, at=None) -> Inspection:
    """Collect the evidence one last time and freeze it."""
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.unit)
    _require_status(inspection, (InspectionStatus.IN_PROGRESS,),
                    _("Chỉ hoàn thành được cuộc kiểm tra đang thực hiện."))
    _refresh_evidence(inspection, freeze=True)
    inspection.frozen_at = _now(at)
    _move(inspection, InspectionStatus.FINALISED, actor, at)
    inspection.save()
    return inspection


# --- adoption -----------------------------------------------------------------------------------


@transaction.atomic
def hold_conference(plan, *, actor, held_on: datetime.date, chair: str, online: bool = True,
                    minutes: str = "", sites=()) -> Conference:
    """``sites``: dicts with unit, name, participants."""
    _check_inspector(actor, plan.province)
    conference = Conference.objects.create(plan=plan, held_on=held_on,
                                           chair=_text(chair, "chair", limit=200), online=online,
                                           minutes=minutes or "")
    for site in sites:
        ConferenceSite.objects.create(conference=conference, unit=site["unit"],
                                      name=_text(site.get("name"), "sites", limit=200),
                                      participants=site.get("participants", ""))
    return conference


@transaction.atomic
def adopt_inspection_results(conference, *, actor, inspections=None, minutes=None,
                             at=None) -> list[Inspection]:
    """Adopt the finalised inspections of the conference's plan (all of them by default)."""
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    _check_inspector(actor, conference.plan.province)
    queryset = Inspection.objects.select_for_update().filter(plan=conference.plan)
    if inspections is not None:
        queryset = queryset.filter(pk__in=[i.pk for i in inspections])
    chosen = list(queryset.select_related("unit"))
    if not chosen:
        raise InvalidInput(fields={"inspections": [_("Không có cuộc kiểm tra nào.")]})
    for inspection in chosen:
        if inspection.status != InspectionStatus.FINALISED:
            raise InvalidTransition(
                _("Cuộc kiểm tra %(unit)s chưa hoàn thành hoặc đã được thông qua.")
                % {"unit": inspection.unit.name})
    when = _now(at)
    for inspection in chosen:
        _move(inspection, InspectionStatus.ADOPTED, actor, when,
              note=_("Thông qua tại hội nghị ngày %(d)s") % {"d": conference.held_on.strftime("%d/%m/%Y")})
        inspection.conference = conference
        inspection.adopted_at = when
        inspection.save()
    if minutes is not None:
        conference.minutes = minutes
    conference.adopted_at = when
    conference.save()
    return chosen


# --- follow-up ----------------------------------------------------------------------------------


def _locked_recommendation(recommendation) -> Recommendation:
    return (Recommendation.objects.select_for_update()
            .select_related("inspection__unit", "responsible_unit").get(pk=recommendation.pk))


@transaction.atomic
def report_remediation(recommendation, *, actor, text: str, attachment=None,
                       at=None) -> RemediationReport:
    rec = _locked_recommendation(recommendation)
    _check_unit_staff(actor, rec.responsible_unit)
    if rec.inspection.status != InspectionStatus.ADOPTED:
        raise InvalidTransition(_("Kết quả kiểm tra chưa được thông qua."))
    if rec.status not in (RecommendationStatus.OPEN, RecommendationStatus.REOPENED,
                          RecommendationStatus.REPORTED):
        raise InvalidTransition(_("Kiến nghị đã được xác nhận khắc phục."))
    report = RemediationReport.objects.create(
        recommendation=rec, status_after=RecommendationStatus.REPORTED, text=_text(text, "text"),
        attachment=attachment or "", actor=actor, at=_now(at))
    rec.status = RecommendationStatus.REPORTED
    rec.save(update_fields=["status"])
    return report


def _review(recommendation, actor, text, status, at):
    rec = _locked_recommendation(recommendation)
    _check_inspector(actor, rec.responsible_unit)
    if rec.status != RecommendationStatus.REPORTED:
        raise InvalidTransition(_("Đơn vị chưa báo cáo khắc phục kiến nghị này."))
    report = RemediationReport.objects.create(recommendation=rec, status_after=status,
                                              text=text or "", actor=actor, at=_now(at))
    rec.status = status
    rec.save(update_fields=["status"])
    return report


@transaction.atomic
def verify_remediation(recommendation, *, actor, text: str = "", at=None) -> RemediationReport:
    return _review(recommendation, actor, text, RecommendationStatus.VERIFIED, at)


@transaction.atomic
def reopen_recommendation(recommendation, *, actor, text: str, at=None) -> RemediationReport:
    return _review(recommendation, actor, _text(text, "text"), RecommendationStatus.REOPENED, at)


# --- CCHC plan and tasks ------------------------------------------------------------------------


@transaction.atomic
def create_reform_plan(*, actor, province, year: int, title: str, number: str = "",
                       issued_on=None) -> ReformPlan:
    _check_inspector(actor, province)
    return ReformPlan.objects.create(province=province, year=year,
                                     title=_text(title, "title", limit=300), number=number,
                                     issued_on=issued_on)


@transaction.atomic
def add_reform_task(plan, *, actor, area: str, content: str, lead_unit, deadline,
                    expected_output: str = "") -> ReformTask:
    _check_inspector(actor, plan.province)
    if deadline is None:
        raise InvalidInput(fields={"deadline": [_("Trường này là bắt buộc.")]})
    return ReformTask.objects.create(plan=plan, area=_text(area, "area", limit=200),
                                     content=_text(content, "content"), lead_unit=lead_unit,
                                     deadline=deadline, expected_output=expected_output)


@transaction.atomic
def report_task_progress(task, *, actor, text: str, document_number: str = "",
                         document_date=None, file=None, completed_on=None) -> TaskOutput:
    task = ReformTask.objects.select_for_update().select_related("lead_unit").get(pk=task.pk)
    _check_unit_staff(actor, task.lead_unit)
    if document_number and document_date is None:
        raise InvalidInput(fields={"document_date": [_("Cần ghi ngày của văn bản.")]})
    output = TaskOutput.objects.create(task=task, unit=task.lead_unit, text=_text(text, "text"),
                                       document_number=document_number or "",
                                       document_date=document_date, file=file or "", actor=actor)
    if completed_on is not None:
        task.completed_on = completed_on
        task.save(update_fields=["completed_on"])
    return output
