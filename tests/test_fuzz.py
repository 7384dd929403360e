"""
Property-based tests: whatever arrives in the query string of a public list page, the answer is
a page (200) or "not found" (404), never a server error.

The parameter names come from the code (``DocumentFilter.base_filters``), so a filter added
later is fuzzed without editing this module.  The examples are derandomized: every run, in CI
and locally, tries the same ones, so a failure is reproducible and CI never flakes.  Set
``FUZZ_EXPLORE=1`` to try ten times as many fresh random examples instead (a local hunt).
A failing example is printed by hypothesis; the test client re-raises the view's exception, so
its traceback is in the report.
"""

import os
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from catalog.filters import DocumentFilter
from catalog.models import DocumentPerson
from tests.factories import DocumentFactory, DocumentPersonFactory, PersonFactory

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


# Properties ----------------------------------------------------------------------------------

DOCUMENT_NAMES = list(dict.fromkeys([*DocumentFilter.base_filters, "q", "page"]))
PEOPLE_NAMES = ["q", "letter", "page", "sort"]
BROWSE_NAMES = ["page", "letter", "q", "sort", "year", "decade"]
BROWSE_URLS = [
    "/",
    "/collections/",
    "/archives/",
    "/dates/",
    "/dates/1940s/",
    "/dates/1944/",
    "/dates/1944/2/",
    "/people/stalin-joseph/",
]


@settings(FUZZ, max_examples=examples(250))
@given(params=st.one_of(query_strings(DOCUMENT_NAMES), DATE_RANGES))
def test_document_list_never_gives_a_server_error(client, catalogue, params):
    """Any mix of the document list's filters, q, page and unknown parameters, with any
    values, gives a 200 or a 404."""
    assert_never_a_server_error(client, "/documents/", params)


@settings(FUZZ, max_examples=examples(150))
@given(params=query_strings(PEOPLE_NAMES))
def test_people_list_never_gives_a_server_error(client, catalogue, params):
    """Any q, letter, page and sort on /people/ gives a 200 or a 404."""
    assert_never_a_server_error(client, "/people/", params)


@settings(FUZZ, max_examples=examples(120))
@given(url=st.sampled_from(BROWSE_URLS), params=query_strings(BROWSE_NAMES))
def test_browse_pages_never_give_a_server_error(client, catalogue, url, params):
    """Home, collections, archives, the date pages and a person page ignore or reject odd
    parameters with a 200 or a 404."""
    assert_never_a_server_error(client, url, params)
