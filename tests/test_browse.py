"""Browse pages: home, people, collections, archives and dates, through HTTP."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from catalog.models import Collection, Document, DocumentPerson
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonAuthorityFactory,
    PersonFactory,
    RepositoryFactory,
)

pytestmark = pytest.mark.django_db

TELEGRAM = "Telegram re Stalin Harriman Conversation on Japanese Troops"
Role = DocumentPerson.Role


def hrefs(response):
    """Every link target on a page, unescaped."""
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', response.text)]


# Home


def test_home_counts_what_the_archive_holds(client, seed):
    """The home page counts published documents, people, collections and archives."""
    response = client.get(reverse("catalog:home"))
    assert response.status_code == 200
    context = response.context
    assert (
        context["document_count"],
        context["person_count"],
        context["collection_count"],
        context["repository_count"],
    ) == (1, 2, 1, 1)


def test_home_lists_recently_published_documents_newest_first(client, seed):
    """Recently published documents are ordered by when they went online, newest first."""
    newer = DocumentFactory(
        title="Cable published later", published_at=seed.published_at + timedelta(days=1)
    )
    response = client.get(reverse("catalog:home"))
    assert list(response.context["recent_documents"]) == [newer, seed]
    assert TELEGRAM in response.text


def test_home_offers_the_ways_in(client, seed):
    """The home page links to the decades with counts, people, collections, archives and a
    filter form that submits to the document list."""
    response = client.get(reverse("catalog:home"))
    links = hrefs(response)
    for name in ("person-list", "collection-list", "repository-list", "date-browse"):
        assert reverse(f"catalog:{name}") in links
    assert reverse("catalog:date-decade", kwargs={"decade": 1940}) in links
    assert response.context["decades"] == [{"decade": 1940, "count": 1}]
    form = re.search(r'<form[^>]*action="([^"]*)"[^>]*>', response.text)
    assert form and form[1] == reverse("catalog:document-list")
    assert 'method="get"' in form[0]
    assert 'name="date_from"' in response.text and 'name="date_to"' in response.text


# People


def test_people_list_shows_life_dates_and_document_counts(client, seed):
    """People A–Z lists everyone in a published document with life dates and counts."""
    response = client.get(reverse("catalog:person-list"))
    people = {p.slug: p.document_count for p in response.context["people"]}
    assert people == {"harriman-w-averell": 1, "stalin-joseph": 1}
    assert "Stalin, Joseph" in response.text
    assert "December 18, 1878 – March 5, 1953" in response.text


def test_people_list_filters_by_letter(client, seed):
    """?letter=S lists the people filed under S and no one else."""
    response = client.get(reverse("catalog:person-list"), {"letter": "s"})
    assert [p.slug for p in response.context["people"]] == ["stalin-joseph"]
    index = {entry["value"]: entry["count"] for entry in response.context["letter_index"]}
    assert index["S"] == 1 and index["H"] == 1 and index["A"] == 0


def test_people_list_files_non_latin_initials_under_other(client, seed):
    """A sort name that does not start with A–Z is listed under "Other"."""
    person = PersonFactory(display_name="Ötzi", sort_name="Ötzi")
    DocumentPersonFactory(person=person)
    response = client.get(reverse("catalog:person-list"), {"letter": "other"})
    assert [p.pk for p in response.context["people"]] == [person.pk]


def test_people_list_pagination_keeps_the_letter(client, db):
    """The next-page link of a letter keeps the letter."""
    document = DocumentFactory()
    for n in range(55):
        DocumentPersonFactory(document=document, person=PersonFactory(display_name=f"Ann S{n:02d}"))
    response = client.get(reverse("catalog:person-list"), {"letter": "S"})
    assert len(response.context["people"]) == 50
    assert "?letter=S&page=2" in hrefs(response)
    second = client.get(reverse("catalog:person-list"), {"letter": "S", "page": 2})
    assert len(second.context["people"]) == 5


@pytest.mark.parametrize("letter", ["\x00", "ab", "1", "é", "x" * 10_000])
def test_invalid_letter_gives_an_empty_list_and_a_message(client, seed, letter):
    """A letter that is not in the index shows no one and says so, never a server error."""
    response = client.get(reverse("catalog:person-list"), {"letter": letter})
    assert response.status_code == 200
    assert list(response.context["people"]) == []
    assert "is not in the index" in response.text


def test_person_page_shows_names_dates_description_and_authorities(client, seed):
    """A person page shows display, sort and alternate names, life dates, description and
    authority links."""
    response = client.get(reverse("catalog:person-detail", kwargs={"slug": "stalin-joseph"}))
    assert response.status_code == 200
    for text in (
        "Joseph Stalin",
        "Stalin, Joseph",
        "Iosif Vissarionovich Dzhugashvili",
        "December 18, 1878 – March 5, 1953",
        "General Secretary of the Communist Party",
        "Wikidata",
    ):
        assert text in response.text
    assert "https://www.wikidata.org/entity/Q855" in hrefs(response)


def test_stalins_page_lists_the_telegram_by_role(client, seed):
    """Stalin's page lists the telegram under "Mentioned" with a link to all such documents."""
    response = client.get(reverse("catalog:person-detail", kwargs={"slug": "stalin-joseph"}))
    [group] = response.context["role_groups"]
    assert (group["role"], group["count"], group["documents"]) == ("mentioned", 1, [seed])
    assert TELEGRAM in response.text
    assert "/documents/?person=stalin-joseph&role=mentioned" in hrefs(response)
    assert "/documents/?person=stalin-joseph" in hrefs(response)


