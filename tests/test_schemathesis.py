"""
The API against its own OpenAPI schema, fuzzed by schemathesis: whatever a client sends that
the schema describes (and much that it does not), the answer is never a server error, and
every answer is one the schema documents: its status code, its content type, and a body that
validates against the response schema.

The schema is read from ``/api/schema/`` and the requests go to the WSGI application in this
process, over the test database holding the seed telegram and records shaped like the demo's
(every field filled, nested collections, every role, several rights statements and dates; the
demo itself takes longer to load than the whole fuzz).  Path parameters take the addresses of
existing records as well as generated ones, so detail answers are checked too, not only their
404s.  Each operation is tried with data that fits the schema (``positive``) and data that
does not (``negative``: the API must refuse it with a 4xx).

Derandomized like tests/test_fuzz.py: the same examples every run; ``FUZZ_EXPLORE=1`` tries ten
times as many fresh ones.
"""

import datetime
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog.models import (
    Collection,
    Document,
    DocumentPerson,
    Person,
    Repository,
    RightsStatement,
)
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonAuthorityFactory,
    PersonFactory,
    ProvenanceEventFactory,
    SubjectFactory,
    rights_statement,
)

pytestmark = pytest.mark.django_db

EXPLORE = os.environ.get("FUZZ_EXPLORE") == "1"
POSITIVE_EXAMPLES = 120 if EXPLORE else 12
NEGATIVE_EXAMPLES = 60 if EXPLORE else 6

#: What every answer is checked for.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    deadline=None,
    derandomize=not EXPLORE,
    database=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def keep_connection():
    """Keep the test's database connection open across requests to the WSGI application, as
    Django's test client does (closing it would end the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(seed, keep_connection):
    """The API's OpenAPI schema, served by the app over demo-like data, as schemathesis reads
    it; requests made from it go to the same WSGI application."""
    demo_like_catalogue()
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


def demo_like_catalogue():
    """
    Besides the seed telegram, records shaped like the demo's (fixtures/demo.json is too slow
    to load for every test): a series inside a collection, subjects, authorities, custody
    events, every role, other rights statements, undated, approximate and ranged dates, a
    draft, and text in several scripts.
    """
    harriman = Collection.objects.get(slug="w-averell-harriman-papers")
    series = CollectionFactory(title="Series 1: Telegrams", parent=harriman, identifier="S1")
    theme = CollectionFactory(title="Wartime diplomacy", kind="theme", repository=None)
    subjects = [SubjectFactory(name="Diplomacy"), SubjectFactory(name="Japan")]
    molotov = PersonFactory(
        display_name="Vyacheslav Molotov",
        alternate_names="Вячеслав Молотов\nSkryabin",
        birth_date="1890-03-09",
        death_date="1986-11-08",
        description="Soviet foreign minister.",
    )
    PersonAuthorityFactory(person=molotov, uri="https://www.wikidata.org/wiki/Q2100")
    for n, (edtf, rights) in enumerate(
        [("1944-02-20~", "InC"), ("194X", "NoC-US"), ("", "CC0"), ("1891-03/1892-04", "InC-EDU")]
    ):
        document = DocumentFactory(
            title=f"Memorandum {n} on the Pacific — Меморандум",
            doc_type="memorandum",
            date_edtf=edtf,
            date_text=f"Moscow, {edtf or 'undated'}",
            container=f"Box {n}",
            source_note="Harriman Papers, Library of Congress",
            origin_url="https://history.state.gov/",
            rights=rights_statement(rights),
            rights_note="Public domain in the United States.",
            language="ru" if n % 2 else "en",
            collections=[series, theme] if n % 2 else [harriman],
            subjects=subjects[: n % 3],
            original_uploaded=datetime.date(2020, 1, n + 1),
        )
        for role in list(DocumentPerson.Role)[n::4]:
            DocumentPersonFactory(document=document, person=molotov, role=role, note="Signed.")
        ProvenanceEventFactory(document=document, position=1, date_edtf="1944", place="Moscow")
    DocumentFactory(draft=True, title="A draft nobody may see", collections=[series])


def existing_values(operation):
    """Values of ``operation``'s path parameters naming public records (and one that is not)."""
    kind = operation.path.split("/")[2]
    published = {
        "documents": Document.objects.published().values_list("record_id", flat=True),
        "people": Person.objects.published().values_list("slug", flat=True),
        "collections": Collection.objects.published().values_list("slug", flat=True),
        "repositories": Repository.objects.published().values_list("slug", flat=True),
        "rights": RightsStatement.objects.published().values_list("identifier", flat=True),
    }[kind]
    missing = 999_999 if kind == "documents" else "no-such-record"
    return [*published.order_by()[:6], missing]


