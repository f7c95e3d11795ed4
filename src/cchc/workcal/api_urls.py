from django.urls import path

from . import api

urlpatterns = [
    path("public/calendar/due/", api.DueView.as_view(), name="workcal-api-due"),
    path("public/calendar/days-off/", api.DaysOffView.as_view(), name="workcal-api-days-off"),
]
