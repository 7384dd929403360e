"""Importing in the admin: upload, preview, confirm, undo; the errors download; permissions."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog import admin_imports, interchange
from catalog.models import Document, ImportBatch
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonAuthorityFactory,
    ProvenanceEventFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:catalog_importbatch_add")
CHANGELIST_URL = reverse("admin:catalog_importbatch_changelist")


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Uploads wait in a directory of the test's own."""
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def row(number, **values):
    """A new document's row, in the import format."""
    return {
        "source_identifier": f"test-{number}",
        "title": f"Imported telegram {number}",
        "doc_type": "telegram",
        "date_edtf": f"1944-02-{number:02d}",
        "language": "en",
        "status": "draft",
        **values,
    }


def upload(rows, name="documents.csv"):
    """``rows`` written as a CSV or JSON Lines file (by ``name``'s extension) to upload."""
    out = io.StringIO()
    writer = interchange.write_csv if name.endswith(".csv") else interchange.write_jsonl
    writer(rows, out)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"))


def send(client, file, **options):
    """Upload ``file`` on the import page; return the preview page (following the redirect)."""
    data = {"file": file, "mapping": "default", "batch_name": "", **options}
    return client.post(ADD_URL, data, follow=True)


def preview_url(response):
    """The preview page's URL, where the confirmation is posted."""
    return response.redirect_chain[-1][0]


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_import_page_offers_file_mapping_update_and_batch_name(archivist_client):
    """The add page is the "Import documents" form."""
    response = archivist_client.get(ADD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Import documents" in html
    for name in ("file", "mapping", "update", "batch_name"):
        assert f'name="{name}"' in html
    assert 'enctype="multipart/form-data"' in html


def test_changelist_links_to_import_and_export(archivist_client):
    """The batch list offers "Import documents" and the exports of everything."""
    html = archivist_client.get(CHANGELIST_URL).content.decode()
    assert f'href="{ADD_URL}"' in html and "Import documents" in html
    assert reverse("admin:catalog_document_export", args=["csv"]) in html


def test_upload_preview_confirm_and_undo(editor_client, upload_dir):
    """
    A clean file is previewed with its counts, imported on confirmation as a batch, listed,
    and undone: its documents are gone again and the upload is deleted.
    """
    response = send(
        editor_client, upload([row(1), row(2), row(3)]), batch_name="February telegrams"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "New documents</th><td>3<" in html
    assert "Nothing has been saved yet" in html
    assert Document.objects.count() == 0
    assert len(list(upload_dir.iterdir())) == 1

    response = editor_client.post(preview_url(response), {"confirm": "Import"}, follow=True)
    batch = ImportBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:catalog_importbatch_change", args=[batch.pk]
    )
    assert "Imported 3 documents from documents.csv: 3 new, 0 updated." in messages_of(response)
    assert (batch.name, batch.created_count, batch.created_by.username) == (
        "February telegrams",
        3,
        "editor",
    )
    assert Document.objects.filter(title__startswith="Imported telegram").count() == 3
    assert list(upload_dir.iterdir()) == []
    batch_page = response.content.decode()
    assert "Undo this batch" in batch_page
    first = Document.objects.get(source_identifier="test-1")
    change_url = reverse("admin:catalog_document_change", args=[first.pk])
    assert f'Created: <a href="{change_url}">Imported telegram 1</a>' in batch_page

    listing = editor_client.get(CHANGELIST_URL).content.decode()
    assert "February telegrams" in listing and "documents.csv" in listing

    undo_url = reverse("admin:catalog_importbatch_undo", args=[batch.pk])
    confirmation = editor_client.get(undo_url)
    assert "will be deleted" in confirmation.content.decode()
    assert Document.objects.count() == 3
    response = editor_client.post(undo_url, follow=True)
    assert any(message.startswith("Undone:") for message in messages_of(response))
    assert Document.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    assert batch.undone_by.username == "editor"
    assert "Undo this batch" not in response.content.decode()


def test_jsonl_upload_updates_existing_documents_when_asked(editor_client):
    """With "update existing", a changed row updates its document; an unchanged one is left."""
    DocumentFactory(source_identifier="test-1", title="Old title", draft=True)
    same = DocumentFactory(source_identifier="test-2", draft=True)
    rows = [
        row(1, title="New title"),
        interchange.document_row(interchange.export_queryset(Document.objects).get(pk=same.pk)),
    ]
    response = send(editor_client, upload(rows, "documents.jsonl"), update="on")
    html = response.content.decode()
    assert "Documents updated</th><td>1<" in html
    assert "Documents unchanged</th><td>1<" in html
    editor_client.post(preview_url(response), {"confirm": "Import"})
    assert Document.objects.get(source_identifier="test-1").title == "New title"
    batch = ImportBatch.objects.get()
    assert (batch.updated_count, batch.unchanged_count) == (1, 1)


def test_preview_lists_errors_and_offers_them_as_csv(archivist_client):
    """Row errors are listed with row, column, value and reason, and downloadable as CSV."""
    rows = [row(1), row(2, date_edtf="1944-13-45"), row(3, doc_type="spaceship")]
    response = send(archivist_client, upload(rows))
    html = response.content.decode()
    assert "2 errors" in html
    assert "<td>3</td><td>date_edtf</td><td>1944-13-45</td>" in html
    assert "<td>4</td><td>doc_type</td><td>spaceship</td>" in html
    assert 'name="skip_invalid"' in html

    errors_url = preview_url(response) + "errors.csv"
    download = archivist_client.get(errors_url)
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="documents-errors.csv"'
    errors = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        ("3", "date_edtf", "1944-13-45"),
        ("4", "doc_type", "spaceship"),
    ]
    assert f'href="{errors_url}"' in html


