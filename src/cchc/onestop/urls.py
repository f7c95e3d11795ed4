from django.urls import include, path

from . import views

app_name = "onestop"

urlpatterns = [
    path("", views.queue, name="home"),
    path("hang-doi/<slug:queue>/", views.queue, name="queue"),
    path("tiep-nhan/", views.intake, name="intake"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<slug:action>/", views.act, name="act"),
    path("ho-so/<str:code>/tai-lieu/<int:pk>/", views.document, name="document"),
    path("nop-truc-tuyen/", views.submit, name="submit"),
    path("nop-truc-tuyen/da-nop/", views.submitted, name="submitted"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("tra-cuu/<str:code>/danh-gia/", views.rate, name="rate"),
    # Forms 01-07 (PDF/XLSX): see document_urls.py.
    path("", include("cchc.onestop.document_urls")),
]
