"""Cache of rendered portal pages for anonymous readers, wrapped around Wagtail's serve view
(portal_urls.py) so that a hit costs two cache reads and no routing.

Every key carries the portal's version, which any publish, unpublish, move or delete of a
portal page bumps (signals.py): a listing shows other pages' titles, so one version for the
whole portal is both simple and correct, and publishing is rare next to reading. Responses
that used a CSP nonce, set a cookie, answer a query other than ``page`` or are not 200 HTML
are not cached; logged-in users are served fresh pages. A miss is routed by ``routing.py``
(an article in one query, the Site from a per-process memo) before Wagtail's view renders it.
After a publish or unpublish commits, the pages it affects most (the article, its listings,
the portal's home) are rendered into the cache in the background (``warming.py``), so that
their first visitor is served a hit.
"""

import hashlib
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

VERSION_KEY = "news:portal-version"
# The layout's language switch is a POST form: its CSRF token is per visitor, so the cached
# copy keeps a placeholder and each hit gets the visitor's own token.
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"__cchc_csrf_token__"


def portal_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = str(time.time_ns())
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def bump_portal_version() -> None:
    cache.set(VERSION_KEY, str(time.time_ns()), None)


def _cacheable(request) -> bool:
    return (
        settings.CCHC_NEWS_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.user.is_authenticated
        and set(request.GET) <= {"page"}
        and not getattr(request, "is_preview", False)
    )


def page_cache_key(request) -> str:
    digest = hashlib.sha1(request.get_full_path().encode()).hexdigest()
    return f"news:page:{portal_version()}:{translation.get_language()}:{digest}"


def _prefill_route(request, args, kwargs) -> None:
    from .routing import prefill_route

    path = kwargs.get("path", args[0] if args else None)
    if isinstance(path, str):
        prefill_route(request, path)


def cached_serve(view):
    """Wrap Wagtail's page-serving view: a hit is answered before any routing query."""

    @wraps(view)
    def serve(request, *args, **kwargs):
        if not _cacheable(request):
            _prefill_route(request, args, kwargs)
            return view(request, *args, **kwargs)
        key = page_cache_key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            if CSRF_PLACEHOLDER in content:
                content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
            response = HttpResponse(content, content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        _prefill_route(request, args, kwargs)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        content_type = response.get("Content-Type", "")
        if (response.status_code == 200 and content_type.startswith("text/html")
                and not response.streaming and not response.cookies
                and getattr(request, "_csp_nonce", None) is None):
            content = CSRF_FIELD.sub(rb"\g<1>" + CSRF_PLACEHOLDER + rb"\g<2>", response.content)
            cache.set(key, (content, content_type), settings.CCHC_NEWS_CACHE_SECONDS)
            response["X-Cache"] = "miss"
        return response

    return serve
