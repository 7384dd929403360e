"""Discovery: the sitemap index and sections, robots.txt, and the Atom feeds."""

import datetime
import json
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.utils import timezone

from catalog.models import Collection, Person
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MARKER = "zqxdraftmarker"


def sitemap_entries(client, path):
    """``{loc: lastmod}`` from a sitemap (or sitemap index) at ``path``."""
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return {
        node.findtext(f"{SM}loc"): node.findtext(f"{SM}lastmod")
        for node in root
        if node.tag in {f"{SM}url", f"{SM}sitemap"}
    }


def at(days_ago):
    return timezone.now() - datetime.timedelta(days=days_ago)


@pytest.fixture
def catalogue():
    """Three published documents in a fonds and its series, published on different days, a
    draft in the series, and a collection and a person that only the draft uses."""
    fonds = CollectionFactory(title="Fonds")
    series = CollectionFactory(title="Series", parent=fonds)
    elsewhere = CollectionFactory(title="Elsewhere")
    old = DocumentFactory(title="Oldest", published_at=at(30), collections=[fonds])
    new = DocumentFactory(title="Newest", published_at=at(1), collections=[series])
    middle = DocumentFactory(title="Middle", published_at=at(10), collections=[elsewhere])
    author = PersonFactory(display_name="Ada Author")
    DocumentPersonFactory(document=new, person=author, role="author")
    DocumentPersonFactory(
        document=new, person=PersonFactory(display_name="Bo Named"), role="mentioned"
    )
    draft = draft_with_marker_everywhere(series)
    return {"fonds": fonds, "series": series, "documents": [new, middle, old], "draft": draft}


def draft_with_marker_everywhere(collection):
    """A draft whose every text field, person, subject and own collection carry MARKER."""
    draft = DocumentFactory(
        draft=True,
        title=f"Draft {MARKER}",
        summary=MARKER,
        transcript=MARKER,
        date_text=MARKER,
        container=MARKER,
        source_note=MARKER,
        rights_note=MARKER,
        collections=[collection, CollectionFactory(title=f"Only {MARKER}", slug=MARKER)],
        subjects=[SubjectFactory(name=MARKER)],
    )
    person = PersonFactory(display_name=f"Person {MARKER}", slug=f"{MARKER}-person")
    DocumentPersonFactory(document=draft, person=person, role="author")
    return draft


def test_sitemap_index_lists_the_three_sections_on_the_requests_domain(client, catalogue):
    """/sitemap.xml is an index of documents, people and collections, with absolute URLs on
    the host the request came to, each with the latest lastmod of its section."""
    entries = sitemap_entries(client, "/sitemap.xml")
    assert set(entries) == {
        "http://testserver/sitemap-documents.xml",
        "http://testserver/sitemap-people.xml",
        "http://testserver/sitemap-collections.xml",
    }
    assert all(entries.values())
    https = client.get("/sitemap.xml", secure=True, headers={"host": "localhost"})
    assert b"https://localhost/sitemap-documents.xml" in https.content


def test_sitemap_sections_list_exactly_the_published_records_with_lastmod(client, catalogue):
    """Each section lists exactly the published documents, people and collections (a
    collection through its sub-collection too), with lastmod dates; the draft, its
    person and its own collection are not there."""
    documents = sitemap_entries(client, "/sitemap-documents.xml")
    assert set(documents) == {
        f"http://testserver{d.get_absolute_url()}" for d in catalogue["documents"]
    }
    new = catalogue["documents"][0]
    assert documents[f"http://testserver{new.get_absolute_url()}"] == f"{new.modified:%Y-%m-%d}"

    people = sitemap_entries(client, "/sitemap-people.xml")
    assert set(people) == {
        f"http://testserver{p.get_absolute_url()}" for p in Person.objects.published()
    }
    assert len(people) == 2 and all(people.values())

    collections = sitemap_entries(client, "/sitemap-collections.xml")
    assert set(collections) == {
        "http://testserver/collections/fonds/",
        "http://testserver/collections/series/",
        "http://testserver/collections/elsewhere/",
    }
    # A collection's lastmod: the latest change to a published document in or below it.
    assert collections["http://testserver/collections/fonds/"] == f"{new.modified:%Y-%m-%d}"
    assert Collection.objects.count() == 4


