"""
Load and concurrency under import (issue 8, item 5): does the catalogue keep answering 64
concurrent readers on gunicorn and PostgreSQL, and does it stay so while a 10,000-document
import and an admin publish run, with every imported record complete afterwards?

1. Copies the 100,000-document benchmark database: ``CREATE DATABASE archive_soak TEMPLATE
   archive_bench`` (retried while archive_bench has other connections).  Everything below
   writes to the copy only; archive_bench and archive_bench_1m are never written (the script
   refuses to run with either as its target).  ``migrate`` brings the copy up to the code.
2. Prepares, in this process: random request paths of three kinds (below); a JSON Lines
   import file of ``--import-rows`` new documents (existing documents exported with the
   catalogue's own export, given fresh ``source_identifier`` values and no ``record_id``; rows
   the importer would refuse, such as a person named ambiguously without an authority URI,
   are left out by a dry run first, so the file holds exactly ``--import-rows`` good rows);
   a staff user in the Editor group; ``--publish`` random drafts to publish.
3. Starts gunicorn on a free port on 127.0.0.1 with ``DJANGO_DEBUG=0``, a random secret key,
   ``DJANGO_ALLOWED_HOSTS=127.0.0.1`` and no ``CACHE_URL`` (production settings then cache
   nothing, so every request reaches the database), ``--workers`` sync workers
   (default 2 × CPUs + 1), and warms each kind of page up with a few unmeasured requests.
4. Phase A: three wrk processes (``/usr/bin/wrk``), one per kind of page, share
   ``--connections`` (64) for ``--duration`` seconds (60), each request a random path from that
   kind's list (``scripts/soak/random_paths.lua``):

   - list: ``/documents/?person=<slug>&date_from=Y&date_to=Y+19``, one of the 50 people in the
     most published documents and a year in the span of their documents (as ``bench.py``);
   - search: ``/documents/?q=<word> <word>``, two words of four letters or more from one
     paragraph of a random published document's transcript;
   - record: ``/documents/<record id>/<slug>/`` of a random published document.

   wrk's latency histograms are merged exactly, so the "all" row is the real mix.  An error is
   any response that is not 2xx, any socket error (connect, read, write) and any answer slower
   than ``--timeout`` (30 s).  Target: 0 errors and p99 ≤ ``--p99-ms`` (1000 ms).
5. Phase B: the same load, and ``--writes-after`` seconds (5) into it, at the same time:
   ``manage.py import_documents FILE --user <editor>`` in a separate process, and the editor
   signing in on the admin's login page over HTTP and running the "Publish selected
   documents" action on the chosen drafts (the changelist POST, then the confirmation page's
   form).  The load goes on past ``--duration`` until both have finished.
   A sampler notes every 0.5 s how many database sessions wait for a lock.  Afterwards:
   the batch created exactly the file's rows; each document has its people links (role and
   name), custody events, collections, subjects, status, a search index row, and history
   entries for itself, its people links and its custody events; each chosen draft is published
   with a publication date.  Same target for the load.
6. Prints the table, stops gunicorn, drops the copy (unless ``--keep``), and exits 1 when a
   target is missed (2 when the run could not be made).

Run: ``make soak`` or ``.venv/bin/python scripts/load_under_import.py`` (14–17 minutes at load
average 11–15 on the shared 2-CPU machine; some 4 minutes on a quiet one, an estimate).
The figures and what they show are in docs/reliability-load.md.  The machine is shared:
other work running at the same time lengthens every latency, so the summary prints the load
average.
"""

