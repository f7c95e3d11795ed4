"""Issue #6: after a publish commits, the affected portal pages are rendered into the cache in
the background (ImmediateBackend in tests), so the first visitor gets a hit with the new
content; the layout's province is read once per process."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.news import warming
from tests.news.conftest import make_article


def test_publish_warms_the_article_its_listings_and_home(client, portal,
                                                         django_capture_on_commit_callbacks):
    article = make_article(portal, title="Tiêu đề cũ")
    section_url, home_url = portal["sections"]["a"].url, portal["home"].url
    category_url = portal["categories"]["tin-hoat-dong"].url
    assert client.get(article.url)["X-Cache"] == "miss"
    assert "Tiêu đề cũ" in client.get(section_url).text

    article.title = "Tiêu đề mới"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        article.save_revision().publish()
    assert callbacks  # the bump after commit and the warming task
    for url in (article.url, section_url, category_url, home_url):
        response = client.get(url)
        assert response["X-Cache"] == "hit", url  # rendered by the task, not by this visitor
        assert "Tiêu đề mới" in response.text and "Tiêu đề cũ" not in response.text, url


def test_unpublish_warms_the_listings_without_the_article(client, portal,
                                                          django_capture_on_commit_callbacks):
    article = make_article(portal, title="Bài sẽ gỡ")
    section_url = portal["sections"]["a"].url
    assert "Bài sẽ gỡ" in client.get(section_url).text
    assert warming.affected_paths(article)[0] == article.url
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert article.url not in warming.affected_paths(article)
    response = client.get(section_url)
    assert response["X-Cache"] == "hit" and "Bài sẽ gỡ" not in response.text
    assert "Bài sẽ gỡ" not in client.get(portal["home"].url).text
    assert client.get(f"{section_url}{article.slug}/").status_code == 404


def test_no_warming_without_a_commit(client, portal):
    """Nothing is rendered for a change that did not commit (the on-commit hook never ran):
    the next visitor renders the page, with the new content."""
    article = make_article(portal, title="Tiêu đề cũ")
    client.get(article.url)
    article.title = "Tiêu đề mới"
    article.save_revision().publish()
    response = client.get(article.url)
    assert response["X-Cache"] == "miss" and "Tiêu đề mới" in response.text


def test_warm_counts_only_pages_it_stored(portal):
    article = make_article(portal)
    assert warming.warm([article.url, "/tin-tuc/khong-co-trang-nay/"]) == 1
    assert warming.warm([article.url]) == 0  # already cached


def test_layout_province_is_read_once_per_process(client, portal):
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    assert not [q for q in captured.captured_queries if "org_administrativeunit" in q["sql"]]
    portal["units"]["province"].name = "Tỉnh Đồng Tháp mới"
    portal["units"]["province"].save()  # clears the memo
    assert "Tỉnh Đồng Tháp mới" in client.get("/").text
