"""
Property-based tests: whatever arrives in the path or the query string of a public address,
the answer is never a server error.

Every public URL pattern is found by walking Django's URL resolver (the admin and static files
left out), so an address added later is fuzzed without editing this module: its path
parameters take existing values (a record ID, a slug, a format…), values shaped like its
converter (huge, negative and zero numbers, odd slugs) and anything at all (unicode, NUL
bytes, invalid UTF-8 percent-escapes, 10,000 characters); its query string takes the
parameters the view reads (derived from the code where it can be: the FilterSet, REST
framework's pagination, the OAI-PMH verbs and arguments) and random ones, repeated, huge or
broken.  A path parameter nobody has given values for, or a view whose query parameters are
not listed, fails the test until someone says what they are.

The examples are derandomized: every run, in CI and locally, tries the same ones, so a failure
is reproducible and CI never flakes.  Set ``FUZZ_EXPLORE=1`` to try ten times as many fresh
random examples instead (a local hunt).  A failing example is printed by hypothesis; the test
client re-raises the view's exception, so its traceback is in the report.
"""

import itertools
import os
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode

import pytest
from django.conf import settings as settings_
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from catalog import oai
from catalog.filters import DocumentFilter
from catalog.models import (
    LANGUAGES,
    Collection,
    DeletedDocument,
    Document,
    DocumentPerson,
    Person,
    PersonRedirect,
    Repository,
    RightsStatement,
    Subject,
)
from catalog.sitemaps import SITEMAPS
from catalog.views import citations, exports
from catalog.views.oai import OAIView
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db

EXPLORE = os.environ.get("FUZZ_EXPLORE") == "1"
settings.register_profile(
    "catalog-fuzz",
    deadline=None,  # the first request of a run compiles templates; timings are not the point
    derandomize=not EXPLORE,  # the same examples every run, so CI cannot flake
    database=None,  # no example database carried from run to run
    print_blob=True,
    # The client and database fixtures are shared by the examples of a test; the examples
    # only read, so they cannot leak into one another.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ = settings.get_profile("catalog-fuzz")


def examples(n):
    return n * 10 if EXPLORE else n


# Values --------------------------------------------------------------------------------------

# Any character a URL can carry: everything but lone surrogates (which UTF-8 cannot encode), so
# NUL and other control characters, right-to-left marks, combining accents and emoji are in.
ANY_CHARACTER = st.characters(exclude_categories=("Cs",))
TEXT = st.text(ANY_CHARACTER, max_size=40)
OPERATORS = st.sampled_from(
    [
        '" - OR ) ( * : & | ! NEAR',
        '"unbalanced',
        'stalin "inner defense line"',
        "harriman -churchill",
        "-",
        "--",
        "*",
        ":*",
        "!",
        "&",
        "|",
        "<->",
        "<2>",
        "()",
        "(",
        "OR",
        "AND",
        "NOT",
        "NEAR(a b, 2)",
        "a:b",
        "^",
        "'",
        "''",
        "\\",
        "%",
        "_",
        "%_%",
        "'; DROP TABLE catalog_document; --",
        "1' OR '1'='1",
        "\x00",
        "stalin\x00",
    ]
)
SCRIPTS = st.sampled_from(
    [
        "Schönberg",
        "SCHONBERG",
        "Сталин",
        "ستالين",
        "שלום",
        "\u202estalin",
        "\u200f\u200e",
        "😀",
        "👨‍👩‍👧",
        "🇺🇸 stalin",
        "e\u0301",
        "ß",
        "ﬁ",
        "\ufeff",
        "\t\n\r",
    ]
)
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.from_regex(r"-?[0-9]{1,6}(-[0-9]{1,3}(-[0-9]{1,3})?)?", fullmatch=True),
    st.sampled_from(["1944", "1944-02", "1944-02-30", "0", "0000", "10000", "194X", "1944~", ".."]),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True).map(str),
    st.sampled_from(["1", "2", "last", "0x10", "1e3", "  2 ", "٣"]),
)
# Values the seed data makes valid, so filters also run with real matches.
KNOWN = st.sampled_from(
    [
        "stalin-joseph",
        "harriman-w-averell",
        "w-averell-harriman-papers",
        "library-of-congress-manuscript-division",
        "NoC-US",
        "en",
        "ru",
        "telegram",
        "letter",
        "author",
        "mentioned",
        "date",
        "-date",
        "title",
        "documents",
        "name",
        "on",
        "S",
        "other",
        "stalin",
    ]
)
LONG = st.one_of(
    st.integers(min_value=200, max_value=12_000).map(lambda n: "x" * n),
    st.builds(
        lambda word, n: word * n,
        st.sampled_from(["stalin ", "- ", '"', "é"]),
        st.integers(50, 2_000),
    ),
)
ATOM = st.one_of(TEXT, OPERATORS, SCRIPTS, DATES, NUMBERS, KNOWN, LONG)
# What breaks naive code most often, drawn on its own so each parameter meets it regularly:
# a NUL or control character inside otherwise ordinary text, operators, scripts, length.
HOSTILE = st.one_of(
    st.builds(
        lambda before, control, after: before + control + after,
        st.one_of(KNOWN, TEXT),
        st.sampled_from(["\x00", "\x01", "\x1f", "\x7f", "\u2028", "\x00\x00"]),
        st.one_of(st.just(""), KNOWN, TEXT),
    ),
    OPERATORS,
    SCRIPTS,
    LONG,
    TEXT,
)
VALUE = st.one_of(
    ATOM,
    HOSTILE,
    st.builds(lambda a, b: f"{a} {b}", ATOM, ATOM),
    st.lists(ATOM, min_size=2, max_size=3),  # the parameter repeated
)
UNKNOWN_NAMES = ["format", "ordering", "page_size", "csrfmiddlewaretoken", "x", "q[]", ""]


