"""
Embargoes: a published document with ``embargo_until`` after today is not public anywhere
(record, lists, search, facets, counts, browse pages, API, OAI-PMH, feeds, sitemap, exports)
and opens by itself on its date, through the page cache too; staff see it with a "Closed until"
banner, and the admin shows the date and the reason.  The whole-site walk is in
tests/test_leaks.py; these tests pin the behaviour of the date itself.

Time is moved with the ``clock`` fixture, which sets ``django.utils.timezone.now`` (and so
``localdate()``, ``auto_now`` and the gate's "today").
"""

import datetime
import json

import pytest
from django.utils import timezone
from lxml import etree

from catalog.models import DeletedDocument, Document
from catalog.services import publish_documents, unpublish_documents

from .factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    RepositoryFactory,
    SubjectFactory,
)
from .test_admin import empty_inlines

pytestmark = pytest.mark.django_db

CLOSED_TITLE = "Closedtelegram about the inner defence line"
OPEN_TITLE = "Opentelegram about the weather"
REASON = "Closedreason: donor agreement, thirty years"
OAI_NS = {"oai": "http://www.openarchives.org/OAI/2.0/"}
ADMIN_LIST = "/admin/catalog/document/"


def long_date(day):
    return f"{day:%B} {day.day}, {day.year}"


@pytest.fixture
def clock(monkeypatch):
    """Moves Django's clock: ``clock.set(moment)``; until then it is the real time."""

    class Clock:
        moment = None

        def set(self, moment):
            self.moment = moment

        def midnight(self, day, seconds=0):
            """Set the clock to ``seconds`` after the start of ``day`` (UTC, the site's zone)."""
            start = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
            self.set(start + datetime.timedelta(seconds=seconds))

    the_clock = Clock()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: the_clock.moment or real_now())
    return the_clock


@pytest.fixture
def opens_on():
    """The closed record's embargo date: thirty days from today."""
    return timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def records(db, opens_on):
    """One open and one closed record, in the same collection, archive, subject and person."""
    archive = RepositoryFactory(name="Restricted Test Archive")
    collection = CollectionFactory(title="Restricted Test Papers", repository=archive)
    subject = SubjectFactory(name="Defence lines")
    person = PersonFactory(display_name="Averell Harriman")
    open_record = DocumentFactory(
        title=OPEN_TITLE,
        repository=archive,
        collections=[collection],
        subjects=[subject],
        date_edtf="1944-02-02",
    )
    closed = DocumentFactory(
        title=CLOSED_TITLE,
        summary="Closedsummary of the telegram.",
        repository=archive,
        collections=[collection],
        subjects=[subject],
        date_edtf="1951-03-04",
        embargo_until=opens_on,
        embargo_reason=REASON,
    )
    for document in (open_record, closed):
        DocumentPersonFactory(document=document, person=person)
    return {
        "open": open_record,
        "closed": closed,
        "archive": archive,
        "collection": collection,
        "person": person,
    }


