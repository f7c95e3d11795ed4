"""Office time summed in SQL equals ``workcal``'s ``working_time_between`` dossier by dossier,
over nights, week-ends, Giỗ Tổ, 30/4-1/5 and Tết 2024."""

import datetime
import random
from datetime import timedelta

import pytest
from django.db.models import F

from cchc.onestop.models import Dossier
from cchc.onestop.timeliness import Clock, end_of_processing
from cchc.reports.selectors.worktime import processing_times
from cchc.workcal.deadlines import working_time_between
from tests.reports.oracle import play, random_history

pytestmark = pytest.mark.django_db


def test_processing_times_match_working_time_between(rw):
    rng = random.Random(2026)
    histories = []
    for start in ("2026-04-20", "2026-04-27", "2024-02-05"):
        origin = datetime.datetime.fromisoformat(start).replace(tzinfo=datetime.UTC)
        for _ in range(25):
            histories.append(random_history(rng, rw.w.desk, rng.choice([rw.w.five_days, rw.certify]),
                                            origin + timedelta(minutes=rng.randint(0, 9 * 24 * 60))))
    play(histories, [])
    finished = Dossier.objects.filter(received_at__isnull=False, finished_at__isnull=False)
    assert finished.count() > 20
    stats = processing_times(finished, F("pk"), (datetime.date(2024, 1, 1), datetime.date(2026, 12, 31)))
    for dossier in finished:
        end = end_of_processing(Clock.of(dossier))
        actual = working_time_between(dossier.received_at, end) / timedelta(hours=8)
        actual -= dossier.paused_seconds / 3600 / 8
        legal = working_time_between(dossier.received_at, dossier.due_at) / timedelta(hours=8)
        got = stats[dossier.pk]
        assert got["count"] == 1
        assert got["average_days"] == pytest.approx(max(actual, 0), abs=1e-6), dossier.code
        assert got["average_legal_days"] == pytest.approx(legal, abs=1e-6), dossier.code
        assert got["within_legal"] == (1 if max(actual, 0) <= legal + 1e-9 else 0)
