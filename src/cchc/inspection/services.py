"""Every change to inspections, recommendations and the CCHC plan: one transaction each.

Who may do what:
- inspectors and Home Affairs administrators whose units cover the inspected unit plan,
  conduct, score, finalise and adopt, and verify or reopen remediation;
- staff of the responsible unit (leader, specialist) report remediation of its
  recommendations and progress on its CCHC plan tasks.

Finalising freezes the evidence; the team may still adjust scores, findings and
recommendations until adoption, which locks everything (further edits raise
``InvalidTransition``). Before adoption the team leader may reopen a finalised inspection
with a written reason: the frozen evidence and scores are kept as an ``EvidenceSnapshot``,
the evidence can be collected again, and finalising again freezes a new snapshot. The moves
themselves are data, in ``transitions.TRANSITIONS``.

Criteria sets are edited by a Home Affairs administrator of the province, as a whole (areas
and items in order, points adding up to ``TOTAL_POINTS``), and only while no inspection uses
the set: a set in use is never changed in place; it is copied as a new version instead.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.permissions import has_role, visible_units
from cchc.core.services import append_audit
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
    EvidenceSnapshot,
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
from .transitions import TRANSITIONS, Transition

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


def _transition(inspection: Inspection, action: str, actor) -> Transition:
    """The transition ``action`` if the inspection's status and the actor allow it."""
    transition = TRANSITIONS[action]
    if inspection.status not in transition.sources:
        if inspection.status == InspectionStatus.ADOPTED:
            raise InvalidTransition(_("Kết quả kiểm tra đã được thông qua, không thể sửa đổi."))
        raise InvalidTransition(transition.refusal or None)
    if transition.leader_only and not actor.is_superuser and not inspection.plan.team.filter(
            role=TeamRole.LEADER, user=actor).exists():
        raise Forbidden(_("Chỉ trưởng đoàn kiểm tra mới được thực hiện thao tác này."))
    return transition


def _move(inspection: Inspection, transition: Transition, actor, at=None, note=""):
    change = InspectionStatusChange.objects.create(
        inspection=inspection, status_before=inspection.status, status_after=transition.target,
        action=transition.action, actor=actor, at=_now(at), note=note)
    append_audit("inspection.status_changed", actor=actor, obj=inspection, data={
        "action": transition.action, "status_before": change.status_before,
        "status_after": change.status_after, "unit_id": inspection.unit_id,
        "plan_id": inspection.plan_id, "note": note})
    inspection.status = transition.target


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


def _decimal(value, field) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(fields={field: [_("Phải là một số.")]}) from None
    if number < 0 or number > 1000:
        raise InvalidInput(fields={field: [_("Giá trị không hợp lệ.")]})
    return number


TOTAL_POINTS = Decimal(100)
CRITERION_MAX = Decimal(100)


def _check_criteria_admin(actor):
    if not selectors.is_criteria_admin(actor):
        raise Forbidden(_("Chỉ quản trị viên Sở Nội vụ mới được sửa bộ tiêu chí."))


