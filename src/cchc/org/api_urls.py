from django.urls import path

from . import api

urlpatterns = [
    path("units/", api.UnitListView.as_view(), name="api-units"),
    path("units/<str:key>/", api.UnitDetailView.as_view(), name="api-unit"),
    path("agencies/", api.AgencyListView.as_view(), name="api-agencies"),
    path("agencies/<str:code>/", api.AgencyDetailView.as_view(), name="api-agency"),
]
