"""
Restore a backup made by ``backup_catalogue``: ``manage.py restore_catalogue FILE``
(``make restore FILE=...``), into the database in DATABASE_URL.

- ``*.pgdump`` (PostgreSQL only): ``pg_restore --clean --if-exists --no-owner``, in one
  transaction, stopping at the first error; the database must exist (it may be empty).
- ``*.json.gz`` / ``*.json`` (either database): migrate, empty every table and ``loaddata`` in
  one transaction keeping every primary key (so history entries, links and the admin's log
  still point at their records), then rebuild the search index.

Refuses a database that already holds catalogue records or users unless ``--force``, which
replaces them.  Cached pages are invalidated afterwards (docs/reliability.md).
"""

import subprocess
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import override_settings

from catalog import cache
from catalog.management.base import CommandWithExamples
from catalog.models import Collection, Document, ImportBatch, Person, Repository, Subject

from .backup_catalogue import PG_SUFFIX, postgres_arguments, postgres_tool

EXAMPLES = """
examples:
  manage.py restore_catalogue backups/catalogue-archive-20260101-120000.pgdump
      into the (empty, or newly created) PostgreSQL database in DATABASE_URL
  DATABASE_URL=sqlite:///restored.sqlite3 \\
      manage.py restore_catalogue backups/catalogue-db-20260101-120000.json.gz
      a JSON backup into a new SQLite file (the schema is made first)
  manage.py restore_catalogue backups/catalogue-db-20260101-120000.json.gz --force
      replace what the database holds
"""

#: What makes a database "not empty": a restore would replace these.
HOLDINGS = {
    "documents": Document,
    "people": Person,
    "collections": Collection,
    "archives": Repository,
    "subjects": Subject,
    "import batches": ImportBatch,
}


class Command(CommandWithExamples):
    examples = EXAMPLES
    help = (
        "Restore a backup made by backup_catalogue (.pgdump with pg_restore on PostgreSQL; "
        ".json.gz with loaddata on either database) into the database in DATABASE_URL. "
        "Refuses a database that holds records or users unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a backup file: .pgdump, .json.gz or .json")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore into a database that already holds records, replacing them",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)"
        )

    def handle(self, *args, file, force, database, verbosity, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        connection = connections[database]
        native = path.name.endswith((PG_SUFFIX, ".dump"))
        if not native and not path.name.endswith((".json", ".json.gz", ".json.xz", ".json.bz2")):
            raise CommandError(
                f"{path.name} is not a catalogue backup: expected .pgdump or .json.gz."
            )
        if native and connection.vendor != "postgresql":
            raise CommandError(
                f"{path.name} is a PostgreSQL dump, but DATABASE_URL is {connection.vendor}. "
                "Restore it into PostgreSQL, or make a portable backup with "
                "`backup_catalogue --format json`."
            )
        started = time.monotonic()
        if not native:
            call_command("migrate", interactive=False, database=database, verbosity=0)
        held = self._holdings(connection, database)
        if held and not force:
            raise CommandError(
                f"The database “{connection.settings_dict['NAME']}” is not empty ({held}); "
                "restoring would replace it. Restore into an empty database, or use --force."
            )
        if native:
            self._pg_restore(connection.settings_dict, path)
            connection.close()  # the schema was remade under this connection
        else:
            self._load(path, database, verbosity)
        cache.bump()
        if verbosity >= 1:
            counts = self._holdings(connection, database) or "nothing"
            self.stdout.write(
                f"Restored {path.name} into the {connection.vendor} database "
                f"“{connection.settings_dict['NAME']}” in {time.monotonic() - started:.1f} s: "
                f"{counts}."
            )

    def _holdings(self, connection, database):
        """'3 documents, 2 people, …' for what the database holds; '' when empty or bare."""
        if Document._meta.db_table not in connection.introspection.table_names():
            return ""
        counts = {label: model.objects.using(database).count() for label, model in HOLDINGS.items()}
        counts["users"] = get_user_model().objects.using(database).count()
        return ", ".join(f"{count} {label}" for label, count in counts.items() if count)

    def _pg_restore(self, settings_dict, path):
        arguments, env = postgres_arguments(settings_dict)
        command = [
            postgres_tool("pg_restore"),
            *("--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"),
            *arguments,
            str(path),
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode:
            raise CommandError(
                f"pg_restore failed, and changed nothing (one transaction): {result.stderr.strip()}"
            )

    def _load(self, path, database, verbosity):
        with transaction.atomic(using=database):
            # Empty every table, content types and permissions too (the backup holds them
            # with the keys the other rows point at), without remaking them meanwhile.
            call_command(
                "flush",
                interactive=False,
                database=database,
                inhibit_post_migrate=True,
                verbosity=0,
            )
            # The history comes from the backup: loading must not add entries of its own
            # (django-simple-history records the many-to-many links loaddata sets).
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", str(path), database=database, verbosity=0)
            # Content types and permissions of models newer than the backup.
            emit_post_migrate_signal(verbosity=0, interactive=False, db=database)
        call_command("rebuild_search_index", verbosity=0)
