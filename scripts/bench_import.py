"""
Import benchmark: the whole development corpus (FRUS and Moritz, 15,330 records) through
``catalog.importing`` with ``--mapping corpus``, into a fresh PostgreSQL database.

1. Drops and creates the database ``archive_import_bench`` (``--database-url`` for another;
   it is dropped first, so never point it at one you care about) and migrates it; drops it
   again at the end unless ``--keep``.
2. For each corpus file: ``prepare()`` (reads and checks every row), then ``apply()`` with
   ``skip_invalid`` (writes the valid rows in one transaction, then one search reindex pass),
   timed separately, with the process's resident memory when a quarter, half and all of the
   file has been written (from /proc/self/statm) and the peak (``ru_maxrss``).
3. Prints rows, created, skipped, seconds and documents per second for each file and for both.

Run: ``.venv/bin/python scripts/bench_import.py`` (about half a minute).  Figures are in
docs/performance.md.  The only code besides ``scripts/demo_fixture.py`` that reads
``../shared/``.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
FILES = ["frus-records.jsonl", "moritz-records.jsonl"]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/archive_import_bench"


def rss_mb():
    """Resident memory now, in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def recreate_database(url, *, create=True):
    """Drop (and create) the database ``url`` names, through the server's ``postgres`` one."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


class Marks:
    """progress() callback noting memory at 1/4, 1/2 and all of the rows written."""

    def __init__(self):
        self.memory = {}

    def __call__(self, done, total):
        for fraction in (0.25, 0.5, 1.0):
            if total and done >= fraction * total and fraction not in self.memory:
                self.memory[fraction] = rss_mb()


def import_file(path):
    from catalog import importing

    with path.open("rb") as fileobj:
        started = time.monotonic()
        plan = importing.prepare(fileobj, file_name=path.name, mapping="corpus")
        checked = time.monotonic()
        marks = Marks()
        batch = importing.apply(plan, skip_invalid=True, progress=marks)
        ended = time.monotonic()
    return {
        "file": path.name,
        "rows": plan.rows,
        "created": batch.created_count,
        "skipped": batch.skipped_count,
        "prepare": checked - started,
        "apply": ended - checked,
        "total": ended - started,
        "memory": marks.memory,
        "errors": plan.errors,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    recreate_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    # As in production: with DEBUG on, Django keeps the last 9,000 queries and their
    # parameters (here, the transcripts) in memory.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-not-for-production")
    os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"start: {rss_mb():.0f} MB resident after setup and migrate")
    results = [import_file(CORPUS / name) for name in FILES]
    for r in results:
        memory = ", ".join(f"{int(k * 100)} %: {v:.0f} MB" for k, v in r["memory"].items())
        print(
            f"{r['file']}: {r['rows']} rows, {r['created']} created, {r['skipped']} skipped; "
            f"prepare {r['prepare']:.1f} s + apply {r['apply']:.1f} s = {r['total']:.1f} s, "
            f"{r['created'] / r['total']:.0f} docs/s; memory {memory}"
        )
        for error in r["errors"]:
            print(f"    {error}")
    created = sum(r["created"] for r in results)
    seconds = sum(r["total"] for r in results)
    print(
        f"both: {sum(r['rows'] for r in results)} rows, {created} created in {seconds:.1f} s: "
        f"{created / seconds:.0f} docs/s; peak resident memory {peak_mb():.0f} MB"
    )
    if not args.keep:
        from django.db import connections

        connections.close_all()
        recreate_database(args.database_url, create=False)


if __name__ == "__main__":
    main()
