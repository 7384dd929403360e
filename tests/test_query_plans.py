"""
Every filter and sort of the public document list has an index PostgreSQL can serve it from
(issue 7, item 6; the indexes are migration 0009's).

Each test builds the list's queryset as the page does (``DocumentFilter`` over
``Document.objects.published().for_list()``, or the facet query), runs ``EXPLAIN`` on its SQL
with sequential scans switched off (``SET LOCAL enable_seqscan = off``, so the planner must
use an index when one can serve the query at all, however little data the test holds) and
asserts that the expected index is in the plan.  Which index the planner picks at 1,000,000
documents, with sequential scans allowed, is in the benchmark's report
(``scripts/bench.py --explain``) and docs/performance.md.
"""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import search
from catalog.facets import DocumentFacets
from catalog.filters import DocumentFilter
from catalog.models import Document, DocumentPerson

from .factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    RepositoryFactory,
    SubjectFactory,
    rights_statement,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the indexes of migration 0009 and EXPLAIN's output are PostgreSQL's",
    ),
]


@pytest.fixture
def catalogue():
    person = PersonFactory(slug="harriman")
    fonds = CollectionFactory(slug="harriman-papers")
    series = CollectionFactory(slug="harriman-cables", parent=fonds)
    subject = SubjectFactory(slug="diplomacy")
    for year in range(1940, 1950):
        document = DocumentFactory(date_edtf=f"{year}-02-02")
        DocumentPersonFactory(document=document, person=person, role="author")
        document.collections.add(series)
        document.subjects.add(subject)
    for _ in range(20):  # other authors, so that "author" alone says little
        DocumentPersonFactory(document=DocumentFactory(date_edtf="1950"), role="author")
    # Many other documents of another type, language, archive and rights, so that each value
    # the tests filter on is rare, as a chosen value is in a large catalogue.
    other_repository = RepositoryFactory()
    other_rights = rights_statement("InC")
    Document.objects.bulk_create(
        Document(
            record_id=900_000 + n,
            title=f"Letter {n}",
            doc_type="letter",
            language="de",
            repository=other_repository,
            rights=other_rights,
            date_edtf="1700",
            date_earliest=datetime.date(1700, 1, 1),
            date_latest=datetime.date(1700, 12, 31),
            status="published",
            published_at=timezone.now(),
        )
        for n in range(400)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_document")
        cursor.execute("ANALYZE catalog_documentperson")
    return {"person": person, "collection": fonds, "subject": subject}


def plan(sql, params, *, by="condition"):
    """
    EXPLAIN's text for ``sql`` with sequential scans off.  ``by="condition"``: plain index
    scans off too, so an index appears only as a bitmap scan, which needs an index condition,
    so the index serves the filter itself; ``by="order"``: sorting off, so the rows come in an
    index's order (a few rows are otherwise cheaper to sort).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if by == "condition":
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
        else:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def list_plan(query, *, by="condition"):
    """The plan of the list page's query (the page of rows, sorted) for ``query``."""
    filterset = DocumentFilter(QueryDict(query), queryset=Document.objects.published().for_list())
    assert filterset.is_valid(), filterset.form.errors
    queryset = filterset.qs[:25]
    return plan(*queryset.query.sql_with_params(), by=by)


def facets_sql(query, **kwargs):
    """The SQL and parameters of the facets' one query for the list's ``query``."""
    filterset = DocumentFilter(QueryDict(query), queryset=Document.objects.published().for_list())
    assert filterset.is_valid(), filterset.form.errors
    facets = DocumentFacets(filterset, **kwargs)
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        facets.rows  # noqa: B018 (reads the facets, and a ranked page's ids: one query)
    (sql, params), *_ = captured
    return sql, params


def uses(found, index):
    """
    Whether the plan ``found`` reads the index named ``index`` (the whole name), or one of
    them when ``index`` is a tuple (a few rows may make the planner prefer an equivalent).
    """
    names = index if isinstance(index, tuple) else (index,)
    return any(f" on {name} " in found or f" using {name} on " in found for name in names)


PERSON = (
    "document_person_person_role_document",
    "document_person_role",
    "catalog_documentperson_person_id_07b9809f",
)
PERSON_IDS = "document_published_person_ids"


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("date_from=1942&date_to=1944", "document_published_span"),
        ("date_from=1942", "document_published_span"),
        # Selective: the 400 letters of 1700 come after it.  (An open range holding nearly
        # every document is rightly read through the gate instead: with the span statistics
        # of 0011 the planner knows how many documents a range holds.)
        ("date_to=1699", "document_published_span"),
        ("person=harriman", PERSON),
        ("person=harriman&role=author", PERSON),
        # On a small table the planner may read any index that starts with or holds the role.
        (
            "role=author",
            (
                "document_person_role_document",
                "document_person_person_role_document",
                "document_person_role",
            ),
        ),
        ("subject=diplomacy", "catalog_document_subjects_subject_id_f7374975"),
        ("doc_type=telegram", "document_published_type"),
        ("language=en", "document_published_language"),
        # The foreign key's own index (0001) serves these as well as the sorted one.
        ("rights=NoC-US", ("document_published_rights", "catalog_document_rights_id_52b0555f")),
    ],
)
def test_each_filter_of_the_list_has_an_index(catalogue, query, index):
    found = list_plan(query)
    assert uses(found, index), found


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("sort=date", "document_published_date"),
        ("sort=-date", "document_published_date_desc"),
        ("sort=title", "document_published_title"),
        ("", "document_published_date"),
        # Leaving out approximate or uncertain dates keeps most documents: the sort's index
        # gives the page, the flag is tested on its rows.
        ("exclude_approximate=on", "document_published_date"),
        ("exclude_uncertain=on", "document_published_date"),
    ],
)
def test_each_sort_of_the_list_reads_an_index_in_order(catalogue, query, index):
    found = list_plan(query, by="order")
    assert uses(found, index), found


