"""
The sitemap: every published document, person and collection with when it last changed.

``/sitemap.xml`` is an index of three sections (``/sitemap-documents.xml``,
``/sitemap-people.xml``, ``/sitemap-collections.xml``); Django splits a section into pages of
50,000 addresses (``?p=2``).  Each section starts at its model's ``published()`` gate.  The
domain and scheme are the request's (no ``django.contrib.sites``).
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery

from .models import Collection, Document, Person


class DocumentSitemap(Sitemap):
    """Published documents at their permalinks; lastmod is the record's last change."""

    def items(self):
        return Document.objects.published().only("record_id", "title", "modified").order_by("pk")

    def lastmod(self, item):
        return item.modified

    def get_latest_lastmod(self):
        # For the index: one aggregate rather than loading every document.
        return Document.objects.published().aggregate(latest=Max("modified"))["latest"]


class PersonSitemap(Sitemap):
    """People named in a published document; lastmod is the person record's last change."""

    def items(self):
        return Person.objects.published().only("slug", "modified").order_by("pk")

    def lastmod(self, item):
        return item.modified

    def get_latest_lastmod(self):
        return Person.objects.published().aggregate(latest=Max("modified"))["latest"]


def _latest_document_change():
    """Subquery: when a published document in the collection or below it last changed."""
    documents = (
        Document.objects.published()
        .filter(collections__tree_path__startswith=OuterRef("tree_path"))
        .order_by("-modified")
        .values("modified")
    )
    return Subquery(documents[:1])


class CollectionSitemap(Sitemap):
    """
    Published collections; a collection keeps no change date of its own, so lastmod is the
    latest change to a published document in it or below it, which is what its page lists.
    """

    def items(self):
        return (
            Collection.objects.published()
            .only("slug")
            .annotate(last_change=_latest_document_change())
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.last_change

    def get_latest_lastmod(self):
        return (
            Document.objects.published()
            .filter(collections__isnull=False)
            .aggregate(latest=Max("modified"))["latest"]
        )


SITEMAPS = {
    "documents": DocumentSitemap,
    "people": PersonSitemap,
    "collections": CollectionSitemap,
}
