"""Exports of many documents in the import format: the public list's and the admin's."""

import csv
import io
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from catalog import interchange
from catalog.models import Document
from tests.factories import DocumentFactory, DocumentPersonFactory, PersonFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("catalog:document-list")
PUBLIC = interchange.PUBLIC_COLUMNS


def export_url(extension="csv"):
    return reverse("catalog:document-export", args=[extension])


def admin_export_url(extension="csv"):
    return reverse("admin:catalog_document_export", args=[extension])


def content(response):
    """A streamed response's body, as text."""
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def csv_titles(response):
    """The ``title`` column of a CSV export, in order."""
    return [row["title"] for row in csv.DictReader(io.StringIO(content(response).lstrip("\ufeff")))]


def jsonl_titles(response):
    """The ``title`` of each line of a JSON Lines export, in order."""
    return [json.loads(line)["title"] for line in content(response).splitlines() if line]


@pytest.fixture
def documents():
    """Three published letters and telegrams, and a draft telegram."""
    return {
        "telegram": DocumentFactory(title="Harriman telegram", date_edtf="1944-02-02"),
        "letter": DocumentFactory(
            title="Kennan letter", doc_type=Document.Type.LETTER, date_edtf="1946-02-22"
        ),
        "memo": DocumentFactory(title="Hull telegram", date_edtf="1943-10-01"),
        "draft": DocumentFactory(title="Draft telegram", draft=True, date_edtf="1944-01-01"),
    }