def test_the_archive_filter_uses_its_index(catalogue):
    repository = Document.objects.first().repository
    found = list_plan(f"repository={repository.slug}")
    assert uses(
        found, ("document_published_repository", "catalog_document_repository_id_f150ec7f")
    ), found


def test_the_collection_filter_finds_the_subtree_by_index(catalogue):
    found = list_plan("collection=harriman-papers")
    assert "catalog_collection_tree_path" in found, found  # the subtree: LIKE 'path%'
    assert "catalog_document_collections_collection_id" in found, found  # its links


def test_search_reads_the_full_text_index(catalogue):
    """The matches come from catalog_search_matches(), whose query uses the GIN index."""
    assert "catalog_search_matches" in list_plan("q=telegram", by="order")
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'catalog_search_matches'")
        (body,) = cursor.fetchone()
    found = plan(body.replace("query", "to_tsquery('catalog_search', %s)"), ["telegram"])
    assert uses(found, "catalog_search_vector"), found


def test_a_ranked_search_page_ranks_in_the_full_text_index_scan(catalogue, client):
    """A page in relevance order comes from catalog_search_ranked() (0012), which finds and
    ranks the matches in one scan of the GIN index, once a page: the facets, the number of
    results and the page's entries all read that one result."""
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        response = client.get("/documents/", {"q": "telegram"})
    assert response.status_code == 200
    functions = ("catalog_search_ranked(", "catalog_search_matches(")
    searched = [sql for sql in captured if any(name in sql for name in functions)]
    assert len(searched) == 1, searched
    assert searched[0].count("catalog_search_ranked(") == 1, searched[0]
    assert "catalog_search_matches(" not in searched[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'catalog_search_ranked'")
        (body,) = cursor.fetchone()
    body = body.replace("query", "to_tsquery('catalog_search', %s)")
    found = plan(body.replace("ranking", "to_tsquery('catalog_search', %s)"), ["a", "telegram"])
    assert uses(found, "catalog_search_vector"), found


def test_connections_do_not_compile_queries_just_in_time(db):
    """JIT is off: compiling took longer than the catalogue's short queries themselves."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_a_persons_dates_in_a_role_are_tested_on_the_persons_links(catalogue):
    """
    Person, role and 20 years: the page starts from the person's links in that role and
    tests each of their documents' dates, never walking the range in the span index (a
    popular person's 20 years at 1,000,000 documents: 61,000 entries read there to keep
    5,000); so do the facets' documents of that person and those years, while the people
    facet's documents (those years, every person) still come from the span index.
    """
    query = "person=harriman&role=author&date_from=1940&date_to=1959"
    found = list_plan(query)
    assert uses(found, PERSON) and not uses(found, "document_published_span"), found

    filterset = DocumentFilter(QueryDict(query), queryset=Document.objects.published())
    assert filterset.is_valid(), filterset.form.errors
    found = plan(*filterset.filtered().query.sql_with_params())
    assert uses(found, PERSON) and not uses(found, "document_published_span"), found
    everyone = filterset.filtered(without=("person", "role"))
    found = plan(*everyone.query.sql_with_params())
    assert uses(found, "document_published_span"), found


def test_a_persons_dates_are_tested_on_the_persons_documents(db):
    """
    A person in 200 documents over two centuries, and 20 years holding 820 of the 4,200
    documents, 20 of them the person's: the page starts from the person's entries in the
    documents' index of people (migration 0015) or, on so small a table, from the range's in
    the B-tree on the two dates, testing the other on each row; never from the range in the
    span index, nor the person's links.  In a large catalogue PostgreSQL intersects the two
    (``BitmapAnd``, docs/performance.md): the most linked person's 26,000 documents at
    1,000,000 within 20 years, 75 → 36 ms.
    """
    person = PersonFactory(slug="harriman")
    repository, rights = RepositoryFactory(), rights_statement("InC")

    def documents(first, years, count):
        return Document.objects.bulk_create(
            Document(
                record_id=800_000 + first + n,
                title=f"Letter {first + n}",
                repository=repository,
                rights=rights,
                date_edtf=str(years[n % len(years)]),
                date_earliest=datetime.date(years[n % len(years)], 1, 1),
                date_latest=datetime.date(years[n % len(years)], 12, 31),
                status="published",
                published_at=timezone.now(),
            )
            for n in range(count)
        )

    named = documents(0, range(1800, 2000), 200)
    documents(1000, range(1900, 2000), 4000)
    DocumentPerson.objects.bulk_create(
        DocumentPerson(document=document, person=person, role="author") for document in named
    )
    search.reindex([document.pk for document in named], texts=False)  # as every writer does
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_document")
    query = "person=harriman&date_from=1940&date_to=1959"
    found = list_plan(query)
    # The person's entries, or (the planner's choice on so small a table) the range's in the
    # B-tree on the two dates, each tested for the person on its own row: never the span
    # index's walk, nor a lookup of the person's links.
    assert uses(found, (PERSON_IDS, "document_date_range")), found
    assert not uses(found, "document_published_span"), found
    assert "catalog_documentperson" not in found, found

    filterset = DocumentFilter(QueryDict(query), queryset=Document.objects.published())
    assert filterset.is_valid(), filterset.form.errors
    found = plan(*filterset.filtered().query.sql_with_params())
    assert uses(found, (PERSON_IDS, "document_date_range")), found
    assert not uses(found, "document_published_span"), found
    assert "catalog_documentperson" not in found, found
    assert filterset.filtered().count() == 20


def test_the_facet_counts_read_the_date_range_from_the_index(catalogue):
    """Person and 20 years: the people facet's documents (every person) by the span index."""
    found = plan(*facets_sql("person=harriman&date_from=1940&date_to=1959"))
    assert uses(found, "document_published_span"), found