def _fmt_points(value) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _criteria_rows(rows) -> list[dict]:
    """Check the rows of a criteria set: every error at once, by row number (from 1)."""
    errors, clean, areas, codes = [], [], {}, set()
    for number, row in enumerate(rows, 1):
        number = row.get("row") or number
        problems = []
        values = {key: (str(row.get(key) or "")).strip()
                  for key in ("area_code", "area_name", "code", "name", "guidance")}
        for key, label, limit in (("area_code", _("mã lĩnh vực"), 10),
                                  ("area_name", _("tên lĩnh vực"), 200),
                                  ("code", _("mã tiêu chí"), 12),
                                  ("name", _("tên tiêu chí"), 300)):
            if not values[key]:
                problems.append(_("thiếu %(field)s") % {"field": label})
            elif len(values[key]) > limit:
                problems.append(_("%(field)s quá dài (tối đa %(n)s ký tự)")
                                % {"field": label, "n": limit})
        try:
            points = Decimal(str(row.get("max_points")).strip().replace(",", "."))
            if not points.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            points = None
            problems.append(_("điểm tối đa phải là một số"))
        if points is not None and not (0 < points <= CRITERION_MAX):
            problems.append(_("điểm tối đa phải lớn hơn 0 và không quá %(max)s")
                            % {"max": _fmt_points(CRITERION_MAX)})
        elif points is not None and points != points.quantize(Decimal("0.01")):
            problems.append(_("điểm tối đa chỉ có tối đa 2 chữ số thập phân"))
        kind = row.get("evidence_kind") or EvidenceKind.MANUAL
        if kind not in EvidenceKind.values:
            problems.append(_("nguồn minh chứng không hợp lệ"))
        code = values["code"]
        if code and code.casefold() in codes:
            problems.append(_("mã tiêu chí %(code)s bị trùng") % {"code": code})
        codes.add(code.casefold())
        area_code, area_name = values["area_code"], values["area_name"]
        if area_code and area_name:
            known = areas.setdefault(area_code, area_name)
            if known != area_name:
                problems.append(_("lĩnh vực %(code)s đã có tên khác (“%(name)s”)")
                                % {"code": area_code, "name": known})
        if problems:
            errors.append(_("Dòng %(n)s: %(problems)s.") % {"n": number,
                                                             "problems": "; ".join(problems)})
        else:
            clean.append({**values, "max_points": points, "evidence_kind": kind,
                          "id": row.get("id")})
    if not rows:
        errors.append(_("Bộ tiêu chí phải có ít nhất một tiêu chí."))
    if errors:
        raise InvalidInput(fields={"rows": errors})
    total = sum((r["max_points"] for r in clean), Decimal(0))
    if total != TOTAL_POINTS:
        raise InvalidInput(fields={"total": [
            _("Tổng điểm tối đa của các tiêu chí phải bằng %(want)s (hiện là %(got)s).")
            % {"want": _fmt_points(TOTAL_POINTS), "got": _fmt_points(total)}]})
    return clean


@transaction.atomic
def update_criteria_set(criteria_set, *, actor, rows, name=None) -> CriteriaSet:
    """Replace the areas and items of a set that no inspection uses yet.

    ``rows``: dicts in display order with area_code, area_name, code, name, max_points,
    evidence_kind, guidance, and ``id`` for an existing item of the set (kept, so that its
    identity survives a reorder). Areas follow the order of their first row; an area without
    rows is removed, as is an item whose id is not among the rows."""
    _check_criteria_admin(actor)
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    if criteria_set.in_use:
        raise InvalidTransition(_("Bộ tiêu chí đã được dùng cho cuộc kiểm tra, không thể sửa "
                                  "trực tiếp. Hãy sao chép thành phiên bản mới."))
    clean = _criteria_rows(list(rows))
    if name is not None:
        criteria_set.name = _text(name, "name", limit=200)
        criteria_set.save(update_fields=["name"])
    existing = {i.pk: i for i in CriterionItem.objects.filter(area__criteria_set=criteria_set)}
    keep = {int(r["id"]) for r in clean if str(r["id"] or "").isdigit()} & set(existing)
    CriterionItem.objects.filter(area__criteria_set=criteria_set).exclude(pk__in=keep).delete()
    area_codes = list(dict.fromkeys(r["area_code"] for r in clean))
    criteria_set.areas.exclude(code__in=area_codes).delete()
    areas = {}
    for position, code in enumerate(area_codes):
        area_name = next(r["area_name"] for r in clean if r["area_code"] == code)
        area, _created = CriteriaArea.objects.update_or_create(
            criteria_set=criteria_set, code=code,
            defaults={"name": area_name, "position": position})
        areas[code] = area
    counters = dict.fromkeys(area_codes, 0)
    for row in clean:
        item_id = int(row["id"]) if str(row["id"] or "").isdigit() else None
        item = existing[item_id] if item_id in keep else CriterionItem()
        item.area = areas[row["area_code"]]
        item.code, item.name = row["code"], row["name"]
        item.max_points, item.evidence_kind = row["max_points"], row["evidence_kind"]
        item.guidance = row["guidance"]
        item.position = counters[row["area_code"]]
        counters[row["area_code"]] += 1
        item.save()
    return criteria_set


