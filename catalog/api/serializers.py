"""
What the API says about each record.

Serializers only read: what a view's queryset has selected or prefetched (``for_list()``,
``for_detail()``, the ``with_document_counts()`` annotations), so a list costs the same
number of queries however many rows it holds.  Every object carries ``url`` (its page on the
site, absolute) and ``api_url`` (its API address); rights statements, which have no page of
their own, carry their ``uri`` instead.
"""

from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..citations import chicago
from ..dates import OPEN_END, OPEN_START
from ..models import (
    Collection,
    Document,
    DocumentPerson,
    Person,
    PersonAuthority,
    ProvenanceEvent,
    Repository,
    RightsStatement,
    Subject,
)


def absolute(request, path):
    """``path`` as an absolute URL on the site that was asked (a relative one without a
    request, as when the schema is generated)."""
    return request.build_absolute_uri(path) if request is not None else path


@extend_schema_field({"type": "string", "anyOf": [{"format": "uri"}, {"maxLength": 0}]})
class OptionalURLField(serializers.CharField):
    """A URL the cataloguer may leave out: a URI, or ``""`` when there is none."""


@extend_schema_field(OpenApiTypes.URI)
class PermalinkField(serializers.Field):
    """The object's page on the site (``get_absolute_url()``), as an absolute URL."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return absolute(self.context.get("request"), value.get_absolute_url())


@extend_schema_field(OpenApiTypes.URI)
class ApiURLField(serializers.Field):
    """The object's API address: ``view_name`` reversed with the object's ``lookup_field``."""

    def __init__(self, view_name, lookup_field="slug", **kwargs):
        self.view_name, self.lookup_field = view_name, lookup_field
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        key = getattr(value, self.lookup_field)
        path = reverse(self.view_name, kwargs={self.lookup_field: key})
        return absolute(self.context.get("request"), path)


@extend_schema_field(OpenApiTypes.URI)
class FilteredListField(serializers.Field):
    """
    A document list narrowed to this object: ``view_name`` (the HTML list
    ``catalog:document-list`` or the API's ``api:document-list``) with ``?param=<attribute>``,
    the parameter of :class:`~catalog.filters.DocumentFilter` that selects it.
    """

    def __init__(self, view_name, param, attribute="slug", **kwargs):
        self.view_name, self.param, self.attribute = view_name, param, attribute
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        query = urlencode({self.param: getattr(value, self.attribute)})
        return absolute(self.context.get("request"), f"{reverse(self.view_name)}?{query}")


# References: the short form of a record inside another record.


class PersonReferenceSerializer(serializers.ModelSerializer):
    url = PermalinkField()
    api_url = ApiURLField("api:person-detail")

    class Meta:
        model = Person
        fields = ["slug", "display_name", "sort_name", "url", "api_url"]


class PersonLinkSerializer(serializers.ModelSerializer):
    """A person's part in a document: role, whether the attribution is uncertain, a note."""

    role_label = serializers.CharField(source="get_role_display")
    person = PersonReferenceSerializer()

    class Meta:
        model = DocumentPerson
        fields = ["role", "role_label", "uncertain", "note", "person"]


class RepositoryReferenceSerializer(serializers.ModelSerializer):
    url = PermalinkField()
    api_url = ApiURLField("api:repository-detail")

    class Meta:
        model = Repository
        fields = ["slug", "name", "place", "url", "api_url"]


class CollectionReferenceSerializer(serializers.ModelSerializer):
    url = PermalinkField()
    api_url = ApiURLField("api:collection-detail")

    class Meta:
        model = Collection
        fields = ["slug", "title", "kind", "url", "api_url"]


class SubjectSerializer(serializers.ModelSerializer):
    documents_url = FilteredListField("catalog:document-list", "subject")
    documents_api_url = FilteredListField("api:document-list", "subject")

    class Meta:
        model = Subject
        fields = ["slug", "name", "documents_url", "documents_api_url"]


class RightsReferenceSerializer(serializers.ModelSerializer):
    api_url = ApiURLField("api:rights-detail", lookup_field="identifier")

    class Meta:
        model = RightsStatement
        fields = ["identifier", "uri", "label", "api_url"]


# Documents.


class DocumentDateSerializer(serializers.Serializer):
    """
    The document's date: the EDTF as catalogued, the reader's wording, the source's own
    wording, the first and last days it may mean (``null`` when undated or open at that end)
    and whether it is approximate (circa) or uncertain.
    """

    edtf = serializers.CharField(source="date_edtf")
    display = serializers.CharField(source="date_display")
    as_written = serializers.CharField(source="date_text")
    earliest = serializers.SerializerMethodField()
    latest = serializers.SerializerMethodField()
    approximate = serializers.BooleanField(source="date_approximate")
    uncertain = serializers.BooleanField(source="date_uncertain")

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_earliest(self, document):
        value = document.date_earliest
        return None if value in (None, OPEN_START) else value.isoformat()

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_latest(self, document):
        value = document.date_latest
        return None if value in (None, OPEN_END) else value.isoformat()


class DocumentListSerializer(serializers.ModelSerializer):
    """A published document in a list: what a row of the site's document list shows."""

    type = serializers.ChoiceField(choices=Document.Type.choices, source="doc_type")
    type_label = serializers.CharField(source="get_doc_type_display")
    date = DocumentDateSerializer(source="*")
    language_label = serializers.CharField(source="get_language_display")
    people = PersonLinkSerializer(source="person_links", many=True)
    repository = RepositoryReferenceSerializer(allow_null=True)
    url = PermalinkField()
    api_url = ApiURLField("api:document-detail", lookup_field="record_id")

    class Meta:
        model = Document
        fields = [
            "record_id",
            "title",
            "type",
            "type_label",
            "date",
            "summary",
            "language",
            "language_label",
            "people",
            "repository",
            "published_at",
            "modified",
            "url",
            "api_url",
        ]


class CustodyEventSerializer(serializers.ModelSerializer):
    """One step of the custody chain, oldest first."""

    event_label = serializers.CharField(source="get_event_display")
    date_display = serializers.CharField()

    class Meta:
        model = ProvenanceEvent
        fields = [
            "event",
            "event_label",
            "date_edtf",
            "date_display",
            "agent",
            "place",
            "source",
            "note",
        ]


class DocumentDetailSerializer(DocumentListSerializer):
    """
    A published document: everything its record page shows, with its Chicago citation (the
    view links the collections to their parents first, as the page does).
    """

    collections = CollectionReferenceSerializer(many=True)
    subjects = SubjectSerializer(many=True)
    rights = RightsReferenceSerializer(allow_null=True)
    custody = CustodyEventSerializer(source="custody_events", many=True)
    origin_url = OptionalURLField()
    citation = serializers.SerializerMethodField()

    class Meta(DocumentListSerializer.Meta):
        fields = [
            "record_id",
            "title",
            "type",
            "type_label",
            "date",
            "summary",
            "transcript",
            "language",
            "language_label",
            "people",
            "repository",
            "collections",
            "subjects",
            "container",
            "source_note",
            "origin_url",
            "rights",
            "rights_note",
            "custody",
            "original_uploaded",
            "published_at",
            "modified",
            "url",
            "api_url",
            "citation",
        ]

    def get_citation(self, document) -> str:
        """The Chicago note, with the record's absolute permalink."""
        return chicago(document, absolute(self.context.get("request"), document.get_absolute_url()))


# People, collections, archives, rights statements.


class PersonListSerializer(serializers.ModelSerializer):
    document_count = serializers.IntegerField(help_text="Published documents naming the person.")
    life_dates = serializers.CharField()
    url = PermalinkField()
    api_url = ApiURLField("api:person-detail")

    class Meta:
        model = Person
        fields = [
            "slug",
            "display_name",
            "sort_name",
            "life_dates",
            "document_count",
            "url",
            "api_url",
        ]


class AuthoritySerializer(serializers.ModelSerializer):
    label = serializers.CharField(help_text="The authority file: GND, VIAF, Wikidata…")

    class Meta:
        model = PersonAuthority
        fields = ["uri", "label"]


class PersonDetailSerializer(PersonListSerializer):
    alternate_names = serializers.ListField(
        source="alternate_name_list", child=serializers.CharField()
    )
    authorities = AuthoritySerializer(many=True)
    documents_url = FilteredListField("catalog:document-list", "person")
    documents_api_url = FilteredListField("api:document-list", "person")

    class Meta(PersonListSerializer.Meta):
        fields = [
            "slug",
            "display_name",
            "sort_name",
            "life_dates",
            "alternate_names",
            "birth_date",
            "death_date",
            "description",
            "authorities",
            "document_count",
            "url",
            "api_url",
            "documents_url",
            "documents_api_url",
        ]


class CollectionListSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    parent = CollectionReferenceSerializer(allow_null=True)
    repository = RepositoryReferenceSerializer(allow_null=True)
    document_count = serializers.IntegerField(
        help_text="Published documents in the collection or any collection below it."
    )
    url = PermalinkField()
    api_url = ApiURLField("api:collection-detail")

    class Meta:
        model = Collection
        fields = [
            "slug",
            "title",
            "kind",
            "kind_label",
            "identifier",
            "parent",
            "repository",
            "document_count",
            "url",
            "api_url",
        ]


class CollectionDetailSerializer(CollectionListSerializer):
    children = CollectionReferenceSerializer(
        source="public_children",
        many=True,
        help_text="Sub-collections holding published documents.",
    )
    documents_url = FilteredListField("catalog:document-list", "collection")
    documents_api_url = FilteredListField("api:document-list", "collection")

    class Meta(CollectionListSerializer.Meta):
        fields = [
            "slug",
            "title",
            "kind",
            "kind_label",
            "identifier",
            "description",
            "parent",
            "repository",
            "children",
            "document_count",
            "url",
            "api_url",
            "documents_url",
            "documents_api_url",
        ]


class RepositoryListSerializer(serializers.ModelSerializer):
    website = OptionalURLField(source="url")
    document_count = serializers.IntegerField(help_text="Published documents the archive holds.")
    url = PermalinkField()
    api_url = ApiURLField("api:repository-detail")

    class Meta:
        model = Repository
        fields = ["slug", "name", "place", "website", "document_count", "url", "api_url"]


class RepositoryDetailSerializer(RepositoryListSerializer):
    documents_url = FilteredListField("catalog:document-list", "repository")
    documents_api_url = FilteredListField("api:document-list", "repository")

    class Meta(RepositoryListSerializer.Meta):
        fields = [
            "slug",
            "name",
            "place",
            "website",
            "description",
            "document_count",
            "url",
            "api_url",
            "documents_url",
            "documents_api_url",
        ]


class RightsStatementSerializer(serializers.ModelSerializer):
    """A rights statement; ``uri`` is its permanent address (RightsStatements.org, Creative
    Commons), ``documents_url`` the site's list of the documents it covers."""

    document_count = serializers.IntegerField(help_text="Published documents it covers.")
    api_url = ApiURLField("api:rights-detail", lookup_field="identifier")
    documents_url = FilteredListField("catalog:document-list", "rights", "identifier")
    documents_api_url = FilteredListField("api:document-list", "rights", "identifier")

    class Meta:
        model = RightsStatement
        fields = [
            "identifier",
            "uri",
            "label",
            "description",
            "document_count",
            "api_url",
            "documents_url",
            "documents_api_url",
        ]
