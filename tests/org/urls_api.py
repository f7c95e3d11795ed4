"""Only the org API, to check its schema apart from the other apps'."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("cchc.org.api_urls"))]