import argparse
import json
import math
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = ROOT / "scripts" / "soak" / "random_paths.lua"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/archive_soak"
DEFAULT_TEMPLATE = "archive_bench"
#: Databases this script never writes to, whatever it is told.
PROTECTED = {"archive_bench", "archive_bench_1m"}
KINDS = ("list", "search", "record")
EDITOR = "soak-editor"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="load_under_import.py",
        description=textwrap.fill(
            "Load and concurrency under import (issue 8, item 5): 64 concurrent clients on "
            "list, search and record pages against gunicorn and PostgreSQL for 60 s (phase A), "
            "then the same while a 10,000-document import and an admin publish run (phase B), "
            "and a check that every imported record is complete. Target: 0 errors and "
            "p99 <= 1 s in each phase. Works on a copy of the benchmark database, never on "
            "archive_bench itself. Exit status 0: every target met; 1: a target missed; 2: "
            "the run could not be made."
        ),
        epilog=(
            "examples:\n"
            "  make soak\n"
            "  .venv/bin/python scripts/load_under_import.py --duration 20 --import-rows 2000\n"
            "      a quicker run\n"
            "  .venv/bin/python scripts/load_under_import.py --keep\n"
            "      keep archive_soak afterwards to look at it\n"
            "See docs/reliability-load.md."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"the PostgreSQL database to create and use (default {DEFAULT_DATABASE_URL}); "
        "it is dropped and created again from --template",
    )
    parser.add_argument(
        "--template",
        default=DEFAULT_TEMPLATE,
        help=f"the database to copy (default {DEFAULT_TEMPLATE}); an empty value uses "
        "--database-url as it is, without copying or dropping it",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the copied database afterwards (default: drop)"
    )
    parser.add_argument(
        "--connections", type=int, default=64, help="concurrent clients (default 64)"
    )
    parser.add_argument(
        "--duration", type=int, default=60, help="seconds of load per phase (default 60)"
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0,
        help="mean pause of each client between its requests, in ms (random, exponential), as "
        "readers pause between pages; default 0: each client asks again at once, the hardest "
        "case. Not a valid measurement yet: wrk opens the connection before the pause, and a "
        "sync worker that has accepted it waits the whole pause for the request (64 clients "
        "pausing 10 s measured a 9.6 s median on an idle server, docs/reliability.md)",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=30,
        help="wrk's timeout in seconds: slower answers are errors, and their latency is only "
        "known to be above it (default 30)",
    )
    parser.add_argument(
        "--p99-ms", type=float, default=1000, help="the p99 latency target (default 1000)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn sync workers (default 2 x CPUs + 1)",
    )
    parser.add_argument(
        "--import-rows", type=int, default=10_000, help="documents to import (default 10000)"
    )
    parser.add_argument(
        "--publish", type=int, default=300, help="drafts to publish in the admin (default 300)"
    )
    parser.add_argument(
        "--writes-after",
        type=float,
        default=5,
        help="seconds into phase B when the import and the publish start (default 5)",
    )
    parser.add_argument(
        "--phases",
        choices=["AB", "A", "B"],
        default="AB",
        help="which phases to run (default AB)",
    )
    parser.add_argument(
        "--paths", type=int, default=2000, help="random paths per kind of page (default 2000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    return parser.parse_args(argv)


# -- latency figures ------------------------------------------------------------------------


@dataclass
class Load:
    """
    What one or more wrk runs measured: counts and the merged latency histogram.

    wrk leaves answers slower than its ``--timeout`` out of the histogram (it still counts them
    as requests, and as timeout errors).  Here they are ``over_timeout``, errors, and taken as
    slower than any recorded answer, so the percentiles are over every answer.
    """

    name: str
    connections: int = 0
    seconds: float = 0.0
    requests: int = 0
    non2xx: int = 0
    socket_errors: int = 0
    timeouts: int = 0
    statuses: dict = field(default_factory=dict)
    histogram: dict = field(default_factory=dict)  # microseconds -> count

    @classmethod
    def from_report(cls, name, connections, report):
        """A :class:`Load` from the JSON that ``random_paths.lua`` writes."""
        load = cls(name, connections, report["duration_us"] / 1e6, report["requests"])
        load.non2xx = report["non2xx"]
        load.socket_errors = sum(report[k] for k in ("connect", "read", "write"))
        load.timeouts = report["timeout"]
        load.statuses = {int(k): v for k, v in report["statuses"].items()}
        load.histogram = {int(v): int(n) for v, n in report["latency"]}
        return load

    def merge(self, other, *, concurrent):
        """
        Add ``other``'s figures: ``concurrent`` runs (the three kinds at once) add their
        connections and share the time; consecutive runs add their time.
        """
        if concurrent:
            self.connections += other.connections
            self.seconds = max(self.seconds, other.seconds)
        else:
            self.connections = max(self.connections, other.connections)
            self.seconds += other.seconds
        self.requests += other.requests
        self.non2xx += other.non2xx
        self.socket_errors += other.socket_errors
        self.timeouts += other.timeouts
        for code, n in other.statuses.items():
            self.statuses[code] = self.statuses.get(code, 0) + n
        for value, n in other.histogram.items():
            self.histogram[value] = self.histogram.get(value, 0) + n
        return self

    @property
    def over_timeout(self):
        """Answers slower than wrk's timeout (counted, but not in the histogram)."""
        return max(self.timeouts, self.requests - sum(self.histogram.values()))

    @property
    def errors(self):
        return self.non2xx + self.socket_errors + self.over_timeout

    def percentile(self, p):
        """
        The ``p``-th percentile latency in milliseconds over every answer: None without any,
        ``math.inf`` when it falls among the answers slower than the timeout.
        """
        if not self.requests:
            return None
        wanted, seen = p / 100 * max(self.requests, sum(self.histogram.values())), 0
        for value in sorted(self.histogram):
            seen += self.histogram[value]
            if seen >= wanted:
                return value / 1000
        return math.inf

    def meets(self, p99_ms):
        p99 = self.percentile(99)
        return self.requests > 0 and self.errors == 0 and p99 is not None and p99 <= p99_ms

    def row(self, phase, p99_ms, timeout):
        def ms(value):
            if value is None:
                return "–"
            return f"> {timeout * 1000:,}" if value == math.inf else f"{value:,.0f}"

        rate = self.requests / self.seconds if self.seconds else 0
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"| {phase} | {self.name} | {self.connections} | {self.seconds:.0f} | "
            f"{self.requests:,} | {rate:.1f} | {self.non2xx}{f' ({statuses})' if statuses else ''}"
            f" | {self.socket_errors} | {self.over_timeout} | "
            f"{ms(self.percentile(50))} | {ms(self.percentile(99))} | "
            f"{ms(self.percentile(100))} | {'pass' if self.meets(p99_ms) else 'FAIL'} |"
        )


