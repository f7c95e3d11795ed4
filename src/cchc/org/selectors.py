"""Reads of administrative units and agencies.

A unit is named by its key ``era:code`` ("2025:82", "pre2025:868"); where a bare code is
given, the post-2025 tree is meant. Filters take a key or a unit, and return empty results
for units that are not loaded.
"""

import datetime
import functools
import re

from django.conf import settings
from django.db import connections, router
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cchc.core import statements
from cchc.errors import InvalidInput, NotFound
from cchc.textfold import fold

from .models import AdministrativeUnit, Agency, Era, Level

UNIT_KEY_RE = re.compile(r"^(?:(?P<era>pre2025|2025):)?(?P<code>\d{1,10})$")


def parse_unit_key(key: str, *, default_era: str = Era.CURRENT) -> tuple[str, str]:
    """"2025:82" -> ("2025", "82"); "82" -> (default_era, "82"). Raises ``InvalidInput``."""
    match = UNIT_KEY_RE.match((key or "").strip())
    if not match:
        raise InvalidInput(
            _("Mã đơn vị “%(key)s” không đúng: dùng dạng thời kỳ:mã, ví dụ 2025:82 "
              "hoặc pre2025:868.") % {"key": key},
            code="invalid_unit_key",
        )
    return match["era"] or default_era, match["code"]


def _resolve_unit(value, *, default_era: str = Era.CURRENT) -> AdministrativeUnit | None:
    if value is None or isinstance(value, AdministrativeUnit):
        return value
    era, code = parse_unit_key(str(value), default_era=default_era)
    return AdministrativeUnit.objects.filter(era=era, code=code).first()


def unit_by_key(key: str) -> AdministrativeUnit:
    """The unit named ``era:code``; ``NotFound`` if it is not loaded."""
    era, code = parse_unit_key(key)
    unit = AdministrativeUnit.objects.select_related("parent").filter(era=era, code=code).first()
    if unit is None:
        raise NotFound(_("Không tìm thấy đơn vị hành chính %(key)s.") % {"key": f"{era}:{code}"})
    return unit


def home_province() -> AdministrativeUnit | None:
    """The (current-era) province this installation serves, if its units are loaded."""
    code = str(settings.CCHC_PROVINCE_CODE).strip()
    if code.isdigit():
        code = code.zfill(2)
    return (
        AdministrativeUnit.objects.filter(
            era=Era.CURRENT, level=Level.PROVINCE, code=code
        ).first()
    )


def units_under(units) -> QuerySet[AdministrativeUnit]:
    """The given units and everything below them (materialised path prefix)."""
    query = Q(pk__in=[])
    for unit in units:
        query |= Q(path__startswith=unit.path, era=unit.era)
    return AdministrativeUnit.objects.filter(query)


def province_roots(province, *, include_predecessors: bool = False) -> list[AdministrativeUnit]:
    """The province named by ``province`` and, if asked, the pre-2025 provinces merged into it.

    ``province`` is a unit, a key or a bare code of the post-2025 tree ("82", "2025:82"),
    or an old province's key ("pre2025:87"). A unit below province level is used as it is.
    """
    if isinstance(province, str) and province.strip().isdigit():
        province = province.strip().zfill(2)
    unit = _resolve_unit(province)
    if unit is None:
        return []
    roots = [unit]
    if include_predecessors:
        roots += list(unit.predecessors.filter(level=unit.level).order_by("code"))
    return roots


def _words(folded: str) -> Q:
    """Every word of the (folded) query somewhere in the folded name, in any order."""
    query = Q()
    for word in folded.split():
        query &= Q(name_folded__contains=word)
    return query


def _path_filter(roots, prefix: str = "") -> Q:
    query = Q(pk__in=[])
    for root in roots:
        query |= Q(**{f"{prefix}era": root.era, f"{prefix}path__startswith": root.path})
    return query


