"""The record page: every field of the seed telegram, permalinks, drafts, citation, queries."""

import re

import pytest
from django.urls import reverse

from catalog.citations import chicago
from catalog.models import Document
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    ProvenanceEventFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db
SEED_PATH = "/documents/1/telegram-re-stalin-harriman-conversation-on-japanese-troops/"


def text_of(response):
    """The page as text with tags dropped and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_seed_permalink_is_the_record_id_and_slug(seed):
    """The seed telegram's permalink is /documents/<record id>/<slug>/."""
    assert seed.get_absolute_url() == SEED_PATH


def test_record_page_shows_every_field_of_the_seed_telegram(client, seed):
    """The record page shows what the Wilson Center's page shows, and more: date, title,
    summary, transcript, people by role, collection, source, archive, container, custody
    chain, rights with its URI and note, dates and record ID."""
    response = client.get(SEED_PATH)
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert "February 2, 1944" in text
    assert "<h1" in html and "Telegram re Stalin Harriman Conversation on Japanese Troops" in html
    assert "discuss Soviet intelligence about Japanese troop movements" in text
    # Transcript paragraphs kept, in the document's language.
    assert '<div class="transcript-text" lang="en">' in html
    assert html.count("<p>During a conversation with the Ambassador") == 1
    assert "<p>The Ambassador inquired where the new line would run." in html
    assert "<p>The Ambassador stated that he would find out" in html
    # People by role, linked to their pages.
    assert re.search(
        r"<dt>Author</dt>\s*<dd><a href=\"/people/harriman-w-averell/\">"
        r"W. Averell Harriman</a>",
        html,
    )
    assert re.search(
        r"<dt>Mentioned</dt>\s*<dd><a href=\"/people/stalin-joseph/\">"
        r"Joseph Stalin</a>",
        html,
    )
    # Collection linked.
    assert (
        '<a href="/collections/w-averell-harriman-papers/">W. Averell Harriman Papers</a>' in html
    )
    # Document information.
    assert "Document information" in text
    assert (
        "Source Container # 171, W. Averell Harriman Papers, Manuscript Division, "
        "Library of Congress, Washington, DC"
    ) in text
    assert (
        '<a href="/archives/library-of-congress-manuscript-division/">'
        "Library of Congress, Manuscript Division</a>, Washington, DC"
    ) in html
    assert "Container # 171" in text
    assert (
        '<a href="http://rightsstatements.org/vocab/NoC-US/1.0/" rel="license">'
        "No Copyright - United States</a>"
    ) in html
    assert "Free of copyright under the laws of the United States" in text
    assert "<p>The History and Public Policy Program welcomes reuse" in html
    assert "<p>To enquire about this document&#x27;s rights status" in html
    assert "Original uploaded date Not recorded" in text
    assert "Published online November 27, 2026" in text
    assert "Record ID 1" in text
    assert "Last modified" in text
    assert f'href="http://testserver{SEED_PATH}"' in html


def test_custody_chain_is_an_ordered_timeline(client, seed):
    """The custody chain is an <ol> with each step's label, date, agent, place, source, note,
    in position order."""
    html = client.get(SEED_PATH).content.decode()
    timeline = re.search(r'<ol class="timeline".*?</ol>', html, re.S).group(0)
    steps = re.findall(r"<strong>(.*?)</strong>", timeline)
    assert steps == ["Created", "Held by", "Published online"]
    assert "February 2, 1944" in timeline
    assert "U.S. Embassy, Moscow, for Ambassador W. Averell Harriman" in timeline
    assert '<span class="event-place">Moscow</span>' in timeline
    assert "Source: Wilson Center Digital Archive record page" in timeline
    assert "Telegram reporting Harriman&#x27;s conversation with Stalin" in timeline


def test_citation_is_chicago_style_with_the_absolute_permalink(client, seed):
    """The page cites the document Chicago-style, ending with its absolute permalink."""
    response = client.get(SEED_PATH)
    expected = (
        "W. Averell Harriman, “Telegram re Stalin Harriman Conversation on Japanese Troops,” "
        "February 2, 1944, Container # 171, W. Averell Harriman Papers, Library of Congress, "
        "Manuscript Division, Washington, DC. Archive Catalogue, record ID 1, "
        f"http://testserver{SEED_PATH}."
    )
    assert response.context["citation"] == expected
    assert f'<blockquote class="citation"><p>{expected}</p></blockquote>' in (
        response.content.decode().replace("&#x27;", "'")
    )


def test_chicago_names_authors_to_recipients_and_marks_uncertain_ones():
    """chicago() writes “A and B to C”, brackets an uncertain author, and uses “n.d.” for an
    undated document."""
    document = DocumentFactory(title="Why now?", date_edtf="", container="", repository=None)
    DocumentPersonFactory(
        document=document,
        person=PersonFactory(display_name="Ann Author"),
        role="author",
        position=0,
    )
    DocumentPersonFactory(
        document=document,
        person=PersonFactory(display_name="Bo Writer"),
        role="author",
        uncertain=True,
        position=1,
    )
    DocumentPersonFactory(
        document=document,
        person=PersonFactory(display_name="Cy Reader"),
        role="recipient",
        position=2,
    )
    document = Document.objects.for_detail().get(pk=document.pk)
    assert chicago(document, "https://example.org/d/", site_name="Site") == (
        "Ann Author and [Bo Writer?] to Cy Reader, “Why now?” n.d. Site, record ID "
        f"{document.record_id}, https://example.org/d/."
    )


