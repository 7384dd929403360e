"""
The leak test: nothing that is not public escapes through any public URL.

:func:`build_site` makes a catalogue of three public documents and eleven hidden ones (drafts,
documents closed by an embargo, documents withdrawn after publication, one closed after it was
public), where every text field of every hidden document, and every name of the people,
collections, sub-collection, subject and archive linked only to hidden documents, carries a
marker beginning ``leakmark``.  Hidden objects have slugs beginning ``hidden-``.

The walk (:func:`walk`) takes every URL pattern from ``django.urls.get_resolver()``, skipping
only the admin and static files, fills its path parameters with the values of visible and
hidden objects (``PATH_VALUES``; a pattern with parameters it does not know fails the test, so
a new view is walked or noticed), and requests each URL plain, and with
:func:`generic_queries` (for a pattern with parameters: at its first hidden value); every
list view with a FilterSet (the document list, its exports, the API) also gets each filter
with hidden values (``filter_queries``; a filter without values fails the test too).  OAI-PMH
is walked verb by verb with resumption tokens followed to the end.

Each response is checked: no 500, no marker in the body or headers, no hidden slug except
where the request itself carries it, and hidden objects' addresses answer 404.  Counts are
checked where pages show them: the shared collection, person, archive, subject and months
hold three public and four hidden documents, so a leaked count shows 7, not 3.
"""

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from django.contrib.sitemaps import Sitemap
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from lxml import etree

from catalog.filters import DocumentFilter
from catalog.models import Document, PersonRedirect
from catalog.sitemaps import SITEMAPS

from .factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonAuthorityFactory,
    PersonFactory,
    ProvenanceEventFactory,
    RepositoryFactory,
    SubjectFactory,
    rights_statement,
)

pytestmark = pytest.mark.django_db

MARK = "leakmark"
MARKER = re.compile(r"leakmark[a-z0-9]*", re.IGNORECASE)
HIDDEN = re.compile(r"hidden-[a-z0-9-]+")
# The hidden person's authority record number: not a marker, but it must not appear either.
HIDDEN_AUTHORITY = "Q987654321"
OAI_NS = {"oai": "http://www.openarchives.org/OAI/2.0/"}
VISIBLE_COUNT = 3  # public documents; the shared records each hold all three
SHARED_HIDDEN = 4  # hidden documents in the shared collection, person, archive, subject, month
CITATION_FORMATS = ("json", "ris", "bib")
EXPORT_FORMATS = ("csv", "jsonl")


def mark(field_name, n):
    return f"{MARK}{field_name.replace('_', '')}{n}"


@dataclass
class Site:
    """What :func:`build_site` made: the public and hidden records, and how to reach them."""

    visible: list
    hidden: list
    never_public: list  # drafts and embargoed records that were never online
    withdrawn: list  # online once (OAI-PMH may say they were deleted)
    shared: dict
    hidden_only: dict
    people: list = field(default_factory=list)
    collections: list = field(default_factory=list)
    repositories: list = field(default_factory=list)
    rights: list = field(default_factory=list)

    @property
    def documents(self):
        return self.visible + self.hidden


