"""The JSON API: every endpoint, the document list's filters, drafts kept out, pages, schema."""

import json
import re

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from catalog.citations import chicago
from catalog.filters import DocumentFilter
from catalog.models import Document, DocumentPerson, PersonRedirect
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonAuthorityFactory,
    PersonFactory,
    ProvenanceEventFactory,
    RepositoryFactory,
    SubjectFactory,
    rights_statement,
)

pytestmark = pytest.mark.django_db
HOST = "http://testserver"
MARKER = "zqxdraftmarker"  # one word, so that searching for it is possible


@pytest.fixture
def catalogue():
    """
    Published documents in an archive, a collection tree, with subjects and people, and one
    draft whose every field, person, collection, subject, archive, custody event and rights
    statement is its own and carries ``MARKER``.
    """
    archive = RepositoryFactory(name="Library of Congress", place="Washington, DC")
    papers = CollectionFactory(title="Harriman Papers", repository=archive)
    series = CollectionFactory(title="Chronological File", parent=papers, repository=archive)
    war = SubjectFactory(name="World War, 1939-1945")
    harriman = PersonFactory(display_name="W. Averell Harriman", birth_date="1891-11-15")
    stalin = PersonFactory(display_name="Joseph Stalin", alternate_names="Iosif Stalin")
    PersonAuthorityFactory(person=stalin, uri="https://d-nb.info/gnd/118642499")
    telegram = DocumentFactory(
        title="Telegram re Stalin on the inner line",
        date_edtf="1944-02-02",
        date_text="Moscow, February 2, 1944",
        summary="Stalin tells Harriman that Japan may pull back.",
        transcript="Stalin said the Japanese might withdraw to an inner line.",
        repository=archive,
        collections=[series],
        subjects=[war],
        container="Container # 171",
        origin_url="https://example.org/original/1",
        rights_note="Public domain in the United States.",
    )
    DocumentPersonFactory(document=telegram, person=harriman, role="author")
    DocumentPersonFactory(document=telegram, person=stalin, role="mentioned", position=1)
    ProvenanceEventFactory(document=telegram, event="held", date_edtf="1955")
    letter = DocumentFactory(
        title="Letter on the Moscow conference",
        doc_type=Document.Type.LETTER,
        date_edtf="1943-10~",
        language="ru",
        repository=archive,
        collections=[papers],
    )
    DocumentPersonFactory(document=letter, person=stalin, role="author")
    DocumentFactory(
        title="Undated note", doc_type=Document.Type.NOTE, date_edtf="", repository=None
    )
    DocumentFactory(
        title="Open-ended report",
        date_edtf="1944/..",
        repository=archive,
        rights=rights_statement("CC0"),
    )

    draft_archive = RepositoryFactory(name=f"{MARKER} archive")
    draft = DocumentFactory(
        draft=True,
        title=f"{MARKER} title",
        date_edtf="1944-02-03",
        date_text=f"{MARKER} date",
        summary=f"{MARKER} summary",
        transcript=f"{MARKER} transcript",
        repository=draft_archive,
        collections=[CollectionFactory(title=f"{MARKER} collection", repository=draft_archive)],
        subjects=[SubjectFactory(name=f"{MARKER} subject")],
        container=f"{MARKER} container",
        source_note=f"{MARKER} source",
        origin_url=f"https://example.org/{MARKER}",
        rights=rights_statement("InC-EDU"),
        rights_note=f"{MARKER} rights note",
    )
    draft_person = PersonFactory(display_name=f"{MARKER} person")
    DocumentPersonFactory(document=draft, person=draft_person, role="author", note=MARKER)
    # A public person in the draft too: the draft must not add to their count.
    DocumentPersonFactory(document=draft, person=stalin, role="recipient")
    ProvenanceEventFactory(document=draft, agent=f"{MARKER} agent")
    return {
        "archive": archive,
        "papers": papers,
        "series": series,
        "subject": war,
        "harriman": harriman,
        "stalin": stalin,
        "telegram": telegram,
        "letter": letter,
        "draft": draft,
        "draft_person": draft_person,
    }


def get_json(client, url, params=None, status=200):
    response = client.get(url, params)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def html_record_ids(client, query):
    """The record ids on the HTML document list for ``query``, in order."""
    response = client.get(f"{reverse('catalog:document-list')}?{query}")
    assert response.status_code == 200
    return [document.record_id for document in response.context["documents"]]