@pytest.mark.parametrize("query", ["q=telegram", "q=telegram&role=author", "person=harriman"])
def test_the_link_facets_look_each_counted_documents_links_up(catalogue, query):
    """
    The collection facet (and the people facet by role) reads the links of the documents it
    counts through the link table's index, one lookup a document (an index condition on the
    counted document's id), not by reading the whole link table and hashing it: the planner
    guesses a search's matches at 5,000 whatever the words, and so read every link there is
    for a search matching three documents (40 ms at 100,000 documents).
    """
    found = plan(*facets_sql(query, ranked_page=(0, 25) if "q=" in query else None))
    # An index scan whose condition is the counted document's id (f.id, or the set's own
    # name where the database inlined it).
    lookups = re.findall(r"Index Scan on (\w+) .*\n\s+Index Cond: \(document_id = \w+\.id\)", found)
    assert "catalog_document_collections_document_id" in " ".join(lookups), found
    if "role=" in query:
        # Either index of the person links that starts with the document serves.
        assert any("person_document" in name for name in lookups), (lookups, found)


def test_a_ranked_search_page_looks_up_its_matches_best_first_until_it_is_full(catalogue):
    """The page of a search in relevance order reads the matches best first (sorted once),
    looking each up among the documents the other filters let through, and stops when the
    page is full, rather than looking up every match (a broad word pair's 44,000)."""
    sql, params = facets_sql("q=telegram&language=en", ranked_page=(0, 25))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        found = "\n".join(row[0] for row in cursor.fetchall())
    assert re.search(r"Incremental Sort.*\n\s+Sort Key: facet_search\w*\.rank DESC", found), found
    assert re.search(r"Presorted Key: facet_search\w*\.rank", found), found


