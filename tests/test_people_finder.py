"""The people finder on /people/: names, alternate names, accents, letters, sorts, bad input."""

import re

import pytest
from django.urls import reverse

from tests.factories import DocumentFactory, DocumentPersonFactory, PersonFactory

pytestmark = pytest.mark.django_db

PEOPLE = reverse("catalog:person-list")


def hrefs(response):
    """Every link target on a page, unescaped."""
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', response.text)]


def found(response):
    """The slugs of the people a page lists, in order."""
    return [person.slug for person in response.context["people"]]


def published_person(display_name, *, documents=1, **fields):
    """A person named in ``documents`` published documents."""
    person = PersonFactory(display_name=display_name, **fields)
    for _ in range(documents):
        DocumentPersonFactory(person=person)
    return person


def test_the_people_list_offers_a_labelled_search_box(client, seed):
    """/people/ has a search box labelled "Find a person" that submits q to the people list."""
    response = client.get(PEOPLE)
    assert re.search(r'<label for="person-finder-q">Find a person</label>', response.text)
    assert re.search(r'<input type="search" id="person-finder-q" name="q"', response.text)
    form = re.search(r'<form class="person-finder"[^>]*action="([^"]*)"', response.text)
    assert form and form[1] == PEOPLE


@pytest.mark.parametrize("query", ["Schonberg", "schönberg", "SCHÖNBERG", "arnold SCHONBERG"])
def test_a_query_without_accents_finds_an_accented_name(client, seed, query):
    """ "Schonberg" (or any capitalisation, accented or not) finds "Arnold Schönberg"."""
    schonberg = published_person("Arnold Schönberg")
    response = client.get(PEOPLE, {"q": query})
    assert found(response) == [schonberg.slug]
    assert "Schönberg, Arnold" in response.text


def test_an_upper_case_query_finds_stalin(client, seed):
    """ "STALIN" finds Joseph Stalin and no one else."""
    response = client.get(PEOPLE, {"q": "STALIN"})
    assert found(response) == ["stalin-joseph"]
    assert "1 person matches “STALIN”" in response.text


def test_an_alternate_name_finds_the_person_and_is_shown(client, seed):
    """ "Dzhugashvili" finds Stalin through an alternate name, which the result shows."""
    response = client.get(PEOPLE, {"q": "dzhugashvili"})
    assert found(response) == ["stalin-joseph"]
    assert "also “Iosif Vissarionovich Dzhugashvili”" in response.text


def test_a_name_in_another_script_finds_the_person(client, seed):
    """ "Сталин" finds Stalin through his alternate name in Cyrillic."""
    assert found(client.get(PEOPLE, {"q": "Сталин"})) == ["stalin-joseph"]


@pytest.mark.parametrize("query", ["seward william", "William Seward", "  h.  SEWARD,  "])
def test_every_word_matches_in_any_order(client, seed, query):
    """The words of a query may come in any order and carry punctuation: "seward william"
    finds "William H. Seward"."""
    seward = published_person("William H. Seward")
    published_person("William Phillips")
    assert found(client.get(PEOPLE, {"q": query})) == [seward.slug]


def test_every_word_must_match(client, seed):
    """A person is found only when every word is in their names: "stalin harriman" finds no
    one, and the page says what was searched and links to clear it."""
    response = client.get(PEOPLE, {"q": "stalin harriman"})
    assert found(response) == []
    assert "No one matches “stalin harriman”." in response.text
    assert f"{PEOPLE}?" in hrefs(response)


def test_a_draft_only_person_is_never_found(client, seed):
    """Someone named only in draft documents is neither found nor counted under a letter."""
    hidden = PersonFactory(display_name="Lavrentiy Beria")
    DocumentPersonFactory(person=hidden, document=DocumentFactory(draft=True))
    for params in ({"q": "beria"}, {"q": "beria", "letter": "B"}, {"letter": "B"}, {}):
        response = client.get(PEOPLE, params)
        assert hidden.slug not in found(response), params
        assert "Beria" not in response.text, params
    # The last page fetched is the plain list (a second request would come from the cache).
    index = {e["value"]: e["count"] for e in response.context["letter_index"]}
    assert index["B"] == 0


def test_the_search_combines_with_the_letter(client, seed):
    """q and letter together list the matches under that letter; the index counts the
    matches per letter and its links keep the search."""
    kennedy = published_person("Joseph Kennedy")
    everyone = client.get(PEOPLE, {"q": "joseph"})
    assert found(everyone) == [kennedy.slug, "stalin-joseph"]
    index = {e["value"]: e["count"] for e in everyone.context["letter_index"]}
    assert (index["K"], index["S"], index["H"]) == (1, 1, 0)
    assert "?q=joseph&letter=K" in hrefs(everyone)
    under_s = client.get(PEOPLE, {"q": "joseph", "letter": "S"})
    assert found(under_s) == ["stalin-joseph"]
    assert f"{PEOPLE}?q=joseph" in hrefs(under_s)  # "All" keeps the search


def test_no_match_under_a_letter_offers_to_clear_or_widen(client, seed):
    """No match under a letter says so and links to clear the search or search every letter."""
    response = client.get(PEOPLE, {"q": "stalin", "letter": "H"})
    assert found(response) == []
    assert "No one under H matches “stalin”." in response.text
    links = hrefs(response)
    assert f"{PEOPLE}?letter=H" in links
    assert f"{PEOPLE}?q=stalin" in links


