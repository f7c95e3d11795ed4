"""Uploaded media in production settings (DEBUG off) and the article render's queries (#6)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from cchc.news import routing
from tests.news.conftest import make_article

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% K\xe1\xba\xbf ho\xe1\xba\xa1ch CCHC\n%%EOF\n"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEBUG = False
    return settings.MEDIA_ROOT


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (1200, 900), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_uploaded_document_is_downloadable_through_the_serve_view(client, portal, media_root):
    document = Document.objects.create(title="Kế hoạch CCHC năm 2026",
                                       file=ContentFile(PDF, name="ke-hoach-cchc-2026.pdf"))
    article = make_article(portal, title="Ban hành kế hoạch CCHC", body=[
        {"type": "paragraph", "value": "<p>Toàn văn kế hoạch đính kèm.</p>"},
        {"type": "attachment", "value": {"document": document.pk, "title": "Kế hoạch số 12"}},
    ])
    page = client.get(article.url)
    assert page.status_code == 200
    url = document.url
    assert url == f"/cms-documents/{document.pk}/ke-hoach-cchc-2026.pdf"  # Wagtail's serve view
    assert f'href="{url}"' in page.text and "Kế hoạch số 12" in page.text

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "ke-hoach-cchc-2026.pdf" in response["Content-Disposition"]
    assert client.get(f"/cms-documents/{document.pk}/khac.pdf").status_code == 404
    assert client.get(f"/cms-documents/{document.pk + 999}/ke-hoach-cchc-2026.pdf").status_code == 404
    # The file itself lives under MEDIA_ROOT/documents/, which the web server must NOT serve
    # directly (the serve view applies the collections' privacy settings).
    assert (media_root / "documents" / "ke-hoach-cchc-2026.pdf").read_bytes() == PDF


def test_article_image_rendition_is_written_under_media_root(client, portal, media_root):
    image = Image.objects.create(title="Quang cảnh hội nghị",
                                 file=ContentFile(_png(), name="hoi-nghi.png"))
    article = make_article(portal, title="Hội nghị trực tuyến", body=[
        {"type": "image", "value": {"image": image.pk, "caption": "Quang cảnh hội nghị"}},
    ])
    html = client.get(article.url).text
    rendition = image.renditions.get()
    assert rendition.width == 800 and rendition.height == 600
    assert f'src="/media/{rendition.file.name}"' in html
    # What the web server serves at /media/images/ is this file.
    assert (media_root / rendition.file.name).is_file()
    assert "<figcaption>Quang cảnh hội nghị</figcaption>" in html


def test_article_is_routed_in_one_query_with_its_breadcrumb(client, portal, settings):
    settings.CCHC_NEWS_CACHE_SECONDS = 0
    article = make_article(portal, title="Một cửa điện tử ở phường")
    make_article(portal, title="Tin khác cùng chuyên mục")
    client.get(article.url)  # warm the Site memo and Wagtail's site root paths
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.url)
    assert response.status_code == 200
    section = portal["sections"]["a"]
    assert f'<a href="{section.url}">{section.title}</a>' in response.text
    assert "Tin khác cùng chuyên mục" in response.text
    sql = [q["sql"] for q in queries.captured_queries]
    # The route (article, unit, category and section title in one query), Wagtail's two
    # view-restriction queries, the tags, the related articles and the layout's province:
    # no Site, root page or parent-section query (10 queries before issue #6).
    assert len(sql) <= 6, "\n".join(s[:200] for s in sql)
    assert not any('FROM "wagtailcore_site"' in s for s in sql)
    assert sum(s.count('FROM "news_articlepage"') for s in sql) == 2  # route + related


def test_unpublished_or_missing_article_still_404(client, portal, settings):
    settings.CCHC_NEWS_CACHE_SECONDS = 0
    article = make_article(portal, title="Sắp gỡ")
    url = article.url
    article.unpublish()
    assert client.get(url).status_code == 404
    assert client.get(url.rstrip("/").rsplit("/", 1)[0] + "/khong-co/").status_code == 404
    assert client.get(portal["sections"]["a"].url).status_code == 200  # listings: Wagtail routes


def test_site_memo_is_cleared_when_a_site_changes(client, portal):
    from wagtail.models import Site

    client.get("/tin-tuc/")
    assert routing._sites
    site = Site.objects.get()
    site.site_name = "Cổng CCHC"
    site.save()
    assert not routing._sites
