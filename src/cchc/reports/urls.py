from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tong-quan/<slug:table>.xlsx", views.dashboard_export, name="dashboard_export"),
    path("giai-quyet-tthc/", views.timeliness, name="timeliness"),
    path("giai-quyet-tthc/ho-so/", views.timeliness_drill,
         name="timeliness_dossiers"),
    path("giai-quyet-tthc/bao-cao.<str:fmt>", views.timeliness_export, name="timeliness_export"),
    path("chi-so-766/", views.scorecard, name="scorecard"),
    path("ra-soat/", views.review, name="review"),
    path("ra-soat/<str:code>/", views.review_procedure, name="review_procedure"),
    path("de-xuat/", views.proposal_list, name="proposals"),
    path("de-xuat/da-phe-duyet.xlsx", views.proposals_approved_export, name="proposals_approved_export"),
    path("de-xuat/<int:pk>/", views.proposal_detail, name="proposal"),
    path("de-xuat/<int:pk>/<slug:action>/", views.proposal_act, name="proposal_act"),
]