TABLE_HEAD = (
    "| phase | pages | connections | seconds | requests | req/s | non-2xx | socket errors | "
    "answers over timeout | median ms | p99 ms | max ms | result |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def split_connections(total, kinds=KINDS):
    """``total`` connections shared out over the kinds of page, the first ones taking more."""
    base, extra = divmod(total, len(kinds))
    return {kind: base + (1 if i < extra else 0) for i, kind in enumerate(kinds)}


# -- the database ---------------------------------------------------------------------------


def database_name(url):
    return urllib.parse.urlsplit(url).path.lstrip("/")


def _admin_connection(url):
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    connection.autocommit = True
    return connection


def copy_database(url, template, *, wait=300):
    """Drop the database ``url`` names and create it again as a copy of ``template``."""
    import psycopg2
    from psycopg2 import sql

    name = database_name(url)
    connection = _admin_connection(url)
    deadline = time.monotonic() + wait
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            while True:
                try:
                    cursor.execute(
                        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                            sql.Identifier(name), sql.Identifier(template)
                        )
                    )
                    return
                except psycopg2.errors.ObjectInUse:
                    if time.monotonic() > deadline:
                        raise
                    print(f"{template} has other connections; trying again in 5 s", flush=True)
                    time.sleep(5)
    finally:
        connection.close()


def drop_database(url):
    from psycopg2 import sql

    connection = _admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [database_name(url)],
            )
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database_name(url)))
            )
    finally:
        connection.close()