def _hidden_document(n, *, kind, links, date_edtf, opens_on, **fields):
    """A hidden document whose every text field, link note and custody step holds a marker."""
    values = {
        "title": f"{mark('title', n).capitalize()} secret telegram",
        "source_identifier": mark("sourceid", n),
        "date_text": f"Moscow {mark('datetext', n)}",
        "summary": f"{mark('summary', n)} summary",
        "transcript": f"{mark('transcript', n)} transcript text",
        "container": mark("container", n),
        "source_note": mark("sourcenote", n),
        "origin_url": f"https://{mark('originurl', n)}.example.org/item",
        "rights_note": mark("rightsnote", n),
        "date_edtf": date_edtf,
        **fields,
    }
    if kind in ("embargoed", "closed-after-public"):
        values.update(embargo_until=opens_on, embargo_reason=mark("embargoreason", n))
    if kind == "draft":
        values.update(draft=True)
    if kind == "closed-after-public":
        embargo = {k: values.pop(k) for k in ("embargo_until", "embargo_reason")}
    document = DocumentFactory(
        collections=links["collections"], subjects=links["subjects"], **values
    )
    if kind == "withdrawn":
        document.status = Document.Status.DRAFT
        document.save()
    if kind == "closed-after-public":
        for name, value in embargo.items():
            setattr(document, name, value)
        document.save()
    for position, (person, role) in enumerate(links["people"]):
        DocumentPersonFactory(
            document=document,
            person=person,
            role=role,
            note=mark("linknote", n),
            position=position,
        )
    ProvenanceEventFactory(
        document=document,
        position=0,
        event="held",
        date_edtf="1944",
        agent=mark("agent", n),
        place=mark("place", n),
        source=mark("source", n),
        note=mark("eventnote", n),
    )
    return document


def build_site():
    """
    Three public documents and eleven hidden ones.  The shared records (collection, archive,
    person, subject, February 1944) hold the three public documents and four hidden ones; the
    hidden-only records (a collection, a sub-collection of the shared collection, an archive,
    a person, a subject, a rights statement, a type and a language) hold hidden ones alone.
    """
    opens_on = timezone.localdate() + datetime.timedelta(days=365)
    archive = RepositoryFactory(name="Shared Public Archive", slug="shared-archive")
    collection = CollectionFactory(
        title="Shared Public Papers", slug="shared-papers", repository=archive
    )
    person = PersonFactory(display_name="Averell Harriman", slug="harriman")
    subject = SubjectFactory(name="Public subject", slug="public-subject")

    hidden_archive = RepositoryFactory(
        name=f"{mark('archivename', 0)} Archive",
        slug="hidden-archive",
        place=mark("archiveplace", 0),
        url=f"https://{mark('archiveurl', 0)}.example.org/",
        description=mark("archivedescription", 0),
    )
    hidden_collection = CollectionFactory(
        title=f"{mark('collectiontitle', 0)} Papers",
        slug="hidden-papers",
        repository=hidden_archive,
        identifier=mark("collectionidentifier", 0),
        description=mark("collectiondescription", 0),
    )
    hidden_series = CollectionFactory(
        title=f"{mark('seriestitle', 0)} Series",
        slug="hidden-series",
        parent=collection,
        repository=archive,
        identifier=mark("seriesidentifier", 0),
        description=mark("seriesdescription", 0),
    )
    hidden_person = PersonFactory(
        display_name=f"{mark('personname', 0).capitalize()} Secretperson",
        sort_name=f"Secretperson, {mark('personsortname', 0).capitalize()}",
        slug="hidden-person",
        alternate_names=mark("alternatename", 0),
        description=mark("persondescription", 0),
        birth_date="1891",
    )
    PersonAuthorityFactory(
        person=hidden_person, uri=f"https://www.wikidata.org/wiki/{HIDDEN_AUTHORITY}"
    )
    PersonRedirect.objects.create(old_slug="hidden-old-person", person=hidden_person)
    hidden_subject = SubjectFactory(name=f"{mark('subject', 0)} subject", slug="hidden-subject")
    hidden_rights = rights_statement("InC-EDU")

    visible = [
        DocumentFactory(
            title=title,
            date_edtf=date_edtf,
            repository=archive,
            collections=[collection],
            subjects=[subject],
        )
        for title, date_edtf in (
            ("Telegram on the inner defence line", "1944-02-02"),
            ("Letter on the convoy", "1944-02-20"),
            ("Memorandum on the conference", "1945-06-01"),
        )
    ]
    for document in visible:
        DocumentPersonFactory(document=document, person=person, role="author")

    shared_links = {
        "collections": [collection],
        "subjects": [subject, hidden_subject],
        "people": [(person, "author"), (hidden_person, "recipient")],
    }
    only_links = {
        "collections": [hidden_collection, hidden_series],
        "subjects": [hidden_subject],
        "people": [(hidden_person, "author")],
    }
    shared_fields = {"repository": archive, "date_edtf": "1944-02-10"}
    only_fields = {
        "repository": hidden_archive,
        "rights": hidden_rights,
        "doc_type": Document.Type.TREATY,
        "language": "la",
    }
    plan = [
        ("draft", shared_links, shared_fields),
        ("embargoed", shared_links, shared_fields),
        ("withdrawn", shared_links, shared_fields),
        ("embargoed", shared_links, shared_fields),
        ("draft", only_links, {**only_fields, "date_edtf": "1871-03-04"}),
        ("embargoed", only_links, {**only_fields, "date_edtf": "1872-05-06"}),
        ("withdrawn", only_links, {**only_fields, "date_edtf": "1873-07-08"}),
        ("closed-after-public", only_links, {**only_fields, "date_edtf": "1874-09-10"}),
        ("draft", only_links, {**only_fields, "date_edtf": "1875~"}),
        ("embargoed", only_links, {**only_fields, "date_edtf": "1876-11"}),
        ("withdrawn", only_links, {**only_fields, "date_edtf": "1877?"}),
    ]
    hidden, never_public, withdrawn = [], [], []
    for n, (kind, links, fields) in enumerate(plan, start=1):
        document = _hidden_document(n, kind=kind, links=links, opens_on=opens_on, **fields)
        hidden.append(document)
        (withdrawn if kind in ("withdrawn", "closed-after-public") else never_public).append(
            document
        )
    assert not any(document.is_published() for document in hidden)
    assert sum(1 for d in hidden if d.collections.filter(pk=collection.pk).exists()) == 4
    return Site(
        visible=visible,
        hidden=hidden,
        never_public=never_public,
        withdrawn=withdrawn,
        shared={
            "archive": archive,
            "collection": collection,
            "person": person,
            "subject": subject,
        },
        hidden_only={
            "archive": hidden_archive,
            "collection": hidden_collection,
            "series": hidden_series,
            "person": hidden_person,
            "subject": hidden_subject,
            "rights": hidden_rights,
        },
        people=[person, hidden_person],
        collections=[collection, hidden_collection, hidden_series],
        repositories=[archive, hidden_archive],
        rights=[rights_statement(), hidden_rights],
    )


