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

from .factories import DocumentFactory

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

    response = client.get(LIST_URL)

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
