"""The search results page: the document list with ``q``: the count of matches, highlighted
passages, relevance first, every other sort still offered, help when nothing matches, and a
clear answer (never a server error) for any text typed into the box."""

import re

import pytest
from django.urls import reverse

from catalog import search as search_module
from catalog.filters import SEARCH_MAX_LENGTH
from catalog.models import Document
from tests.factories import DocumentFactory, PersonFactory, SubjectFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("catalog:document-list")


def titles(response):
    return [document.title for document in response.context["documents"]]


def search(client, q, **params):
    response = client.get(LIST_URL, {"q": q, **params})
    assert response.status_code == 200
    return response


@pytest.fixture
def armistice():
    """Three published documents that mention the armistice (in the title, the summary, the
    transcript) and a draft that does too."""
    in_title = DocumentFactory(
        title="Armistice terms", date_edtf="1918-11-11", transcript="Terms as agreed."
    )
    in_summary = DocumentFactory(
        title="Cable from Compiègne",
        date_edtf="1918-11-08",
        summary="On the coming armistice.",
        transcript="The delegates met in the forest.",
    )
    in_text = DocumentFactory(
        title="Berlin report",
        date_edtf="1918-10-01",
        summary="A report.",
        transcript="Talk in Berlin already turns to an armistice before winter.",
    )
    DocumentFactory(title="Draft armistice memo", draft=True, transcript="Armistice armistice.")
    return in_title, in_summary, in_text


def test_results_count_the_matches_and_name_the_search(client, armistice):
    """The heading says how many documents match the search, in the researcher's words."""
    response = search(client, "armistice")
    assert response.context["result_count"] == 3
    assert "3 documents match “armistice”" in response.content.decode()


def test_one_match_is_counted_in_the_singular(client, armistice):
    """One match reads “1 document matches”."""
    assert "1 document matches “forest”" in search(client, "forest").content.decode()


def test_drafts_are_never_found(client, armistice):
    """A draft that matches the search is neither listed nor counted."""
    response = search(client, "memo")
    assert titles(response) == []
    assert "Draft armistice memo" not in response.content.decode()


def test_each_result_shows_its_matching_passage_highlighted(client, armistice):
    """Each row carries the passage that matched, with the matched word in <mark>."""
    response = search(client, "armistice")
    html = response.content.decode()
    rows = re.findall(r'<p class="row-snippet">(.*?)</p>', html, re.S)
    assert len(rows) == 3
    assert all("<mark>" in row for row in rows)
    assert "turns to an <mark>armistice</mark> before winter" in html


def test_relevance_is_the_default_order_while_searching(client, armistice):
    """With a search and no sort chosen, a title match comes before a summary match and that
    before a transcript match; relevance is the first option of the sort select."""
    response = search(client, "armistice")
    assert titles(response) == ["Armistice terms", "Cable from Compiègne", "Berlin report"]
    assert response.context["filter"].sort_value == "relevance"
    select = re.search(r'<select name="sort".*?</select>', response.content.decode(), re.S)[0]
    options = re.findall(r'<option value="([^"]*)"', select)
    assert options == ["relevance", "date", "-date", "title"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", ["Berlin report", "Cable from Compiègne", "Armistice terms"]),
        ("-date", ["Armistice terms", "Cable from Compiègne", "Berlin report"]),
        ("title", ["Armistice terms", "Berlin report", "Cable from Compiègne"]),
        ("relevance", ["Armistice terms", "Cable from Compiègne", "Berlin report"]),
    ],
)
def test_date_and_title_sorts_stay_available_while_searching(client, armistice, sort, expected):
    """Every sort of the list applies to search results too."""
    assert titles(search(client, "armistice", sort=sort)) == expected


def test_relevance_is_not_offered_without_a_search(client, armistice):
    """Without a search there is nothing to rank: relevance is not offered, and a bookmarked
    sort=relevance falls back to the date order instead of an error."""
    response = client.get(LIST_URL, {"sort": "relevance"})
    assert response.status_code == 200
    assert titles(response)[:3] == ["Berlin report", "Cable from Compiègne", "Armistice terms"]
    assert 'value="relevance"' not in response.content.decode()
    assert not response.context["filter_errors"]