def test_robots_txt_keeps_crawlers_out_of_admin_and_endless_searches(client):
    """robots.txt allows the public site, disallows the admin, the document list's query
    strings, exports and citation downloads, and names the sitemap's absolute URL."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert {
        "Disallow: /admin/",
        "Disallow: /documents/?",
        "Disallow: /documents/export.",
        "Disallow: /documents/*/cite.",
        "Disallow: /people/*q=",
    } <= set(lines)
    assert "Disallow: /" not in lines and "Disallow: /documents/" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_site_feed_lists_published_documents_newest_first(client, catalogue):
    """/feeds/documents/ is an Atom feed of the published documents, newest first, each
    with its title, permalink, permanent id, publication date, summary and authors."""
    response = client.get("/feeds/documents/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Archive Catalogue: newly published documents"
    assert [e.title for e in feed.entries] == ["Newest", "Middle", "Oldest"]
    entry, new = feed.entries[0], catalogue["documents"][0]
    assert entry.link == f"http://testserver{new.get_absolute_url()}"
    assert entry.id == f"http://testserver/documents/{new.record_id}/"
    assert entry.summary == new.summary
    assert entry.author == "Ada Author"
    published = datetime.datetime(*entry.published_parsed[:6], tzinfo=datetime.UTC)
    assert published == new.published_at.replace(microsecond=0)
    assert entry.updated == entry.published
    # An entry without authors falls back on the feed's author, so the feed is valid Atom.
    assert "author" not in feed.entries[1] and feed.feed.author == "Archive Catalogue"


def test_site_feed_holds_the_50_most_recent_in_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    """The site feed shows 50 entries of 60 in two queries: the documents and their people
    (guards against an N+1 on each entry's authors)."""
    for day in range(60):
        document = DocumentFactory(title=f"Day {day}", published_at=at(day))
        DocumentPersonFactory(document=document)
    with django_assert_num_queries(2):
        response = client.get("/feeds/documents/")
    feed = feedparser.parse(response.content)
    assert len(feed.entries) == 50
    assert feed.entries[0].title == "Day 0" and feed.entries[-1].title == "Day 49"


def test_collection_feed_includes_sub_collections(client, catalogue):
    """/collections/<slug>/feed/ lists the collection's published documents and those of
    the collections inside it, newest first; the series' feed only its own."""
    fonds = feedparser.parse(client.get("/collections/fonds/feed/").content)
    assert not fonds.bozo
    assert [e.title for e in fonds.entries] == ["Newest", "Oldest"]
    assert fonds.feed.title.startswith("Fonds: newly published documents")
    assert fonds.feed.link == "http://testserver/collections/fonds/"
    series = feedparser.parse(client.get("/collections/series/feed/").content)
    assert [e.title for e in series.entries] == ["Newest"]


def test_collection_feed_is_404_for_unknown_and_unpublished_collections(client, catalogue):
    """A collection that does not exist, or holds only drafts, has no feed."""
    assert client.get("/collections/no-such-thing/feed/").status_code == 404
    assert client.get(f"/collections/{MARKER}/feed/").status_code == 404
    empty = CollectionFactory(title="Empty")
    assert client.get(f"/collections/{empty.slug}/feed/").status_code == 404


def test_a_draft_never_appears_in_sitemaps_feeds_or_structured_data(client, catalogue):
    """A draft with a marker in every field, person, subject and collection appears in no
    sitemap section, no feed, and neither in the JSON-LD nor the meta tags of a published
    record in the same collection; its own page is a 404."""
    paths = [
        "/sitemap.xml",
        "/sitemap-documents.xml",
        "/sitemap-people.xml",
        "/sitemap-collections.xml",
        "/feeds/documents/",
        "/collections/fonds/feed/",
        "/collections/series/feed/",
        "/robots.txt",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert MARKER not in response.content.decode(), path
    neighbour = catalogue["documents"][0]  # in the same series as the draft
    head = client.get(neighbour.get_absolute_url()).content.decode().split("</head>")[0]
    assert "application/ld+json" in head and "citation_title" in head
    assert MARKER not in head
    assert client.get(catalogue["draft"].get_absolute_url()).status_code == 404


def test_pages_link_their_feeds_in_the_head(client, catalogue):
    """Every page links the site feed; a collection page also links its own feed."""
    home = client.get("/").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Archive Catalogue: newly published documents" href="/feeds/documents/">'
    ) in home
    page = client.get("/collections/fonds/").content.decode()
    head = page.split("</head>")[0]
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Fonds: newly published documents" href="/collections/fonds/feed/">'
    ) in head
    assert 'href="/feeds/documents/"' in head


def test_structured_data_matches_the_sitemap_address(client, catalogue):
    """The JSON-LD's @id is the permalink the sitemap lists."""
    new = catalogue["documents"][0]
    html = client.get(new.get_absolute_url()).content.decode()
    start = html.index('<script type="application/ld+json">')
    data = json.loads(html[start : html.index("</script>", start)].split(">", 1)[1])
    assert data["@id"] in sitemap_entries(client, "/sitemap-documents.xml")
