"""The demo registers: old units' closed books, the new communes' books, entries with their
dossiers, evidence without gaps; loading twice changes nothing."""

import pytest
from django.utils import timezone

from cchc.catalog import demo as catalog_demo
from cchc.civil import demo, selectors
from cchc.civil.models import CivilRequest, MarginalNote, RegisterBook, RegisterEntry
from cchc.core import demo as core_demo
from cchc.org.models import AdministrativeUnit, Era


@pytest.mark.django_db
def test_the_demo_registers_load_once_and_are_clean():
    core_demo.load()
    catalog_demo.load()
    demo.load()
    books, entries = RegisterBook.objects.count(), RegisterEntry.objects.count()
    assert 1000 < entries < 5000
    this_year = timezone.localdate().year
    assert not RegisterBook.objects.filter(year__lt=this_year, closed_at__isnull=True).exists()
    assert RegisterBook.objects.filter(year=this_year, closed_at__isnull=True).exists()
    old = RegisterBook.objects.filter(unit__era=Era.PRE_2025)
    assert old.exists() and not old.filter(year__gt=2025).exists()
    assert not RegisterEntry.objects.filter(unit__era=Era.PRE_2025,
                                            registered_at__date__gt="2025-06-30").exists()
    assert not RegisterEntry.objects.filter(unit__era=Era.CURRENT,
                                            registered_at__date__lt="2025-07-01").exists()
    live = RegisterEntry.objects.filter(imported=False)
    assert live.exists() and not live.filter(dossier__isnull=True).exists()
    assert MarginalNote.objects.filter(kind="correction", dossier__isnull=False).exists()
    assert MarginalNote.objects.filter(kind="divorce").exists()
    assert CivilRequest.objects.filter(status="pending").count() == 1
    roots = AdministrativeUnit.objects.filter(parent__isnull=True)
    for year in range(2022, this_year + 1):
        assert all(not row.gaps for row in selectors.book_evidence(roots, year))
    demo.load()
    assert (RegisterBook.objects.count(), RegisterEntry.objects.count()) == (books, entries)