def public_urls(records):
    closed = records["closed"]
    return [
        "/",
        "/documents/",
        "/documents/?q=inner",
        "/documents/?q=defence",
        f"/documents/?collection={records['collection'].slug}",
        f"/documents/?person={records['person'].slug}",
        "/documents/export.csv",
        "/documents/export.jsonl",
        f"/people/{records['person'].slug}/",
        f"/collections/{records['collection'].slug}/",
        f"/archives/{records['archive'].slug}/",
        "/dates/",
        "/dates/1950s/",
        "/dates/1951/",
        "/dates/1951/3/",
        "/feeds/documents/",
        f"/collections/{records['collection'].slug}/feed/",
        "/sitemap-documents.xml",
        "/api/documents/",
        f"/api/documents/{closed.record_id}/",
        "/api/documents/?q=inner",
        f"/api/people/{records['person'].slug}/",
        f"/api/collections/{records['collection'].slug}/",
        f"/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:record/{closed.record_id}",
        "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
        closed.get_absolute_url(),
        f"/documents/{closed.record_id}/",
        closed.get_absolute_url() + "cite.json",
    ]


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_a_closed_record_is_nowhere_public(client, records):
    """Before its date a closed record is 404 and in no page, feed, export, API or OAI answer."""
    closed = records["closed"]
    for url in public_urls(records):
        response = client.get(url)
        text = body(response)
        assert "Closedtelegram" not in text and "Closedsummary" not in text, url
        assert "Closedreason" not in text, url
    for url in (closed.get_absolute_url(), f"/documents/{closed.record_id}/", "/dates/1950s/"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/api/documents/{closed.record_id}/").status_code == 404
    oai = client.get(
        f"/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:record/{closed.record_id}"
    )
    assert b'code="idDoesNotExist"' in oai.content


def test_counts_leave_a_closed_record_out(client, records):
    """The archive, collection, person and document counts are of the open record alone."""
    slug = records["collection"].slug
    assert client.get("/api/documents/").json()["count"] == 1
    assert client.get(f"/api/collections/{slug}/").json()["document_count"] == 1
    assert client.get(f"/api/people/{records['person'].slug}/").json()["document_count"] == 1
    archive = client.get(f"/api/repositories/{records['archive'].slug}/").json()
    assert archive["document_count"] == 1
    assert client.get("/").context["document_count"] == 1
    decades = [row["decade"] for row in client.get("/dates/").context["decades"]]
    assert decades == [1940]


def test_an_embargo_date_of_today_or_earlier_is_open(client, records):
    """The gate compares dates: a record closed until today is public today."""
    closed = records["closed"]
    for day in (timezone.localdate(), timezone.localdate() - datetime.timedelta(days=1)):
        Document.objects.filter(pk=closed.pk).update(embargo_until=day)
        assert client.get(closed.get_absolute_url()).status_code == 200


def test_the_record_opens_on_its_date_without_anyone_acting(client, records, clock, opens_on):
    """At midnight on the embargo date the record is public everywhere, counts included."""
    closed = records["closed"]
    clock.midnight(opens_on - datetime.timedelta(days=1), seconds=86399)
    assert client.get(closed.get_absolute_url()).status_code == 404

    clock.midnight(opens_on, seconds=1)
    response = client.get(closed.get_absolute_url())
    assert response.status_code == 200
    assert "Closedreason" not in response.content.decode()
    assert "Closed until" not in response.content.decode()
    assert client.get("/api/documents/").json()["count"] == 2
    slug = records["collection"].slug
    assert client.get(f"/api/collections/{slug}/").json()["document_count"] == 2
    for url in ("/documents/", "/documents/?q=inner", "/feeds/documents/", "/dates/1951/"):
        assert CLOSED_TITLE in body(client.get(url)), url
    assert f"/documents/{closed.record_id}/" in body(client.get("/sitemap-documents.xml"))
    api = client.get(f"/api/documents/{closed.record_id}/").content.decode()
    assert "Closedreason" not in api and "embargo" not in api


def test_a_page_cached_the_day_before_is_not_served_on_the_opening_day(
    client, records, clock, opens_on
):
    """The page cache keys on the date: yesterday's cached list is not today's."""
    clock.midnight(opens_on - datetime.timedelta(days=1), seconds=86390)
    urls = ["/documents/", f"/collections/{records['collection'].slug}/", "/dates/1950s/"]
    etags = {}
    for url in urls[:2]:
        first = client.get(url)
        assert CLOSED_TITLE not in first.content.decode()
        etags[url] = first["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etags[url]).status_code == 304  # cached

    clock.midnight(opens_on, seconds=5)
    for url in urls[:2]:
        response = client.get(url, HTTP_IF_NONE_MATCH=etags[url])
        assert response.status_code == 200
        assert CLOSED_TITLE in response.content.decode()
        assert response["ETag"] != etags[url]
    assert client.get("/dates/1950s/").status_code == 200


def test_staff_preview_of_a_closed_record_shows_the_date_and_reason(editor_client, records):
    """Staff who may change documents see the closed record, under a "Closed until" banner."""
    closed = records["closed"]
    response = editor_client.get(closed.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Closed until {long_date(closed.embargo_until)}: {REASON}" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-cache" in response["Cache-Control"]
    assert "Draft — not public" not in html
    assert "application/ld+json" not in html


def test_a_closed_draft_shows_both_banners(editor_client, records):
    """A draft that also carries an embargo says both."""
    closed = records["closed"]
    Document.objects.filter(pk=closed.pk).update(status=Document.Status.DRAFT)
    html = editor_client.get(closed.get_absolute_url()).content.decode()
    assert "Draft — not public" in html
    assert "Closed until" in html


def test_admin_list_shows_closed_until_and_filters_by_embargo(archivist_client, records):
    """The change list says "Closed until <date>" and filters closed / opened / none."""
    closed = records["closed"]
    html = archivist_client.get(ADMIN_LIST).content.decode()
    assert f"Closed until {long_date(closed.embargo_until)}" in html
    lifted = DocumentFactory(
        title="Liftedtelegram",
        embargo_until=timezone.localdate() - datetime.timedelta(days=3),
        embargo_reason="Was closed",
    )

    def listed(value):
        response = archivist_client.get(ADMIN_LIST, {"embargo": value})
        return {document.pk for document in response.context["cl"].result_list}

    assert listed("closed") == {closed.pk}
    assert listed("opened") == {lifted.pk}
    assert listed("none") == {records["open"].pk}


def test_admin_form_shows_the_embargo_in_the_publication_fieldset(archivist_client, records):
    """The change form has the date and the reason in "Publication"."""
    closed = records["closed"]
    response = archivist_client.get(f"{ADMIN_LIST}{closed.pk}/change/")
    [publication] = [
        fieldset for fieldset in response.context["adminform"] if fieldset.name == "Publication"
    ]
    assert ("embargo_until", "embargo_reason") in publication.fields
    html = response.content.decode()
    assert REASON in html
    assert "Closed until" in html


def test_an_embargo_date_without_a_reason_is_a_form_error(archivist_client):
    """A date with no reason is an error on the reason field, and nothing is saved."""
    response = archivist_client.post(
        f"{ADMIN_LIST}add/",
        {
            "title": "A letter",
            "doc_type": "letter",
            "embargo_until": "2090-01-01",
            "embargo_reason": "  ",
            **empty_inlines(),
        },
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "reason" in form.errors["embargo_reason"][0]
    assert not Document.objects.exists()

    response = archivist_client.post(
        f"{ADMIN_LIST}add/",
        {
            "title": "A letter",
            "doc_type": "letter",
            "embargo_until": "2090-01-01",
            "embargo_reason": REASON,
            **empty_inlines(),
        },
    )
    assert response.status_code == 302
    assert Document.objects.get().embargo_reason == REASON


# OAI-PMH ------------------------------------------------------------------------------------


def oai(client, **params):
    response = client.get("/oai/", params)
    assert response.status_code == 200
    return etree.fromstring(response.content)


def headers(tree):
    return {
        header.findtext("oai:identifier", namespaces=OAI_NS).rsplit("/", 1)[1]: (
            header.findtext("oai:datestamp", namespaces=OAI_NS),
            header.get("status"),
        )
        for header in tree.iterfind(".//oai:header", OAI_NS)
    }


def test_a_record_published_under_an_embargo_is_unknown_to_harvesters(client, records):
    """Never public: not listed, not even as deleted, and idDoesNotExist for GetRecord."""
    closed = records["closed"]
    listed = headers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert str(closed.record_id) not in listed
    assert str(records["open"].record_id) in listed


def test_deleting_a_never_public_closed_record_leaves_no_tombstone(records):
    """Deleting a record that was never online tells harvesters nothing."""
    records["closed"].delete()
    assert not DeletedDocument.objects.exists()


def test_a_record_closed_after_it_was_public_answers_as_deleted(client, records, opens_on):
    """An embargo put on a public record withdraws it: a deleted header, no content."""
    record = records["open"]
    record.embargo_until, record.embargo_reason = opens_on, REASON
    record.save()
    tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert headers(tree)[str(record.record_id)][1] == "deleted"
    assert b"Opentelegram" not in etree.tostring(tree)


def test_an_incremental_harvest_sees_the_record_when_its_embargo_lifts(
    client, records, clock, opens_on
):
    """The datestamp of a record that opens at midnight is that midnight, not its last edit."""
    closed = records["closed"]
    clock.midnight(opens_on - datetime.timedelta(days=1), seconds=3600)
    last_harvest = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    before = headers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert str(closed.record_id) not in before

    clock.midnight(opens_on, seconds=7200)
    after = headers(
        oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": last_harvest})
    )
    assert after == {str(closed.record_id): (f"{opens_on:%Y-%m-%d}T00:00:00Z", None)}
    record = oai(
        client,
        verb="GetRecord",
        metadataPrefix="oai_dc",
        identifier=f"oai:testserver:record/{closed.record_id}",
    )
    assert CLOSED_TITLE in etree.tostring(record, encoding="unicode")
    assert "Closedreason" not in etree.tostring(record, encoding="unicode")


def test_a_record_reopened_after_being_public_is_harvested_again(client, records, clock, opens_on):
    """Public, then closed (deleted header), then open again at a later datestamp."""
    record = records["open"]
    record.embargo_until, record.embargo_reason = opens_on, REASON
    record.save()
    closed_stamp = headers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))[
        str(record.record_id)
    ]
    assert closed_stamp[1] == "deleted"
    clock.midnight(opens_on, seconds=60)
    reopened = headers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert reopened[str(record.record_id)] == (f"{opens_on:%Y-%m-%d}T00:00:00Z", None)
    assert reopened[str(record.record_id)][0] > closed_stamp[0]


# Publishing ---------------------------------------------------------------------------------


def test_publishing_under_an_embargo_dates_publication_to_the_opening(editor, opens_on):
    """A draft published while closed goes online, and is dated, when the embargo lifts."""
    draft = DocumentFactory(draft=True, embargo_until=opens_on, embargo_reason=REASON)
    assert publish_documents(documents=[draft], user=editor) == 1
    draft.refresh_from_db()
    assert draft.status == Document.Status.PUBLISHED
    assert draft.published_at == datetime.datetime.combine(
        opens_on, datetime.time(), tzinfo=datetime.UTC
    )
    assert not draft.is_published()


def test_a_closed_published_record_can_be_returned_to_draft(editor, records):
    """Unpublishing works on a closed record (it is published, only not yet open)."""
    closed = records["closed"]
    assert unpublish_documents(documents=[closed], user=editor) == 1
    closed.refresh_from_db()
    assert closed.status == Document.Status.DRAFT


def test_the_embargo_reason_is_not_in_the_public_export(client, records, clock, opens_on):
    """After the embargo lifts, the export and the API carry no embargo fields."""
    clock.midnight(opens_on, seconds=1)
    rows = [json.loads(line) for line in body(client.get("/documents/export.jsonl")).splitlines()]
    assert {row["title"] for row in rows} == {OPEN_TITLE, CLOSED_TITLE}
    assert not any(key.startswith("embargo") for row in rows for key in row)


def test_the_unpublish_action_takes_a_closed_record_back_to_draft(editor_client, records):
    """In the admin a closed record counts as published: unpublish offers it and does it."""
    closed = records["closed"]
    data = {"action": "unpublish_selected", "_selected_action": [closed.pk]}
    page = editor_client.post(ADMIN_LIST, {**data, "index": "0"})
    assert "is a draft already" not in page.text and "are drafts already" not in page.text
    publish_page = editor_client.post(
        ADMIN_LIST, {**data, "action": "publish_selected", "index": "0"}
    )
    assert "1 of them is published already" in publish_page.text
    editor_client.post(ADMIN_LIST, {**data, "post": "yes"}, follow=True)
    closed.refresh_from_db()
    assert closed.status == Document.Status.DRAFT
