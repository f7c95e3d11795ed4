from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail.documents import urls as wagtaildocs_urls

api_v1 = [
    path("auth/", include("cchc.core.api_urls")),
    path("", include("cchc.org.api_urls")),
    path("", include("cchc.workcal.api_urls")),
    path("", include("cchc.catalog.api_urls")),
    path("", include("cchc.onestop.api_urls")),
    path("", include("cchc.civil.api_urls")),
    path("", include("cchc.reports.api_urls")),
    path("", include("cchc.inspection.api_urls")),
    path("", include("cchc.news.api_urls")),
]

urlpatterns = [
    path("", include("cchc.core.urls")),
    path("lich-lam-viec/", include("cchc.workcal.urls")),
    path("thu-tuc/", include("cchc.catalog.urls")),
    path("mot-cua/", include("cchc.onestop.urls")),
    path("ho-tich/", include("cchc.civil.urls")),
    path("bao-cao/", include("cchc.reports.urls")),
    path("kiem-tra/", include("cchc.inspection.urls")),
    path("hoat-dong-dang-tin/", include("cchc.news.urls")),
    path("quan-tri/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
    path("cms/", include("cchc.news.admin_urls")),
    path("cms-documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:  # pragma: no cover
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Last: Wagtail's page serving (with the portal's page cache) must not shadow any other route.
urlpatterns += [path("tin-tuc/", include("cchc.news.portal_urls"))]
