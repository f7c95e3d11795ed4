import pytest

from cchc.news.models import ArticlePage, PostingPolicy
from tests.news.conftest import make_article

pytestmark = pytest.mark.django_db


def test_article_takes_its_unit_from_its_section_and_folds_its_text(portal):
    article = make_article(portal, "d", title="Đẩy mạnh CẢI CÁCH hành chính", tags=["Một cửa"])
    assert article.unit == portal["units"]["d"]
    assert article.slug == "day-manh-cai-cach-hanh-chinh"
    assert "day manh cai cach hanh chinh" in article.search_folded
    assert "noi dung ve mot cua" in article.search_folded
    assert article.url == f"/tin-tuc/{portal['sections']['d'].slug}/day-manh-cai-cach-hanh-chinh/"


def test_credits_are_printed_and_parsed_as_under_provincial_articles(portal):
    article = make_article(portal, author="Thu Hà", photo_credit="Minh Tâm")
    assert article.credits == "BT: Thu Hà + Ảnh: Minh Tâm"
    assert ArticlePage.parse_credits("BT: Thu Hà + Ảnh: Minh Tâm") == ("Thu Hà", "Minh Tâm")
    assert ArticlePage.parse_credits("BT: Ngọc Trinh") == ("Ngọc Trinh", "")
    assert ArticlePage.parse_credits("Phòng Nội vụ") == ("Phòng Nội vụ", "")


def test_portal_tree_is_idempotent(portal):
    from cchc.news import services
    from cchc.news.models import CategoryIndexPage, NewsHomePage, UnitSectionPage

    home = services.ensure_portal(portal["units"]["province"])
    services.ensure_unit_section(home, portal["units"]["a"])
    assert NewsHomePage.objects.count() == 1
    assert UnitSectionPage.objects.count() == 4
    assert CategoryIndexPage.objects.count() == len(services.DEFAULT_CATEGORIES)
    from wagtail.models import Site

    assert Site.objects.get(is_default_site=True).root_page_id == home.pk


def test_policy_defaults():
    policy = PostingPolicy.current()
    assert (policy.max_days_without_article, policy.min_articles_per_month) == (30, 2)
