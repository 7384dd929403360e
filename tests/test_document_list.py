"""The document list: the public gate, every filter, sort orders, pagination, chips, queries."""

import datetime

import pytest
from django.urls import reverse

from catalog.models import Document, DocumentPerson
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    RepositoryFactory,
    SubjectFactory,
    rights_statement,
)

pytestmark = pytest.mark.django_db
LIST_URL = reverse("catalog:document-list")


def titles(response):
    """The titles on the page, in order."""
    return [document.title for document in response.context["documents"]]


def get_titles(client, **params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return titles(response)


def test_list_shows_only_published_documents(client):
    """A draft never appears in the list, while published documents do."""
    DocumentFactory(title="Published telegram")
    DocumentFactory(title="Draft telegram", draft=True)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert titles(response) == ["Published telegram"]
    assert b"Draft telegram" not in response.content


def test_seed_row_shows_title_link_date_type_people_repository_and_summary(client, seed):
    """A row links its title to the permalink and shows date, type, people by role, archive
    and summary."""
    response = client.get(LIST_URL)
    html = response.content.decode()
    assert f'href="{seed.get_absolute_url()}"' in html
    assert "February 2, 1944" in html
    assert "Telegram" in html
    assert "Author" in html and 'href="/people/harriman-w-averell/"' in html
    assert "Mentioned" in html and "Joseph Stalin" in html
    assert "Library of Congress, Manuscript Division" in html
    assert "discuss Soviet intelligence about Japanese troop movements" in html
    assert "1 document" in html


DATE_RANGES = [
    (
        "1944",
        "1944",
        [
            "Range 1943–1945",
            "Circa 1944",
            "Uncertain 1944",
            "Day 1944-02-02",
            "Month 1944-03",
            "1944 onwards",
        ],
    ),
    (
        "1944-02",
        "1944-02",
        ["Range 1943–1945", "Circa 1944", "Uncertain 1944", "Day 1944-02-02", "1944 onwards"],
    ),
    (
        "1944-03-15",
        "1944-03-15",
        ["Range 1943–1945", "Circa 1944", "Uncertain 1944", "Month 1944-03", "1944 onwards"],
    ),
    ("1945", "", ["Range 1943–1945", "Year 1950", "1944 onwards"]),
    ("", "1943-12-31", ["Range 1943–1945", "Year 1900"]),
    ("1946", "1949", ["1944 onwards"]),
]
DATED_TITLES = [
    ("Year 1900", "1900"),
    ("Range 1943–1945", "1943/1945"),
    ("Circa 1944", "1944~"),
    ("Uncertain 1944", "1944?"),
    ("Day 1944-02-02", "1944-02-02"),
    ("Month 1944-03", "1944-03"),
    ("Year 1950", "1950"),
    ("1944 onwards", "1944/.."),
    ("Undated", ""),
]


@pytest.mark.parametrize(("date_from", "date_to", "expected"), DATE_RANGES)
def test_date_range_filters_by_overlap(client, date_from, date_to, expected):
    """A document is found when any part of its [earliest, latest] span overlaps the range;
    undated documents are left out of every date filter."""
    for title, edtf in DATED_TITLES:
        DocumentFactory(title=title, date_edtf=edtf)
    found = get_titles(client, date_from=date_from, date_to=date_to)
    assert sorted(found) == sorted(expected)


@pytest.mark.parametrize(("date_from", "date_to", "expected"), DATE_RANGES)
def test_a_persons_documents_are_found_by_the_same_overlap(client, date_from, date_to, expected):
    """With a person, PostgreSQL tests the dates of the person's documents one by one
    instead of in the span index: the same documents are found, and the same counts shown.
    Another person's documents of the same dates are not."""
    person, other = PersonFactory(slug="harriman"), PersonFactory(slug="stalin")
    for title, edtf in DATED_TITLES:
        DocumentPersonFactory(document=DocumentFactory(title=title, date_edtf=edtf), person=person)
        DocumentPersonFactory(
            document=DocumentFactory(title=f"Other {title}", date_edtf=edtf), person=other
        )
    params = {"person": "harriman", "date_from": date_from, "date_to": date_to}
    response = client.get(LIST_URL, params)

    assert sorted(titles(response)) == sorted(expected)
    assert response.context["result_count"] == len(expected)
    people = next(f for f in response.context["facets"] if f.name == "person")
    # The people facet leaves the person out: both people's documents of those dates count.
    assert {(v.value, v.count) for v in people.values} == {
        ("harriman", len(expected)),
        ("stalin", len(expected)),
    }


def test_exclude_approximate_and_uncertain_dates(client):
    """Approximate and uncertain dates are included by default and each can be left out."""
    DocumentFactory(title="Exact", date_edtf="1944-02-02")
    DocumentFactory(title="Approximate", date_edtf="1944~")
    DocumentFactory(title="Uncertain", date_edtf="1944?")
    DocumentFactory(title="Both", date_edtf="1944%")
    assert sorted(get_titles(client, date_from="1944")) == [
        "Approximate",
        "Both",
        "Exact",
        "Uncertain",
    ]
    assert sorted(get_titles(client, exclude_approximate="on")) == ["Exact", "Uncertain"]
    assert sorted(get_titles(client, exclude_uncertain="on")) == ["Approximate", "Exact"]
    assert get_titles(client, exclude_approximate="on", exclude_uncertain="on") == ["Exact"]


def test_person_filter_with_role_matches_the_same_link_row(client, seed):
    """person + role finds documents where that person has that role, not documents where the
    person has another role and someone else has the asked one."""
    stalin = seed.people.get(slug="stalin-joseph")
    other = DocumentFactory(title="Stalin to Churchill")
    DocumentPersonFactory(document=other, person=stalin, role=DocumentPerson.Role.AUTHOR)
    assert sorted(get_titles(client, person="stalin-joseph")) == sorted(
        [seed.title, "Stalin to Churchill"]
    )
    assert get_titles(client, person="stalin-joseph", role="author") == ["Stalin to Churchill"]
    assert get_titles(client, person="stalin-joseph", role="mentioned") == [seed.title]
    # Harriman is an author of the seed and Stalin is mentioned there: no cross-row match.
    assert get_titles(client, person="harriman-w-averell", role="mentioned") == []


def test_person_with_several_roles_in_one_document_lists_it_once(client):
    """A person who is both author and signatory of one document brings it up once."""
    person = PersonFactory()
    document = DocumentFactory(title="Signed by its author")
    DocumentPersonFactory(document=document, person=person, role="author")
    DocumentPersonFactory(document=document, person=person, role="signatory")
    response = client.get(LIST_URL, {"person": person.slug})
    assert titles(response) == ["Signed by its author"]
    assert response.context["page_obj"].paginator.count == 1


def test_person_known_only_from_drafts_is_not_a_valid_filter(client):
    """A person named only in drafts is not public, so the filter is an error, not a leak."""
    person = PersonFactory()
    DocumentPersonFactory(document=DocumentFactory(draft=True), person=person)
    response = client.get(LIST_URL, {"person": person.slug})
    assert response.status_code == 200
    assert titles(response) == []
    assert "No person with documents here has that address" in response.content.decode()


def test_collection_filter_includes_sub_collections(client):
    """A collection finds its own documents and those of every collection inside it, once."""
    papers = CollectionFactory(title="Harriman Papers")
    series = CollectionFactory(title="Moscow Files", parent=papers)
    other = CollectionFactory(title="Other Papers")
    DocumentFactory(title="In papers", collections=[papers])
    DocumentFactory(title="In series", collections=[series])
    DocumentFactory(title="In both", collections=[papers, series])
    DocumentFactory(title="Elsewhere", collections=[other])
    response = client.get(LIST_URL, {"collection": papers.slug})
    assert sorted(titles(response)) == ["In both", "In papers", "In series"]
    assert response.context["page_obj"].paginator.count == 3
    assert sorted(get_titles(client, collection=series.slug)) == ["In both", "In series"]


@pytest.mark.parametrize("field", ["repository", "subject", "language", "rights", "doc_type"])
def test_each_vocabulary_filter_narrows_the_list(client, field):
    """repository, subject, language, rights and doc_type each keep only matching documents."""
    loc = RepositoryFactory(name="Library of Congress")
    nara = RepositoryFactory(name="National Archives")
    war = SubjectFactory(name="Second World War")
    DocumentFactory(
        title="Match",
        repository=loc,
        subjects=[war],
        language="ru",
        rights=rights_statement("NoC-US"),
        doc_type=Document.Type.TELEGRAM,
    )
    DocumentFactory(
        title="Other",
        repository=nara,
        language="en",
        rights=rights_statement("InC"),
        doc_type=Document.Type.LETTER,
    )
    value = {
        "repository": loc.slug,
        "subject": war.slug,
        "language": "ru",
        "rights": "NoC-US",
        "doc_type": "telegram",
    }[field]
    assert get_titles(client, **{field: value}) == ["Match"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["B 1900", "C 1944", "A 1950", "Undated"]),
        ("date", ["B 1900", "C 1944", "A 1950", "Undated"]),
        ("-date", ["A 1950", "C 1944", "B 1900", "Undated"]),
        ("title", ["A 1950", "B 1900", "C 1944", "Undated"]),
    ],
)
def test_sort_orders(client, sort, expected):
    """Date ascending is the default, date descending and title are offered, and undated
    documents come last in both date orders on every database."""
    DocumentFactory(title="C 1944", date_edtf="1944")
    DocumentFactory(title="Undated", date_edtf="")
    DocumentFactory(title="A 1950", date_edtf="1950")
    DocumentFactory(title="B 1900", date_edtf="1900")
    assert get_titles(client, sort=sort) == expected