def api_record_ids(client, query):
    data = get_json(client, f"{reverse('api:document-list')}?{query}")
    return [row["record_id"] for row in data["results"]]


# Endpoints.


def test_api_root_lists_every_endpoint(client):
    """/api/ names each list endpoint by its absolute URL."""
    data = get_json(client, "/api/")
    assert data == {
        "documents": f"{HOST}/api/documents/",
        "people": f"{HOST}/api/people/",
        "collections": f"{HOST}/api/collections/",
        "repositories": f"{HOST}/api/repositories/",
        "rights": f"{HOST}/api/rights/",
    }


def test_document_list_rows_are_short_and_linked(client, catalogue):
    """A list row has the date, people with roles and archive, links, and no transcript."""
    telegram = catalogue["telegram"]
    data = get_json(client, "/api/documents/", {"q": "inner line"})
    assert data["count"] == 1
    row = data["results"][0]
    assert "transcript" not in row
    assert row["record_id"] == telegram.record_id
    assert row["title"] == telegram.title
    assert (row["type"], row["type_label"]) == ("telegram", "Telegram")
    assert row["date"] == {
        "edtf": "1944-02-02",
        "display": "February 2, 1944",
        "as_written": "Moscow, February 2, 1944",
        "earliest": "1944-02-02",
        "latest": "1944-02-02",
        "approximate": False,
        "uncertain": False,
    }
    assert [(p["role"], p["person"]["display_name"]) for p in row["people"]] == [
        ("author", "W. Averell Harriman"),
        ("mentioned", "Joseph Stalin"),
    ]
    assert row["people"][0]["person"]["url"] == f"{HOST}/people/{catalogue['harriman'].slug}/"
    assert row["repository"]["name"] == "Library of Congress"
    assert row["url"] == f"{HOST}{telegram.get_absolute_url()}"
    assert row["api_url"] == f"{HOST}/api/documents/{telegram.record_id}/"


def test_document_detail_has_the_whole_record_and_the_page_citation(client, catalogue):
    """The detail carries everything the record page shows, and the page's own citation."""
    telegram = catalogue["telegram"]
    data = get_json(client, f"/api/documents/{telegram.record_id}/")
    page = client.get(telegram.get_absolute_url())
    assert data["citation"] == page.context["citation"]
    assert "Chronological File" in data["citation"] and "Harriman Papers" in data["citation"]
    assert data["transcript"] == telegram.transcript
    assert [c["slug"] for c in data["collections"]] == [catalogue["series"].slug]
    assert data["subjects"][0]["name"] == "World War, 1939-1945"
    assert data["subjects"][0]["documents_api_url"] == (
        f"{HOST}/api/documents/?subject={catalogue['subject'].slug}"
    )
    assert data["rights"]["identifier"] == "NoC-US"
    assert data["rights"]["uri"] == rights_statement().uri
    assert data["rights"]["api_url"] == f"{HOST}/api/rights/NoC-US/"
    assert data["rights_note"] == "Public domain in the United States."
    assert data["container"] == "Container # 171"
    assert data["origin_url"] == "https://example.org/original/1"
    assert data["custody"][0]["event"] == "held" and data["custody"][0]["date_edtf"] == "1955"
    assert data["published_at"] and data["modified"]
    assert data["language"] == "en" and data["language_label"] == "English"


def test_citation_matches_chicago_for_the_absolute_permalink(client, catalogue):
    """The citation is catalog.citations.chicago with the record's absolute permalink."""
    letter = Document.objects.for_detail().get(pk=catalogue["letter"].pk)
    data = get_json(client, f"/api/documents/{letter.record_id}/")
    assert data["citation"] == chicago(letter, f"{HOST}{letter.get_absolute_url()}")


def test_open_and_unknown_date_ends_are_null(client, catalogue):
    """An undated document and the open end of "1944/.." have null bounds, not 0001 or 9999."""
    rows = {row["title"]: row for row in get_json(client, "/api/documents/")["results"]}
    assert rows["Undated note"]["date"]["earliest"] is None
    assert rows["Undated note"]["date"]["display"] == "Undated"
    assert rows["Open-ended report"]["date"]["earliest"] == "1944-01-01"
    assert rows["Open-ended report"]["date"]["latest"] is None
    assert rows["Letter on the Moscow conference"]["date"]["approximate"] is True


