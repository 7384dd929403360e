"""
The OAI-PMH 2.0 data provider at /oai/: every verb, the oai_dc record, every error, resumption
tokens, deleted records, and a full harvest by a real harvester (Sickle).  Every response is
validated against the official schemas in tests/schemas/.
"""

import datetime
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree
from sickle import Sickle

from catalog import oai
from catalog.models import Document, DocumentPerson
from catalog.services import unpublish_documents

from .factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    SubjectFactory,
)

SCHEMAS = Path(__file__).parent / "schemas"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
UTC = datetime.UTC

pytestmark = pytest.mark.django_db


def _schema():
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "oai-pmh-all.xsd"), parser))


SCHEMA = _schema()


def validated(response):
    """The response parsed, after checking it is OAI-PMH XML the official schemas accept."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    tree = etree.fromstring(response.content, etree.XMLParser(no_network=True))
    SCHEMA.assertValid(tree)
    return tree


def harvest(client, **params):
    return validated(client.get("/oai/", params))


def error_code(tree):
    errors = tree.xpath("oai:error/@code", namespaces=NS)
    return errors[0] if errors else None


def identifiers(tree):
    return tree.xpath("//oai:header/oai:identifier/text()", namespaces=NS)


def set_modified(document, moment):
    """Give ``document`` a known datestamp (``modified`` is written by every save)."""
    Document.objects.filter(pk=document.pk).update(modified=moment)
    document.refresh_from_db()
    return document


def identifier(document):
    return f"oai:testserver:record/{document.record_id}"


@pytest.fixture
def telegram(db):
    """A published telegram with author, recipient, subject, a sub-collection and rights."""
    top = CollectionFactory(title="FRUS", slug="frus")
    volume = CollectionFactory(title="FRUS 1918, Russia", slug="frus-1918-russia", parent=top)
    document = DocumentFactory(
        title="Telegram re Stalin & Harriman",
        date_edtf="1891-03/1892-04",
        summary="Japan may pull back.",
        container="Container # 171",
        rights_note="Public domain in the United States.",
        collections=[volume],
        subjects=[SubjectFactory(name="Japan")],
    )
    DocumentPersonFactory(
        document=document, person=PersonFactory(display_name="Joseph Stalin"), position=0
    )
    DocumentPersonFactory(
        document=document,
        person=PersonFactory(display_name="W. Averell Harriman"),
        role=DocumentPerson.Role.RECIPIENT,
        position=1,
    )
    DocumentPersonFactory(
        document=document,
        person=PersonFactory(display_name="Kept Quiet"),
        role=DocumentPerson.Role.MENTIONED,
        position=2,
    )
    return document


# Identify, formats, sets ---------------------------------------------------------------------


def test_identify_describes_the_repository(client, telegram, settings):
    """Identify names the base URL, seconds granularity and persistent deleted records."""
    settings.OAI_REPOSITORY_IDENTIFIER = "archive.example.org"
    tree = harvest(client, verb="Identify")
    identify = tree.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai/"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == oai.format_datestamp(
        telegram.modified
    )
    sample = identify.findtext(".//id:sampleIdentifier", namespaces=NS)
    assert sample == "oai:archive.example.org:record/1"


def test_identify_leaves_out_the_identifier_description_for_a_bare_host(client, db):
    """A host without a dot (testserver, localhost) is no valid oai-identifier repository."""
    tree = harvest(client, verb="Identify")
    assert not tree.xpath("//id:oai-identifier", namespaces=NS)


def test_list_metadata_formats_offers_oai_dc(client, telegram):
    """oai_dc is offered for the repository and for each item."""
    for params in ({}, {"identifier": identifier(telegram)}):
        tree = harvest(client, verb="ListMetadataFormats", **params)
        prefixes = tree.xpath("//oai:metadataPrefix/text()", namespaces=NS)
        assert prefixes == ["oai_dc"]


def test_list_sets_gives_the_collection_hierarchy(client, telegram):
    """Sets are the public collections, specs joining the slugs from the top with colons."""
    CollectionFactory(title="Only drafts", slug="only-drafts")  # no published document
    tree = harvest(client, verb="ListSets")
    specs = tree.xpath("//oai:setSpec/text()", namespaces=NS)
    names = tree.xpath("//oai:setName/text()", namespaces=NS)
    assert specs == ["frus", "frus:frus-1918-russia"]
    assert names == ["FRUS", "FRUS 1918, Russia"]


def test_list_sets_without_collections_is_no_set_hierarchy(client, db):
    """With no public collection at all there is no set hierarchy to list."""
    assert error_code(harvest(client, verb="ListSets")) == "noSetHierarchy"


# Records ------------------------------------------------------------------------------------


def test_get_record_gives_the_document_as_dublin_core(client, telegram):
    """The oai_dc record holds every catalogued element, and only published facts."""
    tree = harvest(
        client, verb="GetRecord", identifier=identifier(telegram), metadataPrefix="oai_dc"
    )
    header = tree.find(".//oai:header", NS)
    assert header.get("status") is None
    assert header.findtext("oai:identifier", namespaces=NS) == identifier(telegram)
    assert header.findtext("oai:datestamp", namespaces=NS) == oai.format_datestamp(
        telegram.modified
    )
    assert header.xpath("oai:setSpec/text()", namespaces=NS) == ["frus", "frus:frus-1918-russia"]
    dc = tree.find(".//oai_dc:dc", NS)

    def values(name):
        return dc.xpath(f"dc:{name}/text()", namespaces=NS)

    assert values("title") == ["Telegram re Stalin & Harriman"]
    assert values("creator") == ["Stalin, Joseph"]
    assert values("contributor") == ["Harriman, W. Averell"]
    assert values("date") == ["1891-03/1892-04"]  # EDTF and ISO agree: written once
    assert values("subject") == ["Japan"]
    assert values("description") == ["Japan may pull back."]
    assert values("type") == ["Telegram", "Text"]
    assert values("language") == ["en"]
    assert values("source") == [
        f"Container # 171, FRUS 1918, Russia, FRUS, {telegram.repository.name}, Washington, DC"
    ]
    assert values("rights") == [
        "http://rightsstatements.org/vocab/NoC-US/1.0/",
        "Public domain in the United States.",
    ]
    assert values("identifier") == [
        f"http://testserver{telegram.get_absolute_url()}",
        f"record ID {telegram.record_id}",
    ]
    assert values("relation") == ["http://testserver/collections/frus-1918-russia/"]
    assert b"Kept Quiet" not in etree.tostring(dc)


@pytest.mark.parametrize(
    ("edtf", "dates"),
    [
        ("1944-02-02", ["1944-02-02"]),
        ("1944~", ["1944~", "1944"]),
        ("194X", ["194X", "1940/1949"]),
        ("1944-21", ["1944-21", "1944-03/1944-05"]),
        ("1944-02/1944-03-15", ["1944-02/1944-03-15", "1944-02-01/1944-03-15"]),
        ("../1944", ["../1944"]),
        ("", []),
    ],
)
def test_dates_are_given_as_edtf_and_as_iso(client, db, edtf, dates):
    """dc:date holds the EDTF and, where both ends are known, the ISO 8601 span it covers."""
    document = DocumentFactory(date_edtf=edtf)
    tree = harvest(
        client, verb="GetRecord", identifier=identifier(document), metadataPrefix="oai_dc"
    )
    assert tree.xpath("//dc:date/text()", namespaces=NS) == dates


def test_text_xml_cannot_carry_is_dropped(client, db):
    """Control characters in catalogued text never make the response invalid XML."""
    document = DocumentFactory(title="Telegram\x0c one", summary="Bell\x07 <b>&</b>")
    tree = harvest(
        client, verb="GetRecord", identifier=identifier(document), metadataPrefix="oai_dc"
    )
    assert tree.xpath("//dc:title/text()", namespaces=NS) == ["Telegram one"]
    assert tree.xpath("//dc:description/text()", namespaces=NS) == ["Bell <b>&</b>"]


def test_post_answers_like_get_without_a_csrf_token(db, telegram):
    """Harvesters may POST form-encoded arguments; the endpoint is exempt from CSRF."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    assert identifiers(validated(response)) == [identifier(telegram)]


