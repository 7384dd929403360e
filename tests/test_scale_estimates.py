"""
Counts above a threshold are estimates on PostgreSQL, and say so (issue 7): the facets count
a sample of ``CATALOG_FACET_SAMPLE`` documents and scale it up ("about"), the number of
results (of a list or a search) is counted up to ``CATALOG_COUNT_CAP`` and estimated beyond
it ("About N documents"); the admin's document list counts up to its paginator's cap.  SQLite
always counts exactly.
The thresholds are tiny here so that a few documents cross them.
"""

import re

import pytest
from django.db import connection
from django.urls import reverse

from catalog.views.pagination import CappedCountPaginator

from .factories import DocumentFactory, DocumentPersonFactory, PersonFactory

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"
LIST_URL = reverse("catalog:document-list")


@pytest.fixture
def twelve_documents():
    return [DocumentFactory(date_edtf=f"{1940 + n % 3}-02-02", language="en") for n in range(12)]


def heading(response):
    return " ".join(
        re.search(r'<h2 id="results-heading"[^>]*>(.*?)</h2>', response.text, re.S).group(1).split()
    )


def test_small_results_are_counted_exactly(client, settings, twelve_documents):
    settings.CATALOG_FACET_SAMPLE = 100
    settings.CATALOG_COUNT_CAP = 100

    response = client.get(LIST_URL)

    assert heading(response).startswith("12 documents")
    assert "about" not in response.text.lower().split('id="results-heading"')[1][:2000]
    languages = next(f for f in response.context["facets"] if f.name == "language")
    assert [(v.value, v.count_number) for v in languages.values] == [("en", "12")]


def test_large_results_are_estimated_and_say_so_on_postgresql(client, settings, twelve_documents):
    settings.CATALOG_FACET_SAMPLE = 4
    settings.CATALOG_COUNT_CAP = 6
    settings.CATALOG_PAGE_SIZE = 5

    response = client.get(LIST_URL)
    # 11-12: a short page ends the results (read even where the planner's estimate is short)
    last = client.get(LIST_URL, {"page": 3})

    assert heading(last).startswith("12 documents") and "11–12 shown" in heading(last)

    languages = next(f for f in response.context["facets"] if f.name == "language")
    (english,) = languages.values
    if POSTGRESQL:
        assert heading(response).startswith("About ")
        assert response.context["result_count"] > 6
        assert english.estimated and english.count_number.startswith("about ")
        assert "about " in response.text
    else:
        assert heading(response).startswith("12 documents")
        assert not english.estimated and english.count_number == "12"


def test_a_search_counts_its_results_exactly_up_to_the_cap(client, settings):
    """Up to the cap a search's results are counted exactly, drafts left out, in relevance
    order and in any other; the facets are still estimated from their sample."""
    settings.CATALOG_FACET_SAMPLE = 4
    settings.CATALOG_COUNT_CAP = 12
    settings.CATALOG_PAGE_SIZE = 5
    for n in range(12):
        DocumentFactory(title=f"Armistice report {n}", language="en")
    DocumentFactory(title="Armistice draft", status="draft")
    DocumentFactory(title="Unrelated despatch")

    first = client.get(LIST_URL, {"q": "armistice"})
    last = client.get(LIST_URL, {"q": "armistice", "page": 3})
    by_date = client.get(LIST_URL, {"q": "armistice", "sort": "date"})

    assert heading(by_date).startswith("12 documents match")
    assert heading(first).startswith("12 documents match")
    assert first.context["result_count"] == 12
    assert not first.context["result_count_estimated"]
    assert len(first.context["documents"]) == 5 and len(last.context["documents"]) == 2
    languages = next(f for f in first.context["facets"] if f.name == "language")
    (english,) = languages.values
    assert english.estimated is POSTGRESQL


def test_a_search_beyond_the_cap_estimates_its_results_on_postgresql(client, settings):
    """
    Beyond the cap (PostgreSQL) a search's number of results is estimated, and says so: the
    share of the matches read that the other filters let through (here the public gate: one
    match in five is a draft), applied to every match.  The ranked pages are exact: each
    holds the next published matches, best first, and no draft.
    """
    settings.CATALOG_FACET_SAMPLE = 4
    settings.CATALOG_COUNT_CAP = 6
    settings.CATALOG_PAGE_SIZE = 5
    for n in range(50):
        status = "draft" if n % 5 == 4 else "published"
        title = "Armistice armistice report" if n < 5 else "Armistice report"
        DocumentFactory(title=f"{title} {n}", status=status, language="en")

    first = client.get(LIST_URL, {"q": "armistice"})
    pages = [client.get(LIST_URL, {"q": "armistice", "page": n}) for n in range(1, 9)]

    listed = [d for page in pages for d in page.context["documents"]]
    assert len(listed) == 40 and len({d.pk for d in listed}) == 40
    assert all(d.status == "published" for d in listed)
    assert {d.title for d in listed[:4]} == {f"Armistice armistice report {n}" for n in range(4)}
    if POSTGRESQL:
        assert heading(first).startswith("About ")
        assert first.context["result_count_estimated"]
        assert 32 <= first.context["result_count"] <= 50  # 40, estimated from 7 of 50
    else:
        assert heading(first).startswith("40 documents match")
        assert first.context["result_count"] == 40