def _family(criteria_set) -> list[CriteriaSet]:
    root = criteria_set
    seen = {root.pk}
    while root.derived_from_id and root.derived_from_id not in seen:
        root = root.derived_from
        seen.add(root.pk)
    family, queue = [root], [root]
    while queue:
        for child in queue.pop().versions.all():
            if child.pk not in {f.pk for f in family}:
                family.append(child)
                queue.append(child)
    return family


@transaction.atomic
def copy_criteria_set(criteria_set, *, actor, name: str = "") -> CriteriaSet:
    """A new version of a set (used or not) with the same areas and items, free to edit."""
    _check_criteria_admin(actor)
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    family = _family(criteria_set)
    version = max(s.version for s in family) + 1
    base = family[0].name
    name = (name or "").strip() or _("%(name)s (phiên bản %(n)s)") % {"name": base,
                                                                      "n": version}
    copy = CriteriaSet.objects.create(name=_text(name, "name", limit=200), version=version,
                                      derived_from=criteria_set, is_default=False)
    for area in criteria_set.areas.prefetch_related("items"):
        new_area = CriteriaArea.objects.create(criteria_set=copy, code=area.code, name=area.name,
                                               position=area.position)
        CriterionItem.objects.bulk_create([
            CriterionItem(area=new_area, code=i.code, name=i.name, max_points=i.max_points,
                          guidance=i.guidance, evidence_kind=i.evidence_kind,
                          position=i.position) for i in area.items.all()])
    return copy


@transaction.atomic
def make_default_criteria_set(criteria_set, *, actor) -> CriteriaSet:
    """The set new inspection plans use unless another is chosen."""
    _check_criteria_admin(actor)
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    if criteria_set.total_points != TOTAL_POINTS:
        raise InvalidInput(fields={"total": [_("Tổng điểm tối đa của bộ tiêu chí phải bằng "
                                               "%(want)s.") % {"want": _fmt_points(TOTAL_POINTS)}]})
    CriteriaSet.objects.filter(is_default=True).exclude(pk=criteria_set.pk).update(
        is_default=False)
    criteria_set.is_default = True
    criteria_set.save(update_fields=["is_default"])
    return criteria_set


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
    # Locked so that an edit of the set cannot slip in while the plan starts using it.
    criteria_set = CriteriaSet.objects.select_for_update().get(
        pk=(criteria_set or ensure_default_criteria()).pk)
    if criteria_set.total_points != TOTAL_POINTS:
        raise InvalidInput(fields={"criteria_set": [
            _("Tổng điểm tối đa của bộ tiêu chí phải bằng %(want)s.")
            % {"want": _fmt_points(TOTAL_POINTS)}]})
    plan = InspectionPlan.objects.create(
        year=year, title=_text(title, "title", limit=300),
        decision_number=_text(decision_number, "decision_number", limit=50),
        decision_date=decision_date, issuer=_text(issuer, "issuer", limit=200),
        province=province, criteria_set=criteria_set, created_by=actor)
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
    _move(inspection, _transition(inspection, "start", actor), actor, at)
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
    append_audit("inspection.item_scored", actor=actor, obj=result, data={
        "inspection_id": inspection.pk, "item_id": item.pk, "score": result.score,
        "suggested_score": result.suggested_score, "override_reason": result.override_reason})
    return result


@transaction.atomic
def add_finding(inspection, *, actor, kind: str, text: str, item=None) -> Finding:
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.unit)
    _require_status(inspection, RESULT_EDITABLE)
    if kind not in FindingKind.values:
        raise InvalidInput(fields={"kind": [_("Loại không hợp lệ.")]})
    finding = Finding.objects.create(inspection=inspection, kind=kind, text=_text(text, "text"),
                                     item=item)
    append_audit("inspection.finding_added", actor=actor, obj=finding, data={
        "inspection_id": inspection.pk, "kind": kind, "item_id": finding.item_id})
    return finding


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
    recommendation = Recommendation.objects.create(
        inspection=inspection, text=_text(text, "text"), deadline=deadline,
        responsible_unit=responsible_unit or inspection.unit, item=item, finding=finding)
    append_audit("inspection.recommendation_added", actor=actor, obj=recommendation, data={
        "inspection_id": inspection.pk, "deadline": deadline,
        "responsible_unit_id": recommendation.responsible_unit_id,
        "finding_id": recommendation.finding_id})
    return recommendation


