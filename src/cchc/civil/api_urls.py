from django.urls import path

from . import api

urlpatterns = [
    path("civil/books/", api.BookListView.as_view(), name="api-civil-books"),
    path("civil/books/<int:pk>/", api.BookDetailView.as_view(), name="api-civil-book"),
    path("civil/books/<int:pk>/close/", api.BookCloseView.as_view(), name="api-civil-book-close"),
    path("civil/entries/", api.EntryListView.as_view(), name="api-civil-entries"),
    path("civil/entries/<int:pk>/", api.EntryDetailView.as_view(), name="api-civil-entry"),
    path("civil/entries/<int:pk>/notes/", api.NoteCreateView.as_view(), name="api-civil-notes"),
    path("civil/entries/<int:pk>/copies/", api.CopyCreateView.as_view(), name="api-civil-copies"),
    path("civil/entries/<int:pk>/<str:kind>.pdf", api.EntryPdfView.as_view(),
         name="api-civil-entry-pdf"),
    path("civil/copies/<int:pk>.pdf", api.CopyPdfView.as_view(), name="api-civil-copy-pdf"),
    path("civil/requests/", api.DeskRequestView.as_view(), name="api-civil-requests"),
    path("civil/stats/monthly/", api.MonthlyCountsView.as_view(), name="api-civil-monthly"),
    path("civil/evidence/", api.EvidenceView.as_view(), name="api-civil-evidence"),
]
