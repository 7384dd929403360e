"""
Read recipes: the one public gate (``published()``) and the view-shaped query shapes.

Every public read starts at ``published()`` on one of these QuerySets.  Person, Collection,
Repository and Subject are public when they hold at least one published document, and they
ask ``Document.objects.published()`` for that rather than repeating the status test.
"""

from django.apps import apps
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce


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


class DocumentQuerySet(models.QuerySet):
    """Queries over documents; ``published()`` is the public gate."""

    def published(self):
        """Documents a member of the public may see."""
        return self.filter(status=self.model.Status.PUBLISHED)

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
                    queryset=link_model.objects.select_related("person").order_by(
                        "position", "pk"
                    ),
                )
            )
        )

    def for_detail(self):
        """Everything a record page shows, in a fixed number of queries."""
        link_model = self.model.people.through
        collection_model = self.model.collections.rel.model
        return self.select_related("repository", "rights").prefetch_related(
            Prefetch(
                "person_links",
                queryset=link_model.objects.select_related("person").order_by("position", "pk"),
            ),
            Prefetch(
                "collections",
                queryset=collection_model.objects.select_related("parent", "repository"),
            ),
            "subjects",
            "custody_events",
        )

    def overlapping(self, start=None, end=None):
        """Documents whose [earliest, latest] overlaps [start, end]; a missing end is open."""
        queryset = self.exclude(date_earliest__isnull=True)
        if start:
            queryset = queryset.filter(date_latest__gte=start)
        if end:
            queryset = queryset.filter(date_earliest__lte=end)
        return queryset

    def in_collection(self, collection):
        """Documents in ``collection`` or in any collection below it."""
        return self.filter(
            collections__tree_path__startswith=collection.tree_path
        ).distinct()


class PersonQuerySet(models.QuerySet):
    """Queries over people; public when named in a published document."""

    def published(self):
        return self.filter(
            Exists(_published_documents().filter(person_links__person=OuterRef("pk")))
        )

    def with_document_counts(self):
        """Annotate ``document_count``: published documents the person appears in, any role."""
        return self.annotate(
            document_count=published_count("person_links__person")
        )


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


class RepositoryQuerySet(models.QuerySet):
    """Queries over holding archives; public when they hold a published document."""

    def published(self):
        return self.filter(Exists(_published_documents().filter(repository=OuterRef("pk"))))


class SubjectQuerySet(models.QuerySet):
    """Queries over subject terms; public when a published document carries them."""

    def published(self):
        return self.filter(Exists(_published_documents().filter(subjects=OuterRef("pk"))))
