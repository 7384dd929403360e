"""
Multi-model and bulk writes, each one keyword-only, typed and in one transaction.

Publishing is the gate between the archivists' work and the public site, so the functions
that move a document across it check the ``catalog.publish_document`` permission themselves:
the admin hides its actions from those without it, and these functions refuse them as well.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Document

PUBLISH_PERMISSION = "catalog.publish_document"


def can_publish(user) -> bool:
    """Whether ``user`` may publish and unpublish documents (Editors and superusers)."""
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def _require_publish_permission(user) -> None:
    if not can_publish(user):
        raise PermissionDenied("Only editors may publish or unpublish documents.")


def _locked(documents: QuerySet[Document] | Iterable[Document]) -> QuerySet[Document]:
    """The given documents as a fresh queryset, rows locked until the transaction ends."""
    if isinstance(documents, QuerySet):
        # A subquery, not a list of ids: "select all" on a large changelist stays one query.
        selection = documents.order_by().values("pk")
    else:
        selection = [document.pk for document in documents]
    return Document.objects.select_for_update().filter(pk__in=selection).order_by("pk")


@transaction.atomic
def publish_documents(*, documents: QuerySet[Document] | Iterable[Document], user) -> int:
    """
    Publish ``documents`` and return how many were drafts before.

    ``published_at`` is set on a document's first publication only: a record that is taken
    down and published again keeps the date it first went online.  Each row is saved (not
    bulk-updated) so that anything listening to ``post_save``, such as a search index, hears
    of the change.
    """
    _require_publish_permission(user)
    now = timezone.now()
    changed = 0
    for document in _locked(documents):
        if document.is_published():
            continue
        document.status = Document.Status.PUBLISHED
        if document.published_at is None:
            document.published_at = now
        document.save(update_fields=["status", "published_at", "modified"])
        changed += 1
    return changed


@transaction.atomic
def unpublish_documents(*, documents: QuerySet[Document] | Iterable[Document], user) -> int:
    """
    Return published ``documents`` to draft and return how many were published before.

    The public site stops showing them at once; ``published_at`` is kept as the record of
    when each first went online.
    """
    _require_publish_permission(user)
    changed = 0
    for document in _locked(documents):
        if not document.is_published():
            continue
        document.status = Document.Status.DRAFT
        document.save(update_fields=["status", "modified"])
        changed += 1
    return changed