class LockSampler(threading.Thread):
    """Every half second, how many sessions of the database wait for a lock (and on what)."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.name_ = url, database_name(url)
        self.stop = threading.Event()
        self.samples = 0
        self.waiting_samples = 0
        self.most_waiting = 0
        self.queries = {}

    def run(self):
        connection = _admin_connection(self.url)
        try:
            with connection.cursor() as cursor:
                while not self.stop.wait(0.5):
                    cursor.execute(
                        "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) "
                        "FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                        [self.name_],
                    )
                    waiting = [row[0] for row in cursor.fetchall()]
                    self.samples += 1
                    if waiting:
                        self.waiting_samples += 1
                        self.most_waiting = max(self.most_waiting, len(waiting))
                        for query in waiting:
                            self.queries[query] = self.queries.get(query, 0) + 1
        finally:
            connection.close()

    def report(self):
        line = (
            f"lock waits: in {self.waiting_samples} of {self.samples} samples (every 0.5 s) a "
            f"session waited for a lock; at most {self.most_waiting} at once"
        )
        top = sorted(self.queries.items(), key=lambda item: -item[1])[:3]
        return "\n".join([line] + [f"  {n} × {query}" for query, n in top])


# -- preparing (in this process, Django set up) ---------------------------------------------


def configure_environment(url):
    """Production-like settings for this process and the servers and commands it starts."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "archive.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    # Plain HTTP on loopback: cookies must not be marked Secure, or the admin sign-in fails.
    os.environ["DJANGO_SECURE_COOKIES"] = "0"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    # No CACHE_URL: with DEBUG off nothing is cached, so every request reaches the database.
    os.environ.pop("CACHE_URL", None)
    sys.path.insert(0, str(ROOT))


def page_paths(rng, count):
    """``count`` list, search and record paths, drawn as ``scripts/bench.py`` draws them."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench

    lists, records = bench.parameter_sets(rng, count)
    return {"list": lists, "search": bench.search_urls(rng, count), "record": records}


def new_document_rows(documents, *, tag, start=1):
    """
    ``documents`` as rows of the import format for new documents: the catalogue's own export,
    each row with the source identifier ``soak:<tag>:<n>`` (n from ``start``) and no record
    ID, so the import creates them afresh with the next free record IDs.
    """
    from catalog import interchange

    rows = []
    for n, document in enumerate(interchange.export_queryset(documents), start=start):
        row = interchange.document_row(document)
        del row["record_id"]
        row["source_identifier"] = f"soak:{tag}:{n}"
        rows.append(row)
    return rows


def write_rows(path, rows):
    """Write ``rows`` to ``path`` as JSON Lines; return them keyed by source identifier."""
    from catalog import interchange

    with open(path, "w", encoding="utf-8") as out:
        interchange.write_jsonl(rows, out)
    return {row["source_identifier"]: row for row in rows}


def import_file(path, count, rng, *, user, tag):
    """
    A JSON Lines file of ``count`` new documents that the importer accepts: exported from a
    random sample of the catalogue, after a dry run (``importing.prepare``) that leaves out the
    rows it would refuse.  Returns the rows, keyed by source identifier.
    """
    from catalog import importing
    from catalog.models import Document

    ids = list(Document.objects.values_list("pk", flat=True))
    sample = rng.sample(ids, min(len(ids), int(count * 1.2) + 50))
    rows = []
    for start in range(0, len(sample), 2000):
        chunk = Document.objects.filter(pk__in=sample[start : start + 2000])
        rows += new_document_rows(chunk, tag=tag, start=len(rows) + 1)
    write_rows(path, rows)
    with open(path, "rb") as fileobj:
        plan = importing.prepare(fileobj, file_name=Path(path).name, user=user)
    good = [row for number, row in enumerate(rows, start=1) if plan.actions.get(number) == "create"]
    if len(good) < count:
        raise SystemExit(f"only {len(good)} of {len(rows)} exported rows import cleanly")
    return write_rows(path, good[:count])


def editor_user(password):
    """The staff user that imports and publishes: in the Editor group, so it may publish."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.update_or_create(
        username=EDITOR, defaults={"is_staff": True, "is_active": True}
    )
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def drafts_to_publish(rng, count):
    from catalog.models import Document

    drafts = list(
        Document.objects.filter(status=Document.Status.DRAFT).values_list("pk", flat=True)
    )
    return sorted(rng.sample(drafts, min(count, len(drafts))))


# -- checking the results -------------------------------------------------------------------


