"""The record page described for machines: schema.org JSON-LD and Dublin Core/Highwire tags."""

import copy
import json
from html.parser import HTMLParser

import pytest
from pyld import jsonld

from catalog.models import Collection, Document
from catalog.structured_data import date_created
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonAuthorityFactory,
    PersonFactory,
    RepositoryFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db

SCHEMA = "http://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NOC_US = "http://rightsstatements.org/vocab/NoC-US/1.0/"
# The part of schema.org's own JSON-LD context (https://schema.org/docs/jsonldcontext.jsonld)
# that these records use: terms in the vocabulary, and the properties whose values are URLs
# typed "@id" as there.  Served by the test's document loader, so no test needs the network.
SCHEMA_ORG_CONTEXT = {
    "@context": {
        "@vocab": SCHEMA,
        "schema": SCHEMA,
        "url": {"@id": "schema:url", "@type": "@id"},
        "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
        "license": {"@id": "schema:license", "@type": "@id"},
        "usageInfo": {"@id": "schema:usageInfo", "@type": "@id"},
    }
}


def offline_loader(url, options=None):
    """pyld's document loader: schema.org's context from above; any other URL fails."""
    if url.rstrip("/") in {"https://schema.org", "http://schema.org"}:
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": copy.deepcopy(SCHEMA_ORG_CONTEXT),
        }
    raise AssertionError(f"the test tried to fetch {url}")