def test_csv_export_has_the_lists_published_documents_in_the_lists_order(client, documents):
    """Without filters the CSV holds every published document, by date like the list."""
    response = client.get(export_url("csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_titles(response) == ["Hull telegram", "Harriman telegram", "Kennan letter"]


def test_jsonl_export_applies_the_filters_and_sort_of_the_query_string(client, documents):
    """The JSON Lines export takes the list's filters and sort order."""
    response = client.get(export_url("jsonl"), {"doc_type": "telegram", "sort": "-date"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    assert jsonl_titles(response) == ["Harriman telegram", "Hull telegram"]


def test_export_applies_the_search(client, documents):
    """``q`` searches the export as it does the list."""
    response = client.get(export_url("csv"), {"q": "Kennan"})
    assert csv_titles(response) == ["Kennan letter"]


def test_rows_are_the_interchange_rows_of_the_documents(client, documents):
    """Each line is ``interchange.document_row`` of its document, as the importer reads it,
    without the staff-only columns."""
    DocumentPersonFactory(document=documents["telegram"], person=PersonFactory())
    response = client.get(export_url("jsonl"), {"doc_type": "telegram", "sort": "date"})
    lines = [json.loads(line) for line in content(response).splitlines()]
    fresh = interchange.export_queryset(Document.objects.published().filter(doc_type="telegram"))
    expected = [
        {k: v for k, v in interchange.document_row(document).items() if k in PUBLIC}
        for document in fresh.order_by("date_earliest")
    ]
    assert lines == expected


def test_drafts_never_appear_in_public_exports(client, documents):
    """A draft is left out of every format, whatever the filters ask for."""
    for extension in ("csv", "jsonl"):
        for params in ({}, {"q": "Draft"}, {"date_from": "1944-01", "date_to": "1944-01"}):
            body = content(client.get(export_url(extension), params))
            assert "Draft telegram" not in body


def test_a_person_named_only_in_drafts_is_an_invalid_filter(client):
    """Filtering on someone who appears only in drafts is a 400, not a leak."""
    person = PersonFactory(display_name="Secret Person")
    DocumentPersonFactory(document=DocumentFactory(draft=True), person=person)
    response = client.get(export_url("csv"), {"person": person.slug})
    assert response.status_code == 400
    assert "Secret" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"date_from": "1944-13"}, "There is no month 13"),
        ({"date_from": "1945", "date_to": "1944"}, "The range ends (1944) before it starts"),
        ({"doc_type": "spaceship"}, "Type:"),
        ({"person": "../../etc/passwd"}, "No person with documents here"),
        ({"q": "x" * 600}, "Searches are limited to 500 characters"),
        ({"sort": "pk"}, "Sort by:"),
    ],
)
def test_invalid_filters_are_a_400_with_the_reason_in_plain_text(client, documents, params, reason):
    """An invalid filter is answered 400 with what is wrong, never a 500 or an empty file."""
    response = client.get(export_url("csv"), params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert reason in response.content.decode()


def test_unknown_format_is_a_404(client):
    """Only CSV and JSON Lines are offered."""
    assert client.get(export_url("xlsx")).status_code == 404


def test_export_is_an_attachment_named_after_the_day(client, documents):
    """The download is named ``documents-<today>.<format>``."""
    today = timezone.localdate().isoformat()
    for extension in ("csv", "jsonl"):
        response = client.get(export_url(extension))
        assert response["Content-Disposition"] == (
            f'attachment; filename="documents-{today}.{extension}"'
        )


def test_an_empty_result_is_a_csv_with_its_header(client, documents):
    """No matching documents gives a header line and no rows."""
    response = client.get(export_url("csv"), {"date_from": "1990"})
    assert response.status_code == 200
    body = content(response)
    assert "title" in body.splitlines()[0]
    assert csv_titles(response) == []


def test_csv_export_has_one_header_across_chunks(client, monkeypatch):
    """Documents read in several chunks still make one CSV with one header line."""
    monkeypatch.setattr("catalog.views.exports.EXPORT_CHUNK_SIZE", 2)
    for number in range(5):
        DocumentFactory(title=f"Telegram {number}", date_edtf=f"1944-02-0{number + 1}")
    response = client.get(export_url("csv"))
    assert csv_titles(response) == [f"Telegram {number}" for number in range(5)]


def test_export_queries_do_not_grow_with_the_rows(client, django_assert_num_queries):
    """
    Six queries for a chunk of documents however many people they name: the documents with
    repository and rights, then people links with their people, authorities, collections,
    subjects and custody chains prefetched (the N+1 on each row's people this guards against).
    """
    for _ in range(30):
        DocumentPersonFactory(document=DocumentFactory())
    with django_assert_num_queries(6):
        response = client.get(export_url("jsonl"))
        assert len(content(response).splitlines()) == 30


def test_list_page_links_to_the_exports_with_its_query_string(client, documents):
    """The list offers "Download these N documents" with its filters but not its page."""
    response = client.get(LIST_URL, {"doc_type": "telegram", "page": "1"})
    html = response.content.decode()
    assert "Download these 2 documents:" in html
    assert f'href="{export_url("csv")}?doc_type=telegram"' in html
    assert f'href="{export_url("jsonl")}?doc_type=telegram"' in html


def test_list_page_offers_no_export_of_an_invalid_or_empty_result(client, documents):
    """With filter errors, or nothing found, there is nothing to download."""
    assert "Download" not in client.get(LIST_URL, {"date_from": "1944-13"}).content.decode()
    assert "Download" not in client.get(LIST_URL, {"date_from": "1990"}).content.decode()


# The admin's export: everything the changelist shows, drafts included ----------------------


def test_admin_export_includes_drafts(archivist_client, documents):
    """Staff export every document the changelist shows, drafts too."""
    response = archivist_client.get(admin_export_url("csv"))
    assert response.status_code == 200
    assert sorted(csv_titles(response)) == [
        "Draft telegram",
        "Harriman telegram",
        "Hull telegram",
        "Kennan letter",
    ]
    assert response["Content-Disposition"].startswith('attachment; filename="catalogue-')


def test_admin_export_applies_the_changelist_filters(archivist_client, documents):
    """The changelist's query string (status filter, search) narrows the admin export."""
    response = archivist_client.get(admin_export_url("jsonl"), {"status__exact": "draft"})
    assert jsonl_titles(response) == ["Draft telegram"]
    response = archivist_client.get(admin_export_url("jsonl"), {"q": "Kennan"})
    assert jsonl_titles(response) == ["Kennan letter"]


def test_admin_export_with_a_bad_changelist_filter_is_a_400(archivist_client, documents):
    """A lookup the changelist does not allow is a 400, not a 500."""
    response = archivist_client.get(admin_export_url("csv"), {"no_such_field": "1"})
    assert response.status_code == 400


def test_admin_export_needs_staff_who_may_view_documents(client, django_user_model, documents):
    """The public is sent to the login page; staff without view_document are refused."""
    response = client.get(admin_export_url("csv"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    user = django_user_model.objects.create_user("intern", password="catalogue-pass", is_staff=True)
    client.force_login(user)
    assert client.get(admin_export_url("csv")).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_document"))
    client.force_login(django_user_model.objects.get(pk=user.pk))
    assert client.get(admin_export_url("csv")).status_code == 200


def test_admin_changelist_links_its_own_filtered_export(archivist_client, documents):
    """The document change list offers CSV and JSON Lines of exactly what it shows."""
    response = archivist_client.get("/admin/catalog/document/", {"status__exact": "draft"})
    html = response.content.decode()
    links = re.findall(r'href="([^"]*/export\.(?:csv|jsonl)[^"]*)"', html)
    assert len(links) == 2
    exported = archivist_client.get(
        next(link for link in links if ".jsonl" in link).replace("&amp;", "&")
    )
    assert jsonl_titles(exported) == ["Draft telegram"]


def test_closure_reasons_stay_out_of_public_exports_and_in_the_admins(client, archivist_client):
    """An embargo's reason is for staff: the public exports have no embargo columns (even
    for a record whose embargo has lifted), the admin's export has both."""
    DocumentFactory(
        title="Opened despatch",
        embargo_until=timezone.localdate().replace(year=2000),
        embargo_reason="Closed until 2000 at the donor's request",
    )
    for extension in ("csv", "jsonl"):
        public = content(client.get(export_url(extension)))
        assert "Opened despatch" in public
        assert "donor's request" not in public
        assert "embargo_" not in public

    staff = content(archivist_client.get(admin_export_url("csv")))
    header = next(csv.reader(io.StringIO(staff)))
    assert header == list(interchange.COLUMNS)
    assert "Closed until 2000 at the donor's request" in staff
