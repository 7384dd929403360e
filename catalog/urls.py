"""
Public URLs. Permalinks: /documents/<record id>/<slug>/ (any other slug answers 301).

``cached`` pages are served whole from the cache to anonymous readers (catalog/cache.py).
"""

from django.urls import path

from . import views
from .cache import cached_public_page
from .views.oai import OAIView

app_name = "catalog"


def cached(view_class):
    """``view_class`` as a view whose anonymous GETs are cached until the catalogue changes."""
    return cached_public_page(view_class.as_view())


urlpatterns = [
    path("", cached(views.HomeView), name="home"),
    path("documents/", cached(views.DocumentListView), name="document-list"),
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
    path("people/", cached(views.PersonListView), name="person-list"),
    path("people/<slug:slug>/", cached(views.PersonDetailView), name="person-detail"),
    path("collections/", cached(views.CollectionListView), name="collection-list"),
    path("collections/<slug:slug>/", cached(views.CollectionDetailView), name="collection-detail"),
    path("archives/", cached(views.RepositoryListView), name="repository-list"),
    path("archives/<slug:slug>/", cached(views.RepositoryDetailView), name="repository-detail"),
    path("dates/", cached(views.DateBrowseView), name="date-browse"),
    path("dates/<int:decade>s/", cached(views.DecadeView), name="date-decade"),
    path("dates/<int:year>/", cached(views.YearView), name="date-year"),
    path("dates/<int:year>/<int:month>/", cached(views.MonthView), name="date-month"),
    path("oai/", OAIView.as_view(), name="oai"),
]
