"""Facet counts beside the document list: published only, every other filter applied, their
own left out, values that filter, selected values as removable chips, fixed query counts."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.facets import FACET_LIMIT, FACET_SHOWN
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


def facets(response):
    """``{parameter: {label: count}}`` for the facets on the page."""
    return {
        facet.name: {value.label: value.count for value in facet.values}
        for facet in response.context["facets"]
    }


def facet_value(response, name, label):
    facet = next(facet for facet in response.context["facets"] if facet.name == name)
    return next(value for value in facet.values if value.label == label)


def titles(response):
    return sorted(document.title for document in response.context["documents"])


@pytest.fixture
def catalogue():
    """Four published documents and a draft that shares every value with the first."""
    loc = RepositoryFactory(name="Library of Congress")
    nara = RepositoryFactory(name="National Archives")
    war = SubjectFactory(name="Second World War")
    stalin, harriman = (
        PersonFactory(display_name="Joseph Stalin"),
        PersonFactory(display_name="W. Averell Harriman"),
    )
    papers = CollectionFactory(title="Harriman Papers", repository=loc)
    series = CollectionFactory(title="Moscow Files", parent=papers, repository=loc)
    rows = [
        ("Telegram in Russian", "telegram", "ru", loc, "NoC-US", [papers, series], stalin),
        ("Telegram in English", "telegram", "en", loc, "NoC-US", [series], harriman),
        ("Letter in Russian", "letter", "ru", nara, "InC", [], stalin),
        ("Letter in English", "letter", "en", nara, "InC", [], None),
    ]
    for title, doc_type, language, repository, rights, collections, person in rows:
        document = DocumentFactory(
            title=title,
            doc_type=doc_type,
            language=language,
            repository=repository,
            rights=rights_statement(rights),
            collections=collections,
            subjects=[war] if language == "ru" else [],
        )
        if person:
            DocumentPersonFactory(document=document, person=person, role="author")
    draft = DocumentFactory(
        title="Draft telegram",
        draft=True,
        doc_type="telegram",
        language="ru",
        repository=loc,
        rights=rights_statement("NoC-US"),
        collections=[papers],
        subjects=[war],
    )
    DocumentPersonFactory(document=draft, person=stalin)
    DocumentPersonFactory(document=draft, person=PersonFactory(display_name="Only In Drafts"))
    return {"papers": papers, "series": series, "stalin": stalin, "loc": loc, "war": war}


def test_facets_count_published_documents_only(client, catalogue):
    """Every facet counts published documents only: the draft adds nothing anywhere, and a
    person named only in drafts is not offered."""
    counts = facets(client.get(LIST_URL))
    assert counts["person"] == {"Joseph Stalin": 2, "W. Averell Harriman": 1}
    assert counts["collection"] == {"Harriman Papers": 2}
    assert counts["repository"] == {"Library of Congress": 2, "National Archives": 2}
    assert counts["subject"] == {"Second World War": 2}
    assert counts["doc_type"] == {"Telegram": 2, "Letter": 2}
    assert counts["language"] == {"Russian": 2, "English": 2}
    assert counts["rights"] == {
        "No Copyright - United States": 2,
        "In Copyright": 2,
    }


def test_each_facet_applies_the_other_filters_but_not_its_own(client, catalogue):
    """With type and language chosen, the type facet counts within the language and the
    language facet within the type, so each shows what switching to another value gives."""
    response = client.get(LIST_URL, {"doc_type": "telegram", "language": "ru"})
    assert titles(response) == ["Telegram in Russian"]
    counts = facets(response)
    assert counts["doc_type"] == {"Telegram": 1, "Letter": 1}
    assert counts["language"] == {"Russian": 1, "English": 1}
    assert counts["repository"] == {"Library of Congress": 1}
    assert counts["person"] == {"Joseph Stalin": 1}


def test_a_facet_value_link_filters_and_keeps_the_other_filters(client, catalogue):
    """A value's link sets its filter, keeps the others, drops the page number, and gives as
    many documents as the value counted."""
    response = client.get(LIST_URL, {"language": "ru", "page": "1", "sort": "title"})
    value = facet_value(response, "repository", "Library of Congress")
    assert value.url == f"?language=ru&sort=title&repository={catalogue['loc'].slug}"
    followed = client.get(LIST_URL + value.url)
    assert titles(followed) == ["Telegram in Russian"]
    assert followed.context["result_count"] == value.count == 1


def test_choosing_another_value_replaces_the_facets_own_filter(client, catalogue):
    """A facet's values replace its current choice rather than adding a second one."""
    response = client.get(LIST_URL, {"doc_type": "telegram"})
    letter = facet_value(response, "doc_type", "Letter")
    assert letter.url == "?doc_type=letter"
    assert titles(client.get(LIST_URL + letter.url)) == ["Letter in English", "Letter in Russian"]


