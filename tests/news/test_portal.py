import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from tests.news.conftest import make_article

pytestmark = pytest.mark.django_db


def test_home_section_category_and_article_pages(client, portal):
    article = make_article(portal, title="Phường Hồng Ngự tiếp nhận hồ sơ trực tuyến",
                           author="Bích Trâm", photo_credit="Thanh Sơn")
    home = client.get("/tin-tuc/")
    assert home.status_code == 200
    assert "Phường Hồng Ngự tiếp nhận hồ sơ trực tuyến" in home.text
    assert "Tin hoạt động" in home.text
    section = client.get(portal["sections"]["a"].url)
    assert article.title in section.text
    category = client.get(portal["categories"]["tin-hoat-dong"].url)
    assert article.title in category.text
    assert article.title not in client.get(portal["categories"]["chuyen-doi-so"].url).text
    page = client.get(article.url)
    assert page.status_code == 200
    assert "BT: Bích Trâm + Ảnh: Thanh Sơn" in page.text
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "unsafe-inline" not in page["Content-Security-Policy"]


@pytest.mark.parametrize("query", ["cai cach", "CẢI CÁCH", "cải cách", "Cai Cach hanh"])
def test_search_ignores_diacritics_and_case(client, portal, query):
    make_article(portal, title="Cải cách hành chính ở phường")
    make_article(portal, "b", title="Xã Tân Hồng sắp xếp khu vực một cửa",
                 body=[{"type": "paragraph", "value": "<p>Khu vực chờ mới.</p>"}])
    response = client.get("/tin-tuc/tim-kiem/", {"q": query})
    assert response.status_code == 200
    assert "Cải cách hành chính ở phường" in response.text
    assert "Xã Tân Hồng sắp xếp" not in response.text


def test_search_finds_d_for_dj_and_body_text(client, portal):
    make_article(portal, title="Tin một cửa", body=[{"type": "paragraph",
                                                      "value": "<p>Đăng ký khai sinh trực tuyến</p>"}])
    assert "Tin một cửa" in client.get("/tin-tuc/tim-kiem/", {"q": "dang ky khai sinh"}).text


def _rss_titles(response):
    root = ET.fromstring(response.content)
    return [item.findtext("title") for item in root.iter("item")]


def test_rss_per_category_and_per_unit(client, portal):
    make_article(portal, "a", title="Tin A hoạt động")
    make_article(portal, "b", title="Tin B chuyển đổi số", category="chuyen-doi-so")
    by_unit = client.get(portal["sections"]["a"].url + "rss/")
    assert by_unit.status_code == 200
    assert by_unit["Content-Type"].startswith("application/rss+xml")
    assert _rss_titles(by_unit) == ["Tin A hoạt động"]
    by_category = client.get(portal["categories"]["chuyen-doi-so"].url + "rss/")
    assert _rss_titles(by_category) == ["Tin B chuyển đổi số"]
    everything = client.get("/tin-tuc/rss/")
    assert set(_rss_titles(everything)) == {"Tin A hoạt động", "Tin B chuyển đổi số"}


def test_sitemap_lists_live_pages_only(client, portal):
    live = make_article(portal, title="Bài đã đăng")
    draft = make_article(portal, title="Bài nháp")
    draft.unpublish()
    response = client.get("/tin-tuc/sitemap/")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locations = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(live.url) for loc in locations)
    assert not any(loc.endswith("/bai-nhap/") for loc in locations)
    assert any(loc.endswith(portal["sections"]["a"].url) for loc in locations)


def test_rendered_pages_are_cached_and_invalidated_on_publish(client, portal):
    article = make_article(portal, title="Tiêu đề cũ")
    section_url = portal["sections"]["a"].url
    assert client.get(article.url)["X-Cache"] == "miss"
    assert client.get(article.url)["X-Cache"] == "hit"
    client.get(section_url)
    assert client.get(section_url)["X-Cache"] == "hit"

    article.title = "Tiêu đề mới"
    article.save_revision().publish()
    response = client.get(article.url)
    assert response["X-Cache"] == "miss"
    assert "Tiêu đề mới" in response.text
    assert "Tiêu đề mới" in client.get(section_url).text

    other = make_article(portal, title="Bài thứ hai")  # a new article shows in the listing at once
    assert other.title in client.get(section_url).text


def test_cached_pages_carry_each_visitors_own_csrf_token(portal):
    from django.test import Client

    article = make_article(portal)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(article.url)
    response = second.get(article.url)
    assert response["X-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    assert "__cchc_csrf_token__" not in response.text
    switched = second.post("/i18n/setlang/", {"language": "en", "next": article.url,
                                              "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_unpublish_invalidates_too(client, portal):
    article = make_article(portal, title="Sẽ gỡ")
    assert client.get(article.url).status_code == 200
    article.unpublish()
    assert client.get(article.url).status_code == 404


def test_logged_in_readers_are_not_served_from_the_cache(client, portal):
    article = make_article(portal)
    client.get(article.url)
    client.force_login(portal["users"]["editor_a"])
    response = client.get(article.url)
    assert "X-Cache" not in response
    assert "bientap.a" in response.text


def test_future_dated_query_of_the_listing_paginates(client, portal):
    for n in range(25):
        make_article(portal, title=f"Bài số {n}", when=timezone.now() - datetime.timedelta(days=n))
    page2 = client.get(portal["sections"]["a"].url, {"page": 2})
    assert "Bài số 24" in page2.text
    assert "Bài số 0<" not in page2.text
