from django.urls import path, re_path

from . import views

app_name = "catalog"

CODE = r"(?P<code>\d\.\d{6}(?:\.\d{3}\.\d{2}\.\d{2}\.H\d{2})?)"

urlpatterns = [
    path("", views.procedure_list, name="procedure_list"),
    path("quyet-dinh-cong-bo/", views.announcement_list, name="announcement_list"),
    path("quyet-dinh-cong-bo/them/", views.announcement_create, name="announcement_create"),
    path("quyet-dinh-cong-bo/<int:pk>/", views.announcement_detail, name="announcement_detail"),
    path("niem-yet/", views.posting_gap_list, name="posting_gap_list"),
    re_path(r"^niem-yet/(?P<agency_code>\d{3}\.\d{2}\.\d{2}\.H\d{2})/$", views.posting_gap_detail,
            name="posting_gap_detail"),
    re_path(rf"^{CODE}/$", views.procedure_detail, name="procedure_detail"),
    re_path(rf"^{CODE}/niem-yet\.pdf$", views.posting_sheet, name="posting_sheet"),
]
