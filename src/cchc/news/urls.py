"""Mounted at /hoat-dong-dang-tin/ (see the report of issue #6 for the urls.py line)."""

from django.urls import path

from . import views

app_name = "news"

urlpatterns = [
    path("", views.activity, name="activity"),
    path("nguong/", views.set_policy, name="set_policy"),
]
