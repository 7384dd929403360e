"""
Faults on a private PostgreSQL cluster (docs/reliability.md#faults-tested).

The tests start their own cluster with ``initdb`` and ``pg_ctl`` in a temporary directory on a
free port (never the machine's shared server) and stop it with ``pg_ctl stop -m immediate``,
what a crash or a pulled cable looks like to the application:

- in the middle of ``manage.py import_documents`` of 3,000 rows: the command fails with a clear
  message and no traceback, nothing of the file is in the database after the restart, and
  the same command run again imports every row;
- under gunicorn: public pages, a record, the API and ``/healthz`` answer 503 while the
  database is down and 200 again once it is back, with no restart of the app server.

PostgreSQL refuses to run as root, so as root (CI) the cluster runs as the ``postgres`` user.
Without the PostgreSQL server binaries the tests are skipped, except in CI
(``ARCHIVE_REQUIRE_CHECKERS=1``), where they fail.
"""

import csv
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg2
import pytest

from catalog.models import (
    Collection,
    Document,
    DocumentPerson,
    ImportBatch,
    ImportBatchItem,
    Person,
    ProvenanceEvent,
    Repository,
    Subject,
)
from tests.checkers import require

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("ARCHIVE_PG_BIN", "/usr/lib/postgresql/15/bin"))
ROWS = 3000
SEED_RECORD = "/documents/1/telegram-re-stalin-harriman-conversation-on-japanese-troops/"
#: Every table an import writes to, by label.
TABLES = {
    "documents": Document,
    "person links": DocumentPerson,
    "custody events": ProvenanceEvent,
    "collection links": Document.collections.through,
    "subject links": Document.subjects.through,
    "document history": Document.history.model,
    "person link history": DocumentPerson.history.model,
    "custody history": ProvenanceEvent.history.model,
    "import batches": ImportBatch,
    "batch items": ImportBatchItem,
    "people": Person,
    "collections": Collection,
    "subjects": Subject,
    "archives": Repository,
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster in ``base``, owned by the user that can run it."""

    def __init__(self, base):
        self.base = base
        self.data = base / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/archive_faults"

    def _run(self, program, *args):
        command = [str(PG_BIN / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self):
        if self.as_root:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def start(self):
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        log = str(self.base / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode="immediate"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self):
        try:
            psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres").close()
        except psycopg2.OperationalError:
            return False
        return True

    def ensure_running(self):
        if not self.running():
            self.start()

    def query(self, sql, params=()):
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="archive_faults"
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            connection.close()

    def counts(self):
        return {
            label: self.query(f'SELECT count(*) FROM "{model._meta.db_table}"')[0][0]
            for label, model in TABLES.items()
        }


def manage(*args, env, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture(scope="module")
def cluster():
    require(
        (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists(),
        f"The PostgreSQL server binaries are not in {PG_BIN} (apt-get install postgresql, or "
        "set ARCHIVE_PG_BIN): the fault tests need to start their own cluster.",
    )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            require(False, "Running as root, and there is no postgres user to run PostgreSQL.")
        require(shutil.which("runuser"), "Running as root, and runuser is missing.")
    base = Path(tempfile.mkdtemp(prefix="archive-faults-"))
    cluster = Cluster(base)
    try:
        cluster.init()
        cluster.start()
        connection = psycopg2.connect(host="127.0.0.1", port=cluster.port, user="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("CREATE DATABASE archive_faults")
        connection.close()
        cluster.env = {
            **os.environ,
            "DATABASE_URL": cluster.url,
            "PYTHONUNBUFFERED": "1",
            "DJANGO_DEBUG": "1",
        }
        cluster.env.pop("CACHE_URL", None)
        for args in (("migrate", "--no-input"), ("loaddata", "fixtures/seed.json")):
            result = manage(*args, env=cluster.env)
            assert result.returncode == 0, result.stderr
        yield cluster
    finally:
        if cluster.data.exists():
            with_server = cluster.running()
            if with_server:
                cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def write_rows(path, count, prefix):
    """``count`` published letters, each with two people, a collection, a subject, custody."""
    columns = [
        "source_identifier",
        "title",
        "doc_type",
        "date_edtf",
        "summary",
        "transcript",
        "language",
        "people",
        "repository",
        "collections",
        "subjects",
        "rights",
        "status",
        "published_at",
        "custody",
    ]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for i in range(count):
            custody = [
                {"event": "created", "date_edtf": "1944", "agent": f"Writer {i % 40}"},
                {"event": "held", "agent": "Fault Archive"},
            ]
            writer.writerow(
                [
                    f"{prefix}:{i}",
                    f"Letter {i} on the inner defence line",
                    "letter",
                    f"194{i % 10}-0{1 + i % 9}-1{i % 10}",
                    f"Summary of letter {i}.",
                    f"Transcript of letter {i}. " * 20,
                    "en",
                    f"author: Writer {i % 40} | recipient: Reader {i % 30}",
                    "Fault Archive",
                    f"Fault Papers {i % 5}",
                    f"Topic {i % 7}",
                    "http://rightsstatements.org/vocab/NoC-US/1.0/",
                    "published",
                    "2020-01-01T00:00:00Z",
                    json.dumps(custody),
                ]
            )
    return path


def test_import_interrupted_by_a_stopped_database_writes_nothing_and_runs_again(cluster, tmp_path):
    cluster.ensure_running()
    rows = write_rows(tmp_path / "letters.csv", ROWS, "faults")
    before = cluster.counts()
    command = [sys.executable, "manage.py", "import_documents", str(rows), "-v", "2"]
    errors = (tmp_path / "stderr.txt").open("w+")
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=cluster.env, stdout=subprocess.PIPE, stderr=errors, text=True
    )
    output, writing = [], threading.Event()

    def read():
        for line in process.stdout:
            output.append(line)
            if line.startswith("importing: "):
                writing.set()  # a chunk is written, inside the one transaction

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert writing.wait(timeout=120), f"no progress line: {''.join(output)}"
        still_running = process.poll() is None
        cluster.stop("immediate")
        stopped_after = time.monotonic() - started
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    reader.join(timeout=10)
    errors.seek(0)
    stderr = errors.read()
    assert still_running, "the import ended before the database was stopped"
    assert process.returncode == 1
    assert "were created" not in "".join(output)
    assert "Lost the database connection during the import" in stderr
    assert "nothing from this file was written" in stderr
    assert "Run the same command again when the database is back" in stderr
    assert "Traceback" not in stderr, stderr

    cluster.start()
    assert cluster.counts() == before
    assert cluster.query(
        "SELECT count(*) FROM catalog_document WHERE source_identifier LIKE 'faults:%%'"
    ) == [(0,)]

    again = manage(*command[2:], env=cluster.env)
    assert again.returncode == 0, again.stderr
    assert f"{ROWS} were created" in again.stdout
    after = cluster.counts()
    added = {label: after[label] - before[label] for label in TABLES}
    expected = {
        "documents": ROWS,
        "person links": 2 * ROWS,
        "custody events": 2 * ROWS,
        "collection links": ROWS,
        "subject links": ROWS,
        "document history": ROWS,
        "person link history": 2 * ROWS,
        "custody history": 2 * ROWS,
        "import batches": 1,
        "batch items": ROWS,
        "people": 70,
        "collections": 5,
        "subjects": 7,
        "archives": 1,
    }
    assert added == expected
    identifiers = {
        row[0]
        for row in cluster.query(
            "SELECT source_identifier FROM catalog_document WHERE source_identifier LIKE "
            "'faults:%%'"
        )
    }
    assert identifiers == {f"faults:{i}" for i in range(ROWS)}
    print(
        f"\nfaults: database stopped {stopped_after:.1f} s into the import "
        f"({output[-1].strip() if output else ''}); nothing written; re-run imported {ROWS} rows"
    )


def fetch(port, path):
    """(status, headers, body) of a GET, 5xx included."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def gunicorn(cluster, tmp_path):
    cluster.ensure_running()
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "archive.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--graceful-timeout", "2"),
        ],
        cwd=ROOT,
        env=cluster.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield port
    finally:
        server.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
        server.wait(timeout=30)


def test_pages_answer_503_while_the_database_is_down_and_200_when_it_is_back(cluster, gunicorn):
    pages = ["/", "/documents/", SEED_RECORD, "/api/documents/"]
    cluster.stop("immediate")
    try:
        for path in pages:
            status, headers, body = fetch(gunicorn, path)
            assert status == 503, (path, body[:500])
            assert headers["Retry-After"] == "30"
            assert "Traceback" not in body
            if path.startswith("/api/"):
                assert "try again" in json.loads(body)["detail"]
            else:
                assert "The catalogue is temporarily unavailable" in body
        status, _headers, body = fetch(gunicorn, "/healthz")
        assert status == 503
        health = json.loads(body)
        assert health["status"] == "error"
        assert health["database"]["ok"] is False
        assert health["cache"]["ok"] is True
    finally:
        cluster.start()
    # Back with no restart of the app server: its broken connection is replaced.
    for path in ["/healthz", *pages]:
        status, _headers, body = fetch(gunicorn, path)
        assert status == 200, (path, body[:500])
    assert json.loads(fetch(gunicorn, "/healthz")[2])["database"]["ok"] is True
