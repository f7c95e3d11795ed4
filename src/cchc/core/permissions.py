"""The one scoping helper: what a user may see.

A user sees the units they belong to and everything below them (materialised path),
in the same era. A Home Affairs administrator or inspector at province level therefore
sees the whole province; a commune officer sees only the commune. Records of units
abolished on 1/7/2025 are reached through their successors (see ``visible_units``).
"""

from django.db.models import Q, QuerySet

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


def scope(queryset: QuerySet, user, unit_field: str = "unit") -> QuerySet:
    """Restrict any queryset of records that belong to a unit to what ``user`` may see."""
    if user.is_authenticated and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{unit_field}__in": visible_units(user)})