def query_strings(names):
    """
    Query-string dicts: either one of ``names`` with a hostile value, or several of them with
    any values, now and then joined by a parameter of any name.
    """
    names = [*names, *UNKNOWN_NAMES]
    one_hostile = st.builds(lambda name, value: {name: value}, st.sampled_from(names), HOSTILE)
    several = st.builds(
        lambda known, other: {**other, **known},
        st.dictionaries(st.sampled_from(names), VALUE, max_size=5),
        st.dictionaries(st.text(ANY_CHARACTER, max_size=8), VALUE, max_size=1),
    )
    return st.one_of(one_hostile, several)


def year_or_month(year, month):
    return f"{year:04d}" if month is None else f"{year:04d}-{month:02d}"


# Well-formed date ranges (a year or a month at each end, forwards or backwards, often inside
# one decade), alone or with other filters: random text seldom makes two dates that parse.
DATE_RANGES = st.builds(
    lambda start, span, months, others: {
        **others,
        "date_from": year_or_month(start, months[0]),
        "date_to": year_or_month(max(1, min(9999, start + span)), months[1]),
    },
    st.one_of(st.integers(1, 9999), st.sampled_from([1, 9, 10, 1940, 1944, 1950, 9990, 9999])),
    st.one_of(st.integers(-3, 12), st.integers(-10_000, 10_000)),
    st.tuples(st.none() | st.integers(1, 12), st.none() | st.integers(1, 12)),
    st.dictionaries(
        st.sampled_from(["q", "sort", "language", "person", "page"]), KNOWN, max_size=2
    ),
)


def assert_never_a_server_error(client, url, params):
    note(f"GET {url}?{urlencode(params, doseq=True)}")  # printed with a failing example
    response = client.get(url, params)
    event(f"{url} answered {response.status_code}")  # see --hypothesis-show-statistics
    assert response.status_code in (200, 404), (url, params, response.status_code)


# Data ----------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(seed):
    """The seed telegram plus a few documents with accented, dated and undated records."""
    schonberg = PersonFactory(display_name="Arnold Schönberg", alternate_names="Schoenberg")
    for edtf in ("1944-02-20~", "194X", "", "../1950", "1891-03/1892-04"):
        DocumentPersonFactory(
            person=schonberg,
            role=DocumentPerson.Role.AUTHOR,
            document=DocumentFactory(date_edtf=edtf, summary="Inner defense line, Schönberg."),
        )
    DocumentFactory(draft=True, title="A draft nobody may see")
    return seed


