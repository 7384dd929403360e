"""
Snippets that do not reread every whole text (PostgreSQL only; issue 7, item 3).

A search page shows each result's best matching passage, cut by ``ts_headline`` from the
document's transcript and source note.  ``ts_headline`` parses the whole text it is given: on
a results page of 25 documents, two thirds of the snippet query's time (11 of 17 ms at
100,000 documents, more for long transcripts) went to parsing texts of which 30 words are
shown.

``catalog_search_passage`` holds, for every body longer than one window, the windows it is cut
into (``start``, the offset of a window in the body with the snippet markers taken out) and
each window's ``tsvector``.  A snippet reads the document's few windows by primary key, takes
the one that matches the most of the query's clauses (the closest together by
``ts_rank_cd``, then the earliest) and parses only that.

Two SQL functions cut the windows, so that the search module's ``reindex`` and this migration
cut them alike; the sizes are the search module's (``PostgreSQLBackend.PASSAGE`` and ``STEP``):

- ``catalog_search_passage_text(body, start, length)``: the window of ``body`` at ``start``,
  without the partial words its edges cut (the whole body if it is no longer than a window);
- ``catalog_search_passages(body, length, step)``: ``(start, passage)`` for windows every
  ``step`` characters until one reaches the end; none for a body of one window or less.

The table is filled here for the documents already indexed, as ``catalog.search.reindex``
fills it from now on (with the search index, on every save).  SQLite's FTS5 ``snippet`` reads
its own index; nothing to do there.
"""

from django.db import migrations

TABLE = """
    CREATE TABLE IF NOT EXISTS catalog_search_passage (
        document_id bigint NOT NULL,
        start integer NOT NULL,
        vector tsvector NOT NULL,
        PRIMARY KEY (document_id, start)
    );
    ALTER TABLE catalog_search_passage ALTER COLUMN vector SET STORAGE MAIN;
"""

# ``substr`` takes one character on each side of the window: a word is cut at the window's
# start when the character before it is not a space (``^\\S*`` then takes the partial word
# with it), and at the end likewise.
FUNCTIONS = r"""
    CREATE OR REPLACE FUNCTION catalog_search_passage_text(body text, start integer, length integer)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
            WHEN char_length(body) <= length THEN body
            ELSE regexp_replace(
                regexp_replace(
                    substr(body, greatest(start, 1),
                           length + CASE WHEN start > 0 THEN 2 ELSE 1 END),
                    CASE WHEN start > 0 THEN '^\S*' ELSE '^' END, ''),
                CASE WHEN start + length < char_length(body) THEN '\S*$' ELSE '$' END, '')
        END
    $$;
    CREATE OR REPLACE FUNCTION catalog_search_passages(body text, length integer, step integer)
    RETURNS TABLE (start integer, passage text) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT s, catalog_search_passage_text(body, s, length)
        FROM generate_series(0, char_length(body) - (length - step) - 1, step) AS s
        WHERE char_length(body) > length
    $$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TABLE)
    schema_editor.execute(FUNCTIONS)
    from catalog.search import PostgreSQLBackend

    with schema_editor.connection.cursor() as cursor:
        PostgreSQLBackend().passages(cursor, None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TABLE IF EXISTS catalog_search_passage")
    schema_editor.execute("DROP FUNCTION IF EXISTS catalog_search_passages(text, integer, integer)")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS catalog_search_passage_text(text, integer, integer)"
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_document_person_ids")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