def check_import(batch, rows):
    """
    Problems with ``batch`` (an :class:`~catalog.models.ImportBatch`) against the file's
    ``rows`` (source identifier -> row, as written): counts, and for every document its
    fields, people links, custody events, collections, subjects, search index row and history
    entries.  An empty list means every imported record is complete.
    """
    from django.db import connection
    from django.db.models import Count

    from catalog.models import Document, DocumentPerson, ImportBatchItem, ProvenanceEvent

    problems = []
    if batch.status != "applied":
        problems.append(f"batch {batch.pk} is {batch.status}")
    if batch.created_count != len(rows) or batch.rows != len(rows):
        problems.append(
            f"batch {batch.pk}: {batch.rows} rows, {batch.created_count} created; "
            f"the file has {len(rows)}"
        )
    items = dict(
        ImportBatchItem.objects.filter(batch=batch, action="created").values_list(
            "source_identifier", "document_id"
        )
    )
    if set(items) != set(rows):
        missing, extra = set(rows) - set(items), set(items) - set(rows)
        problems.append(f"batch items: {len(missing)} rows missing, {len(extra)} not in the file")
    ids = [pk for pk in items.values() if pk]
    documents = {
        d.source_identifier: d
        for d in Document.objects.filter(pk__in=ids).prefetch_related(
            "person_links__person", "collections", "subjects"
        )
    }

    def counts(queryset, key):
        return dict(queryset.values_list(key).annotate(n=Count("pk")).order_by())

    custody = counts(ProvenanceEvent.objects.filter(document_id__in=ids), "document_id")
    history = {
        "document": counts(Document.history.filter(id__in=ids, history_type="+"), "id"),
        "people link": counts(
            DocumentPerson.history.filter(document_id__in=ids, history_type="+"), "document_id"
        ),
        "custody event": counts(
            ProvenanceEvent.history.filter(document_id__in=ids, history_type="+"), "document_id"
        ),
    }
    key = "document_id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key} FROM catalog_search")  # noqa: S608 (a constant)
        indexed = {row[0] for row in cursor.fetchall()} & set(ids)

    for source, row in rows.items():
        document = documents.get(source)
        if document is None:
            problems.append(f"{source}: no document")
            continue
        label = f"{source} (record {document.record_id})"
        if document.title != row["title"] or document.status != row["status"]:
            problems.append(f"{label}: title or status differs from the file")
        if document.status == "published" and document.published_at is None:
            problems.append(f"{label}: published without a publication date")
        people = sorted(
            (link.role, link.person.display_name) for link in document.person_links.all()
        )
        if people != sorted((p["role"], p["name"]) for p in row["people"]):
            problems.append(f"{label}: people links {people} differ from the file")
        if custody.get(document.pk, 0) != len(row["custody"]):
            problems.append(
                f"{label}: {custody.get(document.pk, 0)} custody events, the file has "
                f"{len(row['custody'])}"
            )
        if sorted(c.slug for c in document.collections.all()) != sorted(row["collections"]):
            problems.append(f"{label}: collections differ from the file")
        if sorted(s.name for s in document.subjects.all()) != sorted(row["subjects"]):
            problems.append(f"{label}: subjects differ from the file")
        if document.pk not in indexed:
            problems.append(f"{label}: no search index row")
        wanted = {
            "document": 1,
            "people link": len(row["people"]),
            "custody event": len(row["custody"]),
        }
        for what, expected in wanted.items():
            if history[what].get(document.pk, 0) != expected:
                problems.append(
                    f"{label}: {history[what].get(document.pk, 0)} {what} history entries, "
                    f"expected {expected}"
                )
    return problems


def check_published(pks):
    """Problems with the drafts the admin was asked to publish: each published, with a date."""
    from catalog.models import Document

    found = Document.objects.filter(pk__in=pks)
    published = set(found.published().values_list("pk", flat=True))
    undated = found.filter(status="published", published_at__isnull=True).count()
    problems = [f"document {pk} is not published" for pk in pks if pk not in published][:20]
    if len(pks) - len(published) > 20:
        problems.append(f"and {len(pks) - len(published) - 20} more are not published")
    if undated:
        problems.append(f"{undated} published without a publication date")
    return problems


# -- gunicorn, wrk and the admin ------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the catalogue on a free port of 127.0.0.1."""

    def __init__(self, workdir, workers):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "gunicorn.log"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "archive.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "120",
                "--backlog",
                "2048",
                "--error-logfile",
                str(self.log),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, path, timeout=60):
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=30) as response:
                    if response.status == 200:
                        return
                    last = response.status
            except urllib.error.HTTPError as error:
                last = error.code
            except OSError as error:
                last = error
            time.sleep(0.5)
        raise SystemExit(
            f"gunicorn did not answer {path} with 200 within {timeout} s (last: {last}):\n"
            f"{self.tail()}"
        )

    def tail(self, lines=30):
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def warm_up(base, paths, per_kind=10):
    """A few unmeasured requests of each kind: imports, templates and caches of each worker."""
    for kind in KINDS:
        for path in paths[kind][:per_kind]:
            try:
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    response.read()
            except (OSError, urllib.error.URLError):
                pass