def test_preview_lists_the_first_errors_and_says_how_many_more(archivist_client, monkeypatch):
    """Beyond ``ERRORS_SHOWN`` the page says how many more the download holds."""
    monkeypatch.setattr(admin_imports, "ERRORS_SHOWN", 2)
    rows = [row(number, doc_type="spaceship") for number in range(1, 6)]
    html = send(archivist_client, upload(rows)).content.decode()
    assert html.count("<td>spaceship</td>") == 2
    assert "3 more errors not listed here" in html


def test_confirming_a_file_with_errors_needs_skip_invalid(archivist_client):
    """Without "skip", errors stop the import; with it, the valid rows are imported."""
    response = send(archivist_client, upload([row(1), row(2, doc_type="spaceship")]))
    url = preview_url(response)
    response = archivist_client.post(url, {"confirm": "Import"})
    assert response.status_code == 200
    assert "The file has errors." in " ".join(messages_of(response))
    assert not ImportBatch.objects.exists()

    archivist_client.post(url, {"confirm": "Import", "skip_invalid": "on"})
    batch = ImportBatch.objects.get()
    assert (batch.created_count, batch.skipped_count) == (1, 1)
    assert list(Document.objects.values_list("source_identifier", flat=True)) == ["test-1"]


def test_unreadable_file_is_shown_and_cannot_be_confirmed(archivist_client):
    """A file without the required columns is one error for the file, and no Import button."""
    bad = SimpleUploadedFile("documents.csv", b"name,colour\nx,y\n")
    html = send(archivist_client, bad).content.decode()
    assert "The file cannot be imported" in html
    assert 'name="confirm"' not in html


def test_cancel_deletes_the_upload(archivist_client, upload_dir):
    """Cancelling forgets the upload and deletes its file; its preview is gone."""
    response = send(archivist_client, upload([row(1)]))
    url = preview_url(response)
    response = archivist_client.post(url, {"cancel": "Cancel"}, follow=True)
    assert "Import cancelled; nothing was saved." in messages_of(response)
    assert list(upload_dir.iterdir()) == []
    response = archivist_client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == ADD_URL


def test_another_sessions_token_is_refused(archivist_client, editor):
    """A preview token is good only in the session that uploaded the file."""
    url = preview_url(send(archivist_client, upload([row(1)])))
    editor_client = Client()
    editor_client.force_login(editor)
    response = editor_client.post(url, {"confirm": "Import"}, follow=True)
    assert response.redirect_chain[-1][0] == ADD_URL
    assert not ImportBatch.objects.exists()
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token)
    forged = reverse("admin:catalog_importbatch_preview", args=["..%2F..%2Fetc%2Fpasswd"])
    assert archivist_client.get(forged).status_code in (302, 404)


def test_archivist_may_not_import_published_rows(archivist_client):
    """Rows that would publish are refused for someone who may not publish, with the reason."""
    response = send(archivist_client, upload([row(1, status="published"), row(2)]))
    html = response.content.decode()
    assert "Some rows have the status “published”, and only editors may publish" in html
    assert (
        "<td>2</td><td>status</td><td>published</td>"
        "<td>only editors may publish or unpublish documents</td>"
    ) in html
    archivist_client.post(preview_url(response), {"confirm": "Import"})
    assert not Document.objects.exists()
    archivist_client.post(preview_url(response), {"confirm": "Import", "skip_invalid": "on"})
    assert list(Document.objects.values_list("status", flat=True)) == ["draft"]


def test_editor_imports_published_rows(editor_client):
    """An editor's published rows are published."""
    response = send(editor_client, upload([row(1, status="published")]))
    editor_client.post(preview_url(response), {"confirm": "Import"})
    document = Document.objects.get()
    assert document.is_published() and document.published_at is not None


