"""
Page-time benchmark for the pages researchers use most (issue 2, item 9; issue 3, item 7): the
filtered document list, the record page and a search, on a database of N documents.

1. Points Django at ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/archive_bench``),
   creating that PostgreSQL database when it does not exist yet.
2. Migrates, loads fixtures/seed.json, and when the database holds fewer than ``--documents``
   documents runs ``manage.py generate_documents`` for the difference (which also indexes
   them for search); runs ``manage.py rebuild_search_index`` when the index does not hold
   every document; then ``ANALYZE`` on PostgreSQL so the planner knows the new data.
3. Renders each page ``--requests`` times (default 200) with random parameters, after a few
   unmeasured warm-up requests, through Django's test ``Client`` in this process (the whole
   Django stack: URL resolving, middleware, view, queries, template; no network and no WSGI
   server), with ``DEBUG`` off as in production and the EDTF cache emptied first, as in a
   freshly started worker:

   - list: ``/documents/?person=<slug>&date_from=Y&date_to=Y+19``, the person drawn from the
     50 people in the most published documents and Y drawn from the years their documents
     span, so that most requests find something (25 rows a page);
   - record: ``/documents/<record id>/<slug>/`` for random published documents;
   - search: ``/documents/?q=<word> <word>``, two words of four letters or more drawn from
     the same paragraph of a random published document's transcript (so every search finds
     something), ranked by relevance with snippets, facets and the histogram.

4. Prints median, 95th percentile and maximum in milliseconds and the number of SQL queries
   per request (counted on a separate pass, so counting does not slow the timed one), plus
   how many documents the list and search requests matched.

``--server http://127.0.0.1:8000`` measures a running server over HTTP instead (gunicorn,
say); the query counts are then not available.  ``--sqlite FILE`` runs against an SQLite
database file instead of PostgreSQL (created and filled on first use, which takes a while).

Run: ``make bench`` (N=100000 by default; ``make bench N=20000``) or
``.venv/bin/python scripts/bench.py --documents 100000 --requests 200``.
See docs/performance.md for the figures.
"""

import argparse
import math
import os
import random
import statistics
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/archive_bench"
POPULAR = 50
WARM_UP = 10
QUERY_SAMPLE = 20


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Time the filtered document list, the record page and a search on N documents.",
        epilog=f"DATABASE_URL chooses the database (default {DEFAULT_DATABASE_URL}).",
    )
    parser.add_argument(
        "--documents",
        type=int,
        default=100_000,
        help="documents the database must hold (default 100000)",
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="measured requests per page (default 200)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="random seed for data and parameters (default 1)"
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        help="measure a running server at URL instead of the in-process client",
    )
    parser.add_argument(
        "--sqlite",
        metavar="FILE",
        help="use the SQLite database FILE instead of DATABASE_URL (created when missing)",
    )
    parser.add_argument(
        "--pages",
        default="list,record,search",
        help="comma-separated page groups to time: list, record, search, admin (the admin's "
        "document changelist plain, with each list filter, searched, and the change form, as a "
        "superuser); default list,record,search",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also print EXPLAIN (ANALYZE, BUFFERS) summaries (PostgreSQL): for each filter "
        "and sort of the list, which index each query reads and its time",
    )
    parser.add_argument(
        "--no-prepare",
        action="store_true",
        help="do not migrate, load or generate anything: time the database as it is",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="keep DJANGO_DEBUG as the environment sets it (default: off)",
    )
    return parser.parse_args(argv)


def configure(args):
    """Environment for Django, set before it is imported."""
    sys.path.insert(0, str(ROOT))
    if args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.sqlite).resolve()}"
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    if not args.debug:
        os.environ["DJANGO_DEBUG"] = "0"
        os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-not-for-production")
        os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
        os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    ensure_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()


def ensure_postgres_database(url):
    """Create the PostgreSQL database named in ``url`` if it does not exist."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    name = config["NAME"]
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            print(f"creating PostgreSQL database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def prepare(args):
    """Migrate, load the seed record, top up to N documents; returns the document count."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from catalog.models import Document

    call_command("migrate", interactive=False, verbosity=0)
    call_command("loaddata", str(ROOT / "fixtures" / "seed.json"), verbosity=0)
    if not settings.DEBUG and not args.server:
        call_command("collectstatic", interactive=False, verbosity=0)
    have = Document.objects.count()
    if have < args.documents:
        missing = args.documents - have
        print(f"{have:,} documents in the database; generating {missing:,} more")
        started = time.monotonic()
        call_command("generate_documents", str(missing), seed=args.seed + have)
        print(f"generate_documents {missing} took {time.monotonic() - started:.0f} s")
    ensure_search_index()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Document.objects.count()


