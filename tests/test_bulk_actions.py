"""
The document list's bulk actions (publish, unpublish, add to a collection, set the rights
statement): each shows a confirmation page listing the documents first, acts only when that
page is posted, checks who may, and leaves its mark in each document's change history.
"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from catalog import services
from catalog.models import Document

from .factories import CollectionFactory, DocumentFactory, rights_statement

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:catalog_document_changelist")
PUBLISHED, DRAFT = Document.Status.PUBLISHED, Document.Status.DRAFT


def action(client, name, documents, url=CHANGELIST_URL, **data):
    """The changelist's POST of action ``name`` for ``documents``: the confirmation page."""
    return client.post(
        url,
        {"action": name, "index": "0", "_selected_action": [d.pk for d in documents], **data},
    )


def confirm(client, name, documents, url=CHANGELIST_URL, **data):
    """The confirmation page's POST of action ``name`` for ``documents``."""
    return client.post(
        url,
        {"action": name, "_selected_action": [d.pk for d in documents], "post": "yes", **data},
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def statuses(documents):
    return list(
        Document.objects.filter(pk__in=[d.pk for d in documents])
        .order_by("pk")
        .values_list("status", flat=True)
    )


# Publishing -----------------------------------------------------------------------------------


def test_publish_asks_first_and_lists_the_documents(editor_client):
    """The first POST shows the documents and a confirm button, and publishes nothing."""
    drafts = DocumentFactory.create_batch(2, draft=True)
    published = DocumentFactory(title="Already online")

    response = action(editor_client, "publish_selected", [*drafts, published])

    assert response.status_code == 200
    assert response.context["total"] == 3
    assert {d.title for d in response.context["preview"]} == {
        *(d.title for d in drafts),
        "Already online",
    }
    assert "1 of them is published already" in response.text
    assert 'name="post" value="yes"' in response.text
    assert statuses(drafts) == [DRAFT, DRAFT]


def test_confirming_publishes_and_says_how_many(editor_client):
    """Confirming publishes the drafts, dates them, and reports the count."""
    drafts = DocumentFactory.create_batch(2, draft=True)

    response = confirm(editor_client, "publish_selected", drafts)

    assert statuses(drafts) == [PUBLISHED, PUBLISHED]
    assert all(d.published_at for d in Document.objects.filter(pk__in=[d.pk for d in drafts]))
    assert "Published 2 documents." in messages_of(response)


def test_confirming_unpublish_returns_documents_to_draft(editor_client):
    """The unpublish confirmation page leads to drafts, and says so."""
    documents = DocumentFactory.create_batch(2)

    page = action(editor_client, "unpublish_selected", documents)
    response = confirm(editor_client, "unpublish_selected", documents)

    assert "Take these documents off the public site" in page.text
    assert statuses(documents) == [DRAFT, DRAFT]
    assert "Returned 2 documents to draft." in messages_of(response)


def test_cancelling_changes_nothing(editor_client):
    """Seeing the confirmation page and going back leaves every document as it was."""
    drafts = DocumentFactory.create_batch(2, draft=True)

    page = action(editor_client, "publish_selected", drafts)
    editor_client.get(page.context["changelist_url"])

    assert statuses(drafts) == [DRAFT, DRAFT]
    assert not Document.objects.published().exists()


def test_an_archivist_cannot_publish_by_the_bulk_action(archivist_client):
    """The archivist is not offered the action; posting it anyway is refused and changes nothing."""
    drafts = DocumentFactory.create_batch(2, draft=True)

    page = action(archivist_client, "publish_selected", drafts)
    response = confirm(archivist_client, "publish_selected", drafts)

    assert page.status_code == 302
    assert "No action selected." in messages_of(response)
    assert statuses(drafts) == [DRAFT, DRAFT]


def test_the_preview_names_twenty_documents_then_counts_the_rest(editor_client):
    """A long selection shows its first 20 titles and "and N more"."""
    drafts = DocumentFactory.create_batch(23, draft=True)

    response = action(editor_client, "publish_selected", drafts)

    assert len(response.context["preview"]) == 20
    assert response.context["more"] == 3
    assert "and 3 more" in response.text
    assert "23 documents" in response.text


def test_the_preview_runs_a_fixed_number_of_queries(editor_client, django_assert_num_queries):
    """Titles come from one sliced query, however many documents are selected (no N+1)."""
    drafts = DocumentFactory.create_batch(23, draft=True)
    action(editor_client, "publish_selected", drafts[:2])  # warm the session and permissions

    # 4 for the session, user and permissions; 9 for the changelist Django builds before it
    # runs the action (its list filters' choices and a capped count); 3 for the page: how many
    # are published, how many in all, and the 20 titles.
    with django_assert_num_queries(16):
        action(editor_client, "publish_selected", drafts)


def test_select_all_acts_on_the_filtered_list(editor_client):
    """With "select all" the confirmation posts the filters back: every matching document."""
    drafts = DocumentFactory.create_batch(3, draft=True)
    DocumentFactory()  # published already: outside the filter
    url = f"{CHANGELIST_URL}?status__exact=draft"

    page = action(editor_client, "publish_selected", drafts[:1], url=url, select_across="1")
    confirm(editor_client, "publish_selected", drafts[:1], url=url, select_across="1")

    assert page.context["total"] == 3
    assert 'name="select_across" value="1"' in page.text
    assert statuses(drafts) == [PUBLISHED] * 3
    assert Document.objects.published().count() == 4


# Collections ----------------------------------------------------------------------------------


def test_add_to_collection_offers_a_labelled_collection_choice(archivist_client):
    """The confirmation page asks which collection, with a labelled autocomplete field."""
    documents = DocumentFactory.create_batch(2)

    response = action(archivist_client, "add_to_collection", documents)

    assert response.status_code == 200
    assert '<label for="id_collection"' in response.text
    assert "admin-autocomplete" in response.text
    assert response.context["total"] == 2


def test_add_to_collection_keeps_the_other_collections(archivist_client, archivist):
    """Documents join the chosen collection and stay in theirs; history names the archivist."""
    harriman, theme = CollectionFactory(title="Harriman Papers"), CollectionFactory(title="Yalta")
    inside = DocumentFactory(collections=[harriman, theme])
    outside = DocumentFactory(collections=[harriman])
    versions_before = inside.history.count()

    response = confirm(
        archivist_client, "add_to_collection", [inside, outside], collection=theme.pk
    )

    assert set(outside.collections.all()) == {harriman, theme}
    assert set(inside.collections.all()) == {harriman, theme}
    assert "Added 1 document to “Yalta”. 1 was in it already." in messages_of(response)
    record = outside.history.latest()
    assert record.history_user == archivist
    assert {c.collection_id for c in record.collections.all()} == {harriman.pk, theme.pk}
    assert inside.history.count() == versions_before  # left alone


def test_add_to_collection_without_a_choice_asks_again(archivist_client):
    """Confirming with no collection shows the page again with an error, changing nothing."""
    document = DocumentFactory()

    response = archivist_client.post(
        CHANGELIST_URL,
        {"action": "add_to_collection", "_selected_action": [document.pk], "post": "yes"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["collection"]
    assert not document.collections.exists()


# Rights ---------------------------------------------------------------------------------------


def test_set_rights_replaces_the_statement_and_keeps_the_note(archivist_client, archivist):
    """The chosen statement replaces each document's; their rights notes stay as written."""
    document = DocumentFactory(rights=rights_statement("NoC-US"), rights_note="Ask the archive.")
    statement = rights_statement("InC")

    page = action(archivist_client, "set_rights", [document])
    response = confirm(archivist_client, "set_rights", [document], rights=statement.pk)

    assert '<label for="id_rights"' in page.text
    document.refresh_from_db()
    assert document.rights == statement
    assert document.rights_note == "Ask the archive."
    assert document.history.latest().history_user == archivist
    assert any("Set the rights statement of 1 document" in m for m in messages_of(response))


def test_a_viewer_is_not_offered_the_editing_actions(client, django_user_model):
    """Someone who may only view documents sees none of the bulk actions."""
    viewer = django_user_model.objects.create_user(
        "viewer", password="catalogue-pass", is_staff=True
    )
    viewer.user_permissions.set(Permission.objects.filter(codename="view_document"))
    client.force_login(viewer)
    DocumentFactory()

    response = client.get(CHANGELIST_URL)

    assert "Add to a collection" not in response.text
    assert "Set the rights statement" not in response.text


def test_services_refuse_a_user_who_may_not_change_documents(django_user_model):
    """The bulk services check change_document themselves when given a user."""
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    document = DocumentFactory()

    with pytest.raises(PermissionDenied):
        services.set_rights([document], rights_statement("InC"), user=viewer)
    with pytest.raises(PermissionDenied):
        services.add_to_collection([document], CollectionFactory(), user=viewer)