def rows_query(client, query):
    """The SQL of the query that reads the list page's rows whole, for ``query``."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("catalog:document-list") + "?" + query)
    assert response.status_code == 200
    rows = 'SELECT "catalog_document"."id", "catalog_document"."record_id", '
    (sql,) = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(rows)]
    return sql


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_a_page_in_date_order_takes_its_ids_from_the_counted_results(
    catalogue, client, settings, sort
):
    """
    A person's documents in date order: the facets' query, which reads every result to
    count them, also picks the page's ids, and the rows are then read by id, without
    finding the person's documents again (21 ms a page at 1,000,000 documents).  With more
    results than the cap the page's query finds its ids itself.
    """
    query = f"person=harriman&date_from=1940&date_to=1959&sort={sort}"
    sql = rows_query(client, query)
    assert '"person_ids" @>' not in sql and "IN (SELECT" not in sql, sql

    settings.CATALOG_COUNT_CAP = settings.CATALOG_FACET_SAMPLE = 5  # 10 documents: beyond it
    sql = rows_query(client, query + "&page=1")  # (another address than the cached page's)
    assert '"person_ids" @>' in sql, sql


def test_the_results_within_dates_come_from_the_documents_of_every_date(catalogue):
    """
    A person and a date range: the facets' query finds the person's documents once, for the
    histogram (every date), and takes the results from them (those within the dates) while
    they are all there (no more than the cap), rather than looking them up again (27 ms for
    a popular person's 7,800 at 1,000,000 documents).
    """
    sql, params = facets_sql("person=harriman&date_from=1940&date_to=1944")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
        found = "\n".join(row[0] for row in cursor.fetchall())
    # The person's documents of every date through the links; within the dates (the way
    # taken past the cap) through the documents' arrays of people: each scan's line with
    # the detail lines below it.
    node = r"(->  [^\n]*Scan[^\n]* on catalog_document\w*\b[^\n]*(?:\n\s+[^-\s][^\n]*)*)"
    nodes = re.findall(node, found)
    links = [n for n in nodes if re.match(r"->  [^\n]* on catalog_documentperson\b", n)]
    arrays = [n for n in nodes if "person_ids @>" in n]
    assert len(links) == 1 and "never executed" not in links[0].partition("\n")[0], found
    assert len(arrays) == 1 and "never executed" in arrays[0].partition("\n")[0], found
