"""
Load benchmark (issue 7, items 1 and 2): the catalogue served by gunicorn and driven by wrk,
page type by page type, beside its peers, Datasette on the same SQLite data and the raw-SQL
floor (the pages' own SQL statements replayed through DB-API).

For each database asked (``--databases postgresql sqlite``, both by default):

1. **Data.** Prepares it as ``scripts/bench.py`` does (its ``prepare()``: migrate, load
   ``fixtures/seed.json``, top up to ``--documents`` with ``manage.py generate_documents``,
   rebuild the search index when it is short, ``ANALYZE``), in a child process, which also
   draws ``--samples`` random parameter sets per page type (below), counts the SQL queries per
   request on a sample of them with Django's ``CaptureQueriesContext`` and keeps the SQL
   statements of each sampled list, search and record page for the raw-SQL floor.
   PostgreSQL: ``--database-url`` (default ``$DATABASE_URL``, else
   ``postgres://postgres@127.0.0.1:5432/archive_bench``, created when missing). SQLite:
   ``--sqlite FILE`` (default ``build/bench/archive_bench_<N>.sqlite3``).
2. **Server.** gunicorn on 127.0.0.1 and a free port, as in production: ``DJANGO_DEBUG=0``, a
   secret key, ``DJANGO_ALLOWED_HOSTS=127.0.0.1``, no ``CACHE_URL`` (production without it
   caches nothing), ``--workers`` (4) sync workers with ``--preload``.
3. **Load.** wrk (``/usr/bin/wrk``) from loopback, ``--clients`` (4) connections for
   ``--duration`` (20) seconds per page type, with ``scripts/wrk/random_paths.lua``: each
   request takes a random path from a file of the drawn parameter sets, and ``done()``
   reports latency percentiles, errors and every status seen. Page types (``--pages``):

   - ``home``: ``/`` (one URL: the home page has no parameters);
   - ``list``: ``/documents/?person=<slug>&date_from=Y&date_to=Y+19``, a random person of the
     50 in the most documents and a random 20-year range in their span (as bench.py draws);
   - ``search``: ``/documents/?q=<word> <word>``, two words from one paragraph of a random
     document (as bench.py draws): relevance order, snippets, facets;
   - ``record``: ``/documents/<record id>/<slug>/`` of random published documents;
   - ``person``: ``/people/<slug>/`` of random public people;
   - ``dates``: ``/dates/<year>/`` and ``/dates/<year>/<month>/`` of random documents' dates;
   - ``oai``: ``/oai/?verb=ListRecords&metadataPrefix=oai_dc`` with a random ``set`` (a
     public collection) or a random ``from`` datestamp (a random position in the harvest);
   - ``api``: ``/api/documents/`` with the list's person and date-range filters.

   Then the cached run: the same server with ``CACHE_URL=--redis-url`` (Redis), each URL
   requested once to fill the cache, then the home page and the first page of the document
   list hammered (``home (cached)``, ``list page 1 (cached)``).
4. **Report.** Per page type: median, p95 and p99 latency (ms), requests per second,
   requests that did not answer 2xx plus socket errors, SQL queries per request (in-process
   pass, separate from the timed one) and the peak resident memory of the gunicorn workers
   (the largest ``VmHWM`` in ``/proc/<pid>/status``, reset through ``clear_refs`` before each
   page type). Printed, and written to ``build/bench/load-<date>.md`` and ``.json`` (and
   ``load-latest.md``/``.json``).
5. **Peers** (``--no-peers`` leaves them out):

   - Datasette (``pip install -e '.[bench]'``) on a copy of the SQLite file with the tables it
     shows, the same FTS5 index (``catalog_search``: title, names, body; metadata
     ``fts_table``) and a ``people`` JSON column for its array facet, in immutable mode, with
     its time limits raised so that it computes everything asked, and driven by wrk the same
     way: the filtered table with facets (the same people and ranges through ``_where=``,
     facets on repository, type and language), full-text search with a people facet (the
     same word pairs) and one row's HTML page (the same records).
   - The raw-SQL floor: for list, search and record, the SQL statements each sampled page ran
     (captured in step 1), replayed page by page through the database's DB-API connection
     (psycopg2, sqlite3) by ``--clients`` processes at once for ``--duration`` seconds: what
     the page would cost with no Python, no template and no HTTP.

   Ratios ours / Datasette (SQLite and PostgreSQL against the same Datasette) and ours / raw
   SQL (each database against its own floor) are printed page by page.

Run: ``make bench`` (N=100000; ``make bench N=1000000``) or
``.venv/bin/python scripts/bench_load.py --documents 100000``; ``--help`` lists every option.
A whole default run takes about 15 minutes once the data exists. See docs/benchmark-load.md.
"""