def ensure_search_index():
    """Rebuild the search index when it does not hold one row per document."""
    from django.core.management import call_command
    from django.db import connection

    from catalog.models import Document

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM catalog_search")
        indexed = cursor.fetchone()[0]
    if indexed != Document.objects.count():
        print(f"the search index holds {indexed:,} rows; rebuilding it")
        call_command("rebuild_search_index")


def search_urls(rng, count):
    """
    ``count`` search URLs: two words (four letters or more) from one paragraph of a random
    published document's transcript, so every search finds at least that document.
    """
    import re

    from catalog.models import Document

    published = Document.objects.published().exclude(transcript="")
    ids = list(published.order_by("pk").values_list("pk", flat=True))
    chosen = rng.sample(ids, min(len(ids), count * 2))
    transcripts = dict(published.filter(pk__in=chosen).values_list("pk", "transcript"))
    urls = []
    for pk in chosen:
        paragraphs = [p for p in transcripts[pk].split("\n\n") if p.strip()]
        words = re.findall(r"[^\W\d_]{4,}", rng.choice(paragraphs)) if paragraphs else []
        if len(words) >= 2:
            first, second = rng.sample(words, 2)
            urls.append(f"/documents/?{urlencode({'q': f'{first} {second}'})}")
        if len(urls) == count:
            break
    return urls


def parameter_sets(rng, count):
    """``count`` list URLs (popular person + 20-year range) and ``count`` record-page URLs."""
    from django.db.models import Count, Max, Min

    from catalog.models import Document, DocumentPerson

    published = Document.objects.published()
    popular = list(
        DocumentPerson.objects.filter(document__in=published)
        .values("person__slug")
        .annotate(n=Count("document", distinct=True))
        .order_by("-n", "person__slug")[:POPULAR]
    )
    if not popular:
        raise SystemExit("No published document names anyone: nothing to benchmark.")
    spans = {}
    for row in popular:
        span = published.filter(
            person_links__person__slug=row["person__slug"], date_earliest__year__gt=1
        ).aggregate(first=Min("date_earliest"), last=Max("date_earliest"))
        first = span["first"].year if span["first"] else 1900
        last = span["last"].year if span["last"] else 1900
        spans[row["person__slug"]] = (first - 10, max(first - 10, last - 10))
    lists = []
    for _ in range(count):
        slug = rng.choice(popular)["person__slug"]
        year = rng.randint(*spans[slug])
        query = urlencode({"person": slug, "date_from": year, "date_to": year + 19})
        lists.append(f"/documents/?{query}")
    ids = list(published.order_by("record_id").values_list("record_id", flat=True))
    chosen = rng.sample(ids, min(count, len(ids)))
    documents = Document.objects.in_bulk(chosen, field_name="record_id")
    records = [documents[record_id].get_absolute_url() for record_id in chosen]
    return lists, records


def forget_cached_dates():
    """
    Empty ``catalog.dates.parse``'s cache, which generating the data filled with every date
    in the database: measure as a freshly started worker would, not as one that has already
    parsed every value (real catalogues hold far more distinct dates than the cache keeps).
    """
    from catalog import dates

    if hasattr(dates.parse, "cache_clear"):
        dates.parse.cache_clear()