def units(
    *,
    province=None,
    include_predecessors: bool = False,
    level: str | None = None,
    era: str | None = None,
    valid_on: datetime.date | None = None,
    search: str | None = None,
    parent=None,
) -> QuerySet[AdministrativeUnit]:
    """Units, filtered; ordered by era (2025 first) and tree path."""
    qs = AdministrativeUnit.objects.all()
    if province is not None:
        qs = qs.filter(_path_filter(province_roots(province, include_predecessors=include_predecessors)))
    if level:
        qs = qs.filter(level=level)
    if era:
        qs = qs.filter(era=era)
    if valid_on:
        qs = qs.valid_on(valid_on)
    if search and (folded := fold(search)):
        match = _words(folded)
        if folded.isdigit():
            match |= Q(code=folded)
        qs = qs.filter(match)
    if parent is not None:
        parent_unit = _resolve_unit(parent, default_era=era or Era.CURRENT)
        qs = qs.filter(parent=parent_unit) if parent_unit else qs.none()
    return qs.order_by("era", "path")


def current_successors(unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """The post-2025 units that took over an old unit (the unit itself if it is current)."""
    if unit.era == Era.CURRENT:
        return AdministrativeUnit.objects.filter(pk=unit.pk)
    return unit.successors.filter(era=Era.CURRENT).order_by("path")


def agency_by_code(code: str) -> Agency:
    agency = (
        Agency.objects.select_related("unit", "parent")
        .filter(code=(code or "").strip().upper())
        .first()
    )
    if agency is None:
        raise NotFound(_("Không tìm thấy cơ quan có mã định danh %(code)s.") % {"code": code})
    return agency


def agency_with_unit(code: str) -> Agency | None:
    """The agency of exactly this (normalised) code with its unit, or None: what
    ``select_related("unit").get(code=code)`` gives, in a statement written once (the
    intake reads it on every request; cchc.core.statements says why)."""
    sql = _agency_with_unit_sql()
    using = router.db_for_read(Agency)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [code])
        row = cursor.fetchone()
    if row is None:
        return None
    agency = statements.instance(Agency, row, 0, using)
    agency.unit = statements.instance(AdministrativeUnit, row, len(Agency._meta.concrete_fields), using)
    return agency


@functools.cache
def _agency_with_unit_sql() -> str:
    return (f"SELECT {statements.select_list(Agency, 'a')}, "
            f"{statements.select_list(AdministrativeUnit, 'u')} "
            f"FROM {Agency._meta.db_table} a JOIN {AdministrativeUnit._meta.db_table} u "
            f"ON u.id = a.{Agency._meta.get_field('unit').column} WHERE a.code = %s")


def agencies(
    *,
    province=None,
    include_predecessors: bool = False,
    level: str | None = None,
    era: str | None = None,
    valid_on: datetime.date | None = None,
    search: str | None = None,
    kind: str | None = None,
    home_affairs: bool | None = None,
    unit=None,
    parent: Agency | str | None = None,
    active: bool | None = None,
) -> QuerySet[Agency]:
    """Agencies, filtered by their unit (province tree, level, era, validity) and their own
    fields; ordered by unit and code."""
    qs = Agency.objects.all()
    if province is not None:
        roots = province_roots(province, include_predecessors=include_predecessors)
        qs = qs.filter(_path_filter(roots, "unit__"))
    if level:
        qs = qs.filter(unit__level=level)
    if era:
        qs = qs.filter(unit__era=era)
    if valid_on:
        qs = qs.filter(unit__in=AdministrativeUnit.objects.valid_on(valid_on))
    if search and (folded := fold(search)):
        qs = qs.filter(_words(folded) | Q(code=search.strip().upper()))
    if kind:
        qs = qs.filter(kind=kind)
    if home_affairs is not None:
        qs = qs.filter(is_home_affairs=home_affairs)
    if unit is not None:
        unit_obj = _resolve_unit(unit, default_era=era or Era.CURRENT)
        qs = qs.filter(unit=unit_obj) if unit_obj else qs.none()
    if parent is not None:
        code = parent.code if isinstance(parent, Agency) else str(parent).strip().upper()
        qs = qs.filter(parent__code=code)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("unit__era", "unit__path", "code")


def home_affairs_agency(unit: AdministrativeUnit) -> Agency | None:
    """The unit's active Sở/Phòng Nội vụ, if it has one."""
    return Agency.objects.filter(unit=unit, is_home_affairs=True, active=True).first()