def test_list_records_gives_published_records_in_datestamp_order(client, db):
    """ListRecords lists every published document, oldest datestamp first."""
    base = datetime.datetime(2024, 5, 1, tzinfo=UTC)
    newer = set_modified(DocumentFactory(), base + datetime.timedelta(hours=1))
    older = set_modified(DocumentFactory(), base)
    DocumentFactory(draft=True)
    tree = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert identifiers(tree) == [identifier(older), identifier(newer)]
    assert not tree.xpath("//oai:resumptionToken", namespaces=NS)


def test_a_set_includes_its_sub_collections(client, telegram):
    """Harvesting a set gives the documents of the collection and of every one below it."""
    elsewhere = DocumentFactory(collections=[CollectionFactory(slug="other")])
    for spec in ("frus", "frus:frus-1918-russia"):
        tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
        assert identifiers(tree) == [identifier(telegram)]
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="other")
    assert identifiers(tree) == [identifier(elsewhere)]
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="frus:nothing")
    assert error_code(tree) == "noRecordsMatch"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from": "2024-05-02"}, ["b", "c"]),
        ({"until": "2024-05-02"}, ["a", "b"]),
        ({"from": "2024-05-02", "until": "2024-05-02"}, ["b"]),
        ({"from": "2024-05-02T10:00:00Z"}, ["b", "c"]),
        ({"from": "2024-05-02T10:00:01Z"}, ["c"]),
        ({"until": "2024-05-02T10:00:00Z"}, ["a", "b"]),
        ({"until": "2024-05-02T09:59:59Z"}, ["a"]),
        ({"from": "2024-05-04"}, "noRecordsMatch"),
    ],
)
def test_from_and_until_select_by_datestamp(client, db, params, expected):
    """from and until are inclusive, at day or seconds granularity."""
    moments = {
        "a": datetime.datetime(2024, 5, 1, 12, tzinfo=UTC),
        "b": datetime.datetime(2024, 5, 2, 10, 0, 0, 500000, tzinfo=UTC),
        "c": datetime.datetime(2024, 5, 3, tzinfo=UTC),
    }
    documents = {key: set_modified(DocumentFactory(), moment) for key, moment in moments.items()}
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
    if isinstance(expected, str):
        assert error_code(tree) == expected
    else:
        assert identifiers(tree) == [identifier(documents[key]) for key in expected]


# Errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "set": "frus"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-05"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-05-01T00:00:00"},
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-05-01",
                "until": "2024-05-02T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2024-05-02",
                "until": "2024-05-01",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "not a set"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai\x01dc"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": "oai:testserver:record/1"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "garbled"}, "badResumptionToken"),
        ({"verb": "ListIdentifiers", "resumptionToken": "garbled"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": "oai:testserver:record/1", "metadataPrefix": "x"},
            "cannotDisseminateFormat",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:testserver:record/99",
                "metadataPrefix": "oai_dc",
            },
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:elsewhere.org:record/1",
                "metadataPrefix": "oai_dc",
            },
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "record/1"}, "idDoesNotExist"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
            "noRecordsMatch",
        ),
    ],
)
def test_each_error_condition_has_its_code(client, telegram, params, code):
    """Each protocol error answers 200 with its code; badVerb and badArgument echo no arguments."""
    tree = harvest(client, **params)
    assert error_code(tree) == code
    request = tree.find("oai:request", NS)
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}
    else:
        assert request.get("verb") == params["verb"]


def test_no_records_match_in_an_empty_catalogue(client, db):
    """With nothing published, list requests answer noRecordsMatch."""
    for verb in ("ListIdentifiers", "ListRecords"):
        assert error_code(harvest(client, verb=verb, metadataPrefix="oai_dc")) == "noRecordsMatch"


def test_a_set_in_a_catalogue_without_collections_is_no_set_hierarchy(client, db):
    """Asking for a set when there are no collections at all answers noSetHierarchy."""
    DocumentFactory()
    tree = harvest(client, verb="ListRecords", metadataPrefix="oai_dc", set="frus")
    assert error_code(tree) == "noSetHierarchy"


# Resumption tokens --------------------------------------------------------------------------


def _pages(client, verb, **params):
    """Every page of a list, following resumption tokens: [(identifiers, token element)]."""
    pages = []
    tree = harvest(client, verb=verb, **params)
    while True:
        token = tree.find(f"oai:{verb}/oai:resumptionToken", NS)
        pages.append((identifiers(tree), token))
        if token is None or not token.text:
            return pages
        tree = harvest(client, verb=verb, resumptionToken=token.text)