def test_other_slug_answers_301_to_the_permalink_keeping_the_query_string(client, seed):
    """A wrong or outdated slug is a permanent redirect to the permalink, query kept."""
    response = client.get("/documents/1/old-title/?utm=x&b=2")
    assert response.status_code == 301
    assert response["Location"] == f"{SEED_PATH}?utm=x&b=2"


def test_record_id_alone_answers_301_to_the_permalink(client, seed):
    """/documents/<record id>/ redirects permanently to the full permalink."""
    response = client.get("/documents/1/?q=1")
    assert response.status_code == 301
    assert response["Location"] == f"{SEED_PATH}?q=1"


@pytest.mark.parametrize("path", ["/documents/999/", "/documents/999/anything/"])
def test_unknown_record_id_is_404(client, seed, path):
    """A record ID that does not exist is not found."""
    assert client.get(path).status_code == 404


def test_draft_is_404_for_the_public_at_every_address(client):
    """An anonymous visitor gets 404 for a draft, by permalink, old slug or record ID."""
    draft = DocumentFactory(title="Secret draft", draft=True)
    for path in (
        draft.get_absolute_url(),
        f"/documents/{draft.record_id}/x/",
        f"/documents/{draft.record_id}/",
    ):
        assert client.get(path).status_code == 404, path


def test_draft_is_404_for_staff_who_may_not_change_documents(client, django_user_model):
    """Being staff is not enough to preview: the change_document permission is needed."""
    user = django_user_model.objects.create_user("guest", password="x", is_staff=True)
    client.force_login(user)
    draft = DocumentFactory(draft=True)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_draft_preview_for_staff_is_marked_uncached_and_unindexed(archivist_client):
    """Staff who may change documents see a draft with a banner, no-cache headers and
    noindex."""
    draft = DocumentFactory(title="Draft telegram", draft=True)
    response = archivist_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft — not public" in html
    assert '<meta name="robots" content="noindex">' in html
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate", "private"} <= cache_control


def test_published_page_has_no_draft_banner_or_noindex(archivist_client, seed):
    """A published record is not marked as a draft, even for staff."""
    response = archivist_client.get(SEED_PATH)
    html = response.content.decode()
    assert "Draft — not public" not in html
    assert 'content="noindex"' not in html
    assert "no-store" not in response.get("Cache-Control", "")


def test_source_wording_shown_when_it_differs_from_the_date(client):
    """The source's own date wording is shown beside the catalogue's when they differ."""
    document = DocumentFactory(date_edtf="1944-02-02", date_text="Moscow, 2 Feb. 1944")
    text = text_of(client.get(document.get_absolute_url()))
    assert "February 2, 1944 (the source: “Moscow, 2 Feb. 1944”)" in text


def test_uncertain_attribution_subjects_and_collection_parents_are_shown(client):
    """An uncertain attribution is marked, subjects link to the filtered list, and each
    collection is shown under every collection above it."""
    fonds = CollectionFactory(title="Fonds")
    series = CollectionFactory(title="Series", parent=fonds)
    file_ = CollectionFactory(title="File", parent=series)
    subject = SubjectFactory(name="Pacific War")
    document = DocumentFactory(collections=[file_], subjects=[subject], source_note="")
    DocumentPersonFactory(document=document, uncertain=True, role="author")
    html = client.get(document.get_absolute_url()).content.decode()
    assert "(uncertain attribution)" in html
    assert f'href="{reverse("catalog:document-list")}?subject={subject.slug}"' in html
    assert re.search(
        r'>Fonds</a>\s*<span class="sep" aria-hidden="true">›</span>\s*'
        r'<a href="/collections/[^"]+">Series</a>\s*<span class="sep" '
        r'aria-hidden="true">›</span>\s*<a href="/collections/[^"]+">File</a>',
        html,
    )
    # Without a source note the source line is put together, smallest unit first.
    assert "File, Series, Fonds, Archive" in text_of(client.get(document.get_absolute_url()))


def _document_with_people(count):
    document = DocumentFactory(collections=[CollectionFactory()], subjects=[SubjectFactory()])
    for position in range(count):
        DocumentPersonFactory(document=document, position=position)
    ProvenanceEventFactory(document=document, position=0)
    ProvenanceEventFactory(document=document, position=1)
    return document


@pytest.mark.parametrize("people", [1, 50])
def test_record_page_query_count_is_fixed(client, django_assert_num_queries, people):
    """The record page runs 5 queries for 1 or 50 people: guards against an N+1 on people
    (with their persons), collections, subjects and custody events."""
    document = _document_with_people(people)
    with django_assert_num_queries(5):
        response = client.get(document.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("people", [1, 50])
def test_staff_preview_query_count_is_fixed(archivist_client, django_assert_num_queries, people):
    """A staff preview of a draft deep in a collection tree stays at the same count for 1 or
    50 people: guards against an N+1 walking collection parents (one query for all
    ancestors) and against per-person permission checks."""
    fonds = CollectionFactory()
    series = CollectionFactory(parent=fonds)
    file_ = CollectionFactory(parent=series)
    document = DocumentFactory(draft=True, collections=[file_])
    for position in range(people):
        DocumentPersonFactory(document=document, position=position)
    # session, user, user and group permissions, the document, four prefetches, ancestors
    with django_assert_num_queries(10):
        response = archivist_client.get(document.get_absolute_url())
    assert response.status_code == 200
