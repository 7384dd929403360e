"""
Back up the whole catalogue: ``manage.py backup_catalogue`` (``make backup``).

PostgreSQL: ``pg_dump --format=custom`` of the database in DATABASE_URL (schema, data, search
index, sequences), restored with ``pg_restore``.  SQLite, or ``--format json`` on either: the
Django serializer (``dumpdata``), gzipped JSON of every table but sessions and sign-in
lockouts: records, links, history entries, import batches, users, groups, the admin's log,
and the content types and permissions these point at.  Every row keeps its primary key, so
history entries of deleted records and links by key come back as they were (natural keys
would cost a query per row and fail on history whose record is gone).
``restore_catalogue`` reads both (docs/reliability.md#backup-and-restore).
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from catalog.management.base import CommandWithExamples

#: Left out of a JSON backup, with the app each belongs to: transient (sessions, django-axes'
#: sign-in attempts).
EXCLUDED = {"sessions": "django.contrib.sessions", "axes": "axes"}
PG_SUFFIX = ".pgdump"
JSON_SUFFIX = ".json.gz"

EXAMPLES = """
examples:
  manage.py backup_catalogue
      backups/catalogue-<database>-<YYYYmmdd-HHMMSS>.pgdump on PostgreSQL, .json.gz on SQLite
  manage.py backup_catalogue --output-dir /srv/backups
  manage.py backup_catalogue --format json
      the Django serializer on PostgreSQL too: restores into SQLite or PostgreSQL alike
  make backup; make restore FILE=backups/catalogue-archive-20260101-120000.pgdump
"""


def json_excludes():
    """The EXCLUDED labels whose app is installed (dumpdata refuses unknown labels)."""
    return [label for label, app in EXCLUDED.items() if apps.is_installed(app)]


def postgres_arguments(settings_dict):
    """(connection arguments, environment) for pg_dump/pg_restore from Django's settings."""
    arguments = ["--dbname", settings_dict["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            arguments += [option, str(settings_dict[key])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return arguments, env


def postgres_tool(name):
    path = shutil.which(name)
    if not path:
        raise CommandError(
            f"{name} is not installed: apt-get install postgresql-client (the same major "
            "version as the server, or newer)."
        )
    return path


class Command(CommandWithExamples):
    examples = EXAMPLES
    help = (
        "Back up the catalogue into backups/ with a timestamped name: pg_dump (custom format) "
        "on PostgreSQL, the Django serializer (gzipped JSON: records, links, history, import "
        "batches, users and groups) on SQLite. Restore with restore_catalogue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.BASE_DIR) / "backups"),
            help="where to write the backup (default: backups/ beside manage.py)",
        )
        parser.add_argument(
            "--format",
            choices=["native", "json"],
            default="native",
            help="native (default): pg_dump on PostgreSQL, JSON on SQLite; json: the Django "
            "serializer on either",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)"
        )

    def handle(self, *args, output_dir, format, database, verbosity, **options):
        connection = connections[database]
        directory = Path(output_dir)
        directory.mkdir(parents=True, exist_ok=True)
        name = Path(str(connection.settings_dict["NAME"])).stem or "catalogue"
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        native_pg = format == "native" and connection.vendor == "postgresql"
        path = directory / f"catalogue-{name}-{stamp}{PG_SUFFIX if native_pg else JSON_SUFFIX}"
        started = time.monotonic()
        if native_pg:
            self._pg_dump(connection.settings_dict, path)
        else:
            call_command(
                "dumpdata",
                exclude=json_excludes(),
                database=database,
                output=str(path),
                verbosity=0,
            )
        if verbosity >= 1:
            size = path.stat().st_size
            self.stdout.write(
                f"Backed up the {connection.vendor} database “{connection.settings_dict['NAME']}” "
                f"to {path} ({size / 1e6:.1f} MB, {time.monotonic() - started:.1f} s)."
            )
            self.stdout.write(f"Restore with: manage.py restore_catalogue {path}")
        return None

    def _pg_dump(self, settings_dict, path):
        arguments, env = postgres_arguments(settings_dict)
        command = [postgres_tool("pg_dump"), "--format=custom", "--file", str(path), *arguments]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode:
            path.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
