import datetime

import pytest

from cchc.news.models import ArticlePage, UnitSectionPage

pytestmark = pytest.mark.django_db


def test_demo_portal_is_idempotent_and_spans_units_and_years(client):
    from cchc.core import demo as core_demo
    from cchc.news import demo

    core_demo.load()
    demo.load()
    articles = ArticlePage.objects.live()
    count = articles.count()
    assert count >= 30
    demo.load()
    assert ArticlePage.objects.count() == count
    years = {a.first_published_at.year for a in articles}
    assert {2022, 2023, 2024, 2025, 2026} <= years
    units = {s.unit.key for s in UnitSectionPage.objects.select_related("unit")}
    assert {"pre2025:868", "pre2025:869", "pre2025:870", "pre2025:871", "2025:82"} <= units
    per_unit = {key: articles.filter(unit__era=key.split(":")[0], unit__code=key.split(":")[1])
                .count() for key in units}
    assert per_unit["pre2025:871"] == 1  # Huyện Tam Nông posts rarely
    assert per_unit["pre2025:868"] >= 5
    assert all(a.first_published_at.date() <= datetime.date.today() for a in articles)
    assert client.get("/tin-tuc/").status_code == 200
    article = articles.filter(image__isnull=False).first()
    response = client.get(article.url)
    assert response.status_code == 200 and "<figcaption>" in response.text
