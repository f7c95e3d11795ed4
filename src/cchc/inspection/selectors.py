"""Reads: inspections, recommendations and tasks a user may see, the previous inspection of a
unit across the 2025 reorganisation, recurring limitations, and the ranking of a plan.

Scoping: inspections and tasks by the inspected / lead unit, recommendations by the
responsible unit, all through ``cchc.core.permissions.scope``. Another unit's record is
"not found".
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from cchc.core.permissions import has_role, memberships, scope
from cchc.errors import NotFound
from cchc.org.models import Level, Role

from .models import (
    CriteriaSet,
    FindingKind,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    Recommendation,
    RecommendationStatus,
    ReformTask,
)


def visible_inspections(user) -> QuerySet[Inspection]:
    return scope(Inspection.objects.select_related("plan", "unit"), user)


def get_inspection(user, pk) -> Inspection:
    inspection = visible_inspections(user).filter(pk=pk).first()
    if inspection is None:
        raise NotFound()
    return inspection


def visible_plans(user) -> QuerySet[InspectionPlan]:
    ids = visible_inspections(user).values("plan_id")
    return InspectionPlan.objects.filter(Q(pk__in=ids) | Q(created_by=user)
                                         if user.is_authenticated else Q(pk__in=ids)).distinct()


def get_plan(user, pk) -> InspectionPlan:
    plan = visible_plans(user).filter(pk=pk).first()
    if plan is None:
        raise NotFound()
    return plan


def visible_recommendations(user) -> QuerySet[Recommendation]:
    return scope(Recommendation.objects.select_related("inspection__plan", "inspection__unit",
                                                       "responsible_unit", "item"),
                 user, "responsible_unit")


def get_recommendation(user, pk) -> Recommendation:
    rec = visible_recommendations(user).filter(pk=pk).first()
    if rec is None:
        raise NotFound()
    return rec


def overdue_recommendations(queryset, on=None):
    on = on or timezone.localdate()
    return queryset.filter(status__in=(RecommendationStatus.OPEN, RecommendationStatus.REOPENED),
                           deadline__lt=on)


def visible_tasks(user) -> QuerySet[ReformTask]:
    return scope(ReformTask.objects.select_related("plan", "lead_unit"), user, "lead_unit")


def get_task(user, pk) -> ReformTask:
    task = visible_tasks(user).filter(pk=pk).first()
    if task is None:
        raise NotFound()
    return task


def related_units(unit) -> list:
    """The unit and, across 1/7/2025, the units it came from or went into (and the districts
    of the old communes it took over)."""
    units = {unit.pk: unit}
    for other in list(unit.predecessors.all()) + list(unit.successors.all()):
        units[other.pk] = other
        if other.parent_id and other.era != unit.era:
            units.setdefault(other.parent_id, other.parent)
    return list(units.values())


def previous_inspection(inspection) -> Inspection | None:
    """The latest earlier inspection (finalised or adopted) of the same unit or a unit linked
    to it by the reorganisation."""
    return (Inspection.objects.filter(unit__in=related_units(inspection.unit),
                                      plan__year__lt=inspection.plan.year,
                                      status__in=(InspectionStatus.FINALISED,
                                                  InspectionStatus.ADOPTED))
            .select_related("plan", "unit").order_by("-plan__year", "-pk").first())


def previous_recommendations(inspection) -> QuerySet[Recommendation]:
    previous = previous_inspection(inspection)
    if previous is None:
        return Recommendation.objects.none()
    return previous.recommendations.select_related("item", "responsible_unit").prefetch_related(
        "reports")


def limitation_items(inspection) -> set[int]:
    """Criterion items the inspection found lacking: a limitation, or a recommendation."""
    ids = set(inspection.findings.filter(kind=FindingKind.LIMITATION, item__isnull=False)
              .values_list("item_id", flat=True))
    ids |= set(inspection.recommendations.filter(item__isnull=False)
               .values_list("item_id", flat=True))
    return ids


def recurring_limitations(inspection) -> list[dict]:
    """Limitations found again on the same criterion item as in the previous inspection.

    Items match by identity, or by evidence source and code when the years use different
    criteria sets."""
    previous = previous_inspection(inspection)
    if previous is None:
        return []
    from .models import CriterionItem

    now_items = {i.pk: i for i in CriterionItem.objects.filter(pk__in=limitation_items(inspection))}
    before_items = {i.pk: i for i in CriterionItem.objects.filter(pk__in=limitation_items(previous))}
    before_keys = {(i.evidence_kind, i.code): i for i in before_items.values()}
    recurring = []
    for item in now_items.values():
        match = before_items.get(item.pk) or before_keys.get((item.evidence_kind, item.code))
        if match is not None:
            recurring.append({"item": item, "previous_inspection": previous,
                              "previous_texts": [f.text for f in previous.findings.filter(
                                  item=match, kind=FindingKind.LIMITATION)]})
    return sorted(recurring, key=lambda r: (r["item"].area.position, r["item"].position))


def ranking(plan, user=None) -> list[dict]:
    """Inspections of a plan with their total and per-area scores, best first. With ``user``:
    ranked among all the plan's units, but only the rows of the units the user may see."""
    rows = []
    for inspection in plan.inspections.select_related("unit").prefetch_related(
            "results__item__area"):
        areas = {}
        total = 0
        for result in inspection.results.all():
            score = result.final_score or 0
            total += score
            areas[result.item.area.code] = areas.get(result.item.area.code, 0) + score
        rows.append({"inspection": inspection, "unit": inspection.unit, "total": total,
                     "areas": areas, "status": inspection.status})
    rows.sort(key=lambda r: (-r["total"], r["unit"].name))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    if user is not None:
        visible = set(visible_inspections(user).filter(plan=plan).values_list("pk", flat=True))
        rows = [row for row in rows if row["inspection"].pk in visible]
    return rows


