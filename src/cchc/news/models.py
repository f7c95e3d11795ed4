"""Pages of the CCHC portal and the province's posting policy (see the package docstring)."""

import re

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.validators import MinValueValidator
from django.db import models
from django.http import Http404
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from cchc.textfold import fold

PER_PAGE = 20
CREDITS_RE = re.compile(r"^\s*(?:BT|Bài)\s*:\s*(?P<author>.*?)\s*(?:\+\s*Ảnh\s*:\s*(?P<photo>.*?))?\s*$",
                        re.IGNORECASE)


def paginate(request, queryset, per_page=PER_PAGE):
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        return paginator.page(1)


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Ảnh"))
    caption = blocks.CharBlock(label=_("Chú thích ảnh"), required=False, max_length=300)

    class Meta:
        icon = "image"
        label = _("Ảnh có chú thích")
        template = "news/blocks/captioned_image.html"


class AttachmentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Tệp đính kèm"))
    title = blocks.CharBlock(label=_("Tên hiển thị"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Văn bản đính kèm")
        template = "news/blocks/attachment.html"


RICH_TEXT_FEATURES = ["bold", "italic", "h2", "h3", "ol", "ul", "link", "document-link"]


class ArticleBody(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label=_("Đoạn văn"), features=RICH_TEXT_FEATURES)
    image = CaptionedImageBlock()
    attachment = AttachmentBlock()


class NewsHomePage(RoutablePageMixin, Page):
    """The portal's home page: one per province, the root of the Wagtail site."""

    province = models.OneToOneField(
        "org.AdministrativeUnit", verbose_name=_("tỉnh"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="news_home",
    )
    intro = models.TextField(_("giới thiệu"), blank=True)
    editors_group = models.ForeignKey(
        Group, verbose_name=_("nhóm biên tập cổng tin tỉnh"), null=True, blank=True,
        editable=False, on_delete=models.SET_NULL, related_name="+",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["news.CategoryIndexPage", "news.UnitSectionPage"]
    template = "news/home_page.html"

    class Meta:
        verbose_name = _("trang chủ cổng tin")
        verbose_name_plural = _("trang chủ cổng tin")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["latest"] = selectors.latest_articles(self, limit=12)
        context["categories"] = self.get_children().live().type(CategoryIndexPage).specific()
        context["sections"] = selectors.sections(self)
        return context

    def route(self, request, path_components):
        # An article is found by its address in one indexed query (slug, then url_path) rather
        # than by walking home -> section -> article with a query and a .specific per level.
        if len(path_components) == 2:
            from .routing import find_article

            article = find_article(self.url_path, path_components)
            if article is not None:
                if not article.live:
                    raise Http404
                return RouteResult(article)
        return super().route(request, path_components)

    @path("")
    def index(self, request):
        return self.render(request)

    @path("tim-kiem/")
    def search(self, request):
        from . import selectors

        query = (request.GET.get("q") or "").strip()[:200]
        results = paginate(request, selectors.search_articles(self, query)) if query else None
        return self.render(request, template="news/search.html",
                           context_overrides={"query": query, "results": results})

    @path("rss/")
    def feed(self, request):
        from .feeds import ArticleFeed

        return ArticleFeed(self)(request)

    @path("sitemap/")
    def sitemap(self, request):
        from .feeds import sitemap

        return sitemap(request)


class CategoryIndexPage(RoutablePageMixin, Page):
    """A category (chuyên mục): lists the portal's articles that carry it, from every unit."""

    intro = models.TextField(_("giới thiệu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["news.NewsHomePage"]
    subpage_types = []
    template = "news/listing_page.html"

    class Meta:
        verbose_name = _("chuyên mục")
        verbose_name_plural = _("chuyên mục")

    def articles(self):
        return ArticlePage.objects.live().filter(category=self).order_by("-first_published_at")

    @path("")
    def index(self, request):
        from . import selectors

        return self.render(request, context_overrides={
            "articles": paginate(request, selectors.listing(self.articles())),
            "feed_url": self.url + "rss/",
        })

    @path("rss/")
    def feed(self, request):
        from .feeds import ArticleFeed

        return ArticleFeed(self)(request)


class UnitSectionPage(RoutablePageMixin, Page):
    """The section of one administrative unit: its editors write articles here."""

    unit = models.OneToOneField(
        "org.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT,
        related_name="news_section",
    )
    intro = models.TextField(_("giới thiệu"), blank=True)
    editors_group = models.ForeignKey(
        Group, verbose_name=_("nhóm biên tập"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    approvers_group = models.ForeignKey(
        Group, verbose_name=_("nhóm duyệt tin"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["news.NewsHomePage"]
    subpage_types = ["news.ArticlePage"]
    template = "news/listing_page.html"

    class Meta:
        verbose_name = _("chuyên trang đơn vị")
        verbose_name_plural = _("chuyên trang đơn vị")

    def articles(self):
        return ArticlePage.objects.live().child_of(self).order_by("-first_published_at")

    @path("")
    def index(self, request):
        from . import selectors

        return self.render(request, context_overrides={
            "articles": paginate(request, selectors.listing(self.articles())),
            "feed_url": self.url + "rss/",
        })

    @path("rss/")
    def feed(self, request):
        from .feeds import ArticleFeed

        return ArticleFeed(self)(request)


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey("news.ArticlePage", on_delete=models.CASCADE,
                                 related_name="tagged_items")


class ArticlePage(Page):
    """A CCHC article. Its publication date is ``first_published_at``."""

    summary = models.TextField(_("tóm tắt"), max_length=1000)
    body = StreamField(ArticleBody(), verbose_name=_("nội dung"))
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("ảnh đại diện"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    category = models.ForeignKey(
        CategoryIndexPage, verbose_name=_("chuyên mục"), null=True, on_delete=models.PROTECT,
        related_name="categorised_articles",
    )
    author = models.CharField(_("biên tập (BT)"), max_length=200, blank=True,
                              help_text=_("In dưới bài: “BT: …”."))
    photo_credit = models.CharField(_("ảnh"), max_length=200, blank=True,
                                    help_text=_("In dưới bài: “Ảnh: …”."))
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("từ khóa"))
    unit = models.ForeignKey(
        "org.AdministrativeUnit", verbose_name=_("đơn vị"), null=True, blank=True,
        editable=False, on_delete=models.PROTECT, related_name="news_articles",
    )
    search_folded = models.TextField(editable=False, blank=True, default="")

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("category", widget=forms.Select),
        FieldPanel("image"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("author"), FieldPanel("photo_credit")],
                        heading=_("Tác giả và nguồn ảnh")),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("search_folded"),
        index.FilterField("unit"),
        index.FilterField("category"),
    ]
    parent_page_types = ["news.UnitSectionPage"]
    subpage_types = []
    template = "news/article_page.html"

    class Meta:
        verbose_name = _("bài viết")
        verbose_name_plural = _("bài viết")

    @property
    def credits(self) -> str:
        """The line printed under a provincial article: "BT: … + Ảnh: …"."""
        parts = []
        if self.author:
            parts.append(f"BT: {self.author}")
        if self.photo_credit:
            parts.append(f"Ảnh: {self.photo_credit}")
        return " + ".join(parts)

    @staticmethod
    def parse_credits(text: str) -> tuple[str, str]:
        """"BT: Thu Hà + Ảnh: Minh Tâm" -> ("Thu Hà", "Minh Tâm"); any other text is the author."""
        match = CREDITS_RE.match(text or "")
        if not match:
            return (text or "").strip(), ""
        return match["author"].strip(), (match["photo"] or "").strip()

    def body_text(self) -> str:
        parts = []
        for block in self.body:
            if block.block_type == "paragraph":
                parts.append(strip_tags(block.value.source))
            elif block.block_type == "image":
                parts.append(block.value.get("caption") or "")
        return " ".join(parts)

    def section(self) -> "UnitSectionPage | None":
        if not self.path or not self.depth or self.depth < 2:
            return None
        return UnitSectionPage.objects.filter(path=self.path[: -self.steplen]).first()

    def save(self, *args, **kwargs):
        section = self.section()
        if section is not None:
            self.unit_id = section.unit_id
        try:
            tags = " ".join(tag.name for tag in self.tags.all())
        except ValueError:
            tags = ""
        self.search_folded = fold(" ".join([self.title, self.summary, self.body_text(), tags]))
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["related"] = selectors.related_articles(self)
        context["section_link"] = self.section_link(request)
        return context

    def section_link(self, request=None) -> tuple[str, str] | None:
        """(title, url) of the article's section for the breadcrumb: from the title the routing
        query annotated (``routing.find_article``) and the article's own address, else read."""
        title = getattr(self, "section_title", None)
        url = self.get_url(request) if title is not None else None
        if title is not None and url and url.endswith(f"/{self.slug}/"):
            return title, url[: -len(self.slug) - 1]
        section = self.get_parent()
        if section is None:
            return None
        return section.title, section.get_url(request)


class PostingPolicy(models.Model):
    """The province's threshold for regular posting (one row). Set by Home Affairs."""

    max_days_without_article = models.PositiveIntegerField(
        _("số ngày tối đa không có bài mới"), default=30, validators=[MinValueValidator(1)])
    min_articles_per_month = models.PositiveIntegerField(
        _("số bài tối thiểu mỗi tháng"), default=2)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người cập nhật"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("ngưỡng đăng tin")
        verbose_name_plural = _("ngưỡng đăng tin")

    def __str__(self):
        return str(_("Ít nhất %(n)s bài/tháng, không quá %(d)s ngày không có bài mới") % {
            "n": self.min_articles_per_month, "d": self.max_days_without_article})

    @classmethod
    def current(cls) -> "PostingPolicy":
        return cls.objects.filter(pk=1).first() or cls(pk=1)