def test_the_search_box_keeps_the_search_and_the_filters(client, armistice):
    """The box is labelled and shows the search; searching again sends the filters in use
    along, and the filter form sends the search along."""
    subject = SubjectFactory(name="Peace")
    armistice[0].subjects.add(subject)
    response = search(client, 'armistice "terms"', subject=subject.slug, sort="title", page="1")
    html = response.content.decode()
    assert '<label for="id_q">Search the documents</label>' in html
    assert 'value="armistice &quot;terms&quot;"' in html
    form = re.search(r'<form class="search-form".*?</form>', html, re.S)[0]
    assert f'<input type="hidden" name="subject" value="{subject.slug}">' in form
    assert '<input type="hidden" name="sort" value="title">' in form
    assert 'name="page"' not in form
    filters = re.search(r'<form class="filter-form".*?</form>', html, re.S)[0]
    assert '<input type="hidden" name="q" value="armistice &quot;terms&quot;">' in filters


def test_clear_the_search_keeps_the_filters(client, armistice):
    """“Clear the search” leads to the list with the filters but without the search (and
    without the relevance sort that only a search has)."""
    response = search(client, "armistice", language="en", sort="relevance")
    assert response.context["drop_query_url"] == "?language=en"
    assert 'href="?language=en">Clear the search</a>' in response.content.decode()


def test_no_results_say_what_was_searched_and_offer_ways_out(client, armistice):
    """Nothing found: the page repeats the search and offers a link dropping each filter,
    one searching every document, and one leaving out the search."""
    response = search(client, "armistice", language="fr", doc_type="letter")
    assert titles(response) == []
    html = response.content.decode()
    assert "No documents match “armistice”" in html
    assert "No published document matches the search <strong>“armistice”</strong>" in html
    assert '<a href="?q=armistice&amp;doc_type=letter">Remove language: French</a>' in html
    assert '<a href="?q=armistice&amp;language=fr">Remove type: Letter</a>' in html
    assert '<a href="?q=armistice">Search every document for “armistice”</a>' in html
    assert '<a href="?language=fr&amp;doc_type=letter">Leave out the search “armistice”</a>' in html
    followed = client.get(LIST_URL + "?q=armistice&doc_type=letter")
    assert followed.context["result_count"] == 0
    assert client.get(LIST_URL + "?q=armistice").context["result_count"] == 3


def test_a_search_with_nothing_to_search_for_is_explained(client, armistice):
    """Only operators or punctuation: the search module's sentence, linked to the box, and no
    documents rather than all of them."""
    response = search(client, "-")
    assert titles(response) == []
    html = response.content.decode()
    assert "No documents are shown because" in html
    assert '<a href="#id_q">Search the documents</a>: Type at least one word' in html
    assert 'aria-invalid="true"' in html


def test_a_search_for_a_person_finds_their_documents(client):
    """A name searched for finds the documents the person is in."""
    person = PersonFactory(display_name="Averell Harriman")
    document = DocumentFactory(title="Cable")
    document.person_links.create(person=person, role="author")
    assert titles(search(client, "harriman")) == ["Cable"]


LONG = "stalin " * 1500  # 10,500 characters


