"""
Backup and restore (docs/reliability.md#backup-and-restore): ``backup_catalogue`` of a filled
catalogue, ``restore_catalogue`` into an EMPTY database (a new SQLite file, or a new PostgreSQL
database created and dropped here) run as a user runs it, and every record, link and history
entry read back equal, with the search index working.
"""

import io
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import psycopg2
import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection

from catalog.models import Document, Person
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonAuthorityFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
#: What is compared: every catalogue table (history and import batches included), the
#: users, groups and the admin's log.
LABELS = ["catalog", "auth", "admin.logentry", "contenttypes"]
READ_BACK = f"""
import io, json
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from catalog.models import Document
from catalog.search import search
out = io.StringIO()
call_command("dumpdata", *{LABELS!r}, stdout=out)
found = search(Document.objects.all(), "Harriman").count()
print(json.dumps({{"objects": json.loads(out.getvalue()), "found": found}}))
"""


@pytest.fixture
def filled(seed, editor):
    """The seed telegram, an imported file (batch, people, custody, history), edits."""
    call_command(
        "import_documents",
        "tests/import_samples/documents.csv",
        user="editor",
        batch_name="Harriman papers, box 3",
        skip_invalid=True,  # one row's person is ambiguous beside the seed's
        stdout=io.StringIO(),
    )
    telegram = Document.objects.get(record_id=1)
    telegram.title = "Telegram re Stalin–Harriman conversation (corrected)"
    telegram._change_reason = "title corrected"
    telegram.save()
    series = CollectionFactory(parent=telegram.collections.first(), title="Series 1")
    telegram.collections.add(series)
    PersonAuthorityFactory(person=Person.objects.order_by("pk").first())
    # A record deleted outright: its history (and its links' history) outlives it.
    gone = DocumentFactory(title="Withdrawn memorandum")
    DocumentPersonFactory(document=gone)
    gone.delete()
    # A user with a permission of their own, and the admin's log of a change.
    editor.user_permissions.add(Permission.objects.get(codename="view_document"))
    LogEntry.objects.log_actions(
        editor.pk, [telegram], CHANGE, change_message="Corrected the title.", single_object=True
    )
    return telegram


def dump_here():
    out = io.StringIO()
    call_command("dumpdata", *LABELS, stdout=out)
    return json.loads(out.getvalue())


def by_key(objects):
    return {(obj["model"], obj["pk"]): obj["fields"] for obj in objects}


def manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a database that does not exist yet (SQLite) or holds nothing (PostgreSQL)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    settings = connection.settings_dict
    name = f"archive_restore_{uuid.uuid4().hex[:12]}"
    server = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
    }
    admin = psycopg2.connect(**server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        user = settings["USER"] or "postgres"
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        yield f"postgres://{user}{password}@{host}:{settings['PORT'] or 5432}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_backup_restored_into_an_empty_database_holds_everything(
    filled, tmp_path, empty_database
):
    """pg_dump/pg_restore on PostgreSQL, the JSON serializer on SQLite (both: make backup)."""
    expected = dump_here()
    kinds = Counter(obj["model"] for obj in expected)
    # The data set has every kind of thing a backup must carry, more than once.
    for model in (
        "catalog.document",
        "catalog.documentperson",
        "catalog.provenanceevent",
        "catalog.collection",
        "catalog.subject",
        "catalog.personauthority",
        "catalog.historicaldocument",
        "catalog.historicaldocumentperson",
        "catalog.historicalprovenanceevent",
        "catalog.importbatch",
        "catalog.importbatchitem",
        "auth.user",
        "auth.group",
        "admin.logentry",
    ):
        assert kinds[model] >= 1, model
    assert kinds["catalog.historicaldocument"] > kinds["catalog.document"]  # edits too
    assert any(obj["fields"].get("collections") for obj in expected)
    history_of_deleted = [
        obj
        for obj in expected
        if obj["model"] == "catalog.historicaldocument" and obj["fields"]["history_type"] == "-"
    ]
    assert history_of_deleted

    out = io.StringIO()
    call_command("backup_catalogue", output_dir=str(tmp_path / "backups"), stdout=out)
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1
    backup = backups[0]
    native_pg = connection.vendor == "postgresql"
    assert backup.name.startswith("catalogue-")
    assert backup.name.endswith(".pgdump" if native_pg else ".json.gz")
    assert str(backup) in out.getvalue()

    restored = manage(empty_database, "restore_catalogue", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout

    read = manage(empty_database, "shell", "-c", READ_BACK)
    assert read.returncode == 0, read.stderr
    result = json.loads(read.stdout.strip().splitlines()[-1])
    got = by_key(result["objects"])
    want = by_key(expected)
    assert Counter(model for model, _pk in got) == Counter(model for model, _pk in want)
    for key, fields in want.items():
        assert got[key] == fields, key
    assert result["found"] >= 1  # the search index came back too


def test_restore_into_a_database_with_records_needs_force(filled, tmp_path):
    """The JSON backup on either database, restored in place over what is there."""
    call_command("backup_catalogue", output_dir=str(tmp_path), format="json", stdout=io.StringIO())
    backup = next(tmp_path.iterdir())
    documents = Document.objects.count()
    with pytest.raises(CommandError, match="is not empty") as refused:
        call_command("restore_catalogue", str(backup), stdout=io.StringIO())
    assert "documents" in str(refused.value) and "--force" in str(refused.value)
    Document.objects.filter(record_id=1).delete()
    call_command("restore_catalogue", str(backup), force=True, stdout=io.StringIO())
    assert Document.objects.count() == documents
    assert Document.objects.get(record_id=1).history.count() >= 2


@pytest.mark.django_db
def test_a_postgresql_dump_is_refused_by_sqlite_with_a_clear_message(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the mismatch is SQLite's")
    dump = tmp_path / "catalogue-archive-20260101-120000.pgdump"
    dump.write_bytes(b"PGDMP")
    with pytest.raises(CommandError, match="is a PostgreSQL dump, but DATABASE_URL is sqlite"):
        call_command("restore_catalogue", str(dump))