def test_resumption_tokens_page_through_the_whole_list(client, db, settings):
    """Pages of the set size, a cursor and list size on each, an empty token on the last."""
    settings.OAI_PAGE_SIZE = 2
    moment = datetime.datetime(2024, 5, 1, tzinfo=UTC)
    # Two share a datestamp: the record ID breaks the tie, so none is skipped at a page edge.
    documents = [set_modified(DocumentFactory(), moment) for _ in range(2)]
    documents += [
        set_modified(DocumentFactory(), moment + datetime.timedelta(seconds=n)) for n in (1, 2, 3)
    ]
    pages = _pages(client, "ListRecords", metadataPrefix="oai_dc")
    assert [ids for ids, _ in pages] == [
        [identifier(d) for d in documents[0:2]],
        [identifier(d) for d in documents[2:4]],
        [identifier(documents[4])],
    ]
    assert [(t.get("cursor"), t.get("completeListSize")) for _, t in pages] == [
        ("0", "5"),
        ("2", "5"),
        ("4", "5"),
    ]
    assert pages[0][1].get("expirationDate") and pages[-1][1].get("expirationDate") is None


def test_changes_during_a_harvest_neither_skip_nor_repeat(client, db, settings):
    """A record changed mid-harvest waits for the next harvest; the rest come once each."""
    settings.OAI_PAGE_SIZE = 2
    start = timezone.now() - datetime.timedelta(days=1)
    documents = [
        set_modified(DocumentFactory(), start + datetime.timedelta(minutes=n)) for n in range(5)
    ]
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = identifiers(tree)
    token = tree.findtext(".//oai:resumptionToken", namespaces=NS)
    documents[0].title = "Changed after it was harvested"
    documents[0].save()
    documents[3].title = "Changed before it was harvested"
    documents[3].save()
    DocumentFactory()  # new during the harvest
    while token:
        tree = harvest(client, verb="ListIdentifiers", resumptionToken=token)
        seen += identifiers(tree)
        token = tree.findtext(".//oai:resumptionToken", namespaces=NS)
    assert sorted(seen) == sorted(identifier(d) for d in documents if d is not documents[3])


def test_a_token_keeps_the_original_arguments(client, db, settings):
    """A resumed list keeps the set and dates of the request that started it."""
    settings.OAI_PAGE_SIZE = 1
    collection = CollectionFactory(slug="kept")
    inside = [DocumentFactory(collections=[collection]) for _ in range(2)]
    DocumentFactory()
    pages = _pages(client, "ListIdentifiers", metadataPrefix="oai_dc", set="kept")
    assert [ids for ids, _ in pages] == [[identifier(d)] for d in inside]


def test_an_expired_or_misused_token_is_bad(client, db, settings, monkeypatch):
    """A token expires after its lifetime and serves only the verb that issued it."""
    settings.OAI_PAGE_SIZE = 1
    DocumentFactory.create_batch(2)
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = tree.findtext(".//oai:resumptionToken", namespaces=NS)
    tree = harvest(client, verb="ListRecords", resumptionToken=token)
    assert error_code(tree) == "badResumptionToken"
    assert error_code(harvest(client, verb="ListIdentifiers", resumptionToken=token[:-2])) == (
        "badResumptionToken"
    )
    monkeypatch.setattr(oai, "TOKEN_LIFETIME", datetime.timedelta(seconds=-1))
    tree = harvest(client, verb="ListIdentifiers", resumptionToken=token)
    assert error_code(tree) == "badResumptionToken"


# Deleted records ----------------------------------------------------------------------------


def _deleted_headers(tree):
    return tree.xpath("//oai:header[@status='deleted']/oai:identifier/text()", namespaces=NS)