def test_people_list_counts_published_documents_only(client, catalogue):
    """People are listed A–Z with their published documents counted; a draft adds nothing."""
    data = get_json(client, "/api/people/")
    assert [(p["display_name"], p["document_count"]) for p in data["results"]] == [
        ("W. Averell Harriman", 1),
        ("Joseph Stalin", 2),
    ]


def test_person_detail_has_names_authorities_and_document_links(client, catalogue):
    """A person's detail has alternate names, authorities and links to their documents."""
    stalin = catalogue["stalin"]
    data = get_json(client, f"/api/people/{stalin.slug}/")
    assert data["alternate_names"] == ["Iosif Stalin"]
    assert data["authorities"] == [{"uri": "https://d-nb.info/gnd/118642499", "label": "GND"}]
    assert data["document_count"] == 2
    assert data["url"] == f"{HOST}/people/{stalin.slug}/"
    assert data["documents_url"] == f"{HOST}/documents/?person={stalin.slug}"
    documents = get_json(client, data["documents_api_url"])
    assert {row["title"] for row in documents["results"]} == {
        catalogue["telegram"].title,
        catalogue["letter"].title,
    }


def test_merged_person_address_answers_301_to_the_survivor(client, catalogue):
    """The API address of a merged person's old slug redirects to the person kept."""
    PersonRedirect.objects.create(old_slug="stalin-iosif", person=catalogue["stalin"])
    response = client.get("/api/people/stalin-iosif/")
    assert response.status_code == 301
    assert response["Location"] == f"/api/people/{catalogue['stalin'].slug}/"


def test_collections_count_their_subtree_and_link_parent_and_children(client, catalogue):
    """A collection counts the published documents below it and links its parent and children."""
    papers, series = catalogue["papers"], catalogue["series"]
    data = get_json(client, "/api/collections/")
    rows = {row["slug"]: row for row in data["results"]}
    assert set(rows) == {papers.slug, series.slug}
    assert rows[papers.slug]["document_count"] == 2
    assert rows[series.slug]["document_count"] == 1
    assert rows[series.slug]["parent"]["api_url"] == f"{HOST}/api/collections/{papers.slug}/"
    detail = get_json(client, f"/api/collections/{papers.slug}/")
    assert [child["slug"] for child in detail["children"]] == [series.slug]
    assert detail["repository"]["slug"] == catalogue["archive"].slug
    assert detail["documents_api_url"] == f"{HOST}/api/documents/?collection={papers.slug}"


def test_repositories_list_and_detail(client, catalogue):
    """Archives holding published documents are listed with their counts and website."""
    archive = catalogue["archive"]
    data = get_json(client, "/api/repositories/")
    assert [(r["name"], r["document_count"]) for r in data["results"]] == [
        ("Library of Congress", 3)
    ]
    detail = get_json(client, f"/api/repositories/{archive.slug}/")
    assert detail["url"] == f"{HOST}/archives/{archive.slug}/"
    assert detail["place"] == "Washington, DC"
    assert "website" in detail and "description" in detail


def test_rights_statements_list_and_detail(client, catalogue):
    """Rights statements carried by published documents, by identifier (dots allowed)."""
    data = get_json(client, "/api/rights/")
    assert [(r["identifier"], r["document_count"]) for r in data["results"]] == [
        ("CC0", 1),
        ("NoC-US", 3),
    ]
    detail = get_json(client, "/api/rights/NoC-US/")
    assert detail["uri"] == rights_statement().uri
    assert detail["documents_url"] == f"{HOST}/documents/?rights=NoC-US"
    DocumentFactory(rights=rights_statement("CC-BY-4.0"))
    assert get_json(client, "/api/rights/CC-BY-4.0/")["identifier"] == "CC-BY-4.0"


def test_every_api_url_and_url_answers(client, catalogue):
    """Each object's api_url answers 200 with the same object, and its url is its page."""
    for endpoint in ("documents", "people", "collections", "repositories"):
        for row in get_json(client, f"/api/{endpoint}/")["results"]:
            detail = get_json(client, row["api_url"])
            assert detail["api_url"] == row["api_url"]
            page = client.get(row["url"].removeprefix(HOST))
            assert page.status_code == 200, row["url"]