@pytest.fixture
def site(catalogue, settings):
    """
    The catalogue plus one of each kind of thing an address can name: a sub-collection with a
    document and a subject, a merged person's old address, a withdrawn document and a deleted
    one (OAI-PMH deleted records); harvests come two records a page, so resumption tokens exist.
    """
    settings.OAI_PAGE_SIZE = 2
    parent = Collection.objects.get(slug="w-averell-harriman-papers")
    child = CollectionFactory(title="Series 1: Telegrams", parent=parent, identifier="S1")
    DocumentFactory(title="Telegram in a series", collections=[child], subjects=[SubjectFactory()])
    PersonRedirect.objects.create(
        old_slug="stalin-iosif", person=Person.objects.get(slug="stalin-joseph")
    )
    DocumentFactory(draft=True, published_at=timezone.now(), title="Withdrawn telegram")
    DeletedDocument.objects.create(record_id=4242, collection_paths="\nw-averell-harriman-papers/")
    return catalogue


# Properties ----------------------------------------------------------------------------------

DOCUMENT_NAMES = list(dict.fromkeys([*DocumentFilter.base_filters, "q", "page"]))
PEOPLE_NAMES = ["q", "letter", "page", "sort"]


@settings(FUZZ, max_examples=examples(150))
@given(params=st.one_of(query_strings(DOCUMENT_NAMES), DATE_RANGES))
def test_document_list_never_gives_a_server_error(client, catalogue, params):
    """Any mix of the document list's filters, q, page and unknown parameters, with any
    values, gives a 200 or a 404."""
    assert_never_a_server_error(client, "/documents/", params)


@settings(FUZZ, max_examples=examples(60))
@given(params=query_strings(PEOPLE_NAMES))
def test_people_list_never_gives_a_server_error(client, catalogue, params):
    """Any q, letter, page and sort on /people/ gives a 200 or a 404."""
    assert_never_a_server_error(client, "/people/", params)


# Every public address --------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A path parameter: its name and the regular expression its converter matches."""

    name: str
    regex: str
    integer: bool


@dataclass(frozen=True)
class Address:
    """
    One public URL pattern: its name (``namespace:name``), its route as literal text and
    :class:`Parameter` pieces, and the view it calls.
    """

    name: str
    pieces: tuple
    view: object

    @property
    def parameters(self):
        return [piece for piece in self.pieces if isinstance(piece, Parameter)]

    def path(self, values):
        """The path with ``values`` (name → text) percent-encoded into it."""
        return "/" + "".join(
            quote(values[piece.name], safe="") if isinstance(piece, Parameter) else piece
            for piece in self.pieces
        )

    def __str__(self):
        return self.name


ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_PARAMETER = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>[^)]*)\)")


def _pieces(pattern):
    """A route or regex pattern as literal text and Parameter pieces."""
    if isinstance(pattern, RoutePattern):
        route, converters, found = str(pattern), pattern.converters, ROUTE_PARAMETER
    else:
        route, converters, found = str(pattern).lstrip("^").rstrip("$"), {}, REGEX_PARAMETER
    pieces, at = [], 0
    for match in found.finditer(route):
        pieces.append(route[at : match.start()])
        name = match["name"]
        converter = converters.get(name)
        regex = converter.regex if converter is not None else match["regex"]
        integer = isinstance(converter, IntConverter) or regex in ("[0-9]+", r"\d+")
        pieces.append(Parameter(name, regex, integer))
        at = match.end()
    pieces.append(route[at:])
    if not isinstance(pattern, RoutePattern):  # regex escapes in the literal text
        pieces = [re.sub(r"\\(.)", r"\1", p) if isinstance(p, str) else p for p in pieces]
    return tuple(piece for piece in pieces if piece != "")


def public_addresses(resolver=None, pieces=(), namespaces=()):
    """Every URL pattern under the root URLconf but the admin's and static files'."""
    resolver = resolver or get_resolver()
    prefixes = (settings_.STATIC_URL or "", settings_.MEDIA_URL or "")
    static = tuple(prefix.lstrip("/") for prefix in prefixes if prefix.lstrip("/"))
    for entry in resolver.url_patterns:
        here = pieces + _pieces(entry.pattern)
        if isinstance(entry, URLResolver):
            namespace = (*namespaces, entry.namespace) if entry.namespace else namespaces
            if namespace[:1] == ("admin",):
                continue
            yield from public_addresses(entry, here, namespace)
        elif not (static and "".join(map(str, here)).startswith(static)):
            yield Address(":".join((*namespaces, entry.name or "")), here, entry.callback)