import argparse
import contextlib
import json
import math
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "scripts" / "wrk" / "random_paths.lua"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/archive_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
SECRET_KEY = "benchmark-only-secret-key-not-for-production"
PAGES = ["home", "list", "search", "record", "person", "dates", "oai", "api"]
RAW_PAGES = ["list", "search", "record"]
PEER_PAGES = {"list": "filtered table + facets", "search": "search + people facet", "record": "row"}
DATASETTE_DB = "bench"
MARKER = "BENCH_LOAD_JSON "
# What the TLS-terminating proxy in front of gunicorn adds in production (docs/deployment.md):
# without it the site answers every request with a redirect to https.
COUNTING_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=(
            "Load benchmark: the catalogue under gunicorn driven by wrk, page type by page type, "
            "beside Datasette on the same SQLite data and the raw-SQL floor. Prints median, p95 "
            "and p99 latency (ms), requests/s, non-2xx responses and socket errors, SQL queries "
            "per request and the workers' peak memory, and writes them to build/bench/."
        ),
        epilog=(
            "Columns: median/p95/p99 ms are wrk's latency percentiles over every request of the "
            "run; req/s is requests answered per second at --clients connections; non-2xx counts "
            "responses other than 2xx plus socket errors (connect, read, write, timeout); queries "
            "is the number of SQL queries one request runs (min-max over a sample, counted "
            "in-process in a separate pass); worker MB is the largest VmHWM (peak resident "
            "memory) of the gunicorn workers during that page type. Ratios: ours / Datasette "
            "and ours / raw SQL, medians and p95s, page by page. The machine is shared: note "
            "the load average printed with the figures. See docs/benchmark-load.md."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--documents",
        type=int,
        default=100_000,
        help="documents the databases should hold; missing ones are generated (never removed)",
    )
    parser.add_argument(
        "--databases",
        nargs="+",
        choices=["postgresql", "sqlite"],
        default=["postgresql", "sqlite"],
        help="which databases to serve the catalogue from, in this order",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="the PostgreSQL database (default $DATABASE_URL, else archive_bench on localhost)",
    )
    parser.add_argument(
        "--sqlite",
        type=Path,
        help="the SQLite database file (default build/bench/archive_bench_<N>.sqlite3)",
    )
    parser.add_argument(
        "--fixture",
        action="append",
        default=[],
        help="also load this fixture before topping up (repeatable; e.g. fixtures/demo.json)",
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        choices=PAGES,
        default=PAGES,
        help="the page types to drive",
    )
    parser.add_argument("--clients", type=int, default=4, help="wrk connections (concurrency)")
    parser.add_argument(
        "--duration", type=float, default=20, help="seconds of load per page type and peer"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="wrk threads (default: min(clients, 2))"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=["sync", "gthread"],
        help="gunicorn worker class",
    )
    parser.add_argument(
        "--worker-threads", type=int, default=2, help="threads per worker with gthread"
    )
    parser.add_argument(
        "--samples", type=int, default=500, help="random parameter sets drawn per page type"
    )
    parser.add_argument(
        "--query-sample",
        type=int,
        default=20,
        help="requests per page type whose SQL queries are counted (in-process)",
    )
    parser.add_argument(
        "--sql-sample",
        type=int,
        default=100,
        help="list, search and record pages whose SQL is captured for the raw-SQL floor",
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=8,
        help="unmeasured requests before each run (the first N paths, one request each)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed for the parameters")
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        help="CACHE_URL of the cached run (a Redis database of its own)",
    )
    parser.add_argument(
        "--no-cached", dest="cached", action="store_false", help="leave out the cached run"
    )
    parser.add_argument(
        "--no-peers",
        dest="peers",
        action="store_false",
        help="leave out Datasette and the raw-SQL floor",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "build" / "bench", help="where reports are written"
    )
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk", help="wrk binary")
    # Internal: the child processes this script starts.
    parser.add_argument("--prepare-into", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--replay", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sqlite is None:
        args.sqlite = ROOT / "build" / "bench" / f"archive_bench_{args.documents}.sqlite3"
    args.sqlite = args.sqlite.resolve()
    args.threads = args.threads or min(args.clients, 2)
    return args


def database_url(args, vendor):
    return args.database_url if vendor == "postgresql" else f"sqlite:///{args.sqlite}"


def server_environment(url, cache_url=""):
    """The environment of a production-like process on database ``url``."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="archive.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_COOKIES="0",
        # Behind a TLS-terminating proxy, whose headers wrk and this script send
        # (PROXY_HEADERS); the proxy redirects plain http itself.
        DJANGO_BEHIND_PROXY="1",
        DJANGO_PROXY_COUNT="1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        CACHE_URL=cache_url,
        PYTHONPATH=str(ROOT),
    )
    return env


# The child that prepares the data and draws the parameter sets -----------------------------


def child_setup(url):
    """Point Django at ``url`` with production settings and set it up (in a child process)."""
    os.environ.update(server_environment(url))
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench

    bench.ensure_postgres_database(url)
    import django

    django.setup()
    return bench


def prepare_child(args):
    """Prepare the database, draw every page type's paths, count and capture their SQL."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    bench = child_setup(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    for fixture in args.fixture:
        call_command("loaddata", fixture, verbosity=0)
    started = time.monotonic()
    total = bench.prepare(argparse.Namespace(documents=args.documents, seed=args.seed, server=None))
    print(
        f"  {connection.vendor}: {total:,} documents ready ({time.monotonic() - started:.0f} s)",
        flush=True,
    )
    rng = random.Random(args.seed)
    paths = draw_paths(bench, rng, args)
    print(f"  drew {sum(map(len, paths.values())):,} paths", flush=True)
    bench.forget_cached_dates()
    queries, sql = count_queries(paths, args)
    data = {
        "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
        "documents": total,
        "paths": paths,
        "queries": queries,
        "sql": sql,
        "datasette": datasette_paths(paths) if connection.vendor == "sqlite" else {},
    }
    args.prepare_into.write_text(json.dumps(data))
    return 0


def draw_paths(bench, rng, args):
    """``--samples`` paths per page type (see the module docstring)."""
    from django.db.models import Max, Min

    from catalog import oai
    from catalog.models import Document, Person

    count = args.samples
    lists, records = bench.parameter_sets(rng, count)
    published = Document.objects.published()
    people = list(Person.objects.published().order_by("slug").values_list("slug", flat=True))
    dated = list(
        published.filter(date_earliest__year__gt=1, date_latest__lt="9999-01-01")
        .order_by("?")
        .values_list("date_earliest", "date_latest")[: count * 2]
    )
    dates = []
    for earliest, latest in dated:
        same_month = (earliest.year, earliest.month) == (latest.year, latest.month)
        if same_month and rng.random() < 0.5:
            dates.append(f"/dates/{earliest.year}/{earliest.month}/")
        else:
            dates.append(f"/dates/{earliest.year}/")
    sets = [item["spec"] for item in oai.public_sets()]
    span = oai.ever_published().aggregate(first=Min("modified"), last=Max("modified"))
    harvests = []
    for _ in range(count):
        query = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
        if sets and rng.random() < 0.5:
            query["set"] = rng.choice(sets)
        elif span["first"]:
            first, last = span["first"].timestamp(), span["last"].timestamp()
            moment = time.gmtime(rng.uniform(first, max(first, last - 1)))
            query["from"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)
        harvests.append(f"/oai/?{urlencode(query)}")
    return {
        "home": ["/"],
        "list": lists,
        "search": bench.search_urls(rng, count),
        "record": records,
        "person": [f"/people/{slug}/" for slug in rng.sample(people, min(count, len(people)))],
        "dates": dates[:count],
        "oai": harvests,
        "api": [url.replace("/documents/?", "/api/documents/?", 1) for url in lists],
        "home (cached)": ["/"],
        "list page 1 (cached)": ["/documents/"],
    }


def count_queries(paths, args):
    """
    Queries per request for a sample of each page type's paths, and the SQL statements of the
    sampled list, search and record pages (for the raw-SQL floor).
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(SERVER_NAME="127.0.0.1", raise_request_exception=False)
    counts, statements = {}, {}
    for name, urls in paths.items():
        if "cached" in name:
            # A cache hit, counted with a local-memory cache (the same code path as Redis).
            with override_settings(CACHES=COUNTING_CACHE):
                client.get(urls[0], headers=PROXY_HEADERS)
                with CaptureQueriesContext(connection) as captured:
                    client.get(urls[0], headers=PROXY_HEADERS)
            counts[name] = [len(captured.captured_queries)]
            continue
        sample = urls[: max(args.query_sample, args.sql_sample if name in RAW_PAGES else 0)]
        counts[name], pages = [], []
        for url in sample:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, headers=PROXY_HEADERS)
            counts[name].append(len(captured.captured_queries))
            if name in RAW_PAGES and response.status_code == 200:
                pages.append([query["sql"] for query in captured.captured_queries])
        if name in RAW_PAGES:
            statements[name] = pages
        print(f"  counted the queries of {len(sample)} {name} requests", flush=True)
    return counts, statements


def datasette_paths(paths):
    """
    Datasette's URLs for the same parameter sets: the list's people and ranges as a filtered
    table with three facets, the same word pairs as a search with a people facet, the same
    records as row pages.  Ids are the SQLite file's, which the copy keeps.
    """
    from catalog.models import Document, Person

    table = f"/{DATASETTE_DB}/catalog_document"
    public = "status = 'published' and (embargo_until is null or embargo_until <= date('now'))"
    slugs = {parse_qs(urlsplit(url).query)["person"][0] for url in paths["list"]}
    ids = dict(Person.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    lists = []
    for url in paths["list"]:
        query = parse_qs(urlsplit(url).query)
        first, last = int(query["date_from"][0]), int(query["date_to"][0])
        person = ids[query["person"][0]]
        where = (
            f"{public} and id in (select document_id from catalog_documentperson "
            f"where person_id = {person})"
        )
        params = [
            ("_where", where),
            ("date_latest__gte", f"{first:04d}-01-01"),
            ("date_earliest__lte", f"{last:04d}-12-31"),
            ("_facet", "repository_id"),
            ("_facet", "doc_type"),
            ("_facet", "language"),
            ("_sort", "date_earliest"),
            ("_size", "25"),
        ]
        lists.append(f"{table}?{urlencode(params)}")
    searches = []
    for url in paths["search"]:
        text = parse_qs(urlsplit(url).query)["q"][0]
        params = [("_search", text), ("_where", public), ("_facet_array", "people")]
        searches.append(f"{table}?{urlencode(params + [('_size', '25')])}")
    record_ids = [int(urlsplit(url).path.split("/")[2]) for url in paths["record"]]
    pks = Document.objects.filter(record_id__in=record_ids).values_list("pk", flat=True)
    return {"list": lists, "search": searches, "record": [f"{table}/{pk}" for pk in pks]}


# The raw-SQL floor --------------------------------------------------------------------------


def replay_child(args):
    """Replay random pages' SQL through the DB-API connection until the time is up."""
    child_setup(os.environ["DATABASE_URL"])
    from django.db import connection

    job = json.loads(args.replay.read_text())
    pages = job["pages"]
    rng = random.Random(job["seed"])
    connection.ensure_connection()
    raw = connection.connection  # psycopg2 or sqlite3, with Django's SQL functions on SQLite
    cursor = raw.cursor()
    for statements in pages[: args.warm_up]:
        run_page(cursor, statements)
    timings = []
    deadline = time.monotonic() + job["duration"]
    while time.monotonic() < deadline:
        statements = rng.choice(pages)
        started = time.perf_counter()
        run_page(cursor, statements)
        timings.append(time.perf_counter() - started)
    if connection.vendor == "postgresql":
        raw.rollback()
    Path(job["result"]).write_text(json.dumps(timings))
    return 0


def run_page(cursor, statements):
    for sql in statements:
        cursor.execute(sql)
        if cursor.description is not None:
            cursor.fetchall()


def raw_floor(args, url, name, pages, workdir):
    """Latency and pages/s of ``pages``' SQL replayed by ``--clients`` processes at once."""
    jobs = []
    for client in range(args.clients):
        job = workdir / f"replay-{name}-{client}.json"
        job.write_text(
            json.dumps(
                {
                    "pages": pages,
                    "seed": args.seed * 100 + client,
                    "duration": args.duration,
                    "result": str(workdir / f"replay-{name}-{client}.out.json"),
                }
            )
        )
        jobs.append(job)
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--replay", str(job), "--warm-up", str(args.warm_up)],
            env=server_environment(url),
            cwd=ROOT,
        )
        for job in jobs
    ]
    failed = [child.wait() for child in children]
    if any(failed):
        raise SystemExit(f"the raw-SQL replay of {name} failed")
    timings = []
    for job in jobs:
        timings += json.loads(Path(str(job).replace(".json", ".out.json")).read_text())
    ordered = sorted(t * 1000 for t in timings) or [None]
    return {
        "requests": len(timings),
        "rps": len(timings) / args.duration,
        "p50": percentile(ordered, 50),
        "p95": percentile(ordered, 95),
        "p99": percentile(ordered, 99),
        "non2xx": 0,
        "queries": statistics.median(len(p) for p in pages),
    }


