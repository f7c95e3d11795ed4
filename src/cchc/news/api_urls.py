from django.urls import path

from . import api

urlpatterns = [
    path("news/activity/", api.ActivityView.as_view(), name="api-news-activity"),
]