def run_load(
    base, path_files, connections, timeout, workdir, label, *, duration, think_ms=0, until=None
):
    """
    A wrk process per kind of page, all at once, for ``duration`` seconds; with ``until`` (a
    callable), on after that until ``until()`` is true, when wrk is stopped with SIGINT (it
    reports as at its normal end).  Returns {kind: Load}.
    """
    shares = split_connections(connections)
    length = duration if until is None else duration + 24 * 3600
    processes = {}
    for kind in KINDS:
        report = workdir / f"wrk-{label}-{kind}.json"
        env = {
            **os.environ,
            "PATHS": str(path_files[kind]),
            "REPORT": str(report),
            "THINK_MS": str(think_ms),
        }
        command = [
            "wrk",
            "-t1",
            f"-c{shares[kind]}",
            f"-d{length}s",
            f"--timeout={timeout}s",
            "-s",
            str(LUA_SCRIPT),
            base,
        ]
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        processes[kind] = (process, report)
    if until is not None:
        started = time.monotonic()
        while time.monotonic() - started < duration or not until():
            time.sleep(0.2)
        for process, _report in processes.values():
            process.send_signal(signal.SIGINT)
    loads = {}
    for kind, (process, report) in processes.items():
        output, _ = process.communicate()
        if process.returncode != 0 or not report.exists():
            raise SystemExit(f"wrk failed for {kind}:\n{output}")
        loads[kind] = Load.from_report(kind, shares[kind], json.loads(report.read_text()))
    return loads


def drain(base, path, *, wait=180):
    """
    Wait until the server answers ``path`` within a second: requests wrk left queued when it
    stopped are served first, and must not count against the next phase.
    """
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(base + path, timeout=wait) as response:
                response.read()
        except OSError:
            pass
        if time.monotonic() - started < 1:
            return


class _Forms(HTMLParser):
    """The inputs of each form on a page: [(name, value, type), …] per form."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = []
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._current.append((attrs["name"], attrs.get("value", ""), attrs.get("type")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def page_forms(html):
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class AdminSession:
    """A browser's worth of the admin: cookies, CSRF tokens, forms posted as a user would."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )
        self.statuses = []

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=300) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        self.statuses.append((path, status))
        return status, text

    def token(self, html):
        for form in page_forms(html):
            for name, value, _type in form:
                if name == "csrfmiddlewaretoken":
                    return value
        raise RuntimeError("no CSRF token on the page")

    def log_in(self, login_path, username, password, next_path):
        status, html = self.request(f"{login_path}?next={urllib.parse.quote(next_path)}")
        if status != 200:
            raise RuntimeError(f"admin login page answered {status}")
        status, html = self.request(
            login_path,
            {
                "csrfmiddlewaretoken": self.token(html),
                "username": username,
                "password": password,
                "next": next_path,
            },
        )
        if status != 302:
            raise RuntimeError(f"signing in answered {status}, not a redirect")

    def publish(self, changelist_path, pks):
        """Run "Publish selected documents" on ``pks``: the changelist, then its confirmation."""
        status, html = self.request(changelist_path)
        if status != 200:
            raise RuntimeError(f"the document list answered {status}")
        status, html = self.request(
            changelist_path,
            {
                "csrfmiddlewaretoken": self.token(html),
                "action": "publish_selected",
                "select_across": "0",
                "index": "0",
                "_selected_action": [str(pk) for pk in pks],
            },
        )
        if status != 200 or "Publish these documents" not in html:
            raise RuntimeError(f"the publish action answered {status} without its confirmation")
        form = next((f for f in page_forms(html) if ("post", "yes", "hidden") in f), None)
        if form is None:
            raise RuntimeError("no confirmation form on the publish page")
        data = [(name, value) for name, value, _type in form]
        status, _html = self.request(changelist_path, data)
        if status != 302:
            raise RuntimeError(f"confirming the publish answered {status}, not a redirect")