def percentile(ordered, p):
    """The ``p``th percentile of sorted values (nearest rank)."""
    index = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


# Servers ------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process in its own session, stopped (with its children) on exit."""

    def __init__(self, command, env, log, probe="/"):
        self.command, self.env, self.log, self.probe = command, env, log, probe
        self.port = None
        self.process = None

    def __enter__(self):
        self.port = free_port()
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        self.logfile = open(self.log, "ab")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{command[0]} stopped at start: see {self.log}")
            try:
                get(self.base + self.probe, timeout=60)
                return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise SystemExit(f"{command[0]} did not answer within 120 s: see {self.log}")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.logfile.close()

    def workers(self):
        """Process ids of the server's children (gunicorn's workers)."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def reset_peak_memory(self):
        """Reset VmHWM of the server and its workers (Linux: 5 > clear_refs)."""
        for pid in [self.process.pid, *self.workers()]:
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def peak_memory_mb(self):
        """The largest VmHWM of the workers (or of the server itself when it has none), MB."""
        peaks = []
        for pid in self.workers() or [self.process.pid]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks) if peaks else None


def get(url, timeout=30):
    """GET ``url``; the status (HTTP errors included)."""
    request = urllib.request.Request(url, headers=PROXY_HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def gunicorn(args, url, cache_url, log):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "archive.wsgi:application",
        "--bind",
        "127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--preload",
        "--timeout",
        "120",
        "--error-logfile",
        "-",
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.worker_threads)]
    # A cheap page to see that it is up (an uncached home page can take seconds).
    return Server(command, server_environment(url, cache_url), log, probe="/robots.txt")


def datasette(args, database, metadata, log):
    command = [
        str(Path(sys.executable).with_name("datasette")),
        "serve",
        "--immutable",
        str(database),
        "--metadata",
        str(metadata),
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        # Compute everything asked (by default facets give up after 200 ms, queries after 1 s),
        # no facet suggestions (the catalogue makes none), a thread per client.
        "--setting",
        "sql_time_limit_ms",
        "60000",
        "--setting",
        "facet_time_limit_ms",
        "60000",
        "--setting",
        "suggest_facets",
        "off",
        "--setting",
        "num_sql_threads",
        str(args.clients),
    ]
    return Server(command, os.environ.copy(), log, probe=f"/{DATASETTE_DB}")


# wrk ----------------------------------------------------------------------------------------


def parse_wrk(output):
    """The figures ``random_paths.lua``'s ``done()`` printed, in milliseconds and per second."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            break
    else:
        raise ValueError(f"wrk printed no {MARKER.strip()} line:\n{output}")
    latency, errors = data["latency_us"], data["errors"]
    statuses = {int(code): n for code, n in data["statuses"].items()}
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    if data["requests"] == 0:  # not one answer within the run: no latency to report
        latency = dict.fromkeys(["p50", "p95", "p99", "max"])
    return {
        "requests": data["requests"],
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50": ms(latency["p50"]),
        "p95": ms(latency["p95"]),
        "p99": ms(latency["p99"]),
        "max": ms(latency["max"]),
        "statuses": statuses,
        "socket_errors": socket_errors,
        "non2xx": sum(n for code, n in statuses.items() if not 200 <= code < 300) + socket_errors,
    }


