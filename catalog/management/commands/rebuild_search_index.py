"""
Rebuild the full-text search index from the documents: ``manage.py rebuild_search_index``.

The index is kept current on every save (``catalog/signals.py``); rebuild it after writing
documents or people in bulk without ``save()`` (``bulk_create``, ``QuerySet.update()``, raw
SQL), after restoring a database dump made without the index, or when the index structure or
what it holds changes.  One transaction: searches see the old index until the new one is
complete.  On PostgreSQL it also rewrites each document's ``person_ids`` (the people facet's,
migration 0013) and the passages of long texts that snippets are cut from (migration 0014),
which the same calls keep current.  ``--dry-run`` reports what would be indexed and writes
nothing.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connections, router, transaction

from catalog import cache, search
from catalog.models import Document


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of every document (title; summary and people's "
        "names; transcript and source note) in one transaction, removing rows of documents "
        "that no longer exist, and on PostgreSQL each document's list of people that the "
        "people facet counts and the passages of long texts that snippets are cut from. "
        "Needed only after bulk writes that bypass save(); every ordinary save keeps them "
        "current. --dry-run counts and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report how many documents would be indexed; change nothing.",
        )

    def handle(self, *args, dry_run, verbosity, **options):
        alias = router.db_for_write(Document)
        vendor = connections[alias].vendor
        total = Document.objects.using(alias).count()
        published = Document.objects.using(alias).published().count()
        if verbosity >= 1:
            self.stdout.write(
                f"{'Would index' if dry_run else 'Indexing'} {total:,} documents "
                f"({published:,} published, {total - published:,} drafts) on {vendor}…"
            )
        if dry_run:
            if verbosity >= 1:
                self.stdout.write("Dry run: the index was not changed.")
            return
        started = time.monotonic()
        with transaction.atomic(using=alias):
            written = search.reindex()
            cache.bump()  # cached pages may show the results and counts of the old index
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Indexed {written:,} documents in {time.monotonic() - started:.1f} s."
                )
            )
