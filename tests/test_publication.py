"""
Only published documents are public on the browse pages: a draft's title, the person,
collection and archive that only drafts mention, and drafts in any count never show, and
the draft-only records' pages are 404.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from catalog.models import Document, DocumentPerson
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    RepositoryFactory,
)

pytestmark = pytest.mark.django_db

Role = DocumentPerson.Role

# Text that belongs to drafts only and must never be shown to the public.
DRAFT_TEXT = [
    "Draft memorandum on the Yalta agenda",
    "Unpublished cable on Japanese withdrawal",
    "Vyacheslav Draftov",
    "Draftov, Vyacheslav",
    "Draft-only Conference Papers",
    "Unpublished Embassy Series",
    "Hidden Holdings Archive",
]


@pytest.fixture
def drafts(seed):
    """
    Beside the published telegram: a 1951 draft in a draft-only archive and collections,
    naming a draft-only person, and a February 1944 draft naming Stalin as author, held by
    the Library of Congress in the Harriman Papers. Both carry a publication date, as an
    unpublished record can, to show that the gate is the status and nothing else.
    """
    papers = seed.collections.get()
    hidden_archive = RepositoryFactory(name="Hidden Holdings Archive")
    hidden_papers = CollectionFactory(
        title="Draft-only Conference Papers", repository=hidden_archive
    )
    hidden_series = CollectionFactory(title="Unpublished Embassy Series", parent=papers)
    hidden_person = PersonFactory(display_name="Vyacheslav Draftov")
    stalin = seed.people.get(slug="stalin-joseph")
    harriman = seed.people.get(slug="harriman-w-averell")

    yalta = DocumentFactory(
        draft=True,
        published_at=seed.published_at + timedelta(days=1),
        title="Draft memorandum on the Yalta agenda",
        date_edtf="1951-06-10",
        repository=hidden_archive,
        collections=[hidden_papers, hidden_series],
    )
    DocumentPersonFactory(document=yalta, person=hidden_person, role=Role.AUTHOR)
    DocumentPersonFactory(document=yalta, person=stalin, role=Role.RECIPIENT)
    DocumentPersonFactory(document=yalta, person=harriman, role=Role.MENTIONED)

    cable = DocumentFactory(
        draft=True,
        published_at=seed.published_at + timedelta(days=1),
        title="Unpublished cable on Japanese withdrawal",
        date_edtf="1944-02-10",
        repository=seed.repository,
        collections=[papers],
    )
    DocumentPersonFactory(document=cable, person=stalin, role=Role.AUTHOR)
    DocumentPersonFactory(document=cable, person=harriman, role=Role.RECIPIENT)
    return {
        "documents": [yalta, cable],
        "person": hidden_person,
        "collections": [hidden_papers, hidden_series],
        "repository": hidden_archive,
    }


PUBLIC_PAGES = [
    "/",
    "/people/",
    "/people/?letter=D",
    "/people/?letter=S",
    "/people/stalin-joseph/",
    "/people/harriman-w-averell/",
    "/collections/",
    "/collections/w-averell-harriman-papers/",
    "/archives/",
    "/archives/library-of-congress-manuscript-division/",
    "/dates/",
    "/dates/1940s/",
    "/dates/1944/",
    "/dates/1944/2/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_no_public_page_shows_draft_text(client, drafts, url):
    """No browse page shows a draft's title, or the person, collections or archive that
    only drafts mention."""
    response = client.get(url)
    assert response.status_code == 200
    for text in DRAFT_TEXT:
        assert text not in response.text, f"{text!r} leaks on {url}"


def test_draft_only_records_have_no_public_page(client, drafts):
    """The pages of a draft-only person, collection and archive are 404."""
    urls = [
        drafts["person"].get_absolute_url(),
        drafts["repository"].get_absolute_url(),
        *(collection.get_absolute_url() for collection in drafts["collections"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_dates_held_only_by_drafts_have_no_public_page(client, drafts):
    """A decade, year or month whose only documents are drafts is 404."""
    for url in ("/dates/1950s/", "/dates/1951/", "/dates/1951/6/"):
        assert client.get(url).status_code == 404, url


def test_home_counts_and_recent_list_leave_out_drafts(client, drafts):
    """Home counts one document, two people, one collection and one archive, and the recent
    list shows the telegram alone, although the drafts carry later publication dates."""
    response = client.get(reverse("catalog:home"))
    context = response.context
    assert (
        context["document_count"],
        context["person_count"],
        context["collection_count"],
        context["repository_count"],
    ) == (1, 2, 1, 1)
    assert [d.title for d in context["recent_documents"]] == [
        "Telegram re Stalin Harriman Conversation on Japanese Troops"
    ]
    assert context["decades"] == [{"decade": 1940, "count": 1}]


def test_people_list_counts_leave_out_drafts(client, drafts):
    """People A–Z lists only people in published documents, counting published documents."""
    response = client.get(reverse("catalog:person-list"))
    assert {p.slug: p.document_count for p in response.context["people"]} == {
        "harriman-w-averell": 1,
        "stalin-joseph": 1,
    }
    index = {entry["value"]: entry["count"] for entry in response.context["letter_index"]}
    assert index["D"] == 0


def test_person_page_leaves_out_drafts(client, drafts):
    """Stalin's page shows only the published telegram, under "Mentioned"; the roles he has
    only in drafts do not appear."""
    response = client.get(reverse("catalog:person-detail", kwargs={"slug": "stalin-joseph"}))
    groups = response.context["role_groups"]
    assert [(g["role"], g["count"]) for g in groups] == [("mentioned", 1)]
    assert response.context["person"].document_count == 1
    span = response.context["date_span"]
    assert (span["earliest"].isoformat(), span["latest"].isoformat()) == (
        "1944-02-02",
        "1944-02-02",
    )


def test_collection_pages_leave_out_drafts(client, drafts):
    """The collection tree, counts, sub-collections and documents show published records only."""
    listing = client.get(reverse("catalog:collection-list"))
    assert [(c.slug, c.document_count) for c in listing.context["collections"]] == [
        ("w-averell-harriman-papers", 1)
    ]
    page = client.get(reverse("catalog:collection-detail", args=["w-averell-harriman-papers"]))
    assert page.context["collection"].document_count == 1
    assert list(page.context["children"]) == []
    assert [d.record_id for d in page.context["documents"]] == [1]


def test_archive_pages_leave_out_drafts(client, drafts):
    """The archives list and an archive's page count and show published records only."""
    listing = client.get(reverse("catalog:repository-list"))
    assert [(r.name, r.document_count) for r in listing.context["repositories"]] == [
        ("Library of Congress, Manuscript Division", 1)
    ]
    page = client.get(
        reverse("catalog:repository-detail", args=["library-of-congress-manuscript-division"])
    )
    assert page.context["repository"].document_count == 1
    assert [c.slug for c in page.context["collection_roots"]] == ["w-averell-harriman-papers"]
    assert [d.record_id for d in page.context["documents"]] == [1]


