"""Reads of administrative units and agencies."""

from django.conf import settings
from django.db.models import QuerySet

from .models import AdministrativeUnit, Era, Level


def home_province() -> AdministrativeUnit | None:
    """The (current-era) province this installation serves, if its units are loaded."""
    return (
        AdministrativeUnit.objects.filter(
            era=Era.CURRENT, level=Level.PROVINCE, code=settings.CCHC_PROVINCE_CODE
        ).first()
    )


def units_under(units) -> QuerySet[AdministrativeUnit]:
    """The given units and everything below them (materialised path prefix)."""
    from django.db.models import Q

    query = Q(pk__in=[])
    for unit in units:
        query |= Q(path__startswith=unit.path, era=unit.era)
    return AdministrativeUnit.objects.filter(query)