def test_pagination_is_25_a_page_and_keeps_the_filters(client):
    """Pages hold 25 rows and every page link carries the filters along."""
    DocumentFactory.create_batch(30, language="ru", date_edtf="1944")
    DocumentFactory(language="en")
    response = client.get(LIST_URL, {"language": "ru", "date_from": "1944"})
    assert len(response.context["documents"]) == 25
    html = response.content.decode()
    assert "30 documents" in html
    assert 'href="?language=ru&amp;date_from=1944&amp;page=2"' in html
    page_two = client.get(LIST_URL, {"language": "ru", "date_from": "1944", "page": 2})
    assert len(page_two.context["documents"]) == 5
    assert 'href="?language=ru&amp;date_from=1944"' in page_two.content.decode()


def test_active_filters_are_chips_that_each_drop_their_filter(client, seed):
    """Each active filter is a chip whose link is the same list without that filter."""
    response = client.get(
        LIST_URL, {"person": "stalin-joseph", "role": "mentioned", "date_from": "1944", "page": "1"}
    )
    chips = {chip["label"]: chip for chip in response.context["chips"]}
    assert chips["Person"]["value"] == "Joseph Stalin (as mentioned)"
    assert chips["Person"]["url"] == "?date_from=1944"
    assert chips["From"]["url"] == "?person=stalin-joseph&role=mentioned"
    assert "Role" not in chips  # shown on the person's chip
    html = response.content.decode()
    assert 'href="?date_from=1944"' in html
    assert "Joseph Stalin (as mentioned)" in html