@pytest.mark.parametrize(
    "q",
    [
        '"inner defense line',  # unbalanced quote
        'armistice"',
        '""',
        "-",
        "--",
        "- - -",
        "OR",
        "AND OR NOT",
        "-armistice",
        "armistice -",
        "armistice OR",
        "OR armistice",
        "()",
        "a & b | !c",
        "armistice:*",
        "armistice <-> terms",
        "'armistice'",
        "NEAR(armistice terms)",
        "armistice*",
        "^armistice",
        "title:armistice",
        "' OR 1=1 --",
        "'; DROP TABLE catalog_document; --",
        "%",
        "_",
        "\\",
        "arm\x00istice",
        "\x00",
        "\x00\x00armistice\x00",
        "🕊️ armistice",
        "🕊️",
        "هدنة",  # Arabic: armistice
        "שביתת נשק",  # Hebrew: ceasefire
        "\u202earmistice\u202c",  # right-to-left override
        "ARMISTICE",
        "Armistíce",
        "a" * SEARCH_MAX_LENGTH,
        LONG,
        "x" * 10_000,
        "<script>alert(1)</script>",
        "&amp; &lt;",
        "\t\n\r",
        " ",
    ],
)
def test_any_search_text_gives_results_or_a_clear_message(client, armistice, q):
    """Whatever is typed, the page answers 200 with results, with none, or with a message
    saying what to change; it never fails and never shows the unfiltered list by mistake."""
    response = search(client, q)
    html = response.content.decode()
    errors = response.context["filter_errors"]
    if errors:
        assert titles(response) == []
        assert "No documents are shown because" in html
    assert "<script>alert" not in html
    assert "\x00" not in html


def test_nul_bytes_are_removed_before_searching(client, armistice):
    """NUL bytes are dropped (they would split a word into two otherwise harmless words)."""
    assert titles(search(client, "\x00armistice\x00", sort="title"))[0] == "Armistice terms"


def test_a_search_longer_than_the_limit_is_a_clear_error(client, armistice):
    """More than 500 characters: a message with the limit and the length, no documents."""
    response = search(client, "x" * 10_000)
    assert titles(response) == []
    html = response.content.decode()
    assert "Searches are limited to 500 characters; this one has 10,000." in html


def test_a_search_at_the_limit_is_accepted(client, armistice):
    """Exactly 500 characters is a search like any other."""
    response = search(client, ("armistice " * 50)[:SEARCH_MAX_LENGTH])
    assert not response.context["filter_errors"]
    assert response.context["result_count"] == 3


def test_search_results_are_not_indexed_by_robots(client, armistice):
    """Search pages ask robots not to index them (endless and duplicate)."""
    assert '<meta name="robots" content="noindex">' in search(client, "armistice").content.decode()


def test_pages_of_a_ranked_search_follow_the_ranking_across_pages(client, settings):
    """Each page of a relevance-ordered search holds the next entries of the one ranking
    (the page is ranked on ids first, then its rows are read): no entry twice, none lost,
    best first, equal ranks by record ID."""
    settings.CATALOG_PAGE_SIZE = 4
    for number in range(10):
        DocumentFactory(
            title="Armistice " * (number % 3 + 1) + f"note {number}",
            summary="",
            transcript="The armistice was signed." if number % 2 else "",
        )
    DocumentFactory(title="Unrelated despatch", summary="", transcript="")
    expected = [d.title for d in search_module.search(Document.objects.published(), "armistice")]

    pages = [titles(search(client, "armistice", page=page)) for page in (1, 2, 3)]

    assert [len(page) for page in pages] == [4, 4, 2]
    assert [title for page in pages for title in page] == expected


@pytest.mark.parametrize("number", ["²", "٣", " 2", "last", "0", "-1", "99999999999", "1e3", ""])
def test_any_page_number_of_a_ranked_search_gets_a_page_or_a_404(client, settings, number):
    """Page numbers the paginator reads as numbers (any script's digits, spaces around) give
    that page; anything else, or out of range, a 404; never a server error."""
    settings.CATALOG_PAGE_SIZE = 2
    for n in range(5):
        DocumentFactory(title=f"Armistice note {n}", summary="", transcript="")
    response = client.get("/documents/", {"q": "armistice", "page": number})
    assert response.status_code in (200, 404)
    if number in ("٣", "last"):
        assert response.status_code == 200
        assert len(response.context["documents"]) == 1
    if number in (" 2", ""):
        assert response.status_code == 200
        assert len(response.context["documents"]) == 2
