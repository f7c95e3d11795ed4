"""The one scoping helper: what a user may see.

A user sees the units they belong to and everything below them (materialised path),
in the same era. A Home Affairs administrator or inspector at province level therefore
sees the whole province; a commune officer sees only the commune. Records of units
abolished on 1/7/2025 are reached through their successors (see ``visible_units``).
"""

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from cchc.org.models import AdministrativeUnit, Membership, Role


def memberships(user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("unit", "agency")


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    roles = set(memberships(user).values_list("role", flat=True))
    if user.is_superuser:
        roles.add(Role.SYSTEM_ADMIN)
    return roles


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def visible_units(user) -> QuerySet[AdministrativeUnit]:
    """Units the user may see: their own and everything below, plus the subtrees of the
    units of the same level that their units succeeded on 1/7/2025.

    A province user of the new province thus sees the old provinces merged into it (with
    their districts and communes); a new commune sees the old communes it took over, but
    not a whole old district that was split between several new communes.
    """
    if not user.is_authenticated:
        return AdministrativeUnit.objects.none()
    if user.is_superuser:
        return AdministrativeUnit.objects.all()
    roots = list({m.unit for m in memberships(user)})
    roots += [
        predecessor
        for unit in roots
        for predecessor in unit.predecessors.filter(level=unit.level)
    ]
    if not roots:
        return AdministrativeUnit.objects.none()
    query = Q()
    for unit in roots:
        query |= Q(era=unit.era, path__startswith=unit.path)
    return AdministrativeUnit.objects.filter(query)


def visible_unit_ids_query(user) -> QuerySet:
    """``visible_units(user)`` as one query of ids (the user's units and their same-level
    predecessors are subqueries rather than lists read first), to run or to combine."""
    units = AdministrativeUnit.objects.order_by()
    if not user.is_authenticated:
        return units.none().values_list("pk", flat=True)
    if not user.is_superuser:
        own = Membership.objects.filter(user=user).values("unit_id")
        predecessors = AdministrativeUnit.successors.through.objects.filter(
            to_administrativeunit_id__in=own,
            from_administrativeunit__level=F("to_administrativeunit__level"),
        ).values("from_administrativeunit_id")
        roots = AdministrativeUnit.objects.filter(
            Q(pk__in=own) | Q(pk__in=predecessors), era=OuterRef("era"),
        ).filter(StartsWith(OuterRef("path"), F("path")))
        units = units.filter(Exists(roots))
    return units.values_list("pk", flat=True)


def visible_unit_ids(user) -> list[int]:
    """The ids of ``visible_units(user)``, read in one round trip: for the searches that want
    the scope as a literal list of ids."""
    return list(visible_unit_ids_query(user)) if user.is_authenticated else []


def scope(queryset: QuerySet, user, unit_field: str = "unit") -> QuerySet:
    """Restrict any queryset of records that belong to a unit to what ``user`` may see."""
    if user.is_authenticated and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{unit_field}__in": visible_units(user)})
