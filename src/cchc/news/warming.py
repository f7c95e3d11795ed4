"""Warming the portal's page cache after a publish, so that visitors are not the ones who pay
for the first render.

A publish, unpublish, move or delete bumps the portal's version (cache.py): every cached page
is then stale. After the change commits, the pages a reader is most likely to open next — the
article itself (unless it is no longer live), its category and unit listings and the portal's
home — are requested once in the background (``tasks.warm_portal_pages``, django-tasks: the
``cchc db_worker`` process with the database backend) exactly as an anonymous visitor would
request them, through the whole middleware stack, so the entry stored is the one a visitor
would have stored. Pages already in the cache for the current version are left alone; other
pages are rendered by their first visitor as before. Only the default language is warmed.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.http.request import validate_host

logger = logging.getLogger(__name__)


def affected_paths(page) -> list[str]:
    """The addresses to warm after ``page`` was published or unpublished: the page itself if
    live, its listings (an article's category and unit section) and the portal's home."""
    from .models import ArticlePage, CategoryIndexPage, NewsHomePage, UnitSectionPage

    page = page.specific
    pages = [page] if page.live else []
    if isinstance(page, ArticlePage):
        parent = page.get_parent()
        if parent is not None:
            pages.append(parent)
        if page.category_id:
            pages.append(CategoryIndexPage.objects.filter(pk=page.category_id).first())
    elif isinstance(page, CategoryIndexPage | UnitSectionPage):
        pages.append(page)
    pages.append(NewsHomePage.objects.ancestor_of(page, inclusive=True).first())
    paths = []
    for candidate in pages:
        if candidate is None or not candidate.live:
            continue
        parts = candidate.get_url_parts()
        if parts and parts[2] and parts[2] not in paths:
            paths.append(parts[2])
    return paths


def schedule_warm(page) -> None:
    """After the current transaction commits, warm ``affected_paths(page)`` in the background.
    A failure to compute or enqueue is logged: the pages are then rendered by a visitor."""
    try:
        paths = affected_paths(page)
    except Exception:  # noqa: BLE001 - warming is an optimisation; never break a publish
        logger.exception("Portal pages to warm after a change of page %s not found", page.pk)
        return
    if not paths or settings.CCHC_NEWS_CACHE_SECONDS <= 0:
        return

    def enqueue():
        from .tasks import warm_portal_pages

        try:
            warm_portal_pages.enqueue(paths)
        except Exception:  # noqa: BLE001
            logger.exception("Warming of portal pages %s could not be enqueued", paths)

    transaction.on_commit(enqueue)


def _host() -> str:
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    allowed = settings.ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
    if site is not None and validate_host(site.hostname, allowed):
        return site.hostname
    return next((h.lstrip(".") for h in allowed if h not in ("*",) and "*" not in h),
                "localhost")


def warm(paths: list[str]) -> int:
    """Request each path as an anonymous visitor; returns how many were rendered and stored
    (the rest were already cached or are not cacheable)."""
    from django.test import Client  # the full request stack, without a network round trip

    client = Client(HTTP_HOST=_host(), secure=bool(settings.SECURE_SSL_REDIRECT),
                    HTTP_X_CCHC_WARM="1")
    stored = 0
    for path in paths:
        try:
            response = client.get(path)
        except Exception:  # noqa: BLE001 - one broken page must not stop the others
            logger.exception("Warming portal page %s failed", path)
            continue
        stored += response.get("X-Cache") == "miss"
    return stored
