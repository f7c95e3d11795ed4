from django.urls import path

from . import api_views

urlpatterns = [
    path("token/", api_views.ObtainTokenView.as_view(), name="api-token"),
]