def test_selected_values_are_marked_and_removed_like_their_chips(client, catalogue):
    """A chosen value is marked in its facet and links to the list without it: the same link
    as its chip, which shows the same name."""
    response = client.get(LIST_URL, {"doc_type": "telegram", "subject": catalogue["war"].slug})
    chips = {chip["name"]: chip for chip in response.context["chips"]}
    for name, label in (("doc_type", "Telegram"), ("subject", "Second World War")):
        value = facet_value(response, name, label)
        assert value.selected
        assert value.url == chips[name]["url"]
        assert chips[name]["value"] == label
    html = response.content.decode()
    # Its link reads "Telegram 1 document; chosen, remove this filter": the visible words
    # first, then what following it does.
    chosen = re.findall(r'<li class="facet-value facet-value--selected">(.*?)</li>', html)
    telegram = next(link for link in chosen if ">Telegram<" in link)
    assert '1<span class="visually-hidden"> document; chosen, remove this filter' in telegram
    removed = client.get(LIST_URL + chips["doc_type"]["url"])
    assert titles(removed) == ["Letter in Russian", "Telegram in Russian"]


def test_people_facet_counts_each_document_once_in_the_chosen_role(client):
    """A person in two roles of one document counts it once; with a role chosen, the people
    facet counts people in that role only and its links keep the role."""
    person, other = PersonFactory(display_name="Both Roles"), PersonFactory(display_name="Other")
    document = DocumentFactory()
    DocumentPersonFactory(document=document, person=person, role="author")
    DocumentPersonFactory(document=document, person=person, role="signatory")
    DocumentPersonFactory(document=document, person=other, role="recipient")
    assert facets(client.get(LIST_URL))["person"] == {"Both Roles": 1, "Other": 1}
    response = client.get(LIST_URL, {"role": "recipient"})
    assert facets(response)["person"] == {"Other": 1}
    assert facet_value(response, "person", "Other").url == f"?role=recipient&person={other.slug}"
    assert response.context["facets"][0].label == "People, as recipient"


def test_people_facet_follows_links_added_changed_and_removed(client):
    """The people facet counts a document's links as they are now (on PostgreSQL it reads
    each document's people from its row, kept up to date by every save and delete of a
    link), and never counts a person of a draft."""
    stalin, harriman = (
        PersonFactory(display_name="Joseph Stalin"),
        PersonFactory(display_name="W. Averell Harriman"),
    )
    first, second = DocumentFactory(), DocumentFactory()
    draft = DocumentFactory(status="draft")
    DocumentPersonFactory(document=draft, person=harriman)
    assert "person" not in facets(client.get(LIST_URL))

    link = DocumentPersonFactory(document=first, person=stalin, role="author")
    DocumentPersonFactory(document=second, person=stalin, role="recipient")
    assert facets(client.get(LIST_URL))["person"] == {"Joseph Stalin": 2}

    link.person = harriman
    link.save()
    assert facets(client.get(LIST_URL))["person"] == {"Joseph Stalin": 1, "W. Averell Harriman": 1}

    link.delete()
    assert facets(client.get(LIST_URL))["person"] == {"Joseph Stalin": 1}

    draft.status = "published"
    draft.save()
    assert facets(client.get(LIST_URL))["person"] == {"Joseph Stalin": 1, "W. Averell Harriman": 1}


def test_rebuilding_the_search_index_updates_the_people_facet_after_a_bulk_write(client):
    """Links written in bulk (no signals) reach the people facet, and the cached list, once
    rebuild_search_index has run."""
    person = PersonFactory(display_name="Bulk Person")
    document = DocumentFactory()
    assert "person" not in facets(client.get(LIST_URL))  # and now cached
    DocumentPerson.objects.bulk_create(
        [DocumentPerson(document=document, person=person, role="author")]
    )
    call_command("rebuild_search_index", verbosity=0)
    assert facets(client.get(LIST_URL))["person"] == {"Bulk Person": 1}


def test_people_facet_shows_ten_and_the_next_forty_behind_more(client):
    """The ten people in most documents are listed, forty more sit in a <details> expander
    (no JavaScript), and a note says when yet more exist."""
    people = [PersonFactory(display_name=f"Person {n:02d}") for n in range(FACET_LIMIT + 5)]
    for rank, person in enumerate(people):
        for _ in range(1 if rank >= 12 else 14 - rank):
            DocumentPersonFactory(person=person)
    response = client.get(LIST_URL)
    facet = response.context["facets"][0]
    assert [value.label for value in facet.first] == [f"Person {n:02d}" for n in range(10)]
    assert len(facet.values) == FACET_LIMIT and facet.truncated
    html = response.content.decode()
    assert f"<summary>{FACET_LIMIT - FACET_SHOWN} more people</summary>" in html
    assert f"The {FACET_LIMIT} people in most documents." in html


