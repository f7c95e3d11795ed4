"""RSS feeds (whole portal, one category, one unit's section) and the portal's sitemap."""

from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.contrib.syndication.views import Feed
from django.utils.translation import gettext as _
from wagtail.contrib.sitemaps import Sitemap

FEED_ITEMS = 30


class ArticleFeed(Feed):
    def __init__(self, page):
        super().__init__()
        self.page = page

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return self.page.title

    def link(self):
        return self.page.get_url(self.request)

    def description(self):
        return getattr(self.page, "intro", "") or _("Tin cải cách hành chính")

    def items(self):
        from .models import ArticlePage, CategoryIndexPage, UnitSectionPage
        from .selectors import listing

        articles = ArticlePage.objects.live()
        if isinstance(self.page, CategoryIndexPage):
            articles = articles.filter(category=self.page)
        elif isinstance(self.page, UnitSectionPage):
            articles = articles.child_of(self.page)
        else:
            articles = articles.descendant_of(self.page)
        return listing(articles.order_by("-first_published_at"))[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_author_name(self, item):
        return item.unit.name if item.unit_id else None

    def item_categories(self, item):
        return [item.category.title] if item.category_id else []


def sitemap(request):
    return django_sitemap(request, sitemaps={"portal": Sitemap(request)},
                          template_name="news/sitemap.xml")
