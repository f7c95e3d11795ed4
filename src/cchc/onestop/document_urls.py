from django.urls import path

from . import document_views

urlpatterns = [
    path("ho-so/<str:code>/mau-<str:number>.pdf", document_views.form_pdf, name="form"),
    path("so-theo-doi/<str:agency_code>.<str:fmt>", document_views.register, name="register"),
]
