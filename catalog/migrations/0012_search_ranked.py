"""
Ranked search pages in one pass over the index (PostgreSQL only; issue 7, item 3).

``catalog_search_ranked(query, ranking)`` returns each document matching ``query`` with its
``ts_rank`` against ``ranking``, computed from the vector the GIN index scan has just read.
``catalog.search.page`` picks a results page from it.  Before, the page matched through
``catalog_search_matches`` and then looked up each match's vector again by primary key to
rank it: for a word pair in 40,000 of 100,000 documents, 320 ms, of which the matching took
80 ms; ranked in the same pass, 110 ms.

Like ``catalog_search_matches`` (0009) the function is planned with sequential scans off, so
that a common word is found through the index rather than by decompressing every vector.

SQLite ranks with FTS5's ``bm25`` in the full-text query already; nothing to do there.
"""

from django.db import migrations

RANKED_FUNCTION = """
    CREATE OR REPLACE FUNCTION catalog_search_ranked(query tsquery, ranking tsquery)
    RETURNS TABLE (document_id bigint, rank real)
    LANGUAGE sql STABLE PARALLEL SAFE ROWS 5000 SET enable_seqscan = off AS
    'SELECT document_id, ts_rank(vector, ranking) FROM catalog_search WHERE vector @@ query'
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RANKED_FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS catalog_search_ranked(tsquery, tsquery)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0011_date_statistics_recent_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
