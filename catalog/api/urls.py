"""
API addresses, under ``/api/`` (``app_name = "api"``): one list and one detail per kind of
record, the OpenAPI schema and its browsable documentation (Swagger UI served from this site's
own static files, by drf-spectacular-sidecar).
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("documents", views.DocumentViewSet, basename="document")
router.register("people", views.PersonViewSet, basename="person")
router.register("collections", views.CollectionViewSet, basename="collection")
router.register("repositories", views.RepositoryViewSet, basename="repository")
router.register("rights", views.RightsStatementViewSet, basename="rights")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (docs/?script) and the
    # template takes its styles from a file: the Content Security Policy allows neither inline.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("", include(router.urls)),
    # Any other address under /api/ (/api/documents/abc/): a 404 in JSON, as the schema says.
    # Only those ending in "/", so that /api/documents still redirects to /api/documents/.
    re_path(r"^.+/$", views.not_found, name="not-found"),
]
