"""
The API's views: read-only, one viewset per kind of record, each starting at its
``published()`` gate.

Documents are listed exactly as the HTML list lists them: the same gated queryset
(``Document.objects.published().for_list()``, as ``DocumentListView.get_queryset``), the same
:class:`~catalog.filters.DocumentFilter` bound to the same query string, hence the same
validation, search and order (every sort ends on ``record_id``, so pages are stable).
"""

from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets

from ..filters import DocumentFilter
from ..models import Collection, Document, Person, Repository, RightsStatement
from ..querysets import published_count
from ..views.documents import attach_ancestors
from . import serializers
from .filters import StrictFilterBackend

#: The body of a 400: each parameter in error (``non_field_errors`` for the date range) with
#: its messages, worded as on the document list.
FILTER_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"date_from": ["There is no month 13; use 01 to 12."]},
    },
    description="A filter value the document list cannot use.",
)


#: The body of a 404: no such record, or a page number that is not a page of the list.
NOT_FOUND = OpenApiResponse(
    response={
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "example": {"detail": "Invalid page."},
    },
    description="No such record, or no such page of the list.",
)


def not_found(request, *args, **kwargs):
    """An address under /api/ that names nothing: the JSON 404 every operation documents."""
    return JsonResponse({"detail": "Not found."}, status=404)


class CatalogueSchema(AutoSchema):
    """Documents the 404 every operation can answer (found by tests/test_schemathesis.py)."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if self.method == "GET" and "404" not in bodies:
            bodies["404"] = self._get_response_for_code(NOT_FOUND, "404", direction=direction)
        return bodies


class CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    """A list and a detail view; only GET, HEAD and OPTIONS (anything else is 405)."""

    list_serializer_class = None
    schema = CatalogueSchema()
    # REST framework's default without NUL, which PostgreSQL cannot compare (tests/test_fuzz.py).
    lookup_value_regex = r"[^/.\x00]+"

    def get_serializer_class(self):
        if self.action == "list" and self.list_serializer_class is not None:
            return self.list_serializer_class
        return self.serializer_class


@extend_schema_view(
    list=extend_schema(
        summary="Published documents, searched and filtered",
        description="The document list's filters and search (`q`), with the same validation: "
        "an invalid value is a 400 whose body names each parameter and what is wrong with "
        "it. Sorted by `sort`: relevance while searching, otherwise date; ties by record ID.",
        responses={200: serializers.DocumentListSerializer(many=True), 400: FILTER_ERRORS},
    ),
    retrieve=extend_schema(summary="A published document, with its Chicago citation"),
)
class DocumentViewSet(CatalogueViewSet):
    lookup_field = "record_id"
    lookup_value_regex = r"[0-9]+"
    serializer_class = serializers.DocumentDetailSerializer
    list_serializer_class = serializers.DocumentListSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = DocumentFilter

    def get_queryset(self):
        documents = Document.objects.published()
        return documents.for_list() if self.action == "list" else documents.for_detail()

    def get_object(self):
        document = super().get_object()
        # As the record page does, so that the citation names every collection above.
        attach_ancestors(list(document.collections.all()))
        return document


@extend_schema_view(
    list=extend_schema(summary="People named in published documents, A–Z"),
    retrieve=extend_schema(
        summary="A person named in published documents",
        description="The address of a person merged into another answers 301 with the "
        "address of the one kept.",
    ),
)
class PersonViewSet(CatalogueViewSet):
    lookup_field = "slug"
    serializer_class = serializers.PersonDetailSerializer
    list_serializer_class = serializers.PersonListSerializer

    def get_queryset(self):
        people = Person.objects.published().with_document_counts()
        if self.action == "list":
            return people.order_by("sort_name", "display_name", "pk")
        return people.prefetch_related("authorities")

    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            survivor = Person.objects.published().filter(redirects__old_slug=kwargs["slug"]).first()
            if survivor is None:
                raise
            return redirect("api:person-detail", slug=survivor.slug, permanent=True)


@extend_schema_view(
    list=extend_schema(summary="Collections holding published documents"),
    retrieve=extend_schema(summary="A collection holding published documents"),
)
class CollectionViewSet(CatalogueViewSet):
    lookup_field = "slug"
    serializer_class = serializers.CollectionDetailSerializer
    list_serializer_class = serializers.CollectionListSerializer

    def get_queryset(self):
        collections = (
            Collection.objects.published()
            .with_document_counts()
            .select_related("parent", "repository")
        )
        if self.action == "list":
            return collections.order_by("tree_path", "pk")
        children = Collection.objects.published().order_by("title", "pk")
        return collections.prefetch_related(
            Prefetch("children", queryset=children, to_attr="public_children")
        )


@extend_schema_view(
    list=extend_schema(summary="Archives holding published documents"),
    retrieve=extend_schema(summary="An archive holding published documents"),
)
class RepositoryViewSet(CatalogueViewSet):
    lookup_field = "slug"
    serializer_class = serializers.RepositoryDetailSerializer
    list_serializer_class = serializers.RepositoryListSerializer

    def get_queryset(self):
        return Repository.objects.published().with_document_counts().order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(summary="Rights statements of published documents"),
    retrieve=extend_schema(summary="A rights statement of published documents"),
)
class RightsStatementViewSet(CatalogueViewSet):
    lookup_field = "identifier"
    lookup_value_regex = r"[^/\x00]+"  # identifiers such as CC-BY-4.0 hold dots
    serializer_class = serializers.RightsStatementSerializer

    def get_queryset(self):
        return (
            RightsStatement.objects.published()
            .annotate(document_count=published_count("rights"))
            .order_by("label", "pk")
        )
