from django.urls import include, path

app_name = "onestop"

urlpatterns = [
    # Forms 01-07 (PDF/XLSX): see document_urls.py.
    path("", include("cchc.onestop.document_urls")),
]