def test_person_page_caps_each_role_and_links_to_the_rest(client, db):
    """A role with more documents than the page shows lists the first 20 and links to all."""
    person = PersonFactory()
    for day in range(1, 26):
        DocumentPersonFactory(
            person=person,
            role=Role.AUTHOR,
            document=DocumentFactory(date_edtf=f"1950-03-{day:02d}"),
        )
    DocumentPersonFactory(person=person, role=Role.RECIPIENT)
    response = client.get(person.get_absolute_url())
    author, recipient = response.context["role_groups"]
    assert (author["role"], author["count"], len(author["documents"])) == ("author", 25, 20)
    assert author["documents"][0].date_edtf == "1950-03-01"
    assert (recipient["role"], recipient["count"]) == ("recipient", 1)
    assert "All 25 documents" in response.text
    assert f"/documents/?person={person.slug}&role=author" in hrefs(response)


def test_person_date_span_ignores_open_bounds(client, db):
    """A person's date span runs from the earliest to the latest known date of their
    documents, ignoring open interval ends."""
    person = PersonFactory()
    for edtf in ("1944-02-02", "../1950", "1960/..", ""):
        DocumentPersonFactory(person=person, document=DocumentFactory(date_edtf=edtf))
    response = client.get(person.get_absolute_url())
    span = response.context["date_span"]
    assert (span["earliest"].isoformat(), span["latest"].isoformat()) == (
        "1944-02-02",
        "1950-12-31",
    )
    assert "dated 1944–1950" in response.text


def test_person_without_published_documents_is_404(client, seed):
    """A person named in no published document has no public page."""
    person = PersonFactory()
    assert client.get(person.get_absolute_url()).status_code == 404
    assert client.get("/people/no-such-person/").status_code == 404


# Collections and archives


def test_collection_list_is_a_tree_with_counts_including_sub_collections(client, seed):
    """Collections nest under their parents and count each published document below them once."""
    papers = seed.collections.get()
    series = CollectionFactory(title="Moscow Embassy Series", parent=papers)
    seed.collections.add(series)
    DocumentFactory(collections=[series])
    response = client.get(reverse("catalog:collection-list"))
    [root] = response.context["archival_roots"]
    assert (root, root.document_count) == (papers, 2)
    [branch] = root.branches
    assert (branch, branch.document_count) == (series, 2)
    assert response.text.index("W. Averell Harriman Papers") < response.text.index(
        "Moscow Embassy Series"
    )


def test_harriman_papers_page_lists_the_telegram(client, seed):
    """The Harriman Papers page shows its archive, its documents and a link to filter them."""
    response = client.get(
        reverse("catalog:collection-detail", kwargs={"slug": "w-averell-harriman-papers"})
    )
    assert response.status_code == 200
    assert list(response.context["documents"]) == [seed]
    assert TELEGRAM in response.text
    assert "Library of Congress, Manuscript Division" in response.text
    assert "/documents/?collection=w-averell-harriman-papers" in hrefs(response)


def test_collection_page_shows_breadcrumb_and_sub_collections(client, seed):
    """A sub-collection's page has its parents as a breadcrumb; the parent lists it."""
    papers = seed.collections.get()
    series = CollectionFactory(title="Moscow Embassy Series", parent=papers)
    file = CollectionFactory(title="Stalin conversations", parent=series)
    DocumentFactory(collections=[file])
    response = client.get(file.get_absolute_url())
    assert response.context["ancestors"] == [papers, series]
    parent_page = client.get(papers.get_absolute_url())
    assert list(parent_page.context["children"]) == [series]
    assert parent_page.context["collection"].document_count == 2


def test_collection_without_published_documents_is_404(client, seed):
    """A collection with no published document in it or below it has no public page."""
    assert client.get(CollectionFactory().get_absolute_url()).status_code == 404