class Writers:
    """Phase B's writes, run beside the load: the import command and the admin publish."""

    def __init__(self, base, workdir, import_path, password, pks, admin_paths):
        self.base, self.workdir, self.import_path = base, workdir, import_path
        self.password, self.pks, self.admin_paths = password, pks, admin_paths
        self.started = threading.Event()
        self.times = {}
        self.failures = []
        self.import_output = ""
        self.publish_statuses = []
        self._threads = []

    def start(self, origin):
        self.origin = origin
        for target in (self._import, self._publish):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.started.set()

    def running(self):
        return any(thread.is_alive() for thread in self._threads)

    def join(self):
        for thread in self._threads:
            thread.join()

    def _clock(self):
        return time.monotonic() - self.origin

    def _import(self):
        started = self._clock()
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "import_documents",
                str(self.import_path),
                "--user",
                EDITOR,
                "--batch-name",
                "load_under_import",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        self.times["import"] = (started, self._clock())
        self.import_output = (result.stdout + result.stderr).strip()
        if result.returncode != 0:
            self.failures.append(f"import_documents exited {result.returncode}")

    def _publish(self):
        started = self._clock()
        session = AdminSession(self.base)
        login, changelist = self.admin_paths
        try:
            session.log_in(login, EDITOR, self.password, changelist)
            session.publish(changelist, self.pks)
        except (RuntimeError, OSError) as error:
            self.failures.append(f"admin publish: {error}")
        self.times["publish"] = (started, self._clock())
        self.publish_statuses = session.statuses


# -- the run --------------------------------------------------------------------------------


def refuse(args):
    """Why the arguments cannot be run (None when they can)."""
    url = args.database_url
    if not urllib.parse.urlsplit(url).scheme.startswith("postgres"):
        return "--database-url must be a PostgreSQL URL (postgres://…)"
    name = database_name(url)
    if name in PROTECTED:
        return f"{name} is the benchmark database; this script writes only to a copy of it"
    if args.template and args.template == name:
        return "--database-url and --template name the same database"
    if not shutil.which("wrk"):
        return "wrk is not installed (apt-get install wrk)"
    if min(args.connections, args.duration, args.paths) < 1:
        return "--connections, --duration and --paths must be positive"
    if args.connections < len(KINDS):
        return f"--connections must be at least {len(KINDS)}, one per kind of page"
    return None