def ms(microseconds):
    return None if microseconds is None else microseconds / 1000


def drive(args, base, paths, workdir, name):
    """Warm up on ``paths``, then wrk at ``--clients`` connections; parsed figures."""
    path_file = workdir / f"paths-{name.replace(' ', '_').replace('/', '_')}.txt"
    path_file.write_text("\n".join(paths) + "\n")
    for path in paths[: args.warm_up]:
        get(base + path, timeout=120)
    command = [
        args.wrk,
        f"-t{args.threads}",
        f"-c{args.clients}",
        f"-d{args.duration:g}s",
        "--timeout",
        "60s",
        "-s",
        str(LUA),
        base,
        "--",
        str(path_file),
        str(args.seed),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"wrk failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    return parse_wrk(result.stdout)


def ensure_wrk(args):
    if not (shutil.which(args.wrk) or Path(args.wrk).exists()):
        raise SystemExit(
            f"wrk not found ({args.wrk}): apt-get install wrk (make bench does it for you)"
        )


# The Datasette copy -------------------------------------------------------------------------

COPIED = [
    "catalog_document",
    "catalog_documentperson",
    "catalog_person",
    "catalog_repository",
    "catalog_rightsstatement",
]


def datasette_copy(source, target):
    """
    A copy of the SQLite file for Datasette: the tables its pages show (with their indexes),
    the FTS5 index ``catalog_search`` rebuilt from the source's, and a ``people`` column (JSON
    array of names) on documents for its array facet.  Reused while the source is unchanged.
    """
    stamp = target.with_suffix(".source")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as connection:
        counts = connection.execute(
            "SELECT (SELECT COUNT(*) || ' ' || MAX(modified) FROM catalog_document),"
            " (SELECT COUNT(*) || ' ' || MAX(id) FROM catalog_documentperson),"
            " (SELECT COUNT(*) FROM catalog_search)"
        ).fetchone()
    signature = f"{source} {' '.join(map(str, counts))}"
    if target.exists() and stamp.exists() and stamp.read_text() == signature:
        return target
    started = time.monotonic()
    print(f"building Datasette's copy {target} (once per source state)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(f"file:{partial}", uri=True)
    copy.execute("ATTACH DATABASE ? AS source", [f"file:{source}?mode=ro"])
    schema = copy.execute(
        "SELECT type, name, tbl_name, sql FROM source.sqlite_master WHERE sql IS NOT NULL"
    ).fetchall()
    with copy:
        for kind, name, _table, sql in schema:
            if kind == "table" and name in COPIED:
                copy.execute(sql)
                copy.execute(f'INSERT INTO main."{name}" SELECT * FROM source."{name}"')
        for kind, _name, table, sql in schema:
            if kind == "index" and table in COPIED:
                copy.execute(sql)
        search = next(sql for kind, name, _, sql in schema if name == "catalog_search")
        copy.execute(search)
        copy.execute(
            "INSERT INTO main.catalog_search (rowid, title, names, body) "
            "SELECT rowid, title, names, body FROM source.catalog_search"
        )
        copy.execute("ALTER TABLE main.catalog_document ADD COLUMN people TEXT")
        copy.execute(
            "UPDATE main.catalog_document SET people = ("
            " SELECT json_group_array(p.display_name) FROM ("
            "  SELECT person_id FROM main.catalog_documentperson dp"
            "  WHERE dp.document_id = catalog_document.id ORDER BY dp.position, dp.id"
            " ) links JOIN main.catalog_person p ON p.id = links.person_id)"
        )
    copy.execute("DETACH DATABASE source")
    copy.execute("ANALYZE")
    copy.close()
    partial.replace(target)
    stamp.write_text(signature)
    print(f"  built in {time.monotonic() - started:.0f} s")
    return target


def datasette_metadata(path):
    path.write_text(
        json.dumps(
            {
                "databases": {
                    DATASETTE_DB: {
                        "tables": {
                            "catalog_document": {"fts_table": "catalog_search", "fts_pk": "id"}
                        }
                    }
                }
            }
        )
    )
    return path


# The run ------------------------------------------------------------------------------------


def prepare(args, vendor, workdir):
    """Run the preparing child for ``vendor``; what it found and drew."""
    url = database_url(args, vendor)
    into = workdir / f"prepared-{vendor}.json"
    print(f"preparing {vendor} ({url}), {args.documents:,} documents")
    command = [
        sys.executable,
        __file__,
        "--prepare-into",
        str(into),
        "--documents",
        str(args.documents),
        "--samples",
        str(args.samples),
        "--query-sample",
        str(args.query_sample),
        "--sql-sample",
        str(args.sql_sample),
        "--seed",
        str(args.seed),
    ]
    for fixture in args.fixture:
        command += ["--fixture", fixture]
    subprocess.run(command, env=server_environment(url), cwd=ROOT, check=True)
    return json.loads(into.read_text())


def query_range(counts):
    if not counts:
        return "–"
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}–{high}"


def run_database(args, vendor, workdir, report):
    prepared = prepare(args, vendor, workdir)
    url = database_url(args, vendor)
    report["databases"][vendor] = {
        "name": prepared["database"],
        "documents": prepared["documents"],
    }
    log = workdir / f"gunicorn-{vendor}.log"
    print(f"serving {vendor} with gunicorn ({args.workers} {args.worker_class} workers)")

    def run_page(server, name, *, fill_cache=False):
        """Drive one page type with wrk and add its row to the report."""
        paths = prepared["paths"][name]
        server.reset_peak_memory()
        if fill_cache:
            get(server.base + paths[0])
        row = drive(args, server.base, paths, workdir, f"{vendor}-{name}")
        row.update(
            system="ours",
            database=vendor,
            page=name,
            queries=query_range(prepared["queries"].get(name)),
            worker_mb=server.peak_memory_mb(),
            parameter_sets=len(paths),
        )
        report["rows"].append(row)
        print_row(row)

    with gunicorn(args, url, "", log) as server:
        for name in args.pages:
            run_page(server, name)
    if args.cached and redis_available(args.redis_url):
        with gunicorn(args, url, args.redis_url, log) as server:
            for name in ["home (cached)", "list page 1 (cached)"]:
                run_page(server, name, fill_cache=True)
    elif args.cached:
        print(f"Redis at {args.redis_url} does not answer: no cached run")
    if args.peers:
        for name in RAW_PAGES:
            pages = prepared["sql"].get(name)
            if name not in args.pages or not pages:
                continue
            row = raw_floor(args, url, f"{vendor}-{name}", pages, workdir)
            row.update(
                system="raw SQL",
                database=vendor,
                page=name,
                queries=query_range([len(p) for p in pages]),
                worker_mb=None,
                parameter_sets=len(pages),
                statuses={},
                socket_errors=0,
                max=None,
            )
            report["rows"].append(row)
            print_row(row)
    return prepared


def run_datasette(args, prepared, workdir, report):
    copy = datasette_copy(args.sqlite, args.out / "datasette" / f"{DATASETTE_DB}.db")
    metadata = datasette_metadata(workdir / "datasette-metadata.json")
    print("serving the SQLite copy with Datasette")
    with datasette(args, copy, metadata, workdir / "datasette.log") as server:
        for name, label in PEER_PAGES.items():
            paths = prepared["datasette"].get(name)
            if name not in args.pages or not paths:
                continue
            server.reset_peak_memory()
            row = drive(args, server.base, paths, workdir, f"datasette-{name}")
            row.update(
                system="Datasette",
                database="sqlite",
                page=name,
                peer_page=label,
                queries="–",
                worker_mb=server.peak_memory_mb(),
                parameter_sets=len(paths),
            )
            report["rows"].append(row)
            print_row(row)


def redis_available(url):
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def fmt(value, digits=1):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


HEADER = (
    "| system | database | page | median ms | p95 ms | p99 ms | req/s | requests | non-2xx "
    "| queries | worker MB |"
)


def table_row(row):
    return (
        f"| {row['system']} | {row['database']} | {row['page']} | {fmt(row['p50'])} | "
        f"{fmt(row['p95'])} | {fmt(row['p99'])} | {fmt(row['rps'])} | {row['requests']:,} | "
        f"{row['non2xx']} | {row['queries']} | {fmt(row['worker_mb'], 0)} |"
    )


def print_row(row):
    print(table_row(row), flush=True)


def ratio(ours, peer):
    return ours / peer if ours is not None and peer else None


def ratios(report):
    """Ours / Datasette and ours / raw SQL, median and p95, page by page."""
    rows = report["rows"]

    def find(system, database, page):
        return next(
            (
                r
                for r in rows
                if r["system"] == system and r["database"] == database and r["page"] == page
            ),
            None,
        )

    lines = []
    for page in RAW_PAGES:
        for database in report["databases"]:
            ours = find("ours", database, page)
            if not ours:
                continue
            for system, peer_database in [("Datasette", "sqlite"), ("raw SQL", database)]:
                peer = find(system, peer_database, page)
                if not peer:
                    continue
                lines.append(
                    {
                        "page": page,
                        "ours": database,
                        "peer": f"{system} ({peer_database})",
                        "median": ratio(ours["p50"], peer["p50"]),
                        "p95": ratio(ours["p95"], peer["p95"]),
                        "rps": ours["rps"] / peer["rps"] if peer["rps"] else None,
                    }
                )
    return lines


def markdown(report):
    out = [
        f"Load benchmark, {report['date']}: {report['command']}",
        "",
        f"{report['machine']}; {report['settings']}",
        "",
    ]
    for vendor, data in report["databases"].items():
        out.append(f"- {vendor}: {data['name']}, {data['documents']:,} documents")
    out += ["", HEADER, "|" + "---|" * 11]
    out += [table_row(row) for row in report["rows"]]
    if report["ratios"]:
        out += [
            "",
            "| page | ours on | compared with | median ratio | p95 ratio | req/s ratio |",
            "|---|---|---|---|---|---|",
        ]
        for line in report["ratios"]:
            out.append(
                f"| {line['page']} | {line['ours']} | {line['peer']} | "
                f"{fmt(line['median'], 2)} | {fmt(line['p95'], 2)} | {fmt(line['rps'], 2)} |"
            )
        out += [
            "",
            "Ratios are ours / peer: latency ratios below 1 and a req/s ratio above 1 mean the "
            "catalogue is faster.",
        ]
    return "\n".join(out) + "\n"


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, in logs too
    if args.prepare_into:
        return prepare_child(args)
    if args.replay:
        return replay_child(args)
    ensure_wrk(args)
    args.out.mkdir(parents=True, exist_ok=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "scripts/bench_load.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": f"{os.cpu_count()} CPUs, load average at start {load}",
        "settings": (
            f"{args.clients} wrk connections ({args.threads} threads), {args.duration:g} s per "
            f"page type, gunicorn {args.workers} {args.worker_class} workers --preload, "
            f"DEBUG off, no cache except the cached rows (Redis {args.redis_url})"
        ),
        "databases": {},
        "rows": [],
    }
    print(report["machine"] + "; " + report["settings"])
    print(HEADER)
    print("|" + "---|" * 11)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        prepared = {}
        for vendor in args.databases:
            prepared[vendor] = run_database(args, vendor, workdir, report)
        if args.peers and "sqlite" in prepared:
            run_datasette(args, prepared["sqlite"], workdir, report)
        elif args.peers:
            print("Datasette needs the SQLite database: add sqlite to --databases")
        for log in workdir.glob("*.log"):
            shutil.copy(log, args.out / f"load-{log.name}")
    report["ratios"] = ratios(report)
    report["load_average_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    report["machine"] += f", at the end {report['load_average_end']}"
    text = markdown(report)
    print()
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in [f"load-{stamp}", "load-latest"]:
        (args.out / f"{name}.md").write_text(text)
        (args.out / f"{name}.json").write_text(json.dumps(report, indent=2, default=str))
    print(f"written to {args.out}/load-{stamp}.md and .json")
    failed = [r for r in report["rows"] if r["non2xx"] or not r["requests"]]
    if failed:
        print(
            "some requests did not answer 2xx, or none answered in time: "
            + ", ".join(f"{r['system']} {r['database']} {r['page']}" for r in failed),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