def test_archives_list_and_page(client, seed):
    """The archives list counts documents; an archive's page shows place, website,
    collections and documents."""
    listing = client.get(reverse("catalog:repository-list"))
    [repository] = listing.context["repositories"]
    assert repository.document_count == 1
    response = client.get(repository.get_absolute_url())
    for text in ("Washington, DC", "https://www.loc.gov/rr/mss/", "W. Averell Harriman Papers"):
        assert text in response.text
    assert list(response.context["documents"]) == [seed]
    assert f"/documents/?repository={repository.slug}" in hrefs(response)


def test_archive_without_published_documents_is_404(client, seed):
    """An archive that holds no published document has no public page."""
    assert client.get(RepositoryFactory().get_absolute_url()).status_code == 404


# Dates


def test_date_journey_from_decades_to_february_1944_finds_the_telegram(client, seed):
    """/dates/ → 1940s → 1944 → February lists the telegram, each step linked from the last."""
    steps = [
        reverse("catalog:date-browse"),
        reverse("catalog:date-decade", kwargs={"decade": 1940}),
        reverse("catalog:date-year", kwargs={"year": 1944}),
        reverse("catalog:date-month", kwargs={"year": 1944, "month": 2}),
    ]
    for here, there in zip(steps, steps[1:], strict=False):
        response = client.get(here)
        assert response.status_code == 200
        assert there in hrefs(response)
    response = client.get(steps[-1])
    assert list(response.context["documents"]) == [seed]
    assert TELEGRAM in response.text


def test_year_page_counts_months_and_month_unknown(client, seed):
    """A year counts documents by the month of their earliest date, with year-only dates
    under "month unknown"; approximate and uncertain dates count where they fall."""
    DocumentFactory(date_edtf="1944-02-20~")
    DocumentFactory(date_edtf="1944-03?")
    DocumentFactory(date_edtf="1944")
    DocumentFactory(date_edtf="1944~")
    response = client.get(reverse("catalog:date-year", kwargs={"year": 1944}))
    counts = {row["name"]: row["count"] for row in response.context["months"]}
    assert (counts["January"], counts["February"], counts["March"]) == (0, 2, 1)
    assert response.context["month_unknown"] == 2
    assert response.context["total"] == 5
    assert "Month unknown" in response.text
    assert "/documents/?date_from=1944&date_to=1944" in hrefs(response)


def test_month_page_leaves_out_documents_dated_to_the_year_only(client, db):
    """January lists documents dated in January, not those known only by their year."""
    january = DocumentFactory(date_edtf="1944-01-15")
    DocumentFactory(date_edtf="1944")
    response = client.get(reverse("catalog:date-month", kwargs={"year": 1944, "month": 1}))
    assert list(response.context["documents"]) == [january]


def test_decades_leave_out_undated_and_open_start_documents(client, db):
    """Undated and open-start documents are not counted in any decade; a decade-only date
    counts in its first year."""
    DocumentFactory(date_edtf="")
    DocumentFactory(date_edtf="../1944")
    DocumentFactory(date_edtf="194X")
    DocumentFactory(date_edtf="1891-03/1892-04")
    response = client.get(reverse("catalog:date-browse"))
    assert response.context["decades"] == [
        {"decade": 1890, "count": 1},
        {"decade": 1940, "count": 1},
    ]
    decade = client.get(reverse("catalog:date-decade", kwargs={"decade": 1940}))
    assert decade.context["years"][0] == {"year": 1940, "count": 1}


def test_empty_decade_year_and_month_are_404(client, seed):
    """A decade, year or month without published documents has no page."""
    for url in ("/dates/1950s/", "/dates/1945/", "/dates/1944/3/"):
        assert client.get(url).status_code == 404, url