# The URL patterns ------------------------------------------------------------------------


def url_patterns(patterns=None, namespace=None):
    """
    Every URL pattern of the project as ``(name, pattern)``, recursively; the admin (by its
    app name, wherever it is mounted) and static file serving are left out.
    """
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from url_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            if getattr(callback, "__module__", "").startswith(
                ("django.views.static", "django.contrib.staticfiles")
            ):
                continue
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, entry


def parameter_names(pattern):
    """The path parameters a pattern takes."""
    return set(pattern.pattern.regex.groupindex)


def slug_values(objects):
    return [{"slug": obj.slug} for obj in objects]


def date_values(site, unit):
    """Decades, years or months of every document (public and hidden), plus one empty one."""
    days = [d.date_earliest for d in site.documents if d.date_earliest]
    if unit == "decade":
        return [{"decade": y} for y in sorted({d.year // 10 * 10 for d in days})]
    if unit == "year":
        return [{"year": y} for y in sorted({d.year for d in days})]
    return [{"year": y, "month": m} for y, m in sorted({(d.year, d.month) for d in days})]


#: pattern name → the path parameters to walk it with, from the data set.  A pattern that
#: takes parameters and is not here fails ``test_the_walk_covers_every_url_pattern``.
PATH_VALUES = {
    "catalog:document-redirect": lambda s: [{"record_id": d.record_id} for d in s.documents],
    "catalog:document-detail": lambda s: [
        *({"record_id": d.record_id, "slug": d.slug} for d in s.documents),
        *({"record_id": d.record_id, "slug": "x"} for d in s.hidden),
    ],
    "catalog:document-cite": lambda s: [
        {"record_id": d.record_id, "slug": d.slug, "format": f}
        for d in s.documents
        for f in CITATION_FORMATS
    ],
    "catalog:document-export": lambda s: [{"format": f} for f in EXPORT_FORMATS],
    "catalog:person-detail": lambda s: [
        *slug_values(s.people),
        {"slug": "hidden-old-person"},
    ],
    "catalog:collection-detail": lambda s: slug_values(s.collections),
    "feed-collection": lambda s: slug_values(s.collections),
    "catalog:repository-detail": lambda s: slug_values(s.repositories),
    "catalog:date-decade": lambda s: date_values(s, "decade"),
    "catalog:date-year": lambda s: date_values(s, "year"),
    "catalog:date-month": lambda s: date_values(s, "month"),
    "sitemap-section": lambda s: [{"section": name} for name in SITEMAPS],
    "api:document-detail": lambda s: [{"record_id": d.record_id} for d in s.documents],
    "api:person-detail": lambda s: [*slug_values(s.people), {"slug": "hidden-old-person"}],
    "api:collection-detail": lambda s: slug_values(s.collections),
    "api:repository-detail": lambda s: slug_values(s.repositories),
    "api:rights-detail": lambda s: [{"identifier": r.identifier} for r in s.rights],
}


def is_hidden_address(site, name, kwargs):
    """Whether these path parameters name a hidden record (its page must be a 404)."""
    hidden_ids = {d.record_id for d in site.hidden}
    hidden_slugs = {
        "hidden-person",
        "hidden-old-person",
        "hidden-papers",
        "hidden-series",
        "hidden-archive",
    }
    hidden_years = {d.date_earliest.year for d in site.hidden if d.date_earliest} - {
        d.date_earliest.year for d in site.visible
    }
    if kwargs.get("record_id") in hidden_ids or kwargs.get("slug") in hidden_slugs:
        return True
    if kwargs.get("identifier") == site.hidden_only["rights"].identifier:
        return True
    if "year" in kwargs and kwargs["year"] in hidden_years:
        return True
    return "decade" in kwargs and kwargs["decade"] < 1900


def generic_queries(site):
    """Query strings every pattern is also walked with (searches, paging, sorting)."""
    return [
        {"page": "2"},
        {"q": mark("title", 1)},
        {"q": mark("personname", 0)},
        {"letter": "S", "sort": "documents"},
        {"p": "2", "format": "json"},
    ]


def filter_queries(site):
    """
    Each DocumentFilter parameter with hidden values (and the shared ones); fails on a filter
    it has no values for, so a new filter is walked or noticed.
    """
    only, shared = site.hidden_only, site.shared
    hidden_years = ["1872-05", "1870"]
    values = {
        "q": [
            mark("title", 1),
            mark("summary", 2),
            mark("transcript", 5),
            mark("personname", 0),
            mark("alternatename", 0),
            "secret",
        ],
        "date_from": hidden_years,
        "date_to": hidden_years,
        "exclude_approximate": ["1"],
        "exclude_uncertain": ["1"],
        "person": [only["person"].slug, "hidden-old-person"],
        "role": ["author", "recipient"],
        "collection": [only["collection"].slug, only["series"].slug],
        "repository": [only["archive"].slug],
        "subject": [only["subject"].slug],
        "language": ["la"],
        "rights": [only["rights"].identifier],
        "doc_type": [Document.Type.TREATY],
        "sort": ["title"],
    }
    missing = set(DocumentFilter.base_filters) - set(values)
    assert not missing, f"add hidden values for the new filters {missing} to filter_queries"
    queries = [{name: value} for name, options in values.items() for value in options]
    queries += [
        {"person": only["person"].slug, "role": "author"},
        {"q": "telegram", "sort": "relevance", "collection": shared["collection"].slug},
        {"date_from": "1944-02", "date_to": "1944-02", "page": "2"},
    ]
    return queries


def takes_filters(pattern):
    """Whether the view behind ``pattern`` reads a FilterSet from the query string."""
    callback = pattern.callback
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return getattr(view, "filterset_class", None) is not None


# Requests and checks ---------------------------------------------------------------------


def content(response):
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    return data.decode("utf-8", errors="replace")


def without_echo(text, sent):
    """``text`` with the values the request itself carried taken out (a search box shows
    its search; an invalid filter value is shown back as the error)."""
    for value in sorted(sent, key=len, reverse=True):
        for form in {value, quote(value), quote(value, safe=""), value.replace(" ", "+")}:
            text = re.sub(re.escape(form), "", text, flags=re.IGNORECASE)
    return text


def check(response, url, sent=()):
    """No server error, and no marker or hidden slug in the body or headers."""
    assert response.status_code < 500, f"{url} answered {response.status_code}"
    text = content(response) + "\n" + "\n".join(f"{k}: {v}" for k, v in response.items())
    text = without_echo(text, [str(value) for value in sent])
    leaked = set(MARKER.findall(text)) | set(HIDDEN.findall(text))
    assert not leaked, f"{url} shows {sorted(leaked)[:5]}"
    assert HIDDEN_AUTHORITY not in text, f"{url} shows the hidden person's authority"
    return response


@dataclass
class Walk:
    """What a walk requested: the pattern names it covered and the number of requests."""

    names: set
    requests: int


def walk(client, site):
    """Request every public URL pattern with every value and query; check each response."""
    names, requests = set(), 0
    generic = generic_queries(site)
    filters = filter_queries(site)
    for name, pattern in url_patterns():
        params = parameter_names(pattern)
        if params:
            assert name in PATH_VALUES, (
                f"URL pattern {name!r} takes {sorted(params)}: add values to PATH_VALUES"
            )
            kwarg_sets = PATH_VALUES[name](site)
        else:
            kwarg_sets = [{}]
        # Filters on lists and exports (a detail view of one record does not list).
        listing = takes_filters(pattern) and not params & {"record_id", "slug", "identifier"}
        queries = [{}, *generic, *(filters if listing else [])]
        # Every value plain; the query strings with the first hidden value (or the first).
        hidden_sets = [k for k in kwarg_sets if is_hidden_address(site, name, k)]
        with_queries = (hidden_sets or kwarg_sets)[:1]
        for kwargs in kwarg_sets:
            url = reverse(name, kwargs=kwargs)
            hidden = kwargs in hidden_sets
            for query in queries if kwargs in with_queries else [{}]:
                full = f"{url}?{urlencode(query)}" if query else url
                response = client.get(full)
                requests += 1
                sent = [*map(str, kwargs.values()), *query.values()]
                check(response, full, sent)
                if hidden:  # not found; or refused for its query string first
                    expected = (404,) if not query else (400, 404)
                    assert response.status_code in expected, f"{full} is {response.status_code}"
        names.add(name)
    return Walk(names, requests)


def test_no_public_url_shows_anything_hidden(client, settings):
    """
    Every URL pattern, with every visible and hidden value and query string: no marker, no
    hidden slug, no server error, and every hidden record's address is a 404.
    """
    settings.OAI_PAGE_SIZE = 3
    site = build_site()
    result = walk(client, site)
    assert result.requests > 300
    assert result.names == {name for name, _ in url_patterns()}


def test_the_walk_covers_every_url_pattern():
    """Every pattern has what the walk needs: names, and values for its path parameters."""
    for name, pattern in url_patterns():
        assert name, f"URL pattern {pattern.pattern} has no name, so the walk cannot reverse it"
        params = parameter_names(pattern)
        if params:
            assert name in PATH_VALUES, f"{name} takes {sorted(params)}: add it to PATH_VALUES"
    names = {name for name, _ in url_patterns()}
    assert set(PATH_VALUES) <= names, f"PATH_VALUES names gone patterns: {set(PATH_VALUES) - names}"
    assert {"catalog:document-list", "api:document-list", "catalog:oai"} <= names
    assert not any(name.startswith("admin:") for name in names)
    assert issubclass(next(iter(SITEMAPS.values())), Sitemap)


# Counts ------------------------------------------------------------------------------------


def test_counts_are_of_public_documents_only(client):
    """Where a page or the API counts documents, it counts the three public ones, never 7."""
    site = build_site()
    shared = site.shared
    api = client.get("/api/documents/").json()
    assert api["count"] == VISIBLE_COUNT
    for params in (
        {"collection": shared["collection"].slug},
        {"person": shared["person"].slug},
        {"repository": shared["archive"].slug},
        {"subject": shared["subject"].slug},
        {"date_from": "1940", "date_to": "1949"},
    ):
        assert client.get("/api/documents/", params).json()["count"] == VISIBLE_COUNT, params
    assert (
        client.get("/api/documents/", {"date_from": "1944-02", "date_to": "1944-02"}).json()[
            "count"
        ]
        == 2
    )
    for path in (
        f"/api/collections/{shared['collection'].slug}/",
        f"/api/people/{shared['person'].slug}/",
        f"/api/repositories/{shared['archive'].slug}/",
        "/api/rights/NoC-US/",
    ):
        assert client.get(path).json()["document_count"] == VISIBLE_COUNT, path
    for path in ("/api/people/", "/api/collections/", "/api/repositories/", "/api/rights/"):
        assert client.get(path).json()["count"] == 1, path

    home = client.get("/").context
    assert (
        home["document_count"],
        home["person_count"],
        home["collection_count"],
        home["repository_count"],
    ) == (VISIBLE_COUNT, 1, 1, 1)
    assert [(r["decade"], r["count"]) for r in home["decades"]] == [(1940, VISIBLE_COUNT)]

    collection = client.get(f"/collections/{shared['collection'].slug}/").context
    assert collection["collection"].document_count == VISIBLE_COUNT
    assert client.get("/collections/").context["collections"][0].document_count == VISIBLE_COUNT
    person = client.get(f"/people/{shared['person'].slug}/").context["person"]
    assert person.document_count == VISIBLE_COUNT
    assert client.get("/people/").context["people"][0].document_count == VISIBLE_COUNT
    archive = client.get(f"/archives/{shared['archive'].slug}/").context
    assert archive["repository"].document_count == VISIBLE_COUNT
    assert [(r["decade"], r["count"]) for r in client.get("/dates/").context["decades"]] == [
        (1940, VISIBLE_COUNT)
    ]
    decade = client.get("/dates/1940s/").context
    assert decade["total"] == VISIBLE_COUNT
    assert {r["year"]: r["count"] for r in decade["years"] if r["count"]} == {1944: 2, 1945: 1}
    year = client.get("/dates/1944/").context
    assert year["total"] == 2
    assert [m["count"] for m in year["months"] if m["count"]] == [2]
    assert client.get("/dates/1944/2/").context["paginator"].count == 2

    listing = client.get("/documents/").context
    assert listing["result_count"] == VISIBLE_COUNT
    facet_values = {
        (facet.name, value.value): value.count
        for facet in listing["facets"]
        for value in facet.values
    }
    assert facet_values[("collection", shared["collection"].slug)] == VISIBLE_COUNT
    assert facet_values[("repository", shared["archive"].slug)] == VISIBLE_COUNT
    assert facet_values[("subject", shared["subject"].slug)] == VISIBLE_COUNT
    assert facet_values[("person", shared["person"].slug)] == VISIBLE_COUNT
    assert facet_values[("language", "en")] == VISIBLE_COUNT
    assert ("doc_type", Document.Type.TREATY) not in facet_values
    assert ("language", "la") not in facet_values
    assert ("rights", "InC-EDU") not in facet_values
    assert sum(bar.count for bar in listing["histogram"].bars) == VISIBLE_COUNT


# OAI-PMH -----------------------------------------------------------------------------------


def oai_get(client, params):
    url = f"/oai/?{urlencode(params)}"
    response = check(client.get(url), url, sent=params.values())  # OAI echoes its arguments
    return etree.fromstring(response.content)


def oai_pages(client, verb, **params):
    """Every page of a list verb, following resumption tokens to the end."""
    trees = [oai_get(client, {"verb": verb, **params})]
    while True:
        token = trees[-1].findtext(".//oai:resumptionToken", namespaces=OAI_NS)
        if not token:
            return trees
        trees.append(oai_get(client, {"verb": verb, "resumptionToken": token}))


def test_oai_pmh_harvests_nothing_hidden(client, settings):
    """
    Every verb, every set, every record: drafts and records closed before they were ever
    public do not exist; withdrawn ones are deleted headers with no content; list sizes and
    sets count the public records (and the deleted headers) only.
    """
    settings.OAI_PAGE_SIZE = 2
    site = build_site()
    repository = "testserver"
    oai_get(client, {"verb": "Identify"})
    oai_get(client, {"verb": "ListMetadataFormats"})
    sets = [
        spec.text
        for tree in oai_pages(client, "ListSets")
        for spec in tree.iterfind(".//oai:setSpec", OAI_NS)
    ]
    assert sets == ["shared-papers"]

    public_ids = {str(d.record_id) for d in site.visible}
    withdrawn_ids = {str(d.record_id) for d in site.withdrawn}
    for verb in ("ListIdentifiers", "ListRecords"):
        for extra in (
            {},
            {"set": "shared-papers"},
            {"set": "hidden-papers"},
            {"from": "2000-01-01"},
        ):
            trees = oai_pages(client, verb, metadataPrefix="oai_dc", **extra)
            headers = [h for tree in trees for h in tree.iterfind(".//oai:header", OAI_NS)]
            listed = {
                h.findtext("oai:identifier", namespaces=OAI_NS).rsplit("/", 1)[1]: h.get("status")
                for h in headers
            }
            assert set(listed) <= public_ids | withdrawn_ids, (verb, extra)
            assert all(listed[i] == "deleted" for i in set(listed) & withdrawn_ids)
            if not extra or "from" in extra:
                assert set(listed) == public_ids | withdrawn_ids
                size = trees[0].find(".//oai:resumptionToken", OAI_NS).get("completeListSize")
                assert int(size) == len(public_ids | withdrawn_ids)
            if verb == "ListRecords":
                assert len(trees[0].findall(".//oai:metadata", OAI_NS)) <= 2

    for document in site.documents:
        identifier = f"oai:{repository}:record/{document.record_id}"
        for verb in ("GetRecord", "ListMetadataFormats"):
            params = {"verb": verb, "identifier": identifier}
            if verb == "GetRecord":
                params["metadataPrefix"] = "oai_dc"
            tree = oai_get(client, params)
            error = tree.find("oai:error", OAI_NS)
            if document in site.never_public:
                assert error is not None and error.get("code") == "idDoesNotExist", identifier
            elif document in site.withdrawn and verb == "GetRecord":
                assert tree.find(".//oai:header", OAI_NS).get("status") == "deleted"
                assert tree.find(".//oai:metadata", OAI_NS) is None
            else:
                assert error is None, identifier


def test_the_walk_fails_when_the_gate_lets_everything_through(client, monkeypatch):
    """
    The walk is not blind: with ``published()`` widened to every document (a broken gate),
    it finds a leak.
    """
    from catalog.querysets import DocumentQuerySet

    site = build_site()
    monkeypatch.setattr(DocumentQuerySet, "published", lambda self: self.all())
    with pytest.raises(AssertionError, match="shows|answered|is 200|404"):
        walk(client, site)
