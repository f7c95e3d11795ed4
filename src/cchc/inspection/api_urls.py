from django.urls import path

from . import api

urlpatterns = [
    path("inspection/plans/", api.PlanList.as_view(), name="api-inspection-plans"),
    path("inspection/plans/<int:pk>/", api.PlanDetail.as_view(), name="api-inspection-plan"),
    path("inspection/inspections/", api.InspectionList.as_view(), name="api-inspections"),
    path("inspection/inspections/<int:pk>/", api.InspectionDetail.as_view(),
         name="api-inspection"),
    path("inspection/inspections/<int:pk>/evidence/", api.EvidenceList.as_view(),
         name="api-inspection-evidence"),
    path("inspection/inspections/<int:pk>/<slug:action>/", api.InspectionAction.as_view(),
         name="api-inspection-action"),
    path("inspection/recommendations/", api.RecommendationList.as_view(),
         name="api-inspection-recommendations"),
    path("inspection/recommendations/<int:pk>/", api.RecommendationDetail.as_view(),
         name="api-inspection-recommendation"),
    path("inspection/recommendations/<int:pk>/<slug:action>/",
         api.RecommendationAction.as_view(), name="api-inspection-recommendation-action"),
]
