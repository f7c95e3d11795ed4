"""Faster routing of a portal request for Wagtail's serve view (a cache miss, an editor).

Wagtail routes a request with one query for the Site, one for the root page's specific
object, then the page's own ``route()``; our ``NewsHomePage.route`` finds an article by its
address in one query. Here, before Wagtail's view runs:

- the Site (with its root page's address) is taken from a small per-process memo (hostname,
  port) that lives ``SITE_MEMO_SECONDS`` and is cleared in this process when a Site or a
  top-level page is saved or deleted (other processes see a change to the Sites within that
  time: Sites are set up once per installation); each request gets its own copy, without the
  root page's specific object, which Wagtail reads fresh for the pages it routes itself;
- an address of the form ``<section>/<article>/`` under the Site's root is looked up directly
  as a live ``ArticlePage`` (with its unit, category and section title, so that the page needs
  no further query for its breadcrumb), and the result is handed to Wagtail through the
  request attribute Wagtail itself caches its route in (``_wagtail_route_for_request``).

Anything else (the home page, listings, search, feeds, a missing or unpublished article) is
left to Wagtail's own routing, and Wagtail's ``before_serve_page`` hooks (view restrictions)
run for every page as before.
"""

import copy
import time

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr
from django.http import HttpRequest
from wagtail.models import Page, Site
from wagtail.models.sites import get_site_for_hostname
from wagtail.url_routing import RouteResult

SITE_MEMO_SECONDS = 60
_sites: dict[tuple[str, int], tuple[float, Site | None]] = {}


def clear_site_memo() -> None:
    _sites.clear()


def site_for(request: HttpRequest) -> Site | None:
    """``Site.find_for_request`` without a query when the answer is in the memo."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    from django.http.request import split_domain_port

    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    key = (hostname, int(port) if str(port).isdigit() else 0)
    now = time.monotonic()
    memo = _sites.get(key)
    if memo is None or memo[0] < now:
        try:
            site = get_site_for_hostname(hostname, port)
        except Site.DoesNotExist:
            site = None
        memo = (now + SITE_MEMO_SECONDS, site)
        if len(_sites) > 100:  # many host names (a scan): do not grow without bound
            _sites.clear()
        _sites[key] = memo
    site = _fresh_copy(memo[1])
    request._wagtail_site = site
    return site


def _fresh_copy(site: Site | None) -> Site | None:
    """A per-request copy of the memo's Site whose root page has no cached ``specific``, so a
    listing or the home page always renders the root's current content."""
    if site is None:
        return None
    site = copy.copy(site)
    root = site._state.fields_cache.get("root_page")
    if root is not None:
        root = copy.copy(root)
        for name in ("specific", "specific_deferred"):
            root.__dict__.pop(name, None)
        site._state.fields_cache["root_page"] = root
    return site


def find_article(root_url_path: str, path_components: list[str]):
    """The live-or-not ArticlePage at ``<root>/<section>/<slug>/``, with what its page shows."""
    from .models import ArticlePage

    section_title = Page.objects.filter(
        path=Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * Page.steplen),
    ).values("title")[:1]
    return (ArticlePage.objects
            .filter(slug=path_components[-1],
                    url_path=f"{root_url_path}{'/'.join(path_components)}/")
            .select_related("unit", "category")
            .annotate(section_title=Subquery(section_title))
            .first())


def prefill_route(request: HttpRequest, path: str) -> None:
    """Route ``path`` ahead of Wagtail when it is an article's address (see the module)."""
    if hasattr(request, "_wagtail_route_for_request"):
        return
    site = site_for(request)
    if site is None:
        return
    components = [component for component in path.split("/") if component]
    if len(components) != 2:
        return
    article = find_article(site.root_page.url_path, components)
    if article is not None and article.live:
        request._wagtail_route_for_request = RouteResult(article)