def operations(schema):
    """Every operation the schema describes, in a fixed order."""
    found = [result.ok() for result in schema.get_all_operations()]
    return sorted(found, key=lambda operation: operation.label)


def cases(operation, mode):
    """Cases for ``operation``: generated throughout, or with path parameters that exist."""
    generated = operation.as_strategy(generation_mode=mode)
    names = [parameter.name for parameter in operation.path_parameters]
    if not names:
        return generated
    if mode == schemathesis.GenerationMode.NEGATIVE:
        return generated  # fixed path parameters would leave nothing to make invalid
    known = existing_values(operation)
    existing = st.fixed_dictionaries({name: st.sampled_from(known) for name in names})
    return st.one_of(
        generated,
        existing.flatmap(
            lambda values: operation.as_strategy(generation_mode=mode, path_parameters=values)
        ),
    )


def test_schema_describes_every_api_address(api_schema):
    """The schema lists a list and a detail operation for each kind of record, all GETs."""
    labels = {operation.label for operation in operations(api_schema)}
    for kind, key in [
        ("documents", "record_id"),
        ("people", "slug"),
        ("collections", "slug"),
        ("repositories", "slug"),
        ("rights", "identifier"),
    ]:
        assert f"GET /api/{kind}/" in labels
        assert f"GET /api/{kind}/{{{key}}}/" in labels
    assert all(label.startswith("GET ") for label in labels)


def test_existing_records_answer_as_the_schema_says(api_schema):
    """Each operation with the address of a record that exists and no query answers 200 with
    a body that conforms to the schema."""
    for operation in operations(api_schema):
        values = {p.name: existing_values(operation)[0] for p in operation.path_parameters}
        case = operation.Case(path_parameters=values)
        response = case.call()
        assert response.status_code == 200, (operation.label, values, response.status_code)
        case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize(
    ("mode", "examples", "checks"),
    [
        (schemathesis.GenerationMode.POSITIVE, POSITIVE_EXAMPLES, CHECKS),
        (
            schemathesis.GenerationMode.NEGATIVE,
            NEGATIVE_EXAMPLES,
            [*CHECKS, negative_data_rejection],
        ),
    ],
    ids=["positive", "negative"],
)
def test_api_fuzzed_from_its_schema(api_schema, mode, examples, checks):
    """Generated requests to every operation never give a server error, and every answer's
    status, content type, headers and body are the ones the schema documents (negative
    data: refused with a 4xx)."""
    tried = {}
    fuzzed = [
        operation
        for operation in operations(api_schema)
        if mode == schemathesis.GenerationMode.POSITIVE or can_be_invalid(operation)
    ]
    for operation in fuzzed:
        fuzz_operation(operation, mode, examples, checks, tried)
    assert set(tried) == {operation.label for operation in fuzzed}
    assert len(fuzzed) >= 5  # every list (the details' only parameter is any text)


def can_be_invalid(operation):
    """Whether the schema says of a parameter of ``operation`` what it may not be: a query
    parameter's type other than text, its values or pattern; a path parameter's type (a
    slug's pattern only forbids "/" and ".", which no generated path can carry)."""
    for parameter in operation.iter_parameters():
        schema = parameter.definition.get("schema", {})
        if schema.get("type", "string") != "string":
            return True
        if parameter.location == "query" and {"enum", "pattern"} & set(schema):
            return True
    return False


def fuzz_operation(operation, mode, examples, checks, tried):
    """Run ``examples`` generated cases of ``operation``, counting them in ``tried``."""

    @settings(FUZZ, max_examples=examples)
    @given(case=cases(operation, mode))
    def fuzz(case):
        note(f"{operation.label}: {case.as_curl_command()}")
        response = case.call()
        tried[operation.label] = tried.get(operation.label, 0) + 1
        case.validate_response(response, checks=checks)

    fuzz()
