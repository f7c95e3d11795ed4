from django.urls import path

from . import views

app_name = "civil"

urlpatterns = [
    path("", views.home, name="home"),
    path("so/<int:pk>/", views.book_detail, name="book"),
    path("so/<int:pk>/khoa-so/", views.close_book, name="close_book"),
    path("muc/<int:pk>/", views.entry_detail, name="entry"),
    path("muc/<int:pk>/<slug:kind>.pdf", views.entry_pdf, name="entry_pdf"),
    path("muc/<int:pk>/ghi-chu/", views.add_note, name="add_note"),
    path("muc/<int:pk>/ban-sao/", views.issue_copy, name="issue_copy"),
    path("ban-sao/<int:pk>.pdf", views.copy_pdf, name="copy_pdf"),
    path("ho-so/<str:code>/", views.entry_for_dossier, name="entry_for_dossier"),
    path("dang-ky/<slug:event>/", views.register, name="register"),
    path("tra-cuu/", views.search, name="search"),
    path("thong-ke/", views.statistics, name="statistics"),
    path("kiem-tra/", views.evidence, name="evidence"),
    path("yeu-cau/", views.requests_list, name="requests"),
    path("yeu-cau/<int:pk>/thu-lai/", views.retry_request, name="retry_request"),
]
