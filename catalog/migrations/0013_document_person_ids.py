"""
Each document's people as an array on its row, for the people facet (PostgreSQL only;
issue 7, item 3).

The people facet counts, for every document the other filters let through, the people linked
to it.  Read through the link table, that is one index probe per counted document: for a
person and 20 years at 100,000 documents (about 5,000 documents in those years, counted
without the person filter) 10 of the list page's 22 ms in the database, and 59 ms for the
10,000-document sample at 1,000,000.  ``person_ids`` (the distinct ids of the document's
people, sorted) is INCLUDEd in the two indexes the facets read their documents from
(``document_published_span`` for date ranges, ``document_published_id_covering`` for
searches), so the facet unnests it from the index entries it has already read.

``document_published_span`` also gains ``record_id``, the last key of the date orders, so that
a list page's ids (``DocumentListView.paginate_queryset``) for a date range come from that
index alone: a popular person's 20 years at 1,000,000 documents, 65 → 39 ms.

The column is not a model field (SQLite has no arrays, and nothing but the facets reads it),
like the search table of 0005.  It is kept up to date where the search index is:
``catalog.search.reindex`` rewrites it for the documents it is given, and every writer of
person links calls that (the signals on every save and delete, the importer, the generator,
merging people).  A new document starts with ``'{}'`` until its links are written.

The migration adds and fills the column and rebuilds both indexes (atomic = False: the
``VACUUM`` that lets the rebuilt indexes answer index-only cannot run in a transaction).
"""

from django.db import migrations

PUBLISHED = "WHERE status = 'published'"
SPAN = (
    "CREATE INDEX document_published_span ON catalog_document "
    "USING gist (daterange(date_earliest, date_latest, '[]')) "
    "INCLUDE (id, date_earliest, date_latest, embargo_until, doc_type, language, "
    "repository_id, rights_id, date_approximate, date_uncertain{extra}{record_id}) " + PUBLISHED
)
COVERING = (
    "CREATE INDEX document_published_id_covering ON catalog_document (id) "
    "INCLUDE (record_id, embargo_until, date_earliest, date_latest, doc_type, language, "
    "repository_id, rights_id{extra}{record_id}) " + PUBLISHED
)
FILL = """
    UPDATE catalog_document d SET person_ids = l.ids
    FROM (
        SELECT document_id, array_agg(DISTINCT person_id ORDER BY person_id) AS ids
        FROM catalog_documentperson GROUP BY document_id
    ) l
    WHERE l.document_id = d.id
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE catalog_document ADD COLUMN IF NOT EXISTS person_ids bigint[] "
        "NOT NULL DEFAULT '{}'"
    )
    schema_editor.execute(FILL)
    for name, definition in (
        ("document_published_span", SPAN),
        ("document_published_id_covering", COVERING),
    ):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        record_id = ", record_id" if name == "document_published_span" else ""
        schema_editor.execute(definition.format(extra=", person_ids", record_id=record_id))
    schema_editor.execute("VACUUM (ANALYZE) catalog_document")


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in (
        ("document_published_span", SPAN),
        ("document_published_id_covering", COVERING),
    ):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(definition.format(extra="", record_id=""))
    schema_editor.execute("ALTER TABLE catalog_document DROP COLUMN IF EXISTS person_ids")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("catalog", "0012_search_ranked")]

    operations = [migrations.RunPython(add, remove, elidable=False)]