def test_form_has_a_label_for_every_visible_field(client):
    """Every visible filter field has a <label for> pointing at it."""
    response = client.get(LIST_URL, {"person": "x"})
    html = response.content.decode()
    form = response.context["filter"].form
    for field in form.visible_fields():
        assert f'for="{field.id_for_label}"' in html, field.name
    assert 'role="search"' in html


def test_invalid_filter_gives_an_empty_result_with_the_reason(client, seed):
    """An invalid value shows the form error and no documents, not the unfiltered list."""
    response = client.get(LIST_URL, {"date_from": "1944-13"})
    assert response.status_code == 200
    assert titles(response) == []
    html = response.content.decode()
    assert "No documents are shown because" in html
    assert "There is no month 13" in html


def test_reversed_date_range_is_a_form_error(client, seed):
    """A range that ends before it starts is explained rather than silently empty."""
    response = client.get(LIST_URL, {"date_from": "1950", "date_to": "1940"})
    assert titles(response) == []
    assert "The range ends (1940) before it starts (1950)." in response.content.decode()


def _documents_with_people(rows, people_per_document):
    collection = CollectionFactory()
    for _ in range(rows):
        document = DocumentFactory(date_edtf="1944-02", collections=[collection])
        for position in range(people_per_document):
            DocumentPersonFactory(document=document, position=position)


# What the list page runs, whatever the number of rows: one for the facets, the histogram and
# the number of results together, the rows (with their archive), the rows' people (prefetch).
LIST_QUERIES = 3


@pytest.mark.parametrize(("rows", "people"), [(1, 1), (100, 1), (1, 50), (25, 50)])
def test_list_query_count_is_fixed(client, django_assert_num_queries, rows, people):
    """The list page runs the same 3 queries for 1 or 100 rows and 1 or 50 people a row:
    guards against an N+1 on each row's repository and people, and against a count query
    per facet, facet value or decade."""
    _documents_with_people(rows, people)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST_URL)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 100])
def test_fully_filtered_list_query_count_is_fixed(client, django_assert_num_queries, rows):
    """With every filter in use the page stays at 8 queries whatever the number of rows:
    guards against N+1s from filtering (one validation query each for person, collection,
    subject, archive and rights, none per row and none repeated by the facets, which reuse
    the validated values)."""
    person, collection, subject = PersonFactory(), CollectionFactory(), SubjectFactory()
    repository = RepositoryFactory(name="Only archive")
    for _ in range(rows):
        document = DocumentFactory(
            date_edtf="1944-02",
            repository=repository,
            collections=[collection],
            subjects=[subject],
        )
        DocumentPersonFactory(document=document, person=person, role="author")
    params = {
        "date_from": "1944",
        "date_to": "1944-12-31",
        "exclude_approximate": "on",
        "exclude_uncertain": "on",
        "person": person.slug,
        "role": "author",
        "collection": collection.slug,
        "repository": repository.slug,
        "subject": subject.slug,
        "language": "en",
        "rights": "NoC-US",
        "doc_type": "telegram",
        "sort": "-date",
    }
    with django_assert_num_queries(5 + LIST_QUERIES):
        response = client.get(LIST_URL, params)
    assert response.context["page_obj"].paginator.count == rows