class HeadParser(HTMLParser):
    """The head's meta tags as (name, content) pairs, its links and its JSON-LD blocks."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld, self._in_json_ld = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "name" in attrs:
            self.meta.append((attrs["name"], attrs["content"]))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data


def head_of(response):
    parser = HeadParser()
    parser.feed(response.content.decode().split("</head>")[0])
    return parser


def triples_of(data):
    """The JSON-LD as RDF triples ``{(subject, predicate, object)}``, parsed by pyld."""
    dataset = jsonld.to_rdf(data, {"documentLoader": offline_loader})
    return {
        (t["subject"]["value"], t["predicate"]["value"], t["object"]["value"])
        for t in dataset["@default"]
    }


@pytest.fixture
def record():
    """A published letter by a person with two authority records, to a recipient, naming a
    third, in a series inside a fonds and in a curated theme, with subjects and rights."""
    archive = RepositoryFactory(
        name="Hauptstaatsarchiv Dresden", place="Dresden", url="https://example.org/hstad"
    )
    fonds = CollectionFactory(title="Geheimer Rat", repository=archive, identifier="10024")
    series = CollectionFactory(title="Reichstagsakten", parent=fonds, repository=archive)
    theme = CollectionFactory(title="Letters of princes", kind=Collection.Kind.THEME)
    document = DocumentFactory(
        title="Moritz to Philipp on the Regensburg talks",
        doc_type=Document.Type.LETTER,
        date_edtf="1891-03/1892-04",
        summary="Moritz reports on the negotiations.",
        language="de",
        repository=archive,
        collections=[series, theme],
        subjects=[SubjectFactory(name="Diplomacy"), SubjectFactory(name="Reformation")],
    )
    author = PersonFactory(display_name="Moritz von Sachsen", sort_name="Sachsen, Moritz von")
    PersonAuthorityFactory(person=author, uri="https://d-nb.info/gnd/118584308")
    PersonAuthorityFactory(person=author, uri="https://www.wikidata.org/entity/Q61026")
    DocumentPersonFactory(document=document, person=author, role="author", position=0)
    recipient = PersonFactory(display_name="Philipp of Hesse")
    DocumentPersonFactory(document=document, person=recipient, role="recipient", position=1)
    mentioned = PersonFactory(display_name="Charles V")
    DocumentPersonFactory(document=document, person=mentioned, role="mentioned", position=2)
    return document


def test_record_page_json_ld_is_a_schema_org_archive_component(client, record):
    """The record page's JSON-LD, read as JSON-LD, says: an ArchiveComponent named by its
    title at its permalink, held by an ArchiveOrganization, written by a person with their
    authority URIs, to a recipient, naming a third, part of its collections (inside theirs),
    under the rights statement, created in an ISO 8601 interval."""
    response = client.get(record.get_absolute_url())
    blocks = head_of(response).json_ld
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org"
    triples = triples_of(data)

    base = "http://testserver"
    page = f"{base}{record.get_absolute_url()}"
    author, recipient = f"{base}/people/sachsen-moritz-von/", f"{base}/people/hesse-philipp-of/"
    archive = f"{base}/archives/hauptstaatsarchiv-dresden/"
    series, fonds = f"{base}/collections/reichstagsakten/", f"{base}/collections/geheimer-rat/"
    theme = f"{base}/collections/letters-of-princes/"
    expected = {
        (page, RDF_TYPE, SCHEMA + "ArchiveComponent"),
        (page, SCHEMA + "name", "Moritz to Philipp on the Regensburg talks"),
        (page, SCHEMA + "url", page),
        (page, SCHEMA + "identifier", str(record.record_id)),
        (page, SCHEMA + "dateCreated", "1891-03/1892-04"),
        (page, SCHEMA + "inLanguage", "de"),
        (page, SCHEMA + "description", "Moritz reports on the negotiations."),
        (page, SCHEMA + "license", NOC_US),
        (page, SCHEMA + "usageInfo", NOC_US),
        (page, SCHEMA + "holdingArchive", archive),
        (archive, RDF_TYPE, SCHEMA + "ArchiveOrganization"),
        (archive, SCHEMA + "name", "Hauptstaatsarchiv Dresden"),
        (archive, SCHEMA + "address", "Dresden"),
        (archive, SCHEMA + "sameAs", "https://example.org/hstad"),
        (page, SCHEMA + "author", author),
        (author, RDF_TYPE, SCHEMA + "Person"),
        (author, SCHEMA + "name", "Moritz von Sachsen"),
        (author, SCHEMA + "sameAs", "https://d-nb.info/gnd/118584308"),
        (author, SCHEMA + "sameAs", "https://www.wikidata.org/entity/Q61026"),
        (page, SCHEMA + "recipient", recipient),
        (recipient, SCHEMA + "name", "Philipp of Hesse"),
        (page, SCHEMA + "mentions", f"{base}/people/v-charles/"),
        (page, SCHEMA + "isPartOf", series),
        (series, RDF_TYPE, SCHEMA + "ArchiveComponent"),
        (series, SCHEMA + "name", "Reichstagsakten"),
        (series, SCHEMA + "isPartOf", fonds),
        (fonds, SCHEMA + "identifier", "10024"),
        (page, SCHEMA + "isPartOf", theme),
        (theme, RDF_TYPE, SCHEMA + "Collection"),
    }
    assert expected <= triples
    subjects = {o for s, p, o in triples if p == SCHEMA + "name" and s.startswith("_:")}
    assert {"Diplomacy", "Reformation"} <= subjects
    # Only the people's own authorities: nobody else gets sameAs.
    assert {s for s, p, o in triples if p == SCHEMA + "sameAs"} == {author, archive}
    published = record.published_at.isoformat()
    assert (page, SCHEMA + "datePublished", published) in triples
    assert "transcript" not in json.dumps(data) and record.transcript not in json.dumps(data)


@pytest.mark.parametrize(
    ("edtf", "expected"),
    [
        ("1944-02-02", "1944-02-02"),
        ("1944-02", "1944-02"),
        ("1944", "1944"),
        ("1944~", "1944"),
        ("1944-21", "1944-03/1944-05"),
        ("194X", "1940/1949"),
        ("1891-03/1892-04", "1891-03/1892-04"),
        ("1944-01-15/1944-03", "1944-01-15/1944-03-31"),
        ("1944/..", None),
        ("../1944", None),
        ("", None),
    ],
)
def test_date_created_is_iso_8601_from_the_edtf_bounds(edtf, expected):
    """dateCreated is a date or an ISO 8601 interval at the bounds' precision, and absent
    for undated records and open ends."""
    document = DocumentFactory(date_edtf=edtf)
    assert date_created(document) == expected


def test_record_page_meta_tags_are_what_zotero_reads(client, record):
    """The head has Highwire citation_* and Dublin Core DC.* tags, the DC schema link, and
    DC.type "letter" so Zotero's Embedded Metadata translator files a letter."""
    response = client.get(record.get_absolute_url())
    head = head_of(response)
    permalink = f"http://testserver{record.get_absolute_url()}"
    assert {"rel": "schema.DC", "href": "http://purl.org/dc/elements/1.1/"} in head.links
    meta = [(name, content) for name, content in head.meta if name != "viewport"]
    assert meta == [
        ("description", "Moritz reports on the negotiations."),
        ("citation_title", "Moritz to Philipp on the Regensburg talks"),
        ("citation_author", "Sachsen, Moritz von"),
        ("citation_date", "1891-03/1892-04"),
        ("citation_language", "de"),
        ("citation_abstract", "Moritz reports on the negotiations."),
        ("citation_keywords", "Diplomacy; Reformation"),
        ("DC.title", "Moritz to Philipp on the Regensburg talks"),
        ("DC.creator", "Moritz von Sachsen"),
        ("DC.date", "1891-03/1892-04"),
        ("DC.type", "letter"),
        ("DC.identifier", permalink),
        ("DC.language", "de"),
        ("DC.description", "Moritz reports on the negotiations."),
        ("DC.rights", NOC_US),
        ("DC.source", "Reichstagsakten, Geheimer Rat, Hauptstaatsarchiv Dresden, Dresden"),
        ("DC.subject", "Diplomacy"),
        ("DC.subject", "Reformation"),
    ]