ADDRESSES = sorted(public_addresses(), key=lambda address: address.name)


def view_class(view):
    """The class behind a view function (Django's ``as_view``, REST framework's viewsets)."""
    return getattr(view, "view_class", None) or getattr(view, "cls", None) or type(view)


#: What each view reads from the query string, beyond what is derived from its code below
#: (FilterSet, pagination, OAI-PMH).  A public address missing here fails
#: ``test_every_public_address_never_gives_a_server_error`` until it is listed.
QUERY_PARAMETERS = {
    "catalog:home": (),
    "catalog:document-list": ("q", "page"),
    "catalog:document-export": ("q",),
    "catalog:document-redirect": (),
    "catalog:document-detail": (),
    "catalog:document-cite": (),
    "catalog:person-list": ("q", "letter", "sort", "page"),
    "catalog:person-detail": (),
    "catalog:collection-list": (),
    "catalog:collection-detail": (),
    "catalog:repository-list": (),
    "catalog:repository-detail": (),
    "catalog:date-browse": (),
    "catalog:date-decade": (),
    "catalog:date-year": (),
    "catalog:date-month": ("page",),
    "catalog:oai": (),  # derived: the verbs and every argument
    "api:schema": ("format", "lang", "version"),
    "api:docs": ("script",),  # ?script serves Swagger UI's start-up script
    "api:api-root": ("format",),
    "api:document-list": ("format",),
    "api:document-detail": ("format",),
    "api:person-list": ("format",),
    "api:person-detail": ("format",),
    "api:collection-list": ("format",),
    "api:collection-detail": ("format",),
    "api:repository-list": ("format",),
    "api:repository-detail": ("format",),
    "api:rights-list": ("format",),
    "api:rights-detail": ("format",),
    "api:not-found": (),  # any other address under /api/: a JSON 404
    "sitemap-index": ("p",),
    "sitemap-section": ("p",),
    "robots-txt": (),
    "healthz": (),
    "feed-documents": (),
    "feed-collection": (),
}
#: Addresses whose view answers "not found" whatever it is asked.
NOT_FOUND_VIEWS = {"api:not-found"}
#: Addresses whose view also takes the same arguments as a form POST (OAI-PMH allows it).
POST_FORMS = {"catalog:oai"}


def query_parameters(address):
    """The parameters ``address``'s view reads: listed above, plus those its code declares."""
    cls = view_class(address.view)
    names = list(QUERY_PARAMETERS[address.name])
    filterset = getattr(cls, "filterset_class", None)
    if filterset is not None:
        names += [*filterset.base_filters, "q", "page"]
    pagination = getattr(cls, "pagination_class", None)
    if pagination is not None:
        names += [
            getattr(pagination, attribute, None)
            for attribute in ("page_query_param", "page_size_query_param", "cursor_query_param")
        ]
    if issubclass(cls, OAIView):
        names += ["verb", *{name for verb in oai.VERBS.values() for name in verb[0] + verb[1]}]
        names += ["resumptionToken"]
    return sorted({name for name in names if name})