def is_criteria_admin(user) -> bool:
    """Criteria sets belong to the province: a Home Affairs administrator at province level
    (Sở Nội vụ) edits them; a district office or a commune does not."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or memberships(user).filter(
        role=Role.HOME_AFFAIRS_ADMIN, unit__level=Level.PROVINCE).exists()


def may_view_criteria(user) -> bool:
    return is_criteria_admin(user) or has_role(user, Role.INSPECTOR, Role.HOME_AFFAIRS_ADMIN)


def criteria_sets() -> QuerySet[CriteriaSet]:
    return CriteriaSet.objects.select_related("derived_from").order_by("-is_default", "name",
                                                                         "version")


def get_criteria_set(user, pk) -> CriteriaSet:
    """Only inspectors and Home Affairs administrators see criteria sets."""
    criteria_set = criteria_sets().filter(pk=pk).first() if may_view_criteria(user) else None
    if criteria_set is None:
        raise NotFound()
    return criteria_set


def area_scores(inspection) -> list[dict]:
    """Per area of the inspection's criteria set: code, name, score (final scores of its
    items, or None before any evidence) and maximum."""
    areas = []
    results = {r.item_id: r for r in inspection.results.all()}
    for area in inspection.plan.criteria_set.areas.prefetch_related("items"):
        items = list(area.items.all())
        scored = [results[i.pk] for i in items if i.pk in results]
        score = sum((r.final_score or 0) for r in scored) if scored else None
        areas.append({"code": area.code, "name": area.name, "score": score,
                      "max": sum((i.max_points for i in items), 0)})
    return areas


def area_maxima(criteria_set) -> list[dict]:
    """Areas of a set in order, each with code, name and maximum (sum of its items)."""
    return [{"code": a.code, "name": a.name, "max": sum((i.max_points for i in a.items.all()), 0)}
            for a in criteria_set.areas.prefetch_related("items")]
