"""
Indexes for the public document list at 1,000,000 documents (issue 7, item 6), PostgreSQL only.

Every filter and sort of the list has an index PostgreSQL uses (``tests/test_query_plans.py``
proves each with EXPLAIN; ``scripts/bench.py --explain`` shows them at scale). The document
indexes are partial, ``WHERE status = 'published'``: every public read goes through
``Document.objects.published()``, which tests that status (and, since 0008, that no embargo
is running, a test on a nullable date that changes with the day, so it is checked on the rows
the index gives rather than built into it).

- ``document_published_span``: GiST on ``daterange(date_earliest, date_latest, '[]')``, the
  expression ``DocumentQuerySet.overlapping`` filters with ``&&`` on PostgreSQL, so a date
  range is one index condition instead of a B-tree range on one bound and a filter on the
  other. It INCLUDEs the columns the facet counts and the public gate read, so the counts can
  come from an index-only scan without visiting the (wide) document rows.
- ``document_published_date`` / ``_date_desc`` / ``_title``: the three sorts, in the exact
  order (``NULLS LAST``) that ``catalog.filters.SORTS`` asks for, so a page is the first 25
  entries of an index.
- ``document_published_type`` / ``_language`` / ``_repository`` / ``_rights``: each
  single-value filter followed by the default sort's columns: the filter and the first page in
  date order from one index.
- Person links: ``(person_id, role, document_id)`` serves the person filter (with or without a
  role) from the index alone; ``(document_id, person_id)`` the people facet's join;
  ``(role, document_id)`` the role filter without a person.

Search: the function ``catalog_search_matches(tsquery)`` (below), which ``catalog.search``
uses to find the matching documents through the GIN index of 0005.

Subjects and collections already have their link indexes (0001); a collection's subtree is a
``tree_path LIKE 'path%'`` on ``catalog_collection``'s pattern index.

SQLite keeps the indexes of 0001 (its list queries are measured in docs/performance.md).
"""

from django.db import migrations

PUBLISHED = "WHERE status = 'published'"
DATE_SORT = "date_earliest, date_latest, record_id"

INDEXES = {
    "document_published_span": (
        "catalog_document USING gist (daterange(date_earliest, date_latest, '[]')) "
        "INCLUDE (id, date_earliest, date_latest, embargo_until, doc_type, language, "
        f"repository_id, rights_id, date_approximate, date_uncertain) {PUBLISHED}"
    ),
    "document_published_date": f"catalog_document ({DATE_SORT}) {PUBLISHED}",
    "document_published_date_desc": (
        "catalog_document (date_latest DESC NULLS LAST, date_earliest DESC NULLS LAST, "
        f"record_id DESC) {PUBLISHED}"
    ),
    "document_published_title": f"catalog_document (lower(title), record_id) {PUBLISHED}",
    "document_published_type": f"catalog_document (doc_type, {DATE_SORT}) {PUBLISHED}",
    "document_published_language": f"catalog_document (language, {DATE_SORT}) {PUBLISHED}",
    "document_published_repository": (f"catalog_document (repository_id, {DATE_SORT}) {PUBLISHED}"),
    "document_published_rights": f"catalog_document (rights_id, {DATE_SORT}) {PUBLISHED}",
    "document_person_person_role_document": (
        "catalog_documentperson (person_id, role, document_id)"
    ),
    "document_person_document_person": "catalog_documentperson (document_id, person_id)",
    "document_person_role_document": "catalog_documentperson (role, document_id)",
}


# The documents matching a tsquery, always through the GIN index: the planner prices ``@@``
# as one cheap operator per row and so prefers a sequential scan for words in more than a few
# percent of the documents, but each test then decompresses a whole document's vector (1.2 s
# instead of 0.3 s for 16,000 matches of 100,000).  A function with its own SET clause is not
# inlined, so its query is planned with sequential scans off. ``ROWS`` is its row estimate.
MATCHES_FUNCTION = """
    CREATE OR REPLACE FUNCTION catalog_search_matches(query tsquery) RETURNS SETOF bigint
    LANGUAGE sql STABLE PARALLEL SAFE ROWS 5000 SET enable_seqscan = off AS
    'SELECT document_id FROM catalog_search WHERE vector @@ query'
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
    schema_editor.execute(MATCHES_FUNCTION)
    for table in ("catalog_document", "catalog_documentperson"):
        schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS catalog_search_matches(tsquery)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_document_embargo")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