def test_seed_telegram_is_a_manuscript_by_its_author(client, seed):
    """A telegram is a Zotero manuscript; its author is cited surname first; an undated
    record has no date tags."""
    head = head_of(client.get(seed.get_absolute_url()))
    meta = dict(head.meta)
    assert meta["DC.type"] == "manuscript"
    assert meta["citation_author"] == "Harriman, W. Averell"
    assert meta["citation_date"] == meta["DC.date"] == "1944-02-02"
    seed.date_edtf = ""
    seed.save()
    meta = dict(head_of(client.get(seed.get_absolute_url())).meta)
    assert "citation_date" not in meta and "DC.date" not in meta
    assert "dateCreated" not in json.loads(head_of(client.get(seed.get_absolute_url())).json_ld[0])


def test_markup_in_a_title_cannot_break_out_of_the_json_ld(client):
    """A title holding </script>, <!-- and & stays inside the JSON-LD block, escaped as
    \\u003c, \\u003e and \\u0026, and reads back as written."""
    title = 'Notes </script><script>alert("x")</script> <!-- & more'
    document = DocumentFactory(title=title, summary="</SCRIPT>")
    html = client.get(document.get_absolute_url()).content.decode()
    start = html.index('<script type="application/ld+json">')
    block = html[start : html.index("</script>", start)]
    assert "<" not in block.removeprefix('<script type="application/ld+json">')
    assert "\\u003c/script\\u003e" in block and "\\u0026" in block
    assert html.count("<script") == 1  # no script element was injected
    data = json.loads(block.split(">", 1)[1])
    assert data["name"] == title and data["description"] == "</SCRIPT>"


def test_a_drafts_preview_has_no_structured_data(archivist_client):
    """Staff previewing a draft see no JSON-LD and no citation or DC tags: nothing
    unpublished is described to machines or reference managers."""
    draft = DocumentFactory(draft=True)
    response = archivist_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    head = head_of(response)
    assert head.json_ld == []
    assert not [name for name, _ in head.meta if name.startswith(("citation_", "DC."))]


@pytest.mark.parametrize("people", [1, 50])
def test_structured_data_adds_no_query_to_the_record_page(
    client, django_assert_num_queries, people
):
    """The record page stays at 5 queries for 1 or 50 people with authority records: the
    authority URIs come with the person links (no N+1 per person, no extra query)."""
    fonds = CollectionFactory()
    document = DocumentFactory(
        collections=[CollectionFactory(parent=fonds)], subjects=[SubjectFactory()]
    )
    for position in range(people):
        link = DocumentPersonFactory(document=document, position=position, role="author")
        PersonAuthorityFactory(person=link.person)
        PersonAuthorityFactory(person=link.person)
    with django_assert_num_queries(5):
        response = client.get(document.get_absolute_url())
    data = json.loads(head_of(response).json_ld[0])
    assert len(data["author"]) == people
    assert all(len(person["sameAs"]) == 2 for person in data["author"])
    assert data["isPartOf"][0]["isPartOf"]["name"] == fonds.title


def test_signatories_translators_and_others_have_their_own_properties(client):
    """Signatories stand in as authors when no author is recorded; translators and other
    people are translator and contributor, never author."""
    document = DocumentFactory()
    for position, role in enumerate(["signatory", "translator", "other"]):
        DocumentPersonFactory(
            document=document,
            person=PersonFactory(display_name=f"{role.title()} Person"),
            role=role,
            position=position,
        )
    data = json.loads(head_of(client.get(document.get_absolute_url())).json_ld[0])
    assert [p["name"] for p in data["author"]] == ["Signatory Person"]
    assert [p["name"] for p in data["translator"]] == ["Translator Person"]
    assert [p["name"] for p in data["contributor"]] == ["Other Person"]
