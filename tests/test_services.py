"""Publishing through catalog.services: who may, what it sets, what it keeps."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from catalog import services
from catalog.models import Document

from .factories import DocumentFactory

pytestmark = pytest.mark.django_db


def test_publish_sets_published_at_on_first_publication(editor):
    """Publishing drafts makes them public, dates their first publication and counts them."""
    drafts = DocumentFactory.create_batch(2, draft=True)
    before = timezone.now()

    changed = services.publish_documents(
        documents=Document.objects.filter(pk__in=[d.pk for d in drafts]), user=editor
    )

    assert changed == 2
    for document in Document.objects.filter(pk__in=[d.pk for d in drafts]):
        assert document.is_published()
        assert document.published_at >= before


def test_republishing_keeps_the_first_publication_date(editor):
    """A document taken down and published again keeps the date it first went online."""
    first = timezone.now() - datetime.timedelta(days=400)
    document = DocumentFactory(status=Document.Status.DRAFT, published_at=first)

    services.publish_documents(documents=[document], user=editor)

    document.refresh_from_db()
    assert document.is_published()
    assert document.published_at == first


def test_publish_counts_only_documents_that_were_drafts(editor):
    """Already published documents in the selection are left alone and not counted."""
    published = DocumentFactory()
    modified = published.modified
    draft = DocumentFactory(draft=True)

    changed = services.publish_documents(documents=[published, draft], user=editor)

    assert changed == 1
    published.refresh_from_db()
    assert published.modified == modified


def test_unpublish_returns_to_draft_and_keeps_the_publication_date(editor):
    """Unpublishing takes documents off the public site but keeps when they first went online."""
    document = DocumentFactory()
    published_at = document.published_at

    changed = services.unpublish_documents(
        documents=Document.objects.filter(pk=document.pk), user=editor
    )

    assert changed == 1
    document.refresh_from_db()
    assert document.status == Document.Status.DRAFT
    assert document.published_at == published_at
    assert not Document.objects.published().filter(pk=document.pk).exists()


def test_unpublish_counts_only_published_documents(editor):
    """Drafts in an unpublish selection stay drafts and are not counted."""
    documents = [DocumentFactory(), DocumentFactory(draft=True)]

    assert services.unpublish_documents(documents=documents, user=editor) == 1


@pytest.mark.parametrize("function", [services.publish_documents, services.unpublish_documents])
def test_archivist_may_not_publish_or_unpublish(archivist, function):
    """Without catalog.publish_document both functions refuse and change nothing."""
    draft, published = DocumentFactory(draft=True), DocumentFactory()

    with pytest.raises(PermissionDenied):
        function(documents=[draft, published], user=archivist)

    assert Document.objects.get(pk=draft.pk).status == Document.Status.DRAFT
    assert Document.objects.get(pk=published.pk).status == Document.Status.PUBLISHED


def test_superuser_may_publish(admin_user):
    """A superuser holds every permission, publishing included."""
    draft = DocumentFactory(draft=True)

    assert services.publish_documents(documents=[draft], user=admin_user) == 1


def test_can_publish_tells_the_roles_apart(archivist, editor, admin_user):
    """Editors and superusers may publish; archivists and anonymous visitors may not."""
    from django.contrib.auth.models import AnonymousUser

    assert services.can_publish(editor)
    assert services.can_publish(admin_user)
    assert not services.can_publish(archivist)
    assert not services.can_publish(AnonymousUser())


def test_publish_accepts_a_filtered_distinct_queryset(editor):
    """A queryset with joins and DISTINCT (as a searched changelist gives) is published whole."""
    from .factories import DocumentPersonFactory, PersonFactory

    stalin = PersonFactory(display_name="Joseph Stalin")
    draft = DocumentFactory(draft=True)
    DocumentPersonFactory(document=draft, person=stalin, role="author")
    DocumentPersonFactory(document=draft, person=stalin, role="signatory")
    selection = (
        Document.objects.filter(person_links__person__display_name__icontains="stalin")
        .select_related("repository")
        .distinct()
    )

    assert services.publish_documents(documents=selection, user=editor) == 1
    draft.refresh_from_db()
    assert draft.is_published()