def known_values(client):
    """
    Values that mean something here, by parameter name (path and query alike): every record
    ID, slug, format, section and identifier there is, drafts' and merged people's included,
    a resumption token a harvest handed out, and values just outside what is valid.
    """
    documents = list(Document.objects.order_by("-status", "record_id"))  # published first
    people = list(Person.objects.all())
    collections = list(Collection.objects.all())
    slugs = [
        *(person.slug for person in people),
        *(collection.slug for collection in collections),
        *Repository.objects.values_list("slug", flat=True),
        *(document.slug for document in documents),
        *PersonRedirect.objects.values_list("old_slug", flat=True),
        "no-such-thing",
    ]
    harvest = client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    token = re.search(rb"<resumptionToken[^>]*>([^<]+)<", harvest.content)
    tokens = [token[1].decode()] if token else []
    tokens += [t[:-3] for t in tokens] + [t[::-1] for t in tokens] + ["", "x", "a:b:c"]
    years = sorted({d.date_earliest.year for d in documents if d.date_earliest})
    identifiers = [f"oai:testserver:record/{d.record_id}" for d in documents]
    return {
        "record_id": [str(d.record_id) for d in documents] + ["0", "4242", "999999"],
        "slug": slugs,
        "format": [
            *exports.FORMATS,
            *citations.FORMATS,
            "api",
            "openapi",
            "openapi-json",
            "yaml",
            "xml",
        ],
        "section": [*SITEMAPS, "nothing"],
        "identifier": [
            *RightsStatement.objects.values_list("identifier", flat=True),
            *identifiers,
            "oai:testserver:record/",
            "oai:elsewhere.org:record/1",
        ],
        "decade": ["1940", "1890", "0", "1945", "9990", "10000"],
        "year": [str(y) for y in years] + ["1", "9999", "10000", "0"],
        "month": ["1", "2", "3", "11", "12", "0", "13"],
        "person": [person.slug for person in people],
        "collection": [collection.slug for collection in collections],
        "repository": list(Repository.objects.values_list("slug", flat=True)),
        "subject": list(Subject.objects.values_list("slug", flat=True)),
        "rights": list(RightsStatement.objects.values_list("identifier", flat=True)),
        "language": [code for code, _ in LANGUAGES],
        "doc_type": list(Document.Type.values),
        "role": list(DocumentPerson.Role.values),
        "sort": ["date", "-date", "title", "relevance", "name", "documents", "-name"],
        "letter": ["A", "S", "H", "other", "Ш", "a", "AB"],
        "verb": [*oai.VERBS, "identify", "Identify "],
        "metadataPrefix": [*oai.METADATA_FORMATS, "marc21", "oai_dc "],
        "set": [oai.set_spec(c.tree_path) for c in collections] + ["nope", "a::b", ":"],
        "from": ["1944-02-02", "2000-01-01T00:00:00Z", "2999-12-31", "1944-02-30", "1944"],
        "until": ["2999-12-31", "2000-01-01T00:00:00Z", "1900-01-01", "0001-01-01"],
        "resumptionToken": tokens,
        "page": ["1", "2", "last", "0", "-1", "99999"],
        "page_size": ["1", "2", "100", "101", "0", "-5"],
        "p": ["1", "2", "0"],
        "q": ["stalin", "Schönberg", '"inner defense"', "-", "*"],
        "lang": ["en", "de", "xx"],
        "version": ["1", "2.0"],
    }


# Values for a path parameter, beyond the known ones and any text at all.
INTEGERS = st.one_of(
    st.sampled_from([0, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30]),
    st.integers(min_value=-(10**40), max_value=10**40),
).map(str)
ODD_PATHS = st.sampled_from(
    [
        "%FF",  # not UTF-8
        "%C3%28",
        "%ED%A0%80",  # a UTF-16 surrogate, encoded
        "%F4%90%80%80",  # beyond U+10FFFF
        "%00",
        "%",
        "%zz",
        "%2F",
        "..",
        ".",
        "9" * 5_000,  # more digits than int() takes by default
        "٣",
        "１",
        "١٩٤٤",
        "stalin-joseph%00",
        "Stalin-Joseph",
        "stalin_joseph",
        "ſtalin",
        "-",
        "--",
        "_",
        "x" * 3_000,
    ]
)
# Raw pieces of query string that urlencode() would never write: broken escapes, bare names
# and equals signs, empty pairs, semicolons, and the same name over and over.
RAW_QUERIES = st.sampled_from(
    [
        "%FF",
        "q=%FF",
        "q=%C3%28",
        "q=%ED%A0%80",
        "page=%F4%90%80%80",
        "q=%",
        "%zz=1",
        "=",
        "=x",
        "&&",
        "q",
        "page",
        ";",
        "q=a;b",
        "q=%00",
        "%00=%00",
        "verb=Identify&verb=Identify",
        "page=1&page=2",
        "&".join(["q=a"] * 200),
        "&".join(f"x{n}=1" for n in range(200)),
        "a" * 5_000 + "=1",
        "q[]=1&q[]=2",
        "q=+++",
        "q=%2B%2B",
    ]
)