# Drafts.


def api_urls(client):
    """Every list and detail URL the API links to, from the root down (lists by page)."""
    seen, queue = set(), ["/api/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        data = get_json(client, url)
        for value in re.findall(r'"(http://testserver/api/[^"]*)"', json.dumps(data)):
            queue.append(value.removeprefix(HOST))
    return seen


def test_no_draft_data_appears_in_any_response(client, catalogue):
    """A draft's title, text, person, collection, subject, archive, custody and rights appear in
    no API response: not in the lists, details, linked lists, searches or the schema."""
    urls = api_urls(client)
    assert len(urls) > 15
    urls |= {
        f"/api/documents/?q={MARKER}",
        f"/api/documents/?q={MARKER}&sort=date",
        "/api/documents/?date_from=1944-02-03&date_to=1944-02-03",
        "/api/schema/?format=json",
    }
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in response.content.decode(), url
        assert "InC-EDU" not in response.content.decode(), url
    assert get_json(client, f"/api/documents/?q={MARKER}")["count"] == 0


def test_draft_records_are_404(client, catalogue):
    """The draft, and the people, collections, archives and rights only it uses, are 404."""
    draft = catalogue["draft"]
    for url in (
        f"/api/documents/{draft.record_id}/",
        f"/api/people/{catalogue['draft_person'].slug}/",
        f"/api/collections/{draft.collections.get().slug}/",
        f"/api/repositories/{draft.repository.slug}/",
        "/api/rights/InC-EDU/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert MARKER not in response.content.decode()


def test_filtering_on_draft_only_records_is_a_400(client, catalogue):
    """A person, collection, subject, archive or rights statement used only by drafts is not
    a valid filter value (as on the HTML list)."""
    draft = catalogue["draft"]
    for param, value in (
        ("person", catalogue["draft_person"].slug),
        ("collection", draft.collections.get().slug),
        ("subject", draft.subjects.get().slug),
        ("repository", draft.repository.slug),
        ("rights", "InC-EDU"),
    ):
        data = get_json(client, "/api/documents/", {param: value}, status=400)
        assert list(data) == [param]


def test_staff_see_no_drafts_either(client, catalogue, editor):
    """Signed-in staff get the public API too: the API has no preview."""
    client.force_login(editor)
    assert client.get(f"/api/documents/{catalogue['draft'].record_id}/").status_code == 404
    assert MARKER not in client.get(f"/api/documents/?q={MARKER}").content.decode()


# The same filters as the HTML list.

QUERIES = [
    "",
    "q=stalin",
    "q=stalin&sort=date",
    "q=stalin&sort=title",
    'q="inner line"',
    "q=moscow OR telegram",
    "sort=title",
    "sort=-date",
    "sort=relevance",
    "date_from=1944",
    "date_from=1943&date_to=1943-12",
    "exclude_approximate=on",
    "exclude_uncertain=true",
    "person={stalin}",
    "person={stalin}&role=author",
    "role=mentioned",
    "collection={papers}",
    "collection={series}",
    "repository={archive}",
    "subject={subject}",
    "language=ru",
    "rights=CC0",
    "doc_type=letter",
    "q=stalin&person={harriman}&date_from=1944",
]


@pytest.mark.parametrize("query", QUERIES)
def test_document_list_finds_what_the_html_list_finds(client, catalogue, query):
    """Each query string gives the same records in the same order as on the HTML list."""
    query = query.format(**{key: getattr(value, "slug", "") for key, value in catalogue.items()})
    expected = html_record_ids(client, query)
    assert api_record_ids(client, query) == expected
    if "q=stalin" in query or query.startswith("person"):
        assert expected  # the comparison means something


def test_document_list_takes_every_filterset_parameter():
    """The schema and the docs describe DocumentFilter's parameters; none is added or lost."""
    assert set(DocumentFilter.base_filters) == {
        "q",
        "date_from",
        "date_to",
        "exclude_approximate",
        "exclude_uncertain",
        "person",
        "role",
        "collection",
        "repository",
        "subject",
        "language",
        "rights",
        "doc_type",
        "sort",
    }


@pytest.mark.parametrize(
    ("query", "field", "error"),
    [
        ("date_from=abc", "date_from", "Write a year (1944), a month (1944-02) or a day"),
        ("date_from=1944-13", "date_from", "There is no month 13; use 01 to 12."),
        ("date_to=1944-02-30", "date_to", "February 1944 has no day 30."),
        ("date_from=1945&date_to=1944", "non_field_errors", "The range ends (1944) before"),
        ("person=nobody-at-all", "person", "No person with documents here has that address."),
        ("collection=no-such", "collection", "No collection with documents here has that"),
        ("subject=no-such", "subject", "No subject with documents here has that address."),
        ("repository=no-such", "repository", "Select a valid choice."),
        ("rights=NoSuchRights", "rights", "Select a valid choice."),
        ("language=xx", "language", "Select a valid choice."),
        ("doc_type=scroll", "doc_type", "Select a valid choice."),
        ("role=emperor", "role", "Select a valid choice."),
        ("sort=random", "sort", "Select a valid choice."),
        ("q=-churchill", "q", "only says what to leave out"),
        ("q=OR - !!", "q", "has only punctuation and search operators"),
        (f"q={'x' * 501}", "q", "Searches are limited to 500 characters"),
    ],
)
def test_bad_filter_value_is_a_400_naming_the_parameter(client, catalogue, query, field, error):
    """A value the HTML list shows as a form error is a 400 with the message under its name."""
    data = get_json(client, f"/api/documents/?{query}", status=400)
    assert list(data) == [field]
    assert error in data[field][0]


@pytest.mark.parametrize("param", [*DocumentFilter.base_filters, "page", "page_size", "unknown"])
@pytest.mark.parametrize(
    "value", ["%00", "a%00b", "x" * 10_000, "%F0%9F%92%A9", "%FF", "<script>", "' OR 1=1 --"]
)
def test_junk_in_any_parameter_never_gives_500(client, catalogue, param, value):
    """NUL bytes, long values, emoji, broken UTF-8 and markup answer 200, 400 or 404."""
    response = client.get(f"/api/documents/?{param}={value}")
    assert response.status_code in (200, 400, 404)


# Pagination.


@pytest.fixture
def many_documents(db):
    """Thirty published documents with the same date and title, so only the tiebreak orders
    them."""
    return DocumentFactory.create_batch(30, title="Same title", date_edtf="1944")


@pytest.mark.parametrize("sort", ["date", "-date", "title"])
def test_pages_never_repeat_or_skip_a_document(client, many_documents, sort):
    """Walking the pages by ``next`` visits every document once, in record-id order on ties."""
    url, seen = f"/api/documents/?sort={sort}&page_size=7", []
    while url:
        data = get_json(client, url)
        assert data["count"] == 30
        seen += [row["record_id"] for row in data["results"]]
        url = data["next"]
    ids = sorted(document.record_id for document in many_documents)
    assert seen == (ids[::-1] if sort == "-date" else ids)


def test_page_links_and_default_page_size_match_the_html_list(client, many_documents):
    """25 a page as on the HTML list, with absolute next and previous links."""
    first = get_json(client, "/api/documents/")
    assert len(first["results"]) == 25
    assert first["previous"] is None
    assert first["next"] == f"{HOST}/api/documents/?page=2"
    second = get_json(client, first["next"])
    assert [r["record_id"] for r in second["results"]] == html_record_ids(client, "page=2")
    assert second["previous"] == f"{HOST}/api/documents/"
    assert second["next"] is None


def test_page_size_is_capped(client, db):
    """``page_size`` above the maximum gives the maximum (100)."""
    DocumentFactory.create_batch(101)
    assert len(get_json(client, "/api/documents/?page_size=1000")["results"]) == 100


@pytest.mark.parametrize("page", ["0", "abc", "99", "-1"])
def test_bad_page_is_404(client, many_documents, page):
    """A page that is not a number or out of range is not found, as on the HTML list."""
    assert client.get(f"/api/documents/?page={page}").status_code == 404


# Queries.


@pytest.fixture(params=[1, 12])
def rows(request, db):
    """``n`` published documents, each with two people, in two collections, with a subject,
    a custody event, and its own archive; one collection sits two levels down, so the citation
    needs the collection above its parent."""
    parent = CollectionFactory(parent=CollectionFactory())
    for _ in range(request.param):
        document = DocumentFactory(
            collections=[CollectionFactory(parent=parent), CollectionFactory()],
            subjects=[SubjectFactory()],
        )
        DocumentPersonFactory(document=document)
        DocumentPersonFactory(document=document, role=DocumentPerson.Role.RECIPIENT)
        PersonAuthorityFactory(person=document.people.first())
        ProvenanceEventFactory(document=document)
    return Document.objects.order_by("pk").last()


def test_document_list_query_count_is_fixed(client, django_assert_num_queries, rows):
    """Count, rows (with the archive) and people: no query per row for people or archive."""
    with django_assert_num_queries(3):
        assert client.get("/api/documents/").status_code == 200


def test_document_search_query_count_is_fixed(client, django_assert_num_queries, rows):
    """A search adds no query per row either: count, ranked rows, people."""
    with django_assert_num_queries(3):
        assert client.get("/api/documents/?q=telegram").status_code == 200


def test_document_detail_query_count_is_fixed(client, django_assert_num_queries, rows):
    """Document (with archive and rights), people, collections, subjects, custody, and the
    collections above (for the citation): none per person or collection."""
    with django_assert_num_queries(6):
        assert client.get(f"/api/documents/{rows.record_id}/").status_code == 200


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # Count and rows; the counts are subqueries, parent and archive joined.
        ("/api/people/", 2),
        ("/api/collections/", 2),
        ("/api/repositories/", 2),
        ("/api/rights/", 2),
    ],
)
def test_other_lists_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, rows, url, queries
):
    """No query per row for counts, parents or archives."""
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_other_details_run_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    """A person with their authorities (2), a collection with its children (2), an archive and
    a rights statement (1 each)."""
    person = rows.people.first()
    collection = rows.collections.filter(parent__isnull=False).get().parent
    for url, queries in (
        (f"/api/people/{person.slug}/", 2),
        (f"/api/collections/{collection.slug}/", 2),
        (f"/api/repositories/{rows.repository.slug}/", 1),
        (f"/api/rights/{rows.rights.identifier}/", 1),
    ):
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url


