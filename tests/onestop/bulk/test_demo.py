"""The demo's dossiers tell the 2022 inspection's story and fill today's queues."""

import datetime

import pytest

from cchc.catalog import demo as catalog_demo
from cchc.onestop import demo
from cchc.onestop.models import OPEN_STATUSES, Dossier, Timeliness
from cchc.onestop.services import open_timeliness
from cchc.org.models import REFORM_DATE, Era
from tests.catalog.orgdata import build_dong_thap
from tests.onestop.conftest import at

pytestmark = pytest.mark.django_db

NOW = at("2026-11-27 10:00")


def late_share(queryset):
    closed = queryset.exclude(timeliness="")
    return closed.filter(timeliness=Timeliness.LATE).count() / max(closed.count(), 1)


def test_demo_dossiers(db):
    build_dong_thap()
    catalog_demo.load()
    report = demo.load(count=2500, now=NOW)
    assert report.dossiers == 2500
    assert demo.load(count=2500, now=NOW) is None  # idempotent
    assert Dossier.objects.count() == 2500

    old = Dossier.objects.filter(unit__era=Era.PRE_2025)
    new = Dossier.objects.filter(unit__era=Era.CURRENT)
    assert old.exists() and new.exists()
    assert not old.filter(submitted_at__gte=at("2025-07-01 00:00")).exists()
    assert not new.filter(submitted_at__lt=at("2025-07-01 00:00")).exists()
    assert set(old.values_list("procedure_version__level", flat=True)) == {"district"}
    assert old.earliest("submitted_at").submitted_at.date() >= datetime.date(2022, 1, 20)

    # Hồng Ngự up to the inspection of 16/8/2022: many late, some still open past due then.
    inspection = at("2022-08-16 17:00")
    before = old.filter(submitted_at__lte=inspection)
    assert late_share(before) > 0.15 > late_share(new)
    overdue_then = before.filter(due_at__lt=inspection).exclude(finished_at__lte=inspection)
    assert overdue_then.exists()

    # Today: open dossiers within time, overdue, and recent ones at the demo commune.
    open_now = {open_timeliness(d, NOW) for d in new.filter(status__in=OPEN_STATUSES)}
    assert {Timeliness.WITHIN, Timeliness.OVERDUE} <= open_now
    assert new.filter(unit__name="Phường Hồng Ngự", submitted_at__gte=at("2026-11-01 00:00")).exists()
    assert REFORM_DATE == datetime.date(2025, 7, 1)
