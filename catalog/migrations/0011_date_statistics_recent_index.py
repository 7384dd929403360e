"""
Statistics on the documents' date spans, so PostgreSQL knows how many a date range holds, and
an index for the newest published documents (PostgreSQL; the statistics need 14 or later;
issue 7, item 3).

**Date spans.**
The list filters dates with ``daterange(date_earliest, date_latest, '[]') && daterange(…)``
(``DocumentQuerySet.overlapping``, served by the GiST index of 0009).  Without statistics
on that expression the planner guesses that any range holds 1 % of the documents: at
1,000,000 documents it expected 9,500 documents in 1920–1939 where there were 56,500, and so
read the whole range and matched it against a person's 6,270 documents (330 ms) instead of
reading the person's documents and testing their dates (64 ms).  ``CREATE STATISTICS`` on
the expression makes ``ANALYZE`` (and autovacuum) keep a histogram of the spans, and the
planner then estimates a range from it.

**``document_published_recent``**: ``(published_at DESC, record_id DESC)`` of published
documents, the order of the home page's "recently published" and the Atom feeds, which read
every published document and sorted it (110 ms of the home page's 540 at 100,000).

SQLite keeps its own plans; nothing to do there.
"""

from django.db import migrations

NAME = "document_span_stats"
RECENT = "document_published_recent"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE STATISTICS IF NOT EXISTS {NAME} "
        "ON (daterange(date_earliest, date_latest, '[]')) FROM catalog_document"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {RECENT} ON catalog_document "
        "(published_at DESC, record_id DESC) WHERE status = 'published'"
    )
    schema_editor.execute("ANALYZE catalog_document")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {RECENT}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_search_speed")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
