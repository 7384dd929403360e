"""
API addresses, under ``/api/`` (``app_name = "api"``): one list and one detail per kind of
record, the OpenAPI schema and its browsable documentation (Swagger UI served from this site's
own static files, by drf-spectacular-sidecar).
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
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
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
