"""The project's URLs with the posting-activity page mounted at /hoat-dong-dang-tin/, as the
lead is asked to add to cchc/urls.py (a no-op once it is there)."""

from django.urls import include, path

from cchc import urls as project

urlpatterns = list(project.urlpatterns)
if not any(getattr(p, "namespace", None) == "news" for p in urlpatterns):
    # Before Wagtail's catch-all page serving, which comes last.
    urlpatterns.insert(len(urlpatterns) - 1,
                       path("hoat-dong-dang-tin/", include("cchc.news.urls")))