def test_page_has_landmarks_skip_link_and_marks_the_current_section(client):
    """Every page has a skip link to <main>, a labelled main nav, and the list marks
    “Documents” as the current page."""
    html = client.get(LIST_URL).content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main"' in html and '<nav class="site-nav" aria-label="Main">' in html
    assert '<a href="/documents/" aria-current="page">Documents</a>' in html
    assert "<script" not in html


def test_page_size_comes_from_the_setting(client, settings):
    """The page size is settings.CATALOG_PAGE_SIZE."""
    settings.CATALOG_PAGE_SIZE = 2
    DocumentFactory.create_batch(3)
    response = client.get(LIST_URL)
    assert len(response.context["documents"]) == 2
    assert response.context["page_obj"].paginator.num_pages == 2


@pytest.mark.parametrize("sort", ["date", "-date", "title"])
def test_collection_filter_combines_with_every_sort_order(client, sort):
    """The sub-collection filter (a DISTINCT query) works with each sort order on every
    database."""
    papers = CollectionFactory()
    series = CollectionFactory(parent=papers)
    DocumentFactory(title="b", date_edtf="1950", collections=[papers, series])
    DocumentFactory(title="A", date_edtf="1940", collections=[series])
    expected = {"date": ["A", "b"], "-date": ["b", "A"], "title": ["A", "b"]}[sort]
    assert get_titles(client, collection=papers.slug, sort=sort) == expected


def test_filter_form_selects_show_every_choice_and_keep_the_chosen_ones(client):
    """The type, language, role and sort selects list their choices, with the ones in the
    query string selected, so that applying the form again keeps them."""
    person = PersonFactory(display_name="Cordell Hull")
    DocumentPersonFactory(person=person, role=DocumentPerson.Role.RECIPIENT)
    response = client.get(
        LIST_URL,
        {
            "doc_type": "letter",
            "language": "de",
            "person": person.slug,
            "role": "recipient",
            "sort": "-date",
        },
    )
    html = response.content.decode()
    expected = [
        '<select name="doc_type" id="id_doc_type">',
        '<option value="">Any type</option>',
        '<option value="letter" selected>Letter</option>',
        '<option value="telegram">Telegram</option>',
        '<option value="de" selected>German</option>',
        '<option value="en">English</option>',
        '<option value="recipient" selected>Recipient</option>',
        '<option value="author">Author</option>',
    ]
    assert [markup for markup in expected if markup not in html] == []
    assert html.count(" selected>") == 4
    unfiltered = client.get(LIST_URL).content.decode()
    assert '<option value="" selected>Any type</option>' in unfiltered


@pytest.mark.parametrize("sort", ["date", "-date"])
@pytest.mark.parametrize("cap", [100, 5])
def test_pages_in_date_order_hold_every_result_once_in_order(client, settings, sort, cap):
    """
    Paged through in either date order, a person's documents (with or without a date range)
    come each once, in order: equal dates by record ID, ranges by their end, undated last.
    On PostgreSQL a page's ids are read with the facets while every result is counted (cap
    100), and by the page's own query beyond the cap (5, where the number is estimated).
    """
    settings.CATALOG_PAGE_SIZE = 4
    settings.CATALOG_COUNT_CAP = settings.CATALOG_FACET_SAMPLE = cap
    person = PersonFactory(slug="harriman")
    for edtf in ["1944-02-02"] * 3 + ["1943/1945", "1943/1944", "1950", "1939", "1944~", ""]:
        DocumentPersonFactory(document=DocumentFactory(date_edtf=edtf), person=person)
    DocumentPersonFactory(document=DocumentFactory(date_edtf="1944-02-02"))  # someone else

    for query in ({}, {"date_from": "1940", "date_to": "1949"}):
        found, number = [], 1
        while True:
            response = client.get(
                LIST_URL, {"person": "harriman", "sort": sort, "page": number, **query}
            )
            assert response.status_code == 200
            page = response.context["documents"]
            found += [document.record_id for document in page]
            if len(page) < 4:
                break
            number += 1
        documents = Document.objects.filter(people=person).distinct()
        if query:
            documents = documents.overlapping(
                datetime.date(1940, 1, 1), datetime.date(1949, 12, 31)
            )
        dated = [d for d in documents if d.date_earliest is not None]
        if sort == "date":
            dated.sort(key=lambda d: (d.date_earliest, d.date_latest, d.record_id))
        else:
            dated.sort(key=lambda d: (d.date_latest, d.date_earliest, d.record_id), reverse=True)
        undated = sorted(d.record_id for d in documents if d.date_earliest is None)
        if sort == "-date":
            undated.reverse()
        assert found == [d.record_id for d in dated] + undated
        assert len(found) == (6 if query else 9)
