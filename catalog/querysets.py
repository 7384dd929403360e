"""
Read recipes: the one public gate (``published()``) and the view-shaped query shapes.

Every public read starts at ``published()`` on one of these QuerySets.  A document is public
when it is published and not under an embargo (``embargo_until`` empty, today or past: the
gate compares dates, so a record opens by itself).  Person, Collection, Repository and Subject
are public when they hold at least one public document, and they ask
``Document.objects.published()`` for that rather than repeating the test.
"""

import datetime

from django.apps import apps
from django.db import connections, models
from django.db.models import Case, Count, Exists, F, Func, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone


def _document_model():
    return apps.get_model("catalog", "Document")


def _published_documents():
    return _document_model().objects.published()


def published_count(lookup):
    """
    A subquery annotation: how many published documents point at the outer row through
    ``lookup`` (for example ``"person_links__person"`` or ``"repository"``).
    """
    counted = (
        _published_documents()
        .filter(**{lookup: OuterRef("pk")})
        .order_by()
        .values(lookup)
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted[:1]), 0)


class _JoinedWithSpaces(models.Aggregate):
    """The values joined with single spaces (SQLite ``GROUP_CONCAT``, PostgreSQL ``STRING_AGG``)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def _authority_uris():
    """
    A subquery annotation on person links: the linked person's authority URIs joined with
    spaces (an authority URI holds none), so the record page gets them without a query.
    """
    uris = (
        apps.get_model("catalog", "PersonAuthority")
        .objects.filter(person=OuterRef("person"))
        .order_by()
        .values("person")
        .annotate(uris=_JoinedWithSpaces("uri"))
        .values("uris")
    )
    return Subquery(uris)


#: The expression the GiST index ``document_published_span`` (migration 0009) is built on.
SPAN_SQL = "daterange(date_earliest, date_latest, '[]')"


class DateSpanOverlaps(models.Expression):
    """
    PostgreSQL only: the document's [earliest, latest] overlaps [start, end] (either may be
    None: open), written as the indexed ``daterange`` expression so its GiST index serves it.
    """

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, start, end, earliest=None, latest=None):
        super().__init__()
        self.start, self.end = start, end
        self.earliest = earliest if earliest is not None else F("date_earliest")
        self.latest = latest if latest is not None else F("date_latest")

    def get_source_expressions(self):
        return [self.earliest, self.latest]

    def set_source_expressions(self, exprs):
        self.earliest, self.latest = exprs

    def as_sql(self, compiler, connection):
        earliest, earliest_params = compiler.compile(self.earliest)
        latest, latest_params = compiler.compile(self.latest)
        return (
            f"daterange({earliest}, {latest}, '[]') && daterange(%s::date, %s::date, '[]')",
            [*earliest_params, *latest_params, self.start, self.end],
        )

    @property
    def identity(self):
        return (DateSpanOverlaps, self.start, self.end, self.earliest, self.latest)

    def __eq__(self, other):
        return isinstance(other, DateSpanOverlaps) and self.identity == other.identity

    def __hash__(self):
        return hash((DateSpanOverlaps, self.start, self.end))


class NamesPerson(models.Expression):
    """
    PostgreSQL only: the document names the person with id ``person_id`` (in any role), tested
    on its own ``person_ids`` (migration 0013, kept in step with its links by
    ``catalog.search.reindex``), which the GIN index ``document_published_person_ids``
    (migration 0015) answers.
    """

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, person_id, document=None):
        super().__init__()
        self.person_id = person_id
        self.document = document if document is not None else F("pk")

    def get_source_expressions(self):
        return [self.document]

    def set_source_expressions(self, exprs):
        (self.document,) = exprs

    def as_sql(self, compiler, connection):
        # The document's primary key as this query names it ("catalog_document"."id", or
        # "U0"."id" in a subquery) gives the alias its array is read under.
        document, _ = compiler.compile(self.document)
        table = document.rsplit(".", 1)[0]
        return f'{table}."person_ids" @> ARRAY[%s]::bigint[]', [self.person_id]


# Browse by date: a document's month is unknown when its earliest date is 1 January and its
# latest 31 December (a year, "1944~", "194X", "1944/.."): it is counted under its year only.
MONTH_UNKNOWN = Q(
    date_earliest__month=1, date_earliest__day=1, date_latest__month=12, date_latest__day=31
)


class DocumentQuerySet(models.QuerySet):
    """Queries over documents; ``published()`` is the public gate."""

    def published(self):
        """
        Documents a member of the public may see: published, and not closed by an embargo.
        An embargo date of today or earlier is open, so a record opens by itself on its date.
        """
        return self.filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=timezone.localdate()),
            status=self.model.Status.PUBLISHED,
        )

    def for_list(self):
        """
        What a list row shows: repository, people by role in one prefetch each, and no
        transcript (the longest column) loaded.
        """
        link_model = self.model.people.through
        return (
            self.select_related("repository")
            .defer("transcript", "source_note", "rights_note")
            .prefetch_related(
                Prefetch(
                    "person_links",
                    queryset=link_model.objects.select_related("person").order_by("position", "pk"),
                )
            )
        )

    def for_detail(self):
        """
        Everything a record page shows, in a fixed number of queries.  Each person link
        carries ``authority_uris`` (the person's authority URIs, space-separated, or None) for
        the page's structured data, read in the same query as the links.  Collections come
        with their parents (``views.documents.attach_ancestors`` reads any further up); not
        with their repositories, which the page does not show (joining them too cost 0.6 ms
        of a 28 ms page, measured 2026-11-28).
        """
        link_model = self.model.people.through
        collection_model = self.model.collections.rel.model
        return self.select_related("repository", "rights").prefetch_related(
            Prefetch(
                "person_links",
                queryset=link_model.objects.select_related("person")
                .annotate(authority_uris=_authority_uris())
                .order_by("position", "pk"),
            ),
            Prefetch(
                "collections",
                queryset=collection_model.objects.select_related("parent"),
            ),
            "subjects",
            "custody_events",
        )

    def overlapping(self, start=None, end=None, *, spanned=True):
        """
        Documents whose [earliest, latest] overlaps [start, end]; a missing end is open.

        On PostgreSQL the test is ``daterange(earliest, latest) && daterange(start, end)``,
        which the GiST index ``document_published_span`` (migration 0009) answers directly;
        two comparisons on the bounds could use a B-tree on one bound only and read every
        document on the other side of it.  Elsewhere, or with ``spanned=False`` (for
        documents found otherwise, to be tested one by one), it is those two comparisons.
        """
        queryset = self.exclude(date_earliest__isnull=True)
        if not (start or end):
            return queryset
        if spanned and connections[self.db].vendor == "postgresql":
            return queryset.filter(DateSpanOverlaps(start, end))
        if start:
            queryset = queryset.filter(date_latest__gte=start)
        if end:
            queryset = queryset.filter(date_earliest__lte=end)
        return queryset

    def naming(self, person, role=None, *, with_dates=False):
        """
        Documents naming ``person``, in ``role`` when one is given (on the same link).

        ``id IN (the person's links)``, so that every database starts from the person's links
        (SQLite runs a correlated EXISTS once per document instead).  On PostgreSQL, for a
        person in any role whose documents are also tested for a date range
        (``with_dates``), the test is on the document's own array of people
        (:class:`NamesPerson`) instead, whose GIN index the planner intersects with the
        range's (a popular person's 20 years at 1,000,000 documents: 75 → 36 ms).  Without
        dates the links cost about the same (42–62 ms against 47 for 10,000 of a person's
        documents) and come out of their hash in no particular order, so that the facets'
        capped sample of a person's documents of every date (the histogram's) is not the
        ones stored first, as a bitmap scan of the array index would return them.
        """
        if with_dates and role is None and connections[self.db].vendor == "postgresql":
            return self.filter(NamesPerson(person.pk))
        links = self.model.people.through.objects.filter(person=person)
        if role is not None:
            links = links.filter(role=role)
        return self.filter(pk__in=links.values("document"))

    def in_collection(self, collection):
        """Documents in ``collection`` or in any collection below it."""
        links = self.model.collections.through.objects.filter(
            document=OuterRef("pk"), collection__tree_path__startswith=collection.tree_path
        )
        return self.filter(Exists(links))

    # Browse by date.  A document counts where its earliest date falls, whether that date is
    # exact, approximate or uncertain; undated and open-start ("../1944") documents have no
    # place on the time line and are left out.

    def dated(self):
        """Documents with a known start: neither undated nor open at the start."""
        return self.filter(date_earliest__gt=datetime.date.min)

    def month_known(self):
        """Dated documents whose earliest date names a month (see ``MONTH_UNKNOWN``)."""
        return self.dated().exclude(MONTH_UNKNOWN)

    def decade_counts(self):
        """``[{"decade": 1940, "count": n}, …]``: one aggregate row per decade, in order."""
        year = Cast(ExtractYear("date_earliest"), models.IntegerField())
        return (
            self.dated()
            .order_by()
            .annotate(decade=year / 10 * 10)
            .values("decade")
            .annotate(count=Count("pk"))
            .order_by("decade")
        )

    def year_counts(self):
        """``[{"year": 1944, "count": n}, …]``: one aggregate row per year, in order."""
        return (
            self.dated()
            .order_by()
            .annotate(year=Cast(ExtractYear("date_earliest"), models.IntegerField()))
            .values("year")
            .annotate(count=Count("pk"))
            .order_by("year")
        )

    def month_counts(self):
        """
        ``[{"month": 2, "count": n}, …]``: one aggregate row per month, in order; month 0
        counts the documents whose month is unknown.
        """
        month = Case(
            When(MONTH_UNKNOWN, then=0),
            default=Cast(ExtractMonth("date_earliest"), models.IntegerField()),
            output_field=models.IntegerField(),
        )
        return (
            self.dated()
            .order_by()
            .annotate(month=month)
            .values("month")
            .annotate(count=Count("pk"))
            .order_by("month")
        )


class PersonQuerySet(models.QuerySet):
    """Queries over people; public when named in a published document."""

    def published(self):
        return self.filter(
            Exists(_published_documents().filter(person_links__person=OuterRef("pk")))
        )

    def with_document_counts(self):
        """Annotate ``document_count``: published documents the person appears in, any role."""
        return self.annotate(document_count=published_count("person_links__person"))


class CollectionQuerySet(models.QuerySet):
    """Queries over collections; public when it or a sub-collection holds a published document."""

    def published(self):
        return self.filter(
            Exists(
                _published_documents().filter(
                    collections__tree_path__startswith=OuterRef("tree_path")
                )
            )
        )

    def with_document_counts(self):
        """
        Annotate ``document_count``: published documents in the collection or any collection
        below it, each counted once even when it sits in several of them.
        """
        # Driven from the collections of the subtree (then their links by index), so the work
        # grows with the collection's size rather than with the whole catalogue.
        distinct_documents = Func(
            F("documents"),
            function="COUNT",
            template="%(function)s(DISTINCT %(expressions)s)",
            output_field=models.IntegerField(),
        )
        counted = (
            self.model.objects.filter(tree_path__startswith=OuterRef("tree_path"))
            .filter(Exists(_published_documents().filter(pk=OuterRef("documents"))))
            .order_by()
            .annotate(n=distinct_documents)
            .values("n")
        )
        return self.annotate(document_count=Coalesce(Subquery(counted), 0))


class RepositoryQuerySet(models.QuerySet):
    """Queries over holding archives; public when they hold a published document."""

    def published(self):
        return self.filter(Exists(_published_documents().filter(repository=OuterRef("pk"))))

    def with_document_counts(self):
        """Annotate ``document_count``: published documents the archive holds."""
        return self.annotate(document_count=published_count("repository"))


class RightsStatementQuerySet(models.QuerySet):
    """Queries over rights statements; public when a published document carries them."""

    def published(self):
        return self.filter(Exists(_published_documents().filter(rights=OuterRef("pk"))))


class SubjectQuerySet(models.QuerySet):
    """Queries over subject terms; public when a published document carries them."""

    def published(self):
        return self.filter(Exists(_published_documents().filter(subjects=OuterRef("pk"))))