class InProcess:
    """Requests through Django's test client, in this process."""

    def __init__(self):
        from django.test import Client

        self.client = Client(SERVER_NAME="127.0.0.1", raise_request_exception=False)

    def get(self, url):
        response = self.client.get(url)
        return response.status_code

    def queries(self, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            self.client.get(url)
        return len(captured.captured_queries)


class OverHttp:
    """Requests to a running server."""

    def __init__(self, base):
        self.base = base.rstrip("/")

    def get(self, url):
        try:
            with urllib.request.urlopen(self.base + url, timeout=30) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def queries(self, url):
        return None


def measure(backend, urls):
    """Milliseconds per request and the statuses seen."""
    for url in urls[:WARM_UP]:
        backend.get(url)
    timings, statuses = [], {}
    for url in urls:
        started = time.perf_counter()
        status = backend.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
    return timings, statuses


def summary(name, timings, statuses, query_counts):
    ordered = sorted(timings)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    queries = "n/a"
    if query_counts and None not in query_counts:
        low, high = min(query_counts), max(query_counts)
        queries = str(low) if low == high else f"{low}–{high}"
    status = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
    return (
        f"| {name} | {len(ordered)} | {statistics.median(ordered):.1f} | {p95:.1f} | "
        f"{ordered[-1]:.1f} | {queries} | {status} |"
    )


def matches(list_urls):
    """How many published documents the list or search requests matched (median, min, max)."""
    from django.http import QueryDict

    from catalog.filters import DocumentFilter
    from catalog.models import Document

    counts = []
    for url in list_urls[:QUERY_SAMPLE]:
        data = QueryDict(urlsplit(url).query)
        counts.append(DocumentFilter(data, queryset=Document.objects.published()).qs.count())
    return statistics.median(counts), min(counts), max(counts)


def disable_page_cache():
    """
    Time the pages, not the page cache: random parameters rarely repeat, but the warm-up and
    the query-count pass would otherwise serve cached copies (catalog/cache.py).
    """
    from django.core.cache import cache

    cache.clear()
    from catalog import cache as page_cache

    if hasattr(page_cache, "PAGE_TIMEOUT"):
        page_cache.PAGE_TIMEOUT = 0  # Django's cache stores nothing with a timeout of 0


def admin_groups(rng, count, backend):
    """
    The admin's document changelist and change form, signed in as a superuser: plain, with
    each list filter, searched, and a random document's change form (``count`` URLs each).
    """
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from catalog.models import Collection, Document, Person, Repository, RightsStatement

    if not isinstance(backend, InProcess):
        raise SystemExit("--pages admin needs the in-process client (no --server)")
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    backend.client.force_login(user)
    changelist = reverse("admin:catalog_document_changelist")
    people = list(Person.objects.order_by("?").values_list("pk", flat=True)[:50])
    top = list(Collection.objects.filter(parent__isnull=True).values_list("pk", flat=True))
    repositories = list(Repository.objects.values_list("pk", flat=True))
    rights = list(RightsStatement.objects.values_list("pk", flat=True))
    ids = list(Document.objects.order_by("?").values_list("pk", flat=True)[:count])
    words = ["treaty", "embassy", "harriman", "report", "stalin", "minister", "war", "letter"]

    def urls(make):
        return [make() for _ in range(count)]

    return [
        ("admin changelist", urls(lambda: f"{changelist}?p={rng.randint(1, 50)}")),
        ("admin changelist, status", urls(lambda: f"{changelist}?status__exact=draft")),
        ("admin changelist, embargo", urls(lambda: f"{changelist}?embargo=none")),
        (
            "admin changelist, collection",
            urls(lambda: f"{changelist}?collection={rng.choice(top)}"),
        ),
        (
            "admin changelist, archive",
            urls(lambda: f"{changelist}?repository__id__exact={rng.choice(repositories)}"),
        ),
        (
            "admin changelist, rights",
            urls(lambda: f"{changelist}?rights__id__exact={rng.choice(rights)}"),
        ),
        ("admin changelist, type", urls(lambda: f"{changelist}?doc_type__exact=letter")),
        ("admin changelist, language", urls(lambda: f"{changelist}?language__exact=de")),
        (
            "admin changelist, decade",
            urls(lambda: f"{changelist}?decade={rng.randrange(1550, 1950, 10)}"),
        ),
        ("admin changelist, person", urls(lambda: f"{changelist}?person={rng.choice(people)}")),
        ("admin changelist, searched", urls(lambda: f"{changelist}?q={rng.choice(words)}")),
        (
            "admin change form",
            [reverse("admin:catalog_document_change", args=[pk]) for pk in ids],
        ),
    ]


#: Query-string parameters for each filter and sort of the list, for --explain.
def explain_cases(list_urls, query_urls):
    from catalog.models import Collection, Document, Repository, RightsStatement, Subject

    published = Document.objects.published()
    person_url = list_urls[0]
    person = dict(pair.split("=", 1) for pair in urlsplit(person_url).query.split("&")).get(
        "person", ""
    )
    cases = [
        ("person + 20 years", person_url.split("?", 1)[1]),
        ("person", f"person={person}"),
        ("person as author", f"person={person}&role=author"),
        ("role (no person)", "role=recipient"),
        ("20 years", "date_from=1700&date_to=1719"),
        ("from a year", "date_from=1900"),
        ("search", query_urls[0].split("?", 1)[1]),
        ("sort: date", "sort=date"),
        ("sort: -date", "sort=-date"),
        ("sort: title", "sort=title"),
        ("leave out approximate", "exclude_approximate=on"),
        ("leave out uncertain", "exclude_uncertain=on"),
        ("type", "doc_type=memorandum"),
        ("language", "language=de"),
    ]
    repository = Repository.objects.published().order_by("pk").first()
    if repository:
        cases.append(("archive", f"repository={repository.slug}"))
    rights = RightsStatement.objects.published().order_by("pk").first()
    if rights:
        cases.append(("rights", f"rights={rights.identifier}"))
    collection = Collection.objects.filter(parent__isnull=True).order_by("pk").first()
    if collection:
        cases.append(("collection", f"collection={collection.slug}"))
    subject = Subject.objects.filter(documents__in=published[:1000]).order_by("pk").first()
    if subject:
        cases.append(("subject", f"subject={subject.slug}"))
    return cases


def explain_report(list_urls, query_urls):
    """
    For each filter and sort of the list: the page's queries run again under EXPLAIN
    (ANALYZE, BUFFERS), with the indexes each reads, its time and the buffers it touched.
    """
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        print("--explain: PostgreSQL only")
        return
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    print()
    print("EXPLAIN (ANALYZE, BUFFERS) of each query of /documents/?<parameters>")
    print("| case | parameters | query | indexes read | ms | shared buffers hit/read |")
    print("|---|---|---|---|---|---|")
    for name, query in explain_cases(list_urls, query_urls):
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/documents/?{query}")
        for number, executed in enumerate(captured.captured_queries, 1):
            sql = executed["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                lines = [row[0] for row in cursor.fetchall()]
            text = "\n".join(lines)
            indexes = sorted(
                set(re.findall(r"(?:Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)", text))
            )
            if "catalog_search_matches" in text:  # the full-text match, through its GIN index
                indexes.append("catalog_search_matches() → catalog_search_vector")
            ms = re.search(r"Execution Time: ([\d.]+) ms", text)
            hit = sum(
                int(x) for x in re.findall(r"shared hit=(\d+)", lines[1] if len(lines) > 1 else "")
            )
            read = sum(
                int(x) for x in re.findall(r"read=(\d+)", lines[1] if len(lines) > 1 else "")
            )
            label = sql.split("FROM", 1)[1].split()[0] if "FROM" in sql else "?"
            print(
                f"| {name} | `{query[:60]}` | {number} ({label[:30]}) | "
                f"{', '.join(indexes) or '–'} | {ms.group(1) if ms else '?'} | {hit}/{read} |"
            )


def main(argv=None):
    args = parse_args(argv)
    configure(args)
    from django.conf import settings
    from django.db import connection

    from catalog.models import Document

    total = Document.objects.count() if args.no_prepare else prepare(args)
    pages = {page.strip() for page in args.pages.split(",") if page.strip()}
    rng = random.Random(args.seed)
    list_urls, record_urls = parameter_sets(rng, args.requests)
    query_urls = search_urls(rng, args.requests)
    backend = OverHttp(args.server) if args.server else InProcess()
    forget_cached_dates()
    disable_page_cache()
    rows, failed = [], False
    groups = [
        ("document list (person + 20 years)", list_urls, "list"),
        ("record page", record_urls, "record"),
        ("search (two words, relevance, facets)", query_urls, "search"),
    ]
    groups = [(name, urls) for name, urls, page in groups if page in pages]
    if "admin" in pages:
        groups += admin_groups(rng, args.requests, backend)
    for name, urls in groups:
        timings, statuses = measure(backend, urls)
        counts = [backend.queries(url) for url in urls[:QUERY_SAMPLE]]
        rows.append(summary(name, timings, statuses, counts))
        failed = failed or set(statuses) != {200}
    matched = {}
    for name, urls in [("list", list_urls), ("search", query_urls)]:
        if name not in pages:
            continue
        try:
            matched[name] = matches(urls)
        except Exception as error:  # the FilterSet is not there yet: report the timings anyway
            matched[name] = (float("nan"), "?", f"? ({error.__class__.__name__})")
    where = args.server or "in-process test client"
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{total:,} documents on {connection.vendor} ({connection.settings_dict['NAME']}), "
        f"{where}, DEBUG={settings.DEBUG}, {time.strftime('%Y-%m-%d %H:%M')}, "
        f"{os.cpu_count()} CPUs, load average {load} (other work on the machine slows every "
        f"figure)"
    )
    print("| page | requests | median ms | p95 ms | max ms | queries | statuses |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    for name, (median, low, high) in matched.items():
        print(
            f"{name} requests matched {median:.0f} documents (median; {low}–{high}) of which "
            f"the page shows 25"
        )
    if args.explain:
        explain_report(list_urls, query_urls)
    if failed:
        print("some requests did not answer 200: see the statuses column", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