def main(argv=None):
    args = parse_args(argv)
    problem = refuse(args)
    if problem:
        print(f"load_under_import: {problem}", file=sys.stderr)
        return 2
    configure_environment(args.database_url)
    if args.template:
        print(f"copying {args.template} into {database_name(args.database_url)}", flush=True)
        copy_database(args.database_url, args.template)
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    servers = []
    try:
        return run(args, workdir, servers)
    except SystemExit as error:
        if not isinstance(error.code, str):
            raise
        print(f"load_under_import: {error.code}", file=sys.stderr)
        return 2
    finally:
        for server in servers:
            server.stop()
        if args.template and not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.database_url)
            print(f"dropped {database_name(args.database_url)}")
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir, servers):
    """Prepare, serve, load, write, check, report; ``servers`` gets the gunicorn started."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.urls import reverse

    from catalog.models import Document, ImportBatch

    rng = random.Random(args.seed)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = Document.objects.count()
    print(f"{total:,} documents in {connection.settings_dict['NAME']}; preparing", flush=True)
    started = time.monotonic()
    paths = page_paths(rng, args.paths)
    path_files = {}
    for kind in KINDS:
        if not paths[kind]:
            raise SystemExit(f"no {kind} paths: is the database filled? (make bench)")
        path_files[kind] = workdir / f"paths-{kind}.txt"
        path_files[kind].write_text("\n".join(paths[kind]) + "\n")
    password = secrets.token_urlsafe(16)
    user = editor_user(password)
    tag = time.strftime("%Y%m%d%H%M%S")
    import_path = workdir / "import.jsonl"
    rows = {}
    pks = []
    if "B" in args.phases:
        rows = import_file(import_path, args.import_rows, rng, user=user, tag=tag)
        pks = drafts_to_publish(rng, args.publish)
    admin_paths = (reverse("admin:login"), reverse("admin:catalog_document_changelist"))
    connections.close_all()
    print(f"prepared in {time.monotonic() - started:.0f} s", flush=True)

    server = Server(workdir, args.workers)
    servers.append(server)
    server.wait_ready(paths["record"][0])
    warm_up(server.base, paths)
    print(f"gunicorn: {args.workers} workers at {server.base}", flush=True)

    results, checks, notes = [], [], []

    def record(phase, loads):
        merged = Load("all")
        for kind in KINDS:
            merged.merge(loads[kind], concurrent=True)
        for load in [*loads.values(), merged]:
            results.append((phase, load))

    pause = f", pausing {args.think_ms:.0f} ms on average" if args.think_ms else ""

    def load_average():
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())

    if "A" in args.phases:
        drain(server.base, paths["record"][0])
        print(f"phase A: {args.connections} clients for {args.duration} s{pause}", flush=True)
        notes.append(f"phase A began at load average {load_average()}")
        loads = run_load(
            server.base,
            path_files,
            args.connections,
            args.timeout,
            workdir,
            "A",
            duration=args.duration,
            think_ms=args.think_ms,
        )
        record("A", loads)

    if "B" in args.phases:
        drain(server.base, paths["record"][0])
        print(
            f"phase B: the same load; import of {len(rows):,} documents and publish of "
            f"{len(pks)} drafts from {args.writes_after:.0f} s",
            flush=True,
        )
        notes.append(f"phase B began at load average {load_average()}")
        writers = Writers(server.base, workdir, import_path, password, pks, admin_paths)
        sampler = LockSampler(args.database_url)
        sampler.start()
        origin = time.monotonic()
        timer = threading.Timer(args.writes_after, writers.start, [origin])
        timer.start()
        totals = run_load(
            server.base,
            path_files,
            args.connections,
            args.timeout,
            workdir,
            "B",
            duration=args.duration,
            think_ms=args.think_ms,
            until=lambda: writers.started.is_set() and not writers.running(),
        )
        load_ended = time.monotonic() - origin
        writers.join()
        sampler.stop.set()
        sampler.join()
        record("B", totals)
        for what, (start, end) in sorted(writers.times.items(), key=lambda item: item[1]):
            notes.append(
                f"{what}: from {start:.1f} s to {end:.1f} s of phase B ({end - start:.1f} s)"
            )
        notes.append(f"load: from 0 to {load_ended:.1f} s of phase B")
        notes.append("import_documents said:\n    " + writers.import_output.replace("\n", "\n    "))
        notes.append(sampler.report())
        statuses = ", ".join(f"{status}" for _path, status in writers.publish_statuses)
        notes.append(f"admin requests (sign-in, list, action, confirm): {statuses}")
        checks += writers.failures
        connections.close_all()
        batch = ImportBatch.objects.filter(name="load_under_import").order_by("-pk").first()
        if batch is None:
            checks.append("no import batch was recorded")
        else:
            checks += check_import(batch, rows)
        checks += check_published(pks)

    server.stop()
    print()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {total:,} documents on PostgreSQL "
        f"({connection.settings_dict['NAME']}), gunicorn {args.workers} sync workers, "
        f"{args.connections} clients{pause or ' without pauses'}, "
        f"{os.cpu_count()} CPUs, load average {load} (the machine is shared: other work "
        "running at the same time lengthens every latency)"
    )
    print(TABLE_HEAD)
    failed = False
    for phase, load in results:
        print(load.row(phase, args.p99_ms, args.timeout))
        if load.name == "all" and not load.meets(args.p99_ms):
            failed = True
    print(f"target: 0 errors and p99 <= {args.p99_ms:.0f} ms on all pages together, per phase")
    for note in notes:
        print(note)
    if "B" in args.phases:
        if checks:
            failed = True
            print(f"completeness: {len(checks)} problems")
            for problem in checks[:30]:
                print(f"  {problem}")
        else:
            print(
                f"completeness: all {len(rows):,} imported documents complete (people, custody, "
                f"collections, subjects, search index, history); all {len(pks)} drafts published"
            )
    if server.process.returncode not in (0, None) or "Traceback" in server.tail(200):
        print(f"gunicorn's log:\n{server.tail()}")
    print("RESULT:", "a target was missed" if failed else "every target met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
