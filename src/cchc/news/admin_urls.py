"""Wagtail's admin, mounted at /cms/ with a content security policy it can work under.

The platform's policy allows scripts and styles only from this site and with a nonce. Wagtail's
admin renders inline styles (style attributes, <style> in widgets) and a few inline scripts that
carry no nonce, and its preview panel frames the page preview from the same origin. So, on
/cms/ only, the policy is replaced: 'unsafe-inline' for scripts and styles (still no remote
origin), images also from blob: (upload previews), framing by this site only. Everything
else keeps the strict policy.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.views.decorators.clickjacking import xframe_options_sameorigin
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.utils.urlpatterns import decorate_urlpatterns

ADMIN_CSP = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "frame-src": [SELF],
    "frame-ancestors": [SELF],
}


def _admin_policy(view):
    return xframe_options_sameorigin(csp_replace(ADMIN_CSP)(view))


urlpatterns = decorate_urlpatterns(list(wagtailadmin_urls.urlpatterns), _admin_policy)