def test_date_pages_count_published_documents_only(client, drafts):
    """The decade, year and month pages count and list the telegram alone."""
    decades = client.get(reverse("catalog:date-browse")).context["decades"]
    assert decades == [{"decade": 1940, "count": 1}]
    decade = client.get(reverse("catalog:date-decade", kwargs={"decade": 1940}))
    assert decade.context["total"] == 1
    year = client.get(reverse("catalog:date-year", kwargs={"year": 1944}))
    assert year.context["total"] == 1
    assert [d.record_id for d in year.context["documents"]] == [1]
    month = client.get(reverse("catalog:date-month", kwargs={"year": 1944, "month": 2}))
    assert [d.record_id for d in month.context["documents"]] == [1]


def test_publishing_a_draft_makes_it_public(client, drafts):
    """Once the 1951 draft is published, its person, collections, archive and dates have pages
    and it is counted (the gate is the status, not the fixture)."""
    yalta = drafts["documents"][0]
    yalta.status = Document.Status.PUBLISHED
    yalta.save()
    urls = [
        drafts["person"].get_absolute_url(),
        drafts["repository"].get_absolute_url(),
        *(collection.get_absolute_url() for collection in drafts["collections"]),
        "/dates/1951/",
        "/dates/1951/6/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert yalta.title in response.text, url
    decade = client.get("/dates/1950s/")
    assert 'href="/dates/1951/"' in decade.text
    home = client.get(reverse("catalog:home")).context
    assert (home["document_count"], home["person_count"], home["repository_count"]) == (2, 3, 2)
