"""
Who may publish: an Archivist catalogues but cannot publish or unpublish by any admin route
(add form, change form, "save as new", actions, forged POSTs); an Editor can, by each of them.
"""

import pytest
from django.urls import reverse

from catalog.forms import DocumentAdminForm
from catalog.models import Document

from .factories import DocumentFactory, rights_statement
from .test_admin import changeform_data, empty_inlines

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:catalog_document_changelist")
PUBLISHED, DRAFT = Document.Status.PUBLISHED, Document.Status.DRAFT


def change_url(document):
    return reverse("admin:catalog_document_change", args=[document.pk])


# Each route tries to change a document's status to ``target`` and returns that document.


def by_add_form(client, target):
    """A new document posted with the status set (a forged field for an archivist)."""
    response = client.post(
        reverse("admin:catalog_document_add"),
        {
            "title": "Telegram re Japanese troops",
            "doc_type": "telegram",
            "date_edtf": "1944-02-02",
            "status": target,
            **empty_inlines(),
            "_save": "Save",
        },
    )
    assert response.status_code == 302, "the add form was not saved"
    return Document.objects.get(title="Telegram re Japanese troops")


def by_change_form(client, target):
    """The existing document's change form submitted with the status changed."""
    document = DocumentFactory(draft=(target == PUBLISHED))
    page = client.get(change_url(document))
    response = client.post(change_url(document), changeform_data(page, status=target, _save="Save"))
    assert response.status_code == 302, "the change form was not saved"
    document.refresh_from_db()
    return document


def by_save_as_new(client, target):
    """The change form of a document submitted as "Save as new" with the status changed."""
    document = DocumentFactory(draft=(target == PUBLISHED), title="Original")
    page = client.get(change_url(document))
    response = client.post(
        change_url(document),
        changeform_data(page, title="Copy", status=target, _saveasnew="Save as new"),
    )
    assert response.status_code == 302, "the new copy was not saved"
    return Document.objects.get(title="Copy")


def by_action(client, target):
    """The changelist's publish or unpublish action posted for one document, and confirmed."""
    document = DocumentFactory(draft=(target == PUBLISHED))
    action = "publish_selected" if target == PUBLISHED else "unpublish_selected"
    client.post(
        CHANGELIST_URL, {"action": action, "_selected_action": [document.pk], "post": "yes"}
    )
    document.refresh_from_db()
    return document


ROUTES = [by_add_form, by_change_form, by_save_as_new, by_action]
UNPUBLISH_ROUTES = [by_change_form, by_action]


@pytest.mark.parametrize("route", ROUTES)
def test_archivist_cannot_publish_by_any_route(archivist_client, route):
    """Whatever an archivist posts, the document stays a draft with no publication date."""
    document = route(archivist_client, PUBLISHED)

    assert document.status == DRAFT
    assert document.published_at is None
    assert not Document.objects.published().exists()


@pytest.mark.parametrize("route", UNPUBLISH_ROUTES)
def test_archivist_cannot_unpublish_by_any_route(archivist_client, route):
    """Whatever an archivist posts, a published document stays published."""
    document = route(archivist_client, DRAFT)

    assert document.status == PUBLISHED


@pytest.mark.parametrize("route", ROUTES)
def test_editor_can_publish_by_each_route(editor_client, route):
    """An editor publishes by each route, and the document gets its publication date."""
    document = route(editor_client, PUBLISHED)

    assert document.status == PUBLISHED
    assert document.published_at is not None


@pytest.mark.parametrize("route", UNPUBLISH_ROUTES)
def test_editor_can_unpublish_by_each_route(editor_client, route):
    """An editor returns a published document to draft by the change form or the action."""
    document = route(editor_client, DRAFT)

    assert document.status == DRAFT


def test_archivist_edits_a_published_document_without_unpublishing_it(archivist_client):
    """An archivist's correction to a published record saves and leaves it published."""
    document = DocumentFactory(title="Telegram re Japanese troups")
    page = archivist_client.get(change_url(document))

    response = archivist_client.post(
        change_url(document),
        changeform_data(page, title="Telegram re Japanese troops", _save="Save"),
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.status) == ("Telegram re Japanese troops", PUBLISHED)


def test_archivist_sees_status_but_no_control_for_it(archivist_client):
    """The archivist's change form shows the status as text, with no field to change it."""
    document = DocumentFactory(draft=True)

    response = archivist_client.get(change_url(document))

    assert "status" not in response.context["adminform"].form.fields
    assert 'name="status"' not in response.text
    assert "Draft" in response.text


def test_editor_has_a_status_control(editor_client):
    """The editor's change form has the status field."""
    document = DocumentFactory(draft=True)

    response = editor_client.get(change_url(document))

    assert "status" in response.context["adminform"].form.fields


def test_archivist_is_not_offered_the_publish_actions(archivist_client):
    """The archivist's document list offers neither publish nor unpublish."""
    DocumentFactory()

    response = archivist_client.get(CHANGELIST_URL)

    assert "Publish selected documents" not in response.text
    assert "Unpublish" not in response.text


def test_editor_is_offered_the_publish_actions(editor_client):
    """The editor's document list offers both actions."""
    DocumentFactory()

    response = editor_client.get(CHANGELIST_URL)

    choices = dict(response.context["action_form"].fields["action"].choices)
    assert choices["publish_selected"] == "Publish selected documents"
    assert choices["unpublish_selected"] == "Unpublish (return to draft)"


def test_form_refuses_a_status_change_without_permission():
    """The document form itself rejects a status change when it may not publish."""
    document = DocumentFactory(draft=True)
    form_class = type("Form", (DocumentAdminForm,), {"may_publish": False})
    data = {"title": document.title, "doc_type": document.doc_type, "status": PUBLISHED}

    form = form_class(data, instance=document)

    assert not form.is_valid()
    assert "Only editors may publish" in form.errors["status"][0]


def test_form_allows_a_status_change_with_permission():
    """The document form accepts the status change when it may publish."""
    document = DocumentFactory(draft=True)
    form_class = type("Form", (DocumentAdminForm,), {"may_publish": True})
    data = {"title": document.title, "doc_type": document.doc_type, "status": PUBLISHED}

    form = form_class(data, instance=document)

    assert form.is_valid(), form.errors


def test_archivist_may_view_but_not_change_rights_statements(archivist_client):
    """Rights statements are read-only for archivists: a change POST is forbidden."""
    statement = rights_statement("NoC-US")
    url = reverse("admin:catalog_rightsstatement_change", args=[statement.pk])

    page = archivist_client.get(url)
    forged = archivist_client.post(
        url, {"label": "Changed", "identifier": "NoC-US", "uri": statement.uri}
    )

    assert page.status_code == 200
    assert 'name="label"' not in page.text
    assert forged.status_code == 403
    statement.refresh_from_db()
    assert statement.label != "Changed"


def test_archivist_cannot_delete_documents(archivist_client):
    """Deleting a document (and so taking it offline) is for editors only."""
    document = DocumentFactory()

    response = archivist_client.post(
        reverse("admin:catalog_document_delete", args=[document.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()
