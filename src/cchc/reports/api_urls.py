from django.urls import path

from . import api

urlpatterns = [
    path("reports/timeliness/", api.TimelinessReportView.as_view(), name="api-reports-timeliness"),
    path("reports/timeliness/dossiers/", api.TimelinessDossiersView.as_view(),
         name="api-reports-timeliness-dossiers"),
    path("reports/scorecard/", api.ScorecardView.as_view(), name="api-reports-scorecard"),
    path("reports/dashboard/", api.DashboardView.as_view(), name="api-reports-dashboard"),
    path("reports/procedures/<str:code>/review/", api.ProcedureReviewView.as_view(),
         name="api-reports-procedure-review"),
    path("reports/proposals/", api.ProposalListView.as_view(), name="api-reports-proposals"),
]