@pytest.mark.skipif(not POSTGRESQL, reason="SQLite counts exactly")
def test_the_end_of_an_estimated_search_says_where_the_results_end(client, settings):
    """
    The estimate (here 50 for 40) sets the number of pages; the page that ends short is the
    last, and says the exact number; a page past it says the results ended and links back,
    rather than claiming entries it does not show.
    """
    settings.CATALOG_FACET_SAMPLE = 4
    settings.CATALOG_COUNT_CAP = 6
    settings.CATALOG_PAGE_SIZE = 6
    for n in range(50):
        # The drafts rank lowest, so the matches read first all pass: 50 × 7/7.
        draft = n % 5 == 4
        title = "Armistice report" if draft else "Armistice armistice report"
        DocumentFactory(title=f"{title} {n}", status="draft" if draft else "published")

    first = client.get(LIST_URL, {"q": "armistice"})
    pages = first.context["paginator"].num_pages
    responses = [client.get(LIST_URL, {"q": "armistice", "page": n}) for n in range(2, pages + 1)]

    assert first.context["result_count_estimated"] and first.context["result_count"] > 42
    assert pages > 7  # an overestimate: 40 results fill six pages and four entries of a 7th
    last = responses[5]
    assert len(last.context["documents"]) == 4
    assert heading(last).startswith("40 documents match") and "37–40 shown" in heading(last)
    assert not last.context["result_count_estimated"]
    for beyond in responses[6:]:
        assert beyond.status_code == 200 and not beyond.context["documents"]
        assert "shown" not in heading(beyond)
        text = " ".join(beyond.text.split())
        assert "the results end before page" in text and "Back to the first page" in text


@pytest.mark.skipif(not POSTGRESQL, reason="SQLite counts exactly")
def test_every_result_is_reachable_when_the_estimate_falls_short(client, settings):
    """
    Drafts among the best matches make the estimate short (about 29 for 45): a full page
    at its end still links to a next one, which is read though past the estimate, until a
    page ends short and says the exact number; a page past the last result is not found.
    """
    settings.CATALOG_FACET_SAMPLE = 4
    settings.CATALOG_COUNT_CAP = 6
    settings.CATALOG_PAGE_SIZE = 6
    for n in range(50):
        # The drafts rank highest, so 5 of the first 12 matches read fail: 50 × 7/12.
        title = "Armistice armistice report" if n < 5 else "Armistice report"
        DocumentFactory(title=f"{title} {n}", status="draft" if n < 5 else "published")

    first = client.get(LIST_URL, {"q": "armistice"})
    seen, page, response = [], 1, first
    while True:
        assert response.status_code == 200, page
        seen += [d.pk for d in response.context["documents"]]
        if not response.context["page_obj"].has_next():
            break
        page += 1
        response = client.get(LIST_URL, {"q": "armistice", "page": page})

    assert first.context["result_count_estimated"] and first.context["result_count"] < 40
    assert len(seen) == len(set(seen)) == 45 and page == 8
    assert heading(response).startswith("45 documents match") and "43–45 shown" in heading(response)
    assert client.get(LIST_URL, {"q": "armistice", "page": 9}).status_code == 404


def test_the_admin_list_counts_up_to_its_cap(admin_client, monkeypatch, twelve_documents):
    monkeypatch.setattr(CappedCountPaginator, "cap", 5)

    response = admin_client.get(reverse("admin:catalog_document_changelist"))

    changelist = response.context["cl"]
    assert response.status_code == 200
    assert not changelist.show_full_result_count
    paginator_line = re.search(r'<p class="paginator">(.*?)</p>', response.text, re.S)[1]
    if POSTGRESQL:
        assert changelist.paginator.estimated
        assert changelist.result_count >= 6
        assert re.search(r"About [\d,]+ documents", paginator_line)
    else:
        assert changelist.result_count == 12
        assert "12 documents" in paginator_line and "About" not in paginator_line
    assert len(changelist.result_list) == 12  # every row is still listed


@pytest.mark.skipif(not POSTGRESQL, reason="SQLite counts every document")
def test_a_sample_is_spread_over_the_documents_not_their_first(client, settings):
    """Forty of a person's documents, entered in date order (ids follow the dates), ten a
    decade; the facets count 8 of them.  The first 8 links would all be from the 1900s; the
    sample takes every fifth, so each decade is estimated at its ten."""
    settings.CATALOG_FACET_SAMPLE = 8
    settings.CATALOG_COUNT_CAP = 100
    person = PersonFactory(display_name="Ada Quuxley")
    for n in range(40):
        document = DocumentFactory(date_edtf=f"{1900 + n // 10 * 10 + n % 10}-03-01")
        DocumentPersonFactory(document=document, person=person)

    response = client.get(LIST_URL, {"person": person.slug})

    histogram = response.context["histogram"]
    assert [(bar.label, bar.count) for bar in histogram.bars] == [
        ("1900s", 10),
        ("1910s", 10),
        ("1920s", 10),
        ("1930s", 10),
    ]
    assert all(bar.estimated for bar in histogram.bars)
    assert heading(response).startswith("40 documents")
