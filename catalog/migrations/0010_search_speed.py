"""
Faster ranked searches (PostgreSQL only; issue 7, item 3): the search vectors stored in the
row, and an index that answers "which of these ids are public, and their record IDs and facet
columns" without reading the document rows.

**Vectors in the row.**

A document's weighted ``tsvector`` averages about 2 kB; half of them were over the 2 kB TOAST
threshold, and since a ``tsvector`` barely compresses, PostgreSQL stored those out of line,
uncompressed, in ``catalog_search``'s TOAST table.  Ranking a search's matches
(``ts_rank``, :mod:`catalog.search`) then cost a TOAST index probe and a chunk fetch for every
long document: about half of a broad search's time (10,000 matches: 105 ms to rank, of which
70 ms fetching vectors).  ``STORAGE MAIN`` keeps a vector in the row unless the row could not
fit in a page otherwise; the table grows (the vectors move into it from the TOAST table), and
the same ranking reads the row it has already found.

Changing the storage applies to values written afterwards, so the existing rows are
rewritten here (``vector || ''`` builds a new value) and the table is then compacted with
``VACUUM FULL`` (so the migration is not atomic; run again, it does the same work again); at
100,000 documents that takes about 30 s, at 1,000,000 a few minutes.

**``document_published_id_covering``**: ``(id) INCLUDE (record_id, the public gate's and the
facets' columns) WHERE status = 'published'``.  A search's matches are a list of ids; with
this index PostgreSQL checks the gate, reads the record ID that breaks ties in the ranking
(``catalog.search.page``) and the columns the facets count (``catalog.facets``) by
index-only scans, instead of fetching each matching document's row.

SQLite's FTS5 table and indexes are unaffected.
"""

from django.db import migrations


COVERING_INDEX = (
    "CREATE INDEX IF NOT EXISTS document_published_id_covering ON catalog_document (id) "
    "INCLUDE (record_id, embargo_until, date_earliest, date_latest, doc_type, language, "
    "repository_id, rights_id) WHERE status = 'published'"
)


def store_inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(COVERING_INDEX)
    schema_editor.execute("ALTER TABLE catalog_search ALTER COLUMN vector SET STORAGE MAIN")
    schema_editor.execute("UPDATE catalog_search SET vector = vector || ''::tsvector")
    # The update left every old version behind: give the space back (and rebuild the GIN
    # index compactly).  VACUUM cannot run in a transaction, hence ``atomic = False``.
    schema_editor.execute("VACUUM (FULL, ANALYZE) catalog_search")


def store_out_of_line(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS document_published_id_covering")
    schema_editor.execute("ALTER TABLE catalog_search ALTER COLUMN vector SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("catalog", "0009_scale_indexes")]

    operations = [migrations.RunPython(store_inline, store_out_of_line, elidable=False)]
