"""
Atom feeds of newly published documents: the whole archive (``/feeds/documents/``) and one
collection with everything below it (``/collections/<slug>/feed/``).

Both start at ``Document.objects.published()``, so a draft is never in a feed, and list the
50 most recently published documents, newest first.  An entry's id is the record's permanent
``/documents/<record id>/`` address, which stays the same when the title (and so the
permalink's slug) changes; its link is the permalink.  Three queries a feed (collection,
documents, people), whatever the number of entries.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .citations import _authors_and_recipients
from .models import Collection, Document

FEED_LENGTH = 50


@dataclass(frozen=True)
class FeedSource:
    """What one request's feed is of: the whole archive, or a collection."""

    request: HttpRequest
    collection: Collection | None = None


class DocumentFeed(Feed):
    """The archive's newly published documents."""

    feed_type = Atom1Feed
    item_guid_is_permalink = False

    def get_object(self, request, *args, **kwargs):
        return FeedSource(request)

    def title(self, obj):
        return f"{settings.SITE_NAME}: newly published documents"

    def subtitle(self, obj):
        return f"The {FEED_LENGTH} documents most recently published in {settings.SITE_NAME}."

    def link(self, obj):
        return reverse("catalog:document-list")

    def author_name(self, obj):
        # Atom wants an author for every entry; the feed's stands in for entries without one.
        return settings.SITE_NAME

    def documents(self, obj):
        """The documents the feed draws from: every published one."""
        return Document.objects.published()

    def items(self, obj):
        documents = list(
            self.documents(obj).for_list().order_by("-published_at", "-record_id")[:FEED_LENGTH]
        )
        for document in documents:
            path = reverse("catalog:document-redirect", kwargs={"record_id": document.record_id})
            document.entry_id = obj.request.build_absolute_uri(path)
        return documents

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_guid(self, item):
        return item.entry_id

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_author_name(self, item):
        """The authors (signatories when none is recorded), as the citation names them."""
        authors, _recipients = _authors_and_recipients(item)
        return ", ".join(link.person.display_name for link in authors) or None


class CollectionFeed(DocumentFeed):
    """A published collection's newly published documents, sub-collections included."""

    def get_object(self, request, slug):
        return FeedSource(request, get_object_or_404(Collection.objects.published(), slug=slug))

    def title(self, obj):
        return f"{obj.collection.title}: newly published documents · {settings.SITE_NAME}"

    def subtitle(self, obj):
        return (
            f"The {FEED_LENGTH} documents most recently published in {obj.collection.title} "
            "and the collections inside it."
        )

    def link(self, obj):
        return obj.collection.get_absolute_url()

    def documents(self, obj):
        return Document.objects.published().in_collection(obj.collection)
