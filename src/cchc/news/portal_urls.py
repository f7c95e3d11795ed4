"""Wagtail's page serving for /tin-tuc/, with the portal's page cache in front (cache.py)."""

from django.urls import URLPattern, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views

from .cache import cached_serve

urlpatterns = [
    re_path(p.pattern.regex.pattern, cached_serve(p.callback), name=p.name)
    if isinstance(p, URLPattern) and p.callback is wagtail_views.serve else p
    for p in wagtail_urls.urlpatterns
]