def test_import_needs_add_and_change_document(client, django_user_model):
    """Staff who may only view documents see batches but cannot import."""
    viewer = django_user_model.objects.create_user(
        "viewer", password="catalogue-pass", is_staff=True
    )
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_document"),
        Permission.objects.get(codename="view_importbatch"),
    )
    client.force_login(viewer)
    assert client.get(CHANGELIST_URL).status_code == 200
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, {"file": upload([row(1)]), "mapping": "default"}).status_code == 403
    assert "Import documents" not in client.get(CHANGELIST_URL).content.decode()


def test_archivist_may_not_undo(archivist_client, editor):
    """Undoing deletes documents: it needs delete_document, which archivists lack."""
    batch = ImportBatch.objects.create(file_name="x.csv", file_format="csv", created_by=editor)
    change = archivist_client.get(reverse("admin:catalog_importbatch_change", args=[batch.pk]))
    assert change.status_code == 200
    assert "Undo this batch" not in change.content.decode()
    undo_url = reverse("admin:catalog_importbatch_undo", args=[batch.pk])
    assert archivist_client.get(undo_url).status_code == 403
    assert archivist_client.post(undo_url).status_code == 403


def test_batches_are_read_only(editor_client, editor):
    """A batch's page has no save button and it cannot be deleted in the admin."""
    batch = ImportBatch.objects.create(file_name="x.csv", file_format="csv", created_by=editor)
    html = editor_client.get(
        reverse("admin:catalog_importbatch_change", args=[batch.pk])
    ).content.decode()
    assert 'name="_save"' not in html
    delete_url = reverse("admin:catalog_importbatch_delete", args=[batch.pk])
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ImportBatch.objects.filter(pk=batch.pk).exists()


def test_undo_refused_after_later_changes_offers_undo_anyway(editor_client):
    """When a document changed after the import, undo asks again before discarding that."""
    response = send(editor_client, upload([row(1)]))
    editor_client.post(preview_url(response), {"confirm": "Import"})
    batch = ImportBatch.objects.get()
    document = Document.objects.get()
    document.title = "Changed by hand"
    document.save()
    undo_url = reverse("admin:catalog_importbatch_undo", args=[batch.pk])
    html = editor_client.post(undo_url).content.decode()
    assert "changed or deleted after this import" in html
    assert "Undo it anyway" in html
    assert Document.objects.exists()
    editor_client.post(undo_url, {"force": "1"})
    assert not Document.objects.exists()


# The round trip: export everything, empty the catalogue, import the file ------------------


def catalogue_rows():
    """Every document as ``interchange.document_row``, keyed by source identifier."""
    return {
        document.source_identifier: interchange.document_row(document)
        for document in interchange.export_queryset(Document.objects.order_by("record_id"))
    }


@pytest.mark.parametrize("extension", ["csv", "jsonl"])
def test_admin_export_imports_back_into_an_empty_catalogue(editor_client, extension):
    """
    Exporting everything in the admin, deleting every document and importing the file gives
    the same records: fields, people with authorities, collections, subjects, custody, status.
    """
    person = PersonAuthorityFactory(uri="https://www.wikidata.org/entity/Q855").person
    collection, subject = CollectionFactory(), SubjectFactory()
    first = DocumentFactory(
        source_identifier="frus-1", collections=[collection], subjects=[subject]
    )
    DocumentPersonFactory(document=first, person=person, role="author", uncertain=True)
    ProvenanceEventFactory(document=first, date_edtf="1944-02-03", place="Moscow")
    DocumentFactory(source_identifier="frus-2", draft=True, date_edtf="1944~", summary="")
    before = catalogue_rows()

    response = editor_client.get(reverse("admin:catalog_document_export", args=[extension]))
    exported = b"".join(response.streaming_content)
    Document.objects.all().delete()

    file = SimpleUploadedFile(f"catalogue.{extension}", exported)
    response = send(editor_client, file)
    assert "New documents</th><td>2<" in response.content.decode()
    editor_client.post(preview_url(response), {"confirm": "Import"})
    assert catalogue_rows() == before


def test_seed_telegram_round_trips(editor_client, seed):
    """
    The seed telegram, catalogued without a source identifier, is matched and imported back
    by its record ID into an empty catalogue as the same record.
    """
    before = catalogue_rows()
    response = editor_client.get(reverse("admin:catalog_document_export", args=["csv"]))
    exported = b"".join(response.streaming_content)
    Document.objects.all().delete()
    response = send(editor_client, SimpleUploadedFile("catalogue.csv", exported))
    editor_client.post(preview_url(response), {"confirm": "Import"})
    assert catalogue_rows() == before