@st.composite
def requests(draw, address, known, base):
    """(method, path, query string) for ``address``: path parameters near ``base`` (values
    that work) or far from it; the view's parameters and others in the query string."""
    values = {}
    for parameter in address.parameters:
        shaped = INTEGERS if parameter.integer else st.from_regex(parameter.regex, fullmatch=True)
        choices = [st.just(base[parameter.name])] * 3 + [
            st.sampled_from(known[parameter.name]),
            st.sampled_from(known[parameter.name]),
            shaped,
            HOSTILE,
        ]
        values[parameter.name] = draw(st.one_of(choices))
    path = address.path(values)
    if draw(st.integers(0, 5)) == 0:  # now and then a path that no quoting protects
        parameter = draw(st.sampled_from(address.parameters)) if address.parameters else None
        if parameter is not None:
            path = address.path({**values, parameter.name: "\0"}).replace("%5C0", draw(ODD_PATHS))
    names = query_parameters(address)
    query = draw(
        st.one_of(
            st.just({}),
            query_strings(names),
            st.dictionaries(
                st.sampled_from(names or ["x"]),
                st.one_of(st.sampled_from(sum((known.get(n, []) for n in names), ["x"])), VALUE),
                max_size=4,
            ),
        )
    )
    raw = urlencode(query, doseq=True)
    extra = draw(st.lists(RAW_QUERIES, max_size=2))
    raw = "&".join(piece for piece in (raw, *extra) if piece)
    method = "post" if address.name in POST_FORMS and draw(st.booleans()) else "get"
    return method, path, raw


def send(client, method, path, raw):
    """One request (the query string as the body of a form POST); the response."""
    if method == "post":
        return client.post(path, raw, content_type="application/x-www-form-urlencoded")
    return client.get(f"{path}?{raw}" if raw else path)


def working_values(client, address, known):
    """
    Path values that reach ``address``'s view and succeed (a 2xx or a redirect), found by
    trying the known values in order; fails if none do (then say what values it takes).
    """
    names = [parameter.name for parameter in address.parameters]
    missing = [name for name in names if not known.get(name)]
    assert not missing, f"{address}: give known_values() values for {missing}"
    for combination in itertools.islice(itertools.product(*(known[name] for name in names)), 500):
        values = dict(zip(names, combination, strict=True))
        response = client.get(address.path(values))
        worked = response.status_code == 404 if address.name in NOT_FOUND_VIEWS else None
        if worked is None:
            worked = response.status_code < 400
        if worked and reached(address, address.path(values)):
            return values
    raise AssertionError(f"{address}: no combination of known values reaches the view")


def reached(address, path):
    """Whether ``path`` is routed to ``address``'s view."""
    try:
        match = resolve(unquote(path))
    except Resolver404:
        return False
    return match.view_name == address.name


def test_every_public_address_is_listed():
    """Each public address found by the resolver says what its view reads from the query
    string, so none is fuzzed with random parameters only."""
    names = {address.name for address in ADDRESSES}
    assert not names - set(QUERY_PARAMETERS), "list these in QUERY_PARAMETERS"
    assert {"catalog:document-detail", "api:document-list", "catalog:oai"} <= names
    assert not any(name.startswith("admin:") for name in names)


def fuzz_address(client, address, known):
    """Fuzz one address; how many of its examples reached its view."""
    base = working_values(client, address, known)
    seen = []

    @settings(FUZZ, max_examples=examples(6 + 6 * len(address.parameters)))
    @given(request=requests(address, known, base))
    def fuzz(request):
        method, path, raw = request
        note(f"{method.upper()} {path}?{raw}")
        response = send(client, method, path, raw)
        event(f"{address} answered {response.status_code}")
        assert response.status_code < 500, (method, path, raw, response.status_code)
        seen.append(reached(address, path))

    fuzz()
    return sum(seen)


def test_every_public_address_never_gives_a_server_error(client, site):
    """Any path parameters and any query string, on every public address the URL resolver
    knows, give an answer below 500; each address's own view is reached, with values that
    work and with fuzzed ones."""
    known = known_values(client)
    reached_views = {address.name: fuzz_address(client, address, known) for address in ADDRESSES}
    assert all(reached_views.values()), [name for name, n in reached_views.items() if not n]
