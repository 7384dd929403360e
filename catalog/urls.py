"""Public URLs. Permalinks: /documents/<record id>/<slug>/ (any other slug answers 301)."""

from django.urls import path

from . import views
from .views.oai import OAIView

app_name = "catalog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("documents/", views.DocumentListView.as_view(), name="document-list"),
    path(
        "documents/export.<str:format>", views.DocumentExportView.as_view(), name="document-export"
    ),
    path(
        "documents/<int:record_id>/", views.DocumentRedirectView.as_view(), name="document-redirect"
    ),
    path(
        "documents/<int:record_id>/<str:slug>/",
        views.DocumentDetailView.as_view(),
        name="document-detail",
    ),
    path(
        "documents/<int:record_id>/<str:slug>/cite.<str:format>",
        views.DocumentCitationView.as_view(),
        name="document-cite",
    ),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("collections/", views.CollectionListView.as_view(), name="collection-list"),
    path(
        "collections/<slug:slug>/", views.CollectionDetailView.as_view(), name="collection-detail"
    ),
    path("archives/", views.RepositoryListView.as_view(), name="repository-list"),
    path("archives/<slug:slug>/", views.RepositoryDetailView.as_view(), name="repository-detail"),
    path("dates/", views.DateBrowseView.as_view(), name="date-browse"),
    path("dates/<int:decade>s/", views.DecadeView.as_view(), name="date-decade"),
    path("dates/<int:year>/", views.YearView.as_view(), name="date-year"),
    path("dates/<int:year>/<int:month>/", views.MonthView.as_view(), name="date-month"),
    path("oai/", OAIView.as_view(), name="oai"),
]