@transaction.atomic
def finalise_inspection(inspection, *, actor, at=None) -> Inspection:
    """Collect the evidence one last time and freeze it."""
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.unit)
    transition = _transition(inspection, "finalise", actor)
    _refresh_evidence(inspection, freeze=True)
    inspection.frozen_at = _now(at)
    _move(inspection, transition, actor, at)
    inspection.save()
    return inspection


@transaction.atomic
def reopen_inspection(inspection, *, actor, reason: str, at=None) -> Inspection:
    """Mở lại a finalised, not yet adopted inspection (the team leader, with a reason).

    The evidence and scores frozen at finalisation are kept as an ``EvidenceSnapshot``; the
    results thaw (evidence may be collected again, scores changed) until the next
    finalisation freezes a new snapshot. An adopted inspection is never reopened."""
    inspection = _locked_inspection(inspection)
    _check_inspector(actor, inspection.unit)
    transition = _transition(inspection, "reopen", actor)
    reason = _text(reason, "reason")
    results = list(ItemResult.objects.select_for_update(of=("self",))
                   .filter(inspection=inspection).select_related("item__area").order_by("item__area__position",
                                                          "item__position"))
    EvidenceSnapshot.objects.create(
        inspection=inspection, number=inspection.snapshots.count() + 1,
        frozen_at=inspection.frozen_at, evidence_as_of=inspection.evidence_as_of,
        reopened_at=_now(at), reopened_by=actor, reason=reason,
        total=sum((r.final_score or 0) for r in results),
        results=[{"item_id": r.item_id, "code": r.item.code, "name": r.item.name,
                  "area": r.item.area.code, "max_points": str(r.item.max_points),
                  "evidence": r.evidence,
                  "suggested_score": None if r.suggested_score is None else str(r.suggested_score),
                  "score": None if r.score is None else str(r.score),
                  "override_reason": r.override_reason} for r in results])
    ItemResult.objects.filter(inspection=inspection).update(frozen=False)
    inspection.frozen_at = None
    _move(inspection, transition, actor, at, note=reason)
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
        _move(inspection, TRANSITIONS["adopt"], actor, when,
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


def _check_file(upload, field: str):
    """Evidence files are checked like a dossier's documents: PDF, JPEG or PNG by their
    content (not their name), at most 10 MB; anything else is refused before it is stored."""
    if upload:
        from cchc.onestop.uploads import validate_upload

        validate_upload(upload, field)


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
    _check_file(attachment, "attachment")
    report = RemediationReport.objects.create(
        recommendation=rec, status_after=RecommendationStatus.REPORTED, text=_text(text, "text"),
        attachment=attachment or "", actor=actor, at=_now(at))
    _audit_recommendation(rec, report, actor)
    rec.status = RecommendationStatus.REPORTED
    rec.save(update_fields=["status"])
    return report


def _audit_recommendation(rec, report, actor):
    append_audit("inspection.recommendation_status_changed", actor=actor, obj=rec, data={
        "inspection_id": rec.inspection_id, "status_before": rec.status,
        "status_after": report.status_after, "report_id": report.pk})


def _review(recommendation, actor, text, status, at):
    rec = _locked_recommendation(recommendation)
    _check_inspector(actor, rec.responsible_unit)
    if rec.status != RecommendationStatus.REPORTED:
        raise InvalidTransition(_("Đơn vị chưa báo cáo khắc phục kiến nghị này."))
    report = RemediationReport.objects.create(recommendation=rec, status_after=status,
                                              text=text or "", actor=actor, at=_now(at))
    _audit_recommendation(rec, report, actor)
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
    _check_file(file, "file")
    output = TaskOutput.objects.create(task=task, unit=task.lead_unit, text=_text(text, "text"),
                                       document_number=document_number or "",
                                       document_date=document_date, file=file or "", actor=actor)
    if completed_on is not None:
        task.completed_on = completed_on
        task.save(update_fields=["completed_on"])
    return output
