from django.urls import path, re_path

from . import api

CODE = r"(?P<code>\d\.\d{6}(?:\.\d{3}\.\d{2}\.\d{2}\.H\d{2})?)"

urlpatterns = [
    path("procedures/", api.ProcedureListView.as_view(), name="api-procedures"),
    re_path(rf"^procedures/{CODE}/$", api.ProcedureDetailView.as_view(), name="api-procedure"),
    path("announcements/", api.AnnouncementListView.as_view(), name="api-announcements"),
    path("announcements/<int:pk>/", api.AnnouncementDetailView.as_view(), name="api-announcement"),
    path("postings/", api.PostingListView.as_view(), name="api-postings"),
    path("postings/gaps/", api.PostingGapsView.as_view(), name="api-posting-gaps"),
]