BAD_URLS = [
    "/people/?letter=%00",
    "/people/?page=abc",
    "/people/?page=0",
    "/people/?page=99999",
    "/people/?letter=S&page=%00",
    "/people/" + "x" * 10_000 + "/",
    "/collections/?page=abc",
    "/collections/" + "x" * 10_000 + "/",
    "/archives/" + "x" * 10_000 + "/",
    "/dates/0/",
    "/dates/0s/",
    "/dates/1945s/",
    "/dates/99990s/",
    "/dates/1944/13/",
    "/dates/1944/0/",
    "/dates/10000/",
    "/dates/10000/1/",
    "/dates/99999999999999999999/",
    "/dates/1944/99999999999999999999/",
    "/dates/1944/2/?page=abc",
    "/dates/1944/2/?page=%00",
    "/?page=abc&letter=%00",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_input_never_gives_a_server_error(client, seed, url):
    """Non-numeric pages, NUL bytes, very long values and impossible dates give 200 or 404."""
    assert client.get(url).status_code in (200, 404)


@pytest.mark.parametrize("url", ["/", "/people/", "/dates/", "/dates/1944/2/"])
def test_very_long_query_values_never_give_a_server_error(client, seed, url):
    """A 10,000-character value in any parameter gives a page or a 404, not a server error."""
    long = "9" * 10_000
    assert client.get(url, {"letter": long, "page": long, "x": long}).status_code in (200, 404)


# Query counts: fixed whatever the number of documents


def make_documents(n, *, person, collection):
    """``n`` published documents in 1944 with ``person`` in varied roles and two other people
    each, all in ``collection``."""
    roles = [Role.AUTHOR, Role.RECIPIENT, Role.MENTIONED]
    for i in range(n):
        document = DocumentFactory(date_edtf=f"1944-{i % 12 + 1:02d}-02", collections=[collection])
        DocumentPersonFactory(document=document, person=person, role=roles[i % 3])
        DocumentPersonFactory(document=document, role=Role.MENTIONED)
        DocumentPersonFactory(document=document, role=Role.SIGNATORY)


@pytest.fixture
def subject(db):
    """A person with an authority link and a collection with a sub-collection."""
    person = PersonFactory(display_name="Vyacheslav Molotov")
    PersonAuthorityFactory(person=person)
    PersonAuthorityFactory(person=person)
    parent = CollectionFactory(title="Foreign Ministry Records")
    child = CollectionFactory(title="Moscow Conference", parent=parent)
    return person, child


@pytest.mark.parametrize("n", [1, 30])
def test_person_page_query_count_is_fixed(client, django_assert_num_queries, subject, n):
    """Person page: 5 queries for 1 or 30 documents. Guards against an N+1 over each
    document's people and repository (prefetched), a query per role (one windowed query) and
    a query per authority link (prefetched)."""
    person, collection = subject
    make_documents(n, person=person, collection=collection)
    with django_assert_num_queries(5):
        response = client.get(person.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_collection_page_query_count_is_fixed(client, django_assert_num_queries, subject, n):
    """Collection page: 5 queries for 1 or 30 documents. Guards against an N+1 over each
    document's people and repository, a query per breadcrumb level and a count query per
    sub-collection."""
    person, collection = subject
    make_documents(n, person=person, collection=collection)
    CollectionFactory(title="Sub-series", parent=collection)
    with django_assert_num_queries(5):
        response = client.get(collection.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_archive_page_query_count_is_fixed(client, django_assert_num_queries, subject, n):
    """Archive page: 4 queries for 1 or 30 documents. Guards against an N+1 over each
    document's people and a count query per collection."""
    person, collection = subject
    repository = RepositoryFactory(name="Archive of Foreign Policy")
    make_documents(n, person=person, collection=collection)
    Document.objects.update(repository=repository)
    Collection.objects.update(repository=repository)
    with django_assert_num_queries(4):
        response = client.get(repository.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["documents"]) == min(n, 25)


@pytest.mark.parametrize("n", [1, 30])
def test_year_page_query_count_is_fixed(client, django_assert_num_queries, subject, n):
    """Year page: 3 queries for 1 or 30 documents. Guards against a count query per month
    and an N+1 over each listed document's people and repository."""
    make_documents(n, person=subject[0], collection=subject[1])
    with django_assert_num_queries(3):
        response = client.get(reverse("catalog:date-year", kwargs={"year": 1944}))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_month_page_query_count_is_fixed(client, django_assert_num_queries, subject, n):
    """Month page: 4 queries for 1 or 30 documents. Guards against an N+1 over each listed
    document's people and repository."""
    make_documents(n, person=subject[0], collection=subject[1])
    with django_assert_num_queries(4):
        response = client.get(reverse("catalog:date-month", kwargs={"year": 1944, "month": 1}))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_home_query_count_is_fixed(client, django_assert_num_queries, subject, n):
    """Home: 7 queries for 1 or 30 documents. Guards against an N+1 over the recent
    documents' people and repository and a count query per decade."""
    make_documents(n, person=subject[0], collection=subject[1])
    DocumentFactory(date_edtf="1891")
    with django_assert_num_queries(7):
        response = client.get(reverse("catalog:home"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_list_pages_query_counts_are_fixed(client, django_assert_num_queries, subject, n):
    """People, collections and archives lists: a fixed count each. Guards against a count
    query per person, collection or archive."""
    make_documents(n, person=subject[0], collection=subject[1])
    for url, queries in (
        (reverse("catalog:person-list"), 3),
        (reverse("catalog:collection-list"), 1),
        (reverse("catalog:repository-list"), 1),
    ):
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