def test_a_withdrawn_document_answers_as_deleted(client, telegram, editor):
    """Back to draft, a published document is a deleted header with nothing of its content."""
    unpublish_documents(documents=[telegram], user=editor)
    telegram.refresh_from_db()
    for tree in (
        harvest(client, verb="GetRecord", identifier=identifier(telegram), metadataPrefix="oai_dc"),
        harvest(client, verb="ListRecords", metadataPrefix="oai_dc"),
        harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc"),
        harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="frus"),
    ):
        assert _deleted_headers(tree) == [identifier(telegram)]
        assert tree.findtext(".//oai:datestamp", namespaces=NS) == oai.format_datestamp(
            telegram.modified
        )
        body = etree.tostring(tree)
        assert not tree.xpath("//oai:metadata | //oai:setSpec", namespaces=NS)
        for text in (b"Telegram re", b"Stalin", b"Harriman", b"frus-1918", b"Japan"):
            assert text not in body


def test_a_never_published_draft_does_not_exist(client, db):
    """A draft that was never published is unknown to harvesters, in every verb."""
    draft = DocumentFactory(draft=True, title="Secret draft")
    tree = harvest(client, verb="GetRecord", identifier=identifier(draft), metadataPrefix="oai_dc")
    assert error_code(tree) == "idDoesNotExist"
    tree = harvest(client, verb="ListMetadataFormats", identifier=identifier(draft))
    assert error_code(tree) == "idDoesNotExist"
    tree = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert error_code(tree) == "noRecordsMatch"


def test_a_deleted_published_document_leaves_a_tombstone(client, telegram):
    """Deleted after publication, a document still answers, as a deleted header."""
    draft = DocumentFactory(draft=True)
    record_id = telegram.record_id
    telegram.delete()
    draft.delete()  # never published: leaves nothing
    gone = f"oai:testserver:record/{record_id}"
    tree = harvest(client, verb="GetRecord", identifier=gone, metadataPrefix="oai_dc")
    assert _deleted_headers(tree) == [gone]
    for params in ({}, {"set": "frus"}, {"set": "frus:frus-1918-russia"}):
        tree = harvest(client, verb="ListRecords", metadataPrefix="oai_dc", **params)
        assert identifiers(tree) == _deleted_headers(tree) == [gone]
    assert b"Telegram re" not in etree.tostring(tree)
    assert error_code(harvest(client, verb="ListSets")) == "noSetHierarchy"


# Queries ------------------------------------------------------------------------------------


def test_list_records_runs_a_fixed_number_of_queries(client, db, django_assert_num_queries):
    """
    ListRecords runs 7 queries however many records and people a page holds: two counts, the
    documents, their people, collections and subjects (one prefetch each, no N+1 per
    record), and the tombstones.
    """
    top = CollectionFactory()
    for _ in range(5):
        document = DocumentFactory(
            collections=[CollectionFactory(parent=top)], subjects=[SubjectFactory()]
        )
        DocumentPersonFactory.create_batch(2, document=document)
    with django_assert_num_queries(7):
        tree = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert len(identifiers(tree)) == 5


def test_list_identifiers_runs_a_fixed_number_of_queries(client, db, django_assert_num_queries):
    """ListIdentifiers runs 5 queries: two counts, documents, their collections, tombstones."""
    for _ in range(5):
        DocumentFactory(collections=[CollectionFactory()])
    with django_assert_num_queries(5):
        tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert len(identifiers(tree)) == 5


# A real harvester ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_exactly_the_published_and_deleted_records(live_server, settings):
    """Sickle, following resumption tokens, collects every published record once and each
    withdrawn or deleted one as a deleted header, and never a draft."""
    settings.OAI_PAGE_SIZE = 3
    published = DocumentFactory.create_batch(7)
    DocumentFactory.create_batch(2, draft=True)
    withdrawn = DocumentFactory()
    withdrawn.status = Document.Status.DRAFT
    withdrawn.save()
    deleted = DocumentFactory()
    deleted_id = deleted.record_id
    deleted.delete()

    sickle = Sickle(f"{live_server.url}/oai/")
    records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    host = "localhost"
    full = {r.header.identifier: r.metadata["title"] for r in records if not r.header.deleted}
    gone = [r.header.identifier for r in records if r.header.deleted]
    assert len(records) == 9
    assert full == {f"oai:{host}:record/{d.record_id}": [d.title] for d in published}
    assert sorted(gone) == sorted(
        f"oai:{host}:record/{n}" for n in (withdrawn.record_id, deleted_id)
    )
    headers = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=True))
    assert len(headers) == 7
