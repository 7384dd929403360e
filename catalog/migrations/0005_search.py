"""
The full-text search index (see catalog/search.py), built for the documents already stored.

Each database gets its own structure, unknown to the models (so ``makemigrations`` has nothing
to say about it):

- PostgreSQL: the ``unaccent`` extension; a Snowball English stemmer without stop words
  (``catalog_english_stem``) and the text search configuration ``catalog_search`` (English,
  words passed through ``unaccent`` and then that stemmer); the table ``catalog_search``
  (document id, weighted ``tsvector``) with a GIN index.
- SQLite: the FTS5 table ``catalog_search`` (rowid = document id; columns title, names, body)
  with the tokenizer ``porter unicode61 remove_diacritics 2``.

The SQL that fills the index is written out here as it stands at this migration, so that
later changes to catalog/search.py cannot change what this migration does.
"""

from django.db import migrations

START, STOP = "\ue000", "\ue001"
PG_GLUE = ".-/+~@:<>&" + START + STOP
SPACES = " " * len(PG_GLUE)

POSTGRESQL_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH DICTIONARY catalog_english_stem "
    "(TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION catalog_search (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION catalog_search "
    "ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part "
    "WITH unaccent, catalog_english_stem",
    "ALTER TEXT SEARCH CONFIGURATION catalog_search "
    "ALTER MAPPING FOR numword, numhword, hword_numpart WITH unaccent, simple",
    "CREATE TABLE catalog_search (document_id bigint PRIMARY KEY, vector tsvector NOT NULL)",
    "CREATE INDEX catalog_search_vector ON catalog_search USING gin (vector)",
]
POSTGRESQL_DROP = [
    "DROP TABLE IF EXISTS catalog_search",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS catalog_search",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS catalog_english_stem",
]
POSTGRESQL_FILL = f"""
    WITH names AS (
        SELECT dp.document_id,
               string_agg(p.display_name || E'\\n' || p.alternate_names, E'\\n'
                          ORDER BY dp.position, dp.id) AS names
        FROM catalog_documentperson dp
        JOIN catalog_person p ON p.id = dp.person_id
        GROUP BY dp.document_id
    )
    INSERT INTO catalog_search (document_id, vector)
    SELECT d.id,
           setweight(to_tsvector('catalog_search', translate(d.title, '{PG_GLUE}', '{SPACES}')), 'A')
        || setweight(to_tsvector('catalog_search', translate(
               d.summary || E'\\n' || coalesce(n.names, ''), '{PG_GLUE}', '{SPACES}')), 'B')
        || setweight(to_tsvector('catalog_search', translate(
               d.transcript || E'\\n\\n' || d.source_note, '{PG_GLUE}', '{SPACES}')), 'C')
    FROM catalog_document d
    LEFT JOIN names n ON n.document_id = d.id
"""

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE catalog_search USING fts5("
    "title, names, body, tokenize = 'porter unicode61 remove_diacritics 2')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS catalog_search"]
SQLITE_FILL = f"""
    INSERT INTO catalog_search (rowid, title, names, body)
    SELECT d.id,
           replace(replace(d.title, '{START}', ''), '{STOP}', ''),
           replace(replace(d.summary || char(10) || coalesce(n.names, ''),
                           '{START}', ''), '{STOP}', ''),
           replace(replace(d.transcript || char(10) || char(10) || d.source_note,
                           '{START}', ''), '{STOP}', '')
    FROM catalog_document d
    LEFT JOIN (
        SELECT dp.document_id,
               group_concat(p.display_name || char(10) || p.alternate_names, char(10)) AS names
        FROM catalog_documentperson dp
        JOIN catalog_person p ON p.id = dp.person_id
        GROUP BY dp.document_id
    ) n ON n.document_id = d.id
"""


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL_CREATE:
            schema_editor.execute(statement)
        schema_editor.execute(POSTGRESQL_FILL)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)
        schema_editor.execute(SQLITE_FILL)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_person_search_names"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