def test_a_chosen_person_outside_the_top_values_is_still_shown(client):
    """A person chosen from their page but not among the most frequent is listed first, as
    chosen, with the number of documents found."""
    busy = [PersonFactory() for _ in range(FACET_LIMIT + 1)]
    for person in busy:
        DocumentPersonFactory.create_batch(2, person=person)
    rare = PersonFactory(display_name="Rare Person")
    DocumentPersonFactory(person=rare, document=DocumentFactory())
    response = client.get(LIST_URL, {"person": rare.slug})
    first = response.context["facets"][0].values[0]
    assert (first.label, first.count, first.selected) == ("Rare Person", 1, True)
    assert first.url == "?"


def test_collections_facet_counts_sub_collections_and_opens_one_level_down(client, catalogue):
    """Top-level collections count their documents and those of collections inside them,
    each document once; choosing one lists the collections inside it."""
    response = client.get(LIST_URL)
    assert facets(response)["collection"] == {"Harriman Papers": 2}
    papers = facet_value(response, "collection", "Harriman Papers")
    assert papers.url == f"?collection={catalogue['papers'].slug}"
    inside = client.get(LIST_URL + papers.url)
    assert inside.context["result_count"] == 2
    facet = next(f for f in inside.context["facets"] if f.name == "collection")
    assert [(v.label, v.count, v.selected) for v in facet.values] == [
        ("Harriman Papers", 2, True),
        ("Moscow Files", 2, False),
    ]
    assert facet.nested


def test_facet_counts_follow_the_search(client, catalogue):
    """With a search, the facets count the matching documents only."""
    DocumentFactory(title="Armistice note", doc_type="note", language="fr")
    response = client.get(LIST_URL, {"q": "armistice"})
    assert facets(response)["doc_type"] == {"Note": 1}
    assert facets(response)["language"] == {"French": 1}


def test_invalid_filters_show_no_facets(client, catalogue):
    """When a filter needs correcting there are no results, and no facets to count them."""
    response = client.get(LIST_URL, {"date_from": "1944-13"})
    assert response.context["facets"] == []
    assert response.context["histogram"] is None
    assert 'class="facets"' not in response.content.decode()


def test_facets_are_links_with_counts_in_the_sidebar(client, catalogue):
    """Each facet is a labelled section of links whose text names the value and its count."""
    html = client.get(LIST_URL).content.decode()
    assert '<h3 id="facet-person">People</h3>' in html
    link = re.search(r'<a href="\?language=ru">(.*?)</a>', html, re.S)
    text = re.sub(r"<[^>]+>", "", link[1])
    assert " ".join(text.split()) == "Russian 2 documents"


def _documents(rows):
    collection = CollectionFactory(parent=CollectionFactory())
    subject = SubjectFactory()
    for n in range(rows):
        document = DocumentFactory(
            date_edtf=f"19{n % 50:02d}",
            collections=[collection],
            subjects=[subject],
            doc_type=Document.Type.LETTER if n % 2 else Document.Type.TELEGRAM,
        )
        DocumentPersonFactory(document=document, role="author")
        DocumentPersonFactory(document=document, role="recipient")


# The page's queries: one for the facets, the histogram and the number of results together;
# the rows (with their archive); the rows' people.
PAGE_QUERIES = 3


@pytest.mark.parametrize("rows", [1, 100])
def test_list_with_facets_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    """The list with its seven facets and histogram runs 3 queries for 1 or 100 documents:
    guards against a query per facet (the search and filters run again for each), per facet
    value, per person or per decade, and against counting the results apart."""
    _documents(rows)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(LIST_URL)
    assert response.context["result_count"] == rows
    assert len(response.context["facets"]) == 7


@pytest.mark.parametrize("rows", [1, 100])
def test_search_with_facets_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    """A search page runs the list's 3 queries plus one for the snippets of the whole page,
    for 1 or 100 matches: guards against a snippet query per result and against the facets
    reading the matches once each."""
    _documents(rows)
    with django_assert_num_queries(PAGE_QUERIES + 1):
        response = client.get(LIST_URL, {"q": "telegram"})
    assert response.context["result_count"] == rows
    assert len(response.context["facets"]) == 7


@pytest.mark.parametrize("rows", [1, 100])
def test_facets_with_their_own_filters_in_use_stay_one_query(
    client, django_assert_num_queries, rows
):
    """With a value chosen in every facet and a decade chosen, the facets still take one
    query (each chosen facet counts its own set of documents inside it), besides the checks
    of the chosen person, collection, subject, archive and rights and the page's own three."""
    _documents(rows)
    document = Document.objects.first()
    link = document.person_links.first()
    params = {
        "q": "telegram",
        "person": link.person.slug,
        "role": link.role,
        "collection": document.collections.first().slug,
        "subject": document.subjects.first().slug,
        "repository": document.repository.slug,
        "rights": "NoC-US",
        "doc_type": document.doc_type,
        "language": "en",
        "date_from": "1900",
        "date_to": "1909",
    }
    with django_assert_num_queries(5 + PAGE_QUERIES + 1):
        response = client.get(LIST_URL, params)
    assert response.context["result_count"] >= 1
    assert response.context["histogram"].unit == "year"
