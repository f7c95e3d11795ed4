"""The 766 scorecard for April 2026: the indicators with data are computed from the dossiers,
with their formula, inputs and points; the others say "không có dữ liệu"."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from cchc.catalog.models import AnnouncementDecision
from cchc.errors import Forbidden, InvalidInput
from cchc.onestop import services as onestop
from cchc.onestop.models import DossierDocument
from cchc.reports import services
from cchc.reports.selectors import Filters, Period
from cchc.reports.selectors.scorecard import points, scorecard
from tests.reports.conftest import receive_at, walk
from tests.reports.oracle import local

pytestmark = pytest.mark.django_db
APRIL = Period.month(2026, 4)


@pytest.fixture
def april(rw):
    w = rw.w
    # Five dossiers resolved in April: three on time, two late; one of them online.
    on_time = [receive_at(w.desk, f"2026-04-0{d} 09:00", w.five_days) for d in (1, 2, 3)]
    for dossier in on_time:
        walk(dossier, "2026-04-06 10:00")
    late = [receive_at(w.desk, "2026-04-01 09:00", w.five_days),
            receive_at(w.desk, "2026-04-02 09:00", w.five_days, channel=2)]
    for dossier in late:
        walk(dossier, "2026-04-20 10:00")
    # Received in April, still open: digitised (a document attached).
    open_one = receive_at(w.desk, "2026-04-28 09:00", w.five_days, channel=2)
    DossierDocument.objects.create(dossier=open_one, name="Tờ khai", file=ContentFile(b"x", "tk.pdf"))
    DossierDocument.objects.create(dossier=on_time[0], name="Tờ khai", file=ContentFile(b"x", "tk.pdf"))
    # Ratings given in April: one dissatisfied of two.
    for dossier, level in ((on_time[0], "very_satisfied"), (late[0], "dissatisfied")):
        onestop.return_result(dossier, actor=None, at=local("2026-04-21 09:00"))
        onestop.rate_dossier(dossier, level=level, at=local("2026-04-22 09:00"))
    # An announcement decision of the commune's People's Committee, issued on time.
    AnnouncementDecision.objects.create(
        number="12/QĐ-UBND", issued_on=datetime.date(2026, 4, 10), issuer="Chủ tịch UBND",
        issuing_agency=w.ubnd, effective_on=datetime.date(2026, 4, 20),
        legal_effective_on=datetime.date(2026, 4, 20))
    return rw


def by_code(row):
    return {r.indicator.code: r for r in row.results}


def test_points_rule():
    assert points(Decimal(45), Decimal(10), Decimal(90)) == Decimal("5.00")
    assert points(Decimal(95), Decimal(10), Decimal(90)) == Decimal(10)
    assert points(Decimal(60), Decimal(20), Decimal(100)) == Decimal(12)


def test_scorecard_of_a_commune_for_april(april):
    card = scorecard(Filters(period=APRIL))
    assert [row.key for row in card.rows] == ["2025:30280"]
    results = by_code(card.rows[0])
    r21 = results["2.1"]
    assert r21.value == Decimal("60.00") and r21.points == Decimal("12.00")
    assert ("Hồ sơ đã giải quyết", 5) in [(str(k), v) for k, v in r21.inputs]
    r31 = results["3.1"]  # 2 online of 6 received in April
    assert r31.value == Decimal("33.33") and r31.points == Decimal("4.00")
    r42 = results["4.2"]  # 2 of 6 with a document; full points from 80%
    assert r42.value == Decimal("33.33") and r42.points == (Decimal("33.33") * 8 / 80).quantize(Decimal("0.01"))
    r54 = results["5.4"]  # 100 - (40% late + 50% dissatisfied) = 10%
    assert r54.value == Decimal("10.00") and r54.points == (Decimal(10) * 10 / 90).quantize(Decimal("0.01"))
    r22 = results["2.2"]
    assert r22.value is not None and r22.points is None and r22.note
    r11 = results["1.1"]
    assert r11.value == Decimal("100.00") and r11.points == Decimal("6.00")
    for code in ("1.2", "1.3", "1.4", "3.2", "4.1", "4.3", "5.2", "5.3"):
        assert results[code].value is None and results[code].points is None
        assert results[code].as_json()["note"]  # why there is no data
    row = card.rows[0]
    assert row.max_with_data + row.max_without_data == Decimal(100)
    data = card.as_json()
    assert data["month"] == "2026-04"
    assert {i["code"] for i in data["rows"][0]["indicators"]} >= {"2.1", "5.4", "1.4"}
    assert next(i for i in data["rows"][0]["indicators"] if i["code"] == "1.4")["has_data"] is False


def test_points_and_thresholds_are_configurable(april):
    services.configure_indicator(actor=april.home_affairs, code="2.2", max_points=4, threshold=100)
    services.configure_indicator(actor=None, code="2.1", max_points=16, threshold=80)
    results = by_code(scorecard(Filters(period=APRIL)).rows[0])
    assert results["2.1"].points == Decimal("12.00")  # 60% of 80% x 16
    assert results["2.2"].points is not None
    with pytest.raises(InvalidInput):
        services.configure_indicator(actor=None, code="9.9", max_points=1, threshold=50)
    with pytest.raises(InvalidInput):
        services.configure_indicator(actor=None, code="2.1", max_points=1, threshold=0)
    with pytest.raises(Forbidden):
        services.configure_indicator(actor=april.w.desk_officer, code="2.1", max_points=1, threshold=50)


def test_scorecard_is_scoped(april):
    assert scorecard(Filters(period=APRIL, user=april.other_leader)).rows == []
    assert [r.key for r in scorecard(Filters(period=APRIL, user=april.home_affairs)).rows] == ["2025:30280"]
    with pytest.raises(Forbidden):
        scorecard(Filters(period=APRIL, user=april.w.desk_officer))
