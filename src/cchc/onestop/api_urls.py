from django.urls import path

from . import api

urlpatterns = [
    path("dossiers/", api.DossierListView.as_view(), name="api-dossiers"),
    path("dossiers/<str:code>/", api.DossierDetailView.as_view(), name="api-dossier"),
    path("dossiers/<str:code>/history/", api.DossierHistoryView.as_view(),
         name="api-dossier-history"),
    path("dossiers/<str:code>/actions/", api.DossierActionView.as_view(),
         name="api-dossier-actions"),
    path("public/dossiers/", api.PublicSubmitView.as_view(), name="api-public-dossiers"),
    path("public/dossiers/<str:code>/", api.PublicDossierView.as_view(), name="api-public-dossier"),
    path("public/dossiers/<str:code>/rating/", api.PublicRatingView.as_view(),
         name="api-public-dossier-rating"),
]