def test_pagination_keeps_the_search(client, db):
    """The next-page link of a search keeps q, and the second page holds the rest."""
    document = DocumentFactory()
    for n in range(55):
        DocumentPersonFactory(
            document=document, person=PersonFactory(display_name=f"Ann Sm{n:02d}")
        )
    DocumentPersonFactory(document=document, person=PersonFactory(display_name="Bob Jones"))
    response = client.get(PEOPLE, {"q": "ann"})
    assert len(response.context["people"]) == 50
    assert "?q=ann&page=2" in hrefs(response)
    second = client.get(PEOPLE, {"q": "ann", "page": 2})
    assert len(second.context["people"]) == 5
    assert "jones-bob" not in found(second)


def test_results_show_life_dates_and_document_counts(client, seed):
    """A search result shows the person's life dates and published document count."""
    response = client.get(PEOPLE, {"q": "stalin"})
    assert "December 18, 1878 – March 5, 1953" in response.text
    assert response.context["people"][0].document_count == 1
    assert "1 document" in response.text


def test_draft_documents_are_not_counted(client, seed):
    """A person's count leaves out their draft documents."""
    person = published_person("Maxim Litvinov", documents=2)
    DocumentPersonFactory(person=person, document=DocumentFactory(draft=True))
    [result] = client.get(PEOPLE, {"q": "litvinov"}).context["people"]
    assert result.document_count == 2


def test_people_are_sorted_by_name_or_by_document_count(client, seed):
    """Results come by sort name; ?sort=documents puts the most documented first, and the
    sort links keep the search."""
    published_person("Andrei Gromyko", documents=3)
    published_person("Anastas Mikoyan", documents=2)
    by_name = client.get(PEOPLE, {"q": "an"})
    assert found(by_name) == ["gromyko-andrei", "harriman-w-averell", "mikoyan-anastas"]
    assert "?q=an&sort=documents" in hrefs(by_name)
    by_count = client.get(PEOPLE, {"q": "an", "sort": "documents"})
    assert found(by_count) == ["gromyko-andrei", "mikoyan-anastas", "harriman-w-averell"]
    assert 'name="sort" value="documents"' in by_count.text  # a new search keeps the sort


def test_an_unknown_sort_falls_back_to_names(client, seed):
    """A sort the page does not offer lists people by name."""
    response = client.get(PEOPLE, {"sort": "'; DROP TABLE"})
    assert response.status_code == 200
    assert found(response) == ["harriman-w-averell", "stalin-joseph"]


@pytest.mark.parametrize(
    "query, expected",
    [("_", []), ("s_a", []), ("%", []), ("%stalin%", ["stalin-joseph"])],
)
def test_like_wildcards_are_matched_literally(client, seed, query, expected):
    """ "%" and "_" are not wildcards: "_" finds no one rather than everyone."""
    response = client.get(PEOPLE, {"q": query})
    assert response.status_code == 200
    assert found(response) == expected


@pytest.mark.parametrize(
    "query",
    [
        '" - ) ( * : & | ! <-> ~',
        "!!!",
        "😀🎉",
        "\u200f\u200e",
        "\x00",
    ],
)
def test_a_query_with_nothing_to_search_says_so(client, seed, query):
    """Only punctuation, operators, emoji or control characters: a 200 that lists no one and
    says there is nothing to look for (or, for invisible input, lists everyone)."""
    response = client.get(PEOPLE, {"q": query})
    assert response.status_code == 200
    if response.context["query"]:
        assert found(response) == []
        assert "has no letters or digits to look for" in response.text
    else:
        assert found(response) == ["harriman-w-averell", "stalin-joseph"]
    assert "\x00" not in response.text


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Sta\x00lin", ["stalin-joseph"]),
        ("stalin 😀", ["stalin-joseph"]),
        ("ستالين", []),
        ("stalin\u202e", ["stalin-joseph"]),
        ("' OR 1=1 --", []),
        ('" - OR ) ( * : & | ! NEAR', []),
    ],
)
def test_odd_characters_around_a_name_never_break_the_page(client, seed, query, expected):
    """NUL bytes, emoji, right-to-left text and SQL give a 200 with results or a message."""
    response = client.get(PEOPLE, {"q": query})
    assert response.status_code == 200
    assert found(response) == expected
    assert "\x00" not in response.text


def test_a_very_long_query_is_cut_and_says_so(client, seed):
    """A 10,000-character query searches its first 200 characters and says so."""
    response = client.get(PEOPLE, {"q": "stalin " + "x" * 10_000})
    assert response.status_code == 200
    assert len(response.context["query"]) == 200
    assert "Only the first 200 characters were searched." in response.text
    assert found(response) == []
    assert len(response.content) < 50_000


@pytest.mark.parametrize("n", [1, 60])
def test_finder_query_count_is_fixed(client, django_assert_num_queries, n):
    """A search with a letter and the documents sort: 3 queries for 1 or 60 people (letter
    index, count, page). Guards against a count query per person and per letter."""
    document = DocumentFactory()
    for i in range(n):
        DocumentPersonFactory(document=document, person=PersonFactory(display_name=f"Ann S{i:02d}"))
        DocumentPersonFactory(person=PersonFactory(display_name=f"Ann T{i:02d}"))
    with django_assert_num_queries(3):
        response = client.get(PEOPLE, {"q": "ann", "letter": "S", "sort": "documents"})
    assert response.status_code == 200
    assert len(response.context["people"]) == min(n, 50)