# Read only, JSON only, the schema and its docs.


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_not_allowed(client, catalogue, method):
    """The API is read-only: any write is 405, on lists and details alike."""
    record = catalogue["telegram"].record_id
    for url in ("/api/documents/", f"/api/documents/{record}/", "/api/people/"):
        assert getattr(client, method)(url).status_code == 405


def test_head_and_options_are_allowed(client, catalogue):
    """HEAD and OPTIONS answer 200; OPTIONS names only the safe methods."""
    assert client.head("/api/documents/").status_code == 200
    response = client.options("/api/documents/")
    assert response.status_code == 200
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_only_json_is_served(client, catalogue):
    """There is no browsable HTML API: a browser gets JSON, other formats are refused."""
    response = client.get("/api/documents/", headers={"accept": "text/html,*/*;q=0.8"})
    assert response["Content-Type"] == "application/json"
    assert client.get("/api/documents/?format=api").status_code == 404
    assert client.get("/api/documents/", headers={"accept": "text/html"}).status_code == 406


def test_schema_is_valid_openapi(db):
    """The generated schema validates against the OpenAPI 3 specification."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert {
        "/api/documents/",
        "/api/documents/{record_id}/",
        "/api/people/{slug}/",
        "/api/collections/{slug}/",
        "/api/repositories/{slug}/",
        "/api/rights/{identifier}/",
    } <= set(schema["paths"])


def test_schema_lists_every_document_filter(client, db):
    """/api/schema/ lists each DocumentFilter parameter on the document list, with a 400."""
    response = client.get("/api/schema/?format=json")
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    schema = response.json()
    operation = schema["paths"]["/api/documents/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert set(DocumentFilter.base_filters) | {"page", "page_size"} == names
    assert "400" in operation["responses"]
    sort = next(p for p in operation["parameters"] if p["name"] == "sort")
    assert "relevance" in sort["schema"]["enum"]


def test_docs_page_loads_nothing_from_another_site(client, db):
    """/api/docs/ (Swagger UI) takes its scripts, styles and icon from this site only (its
    start-up script from /api/docs/?script), and does not ask the online validator for a badge."""
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith(("/static/", "/api/docs/?")) for s in sources), sources
    assert not re.search(r"https?://(?!testserver)", html)
    script = client.get("/api/docs/?script=").content.decode()
    assert '"validatorUrl": null' in script
    assert "/api/schema/" in script
