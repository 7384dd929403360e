"""
One record, every output: the record page, its JSON-LD, OAI-PMH, the JSON API, the CSV
export and the citation downloads all carry the same rights statement; and a draft, whose
every field holds a marker, is in none of them (nor in the sitemap or the feeds).
"""

import json
import re

import pytest

from catalog.models import RightsStatement
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    ProvenanceEventFactory,
    RepositoryFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db

MARKER = "zqxdraftmarker"


@pytest.fixture
def published():
    rights = RightsStatement.objects.get(uri="http://rightsstatements.org/vocab/NoC-US/1.0/")
    collection = CollectionFactory(title="Harriman Papers")
    document = DocumentFactory(
        title="Telegram on Japanese troops",
        rights=rights,
        rights_note="Reuse welcome for research.",
        collections=[collection],
    )
    DocumentPersonFactory(document=document, person=PersonFactory(display_name="W. A. Harriman"))
    return document


@pytest.fixture
def draft(published):
    """A draft sharing the published one's collection, with the marker in every field."""
    repository = RepositoryFactory(name=f"Archive {MARKER}")
    document = DocumentFactory(
        draft=True,
        title=f"Title {MARKER}",
        source_identifier=f"src-{MARKER}",
        summary=f"Summary {MARKER}",
        transcript=f"Transcript {MARKER}",
        container=f"Box {MARKER}",
        source_note=f"Note {MARKER}",
        rights_note=f"Rights {MARKER}",
        repository=repository,
        collections=[published.collections.get(), CollectionFactory(title=f"Coll {MARKER}")],
        subjects=[SubjectFactory(name=f"Subject {MARKER}")],
    )
    DocumentPersonFactory(document=document, person=PersonFactory(display_name=f"P {MARKER}"))
    ProvenanceEventFactory(document=document, agent=f"Agent {MARKER}")
    return document


def outputs(client, document):
    """Every machine-readable and human output that describes ``document``, as text."""
    path = document.get_absolute_url()
    record = client.get(path).content.decode()
    jsonld = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', record, re.S)
    oai = client.get(
        "/oai/",
        {
            "verb": "GetRecord",
            "metadataPrefix": "oai_dc",
            "identifier": f"oai:testserver:record/{document.record_id}",
        },
    ).content.decode()
    return {
        "record page": record,
        "JSON-LD": jsonld[1] if jsonld else "",
        "OAI-PMH": oai,
        "API": client.get(f"/api/documents/{document.record_id}/").content.decode(),
        "CSV export": b"".join(client.get("/documents/export.csv").streaming_content).decode(),
        "CSL-JSON": client.get(f"{path}cite.json").content.decode(),
    }


def test_every_output_carries_the_same_rights_statement(client, published):
    uri = published.rights.uri
    found = outputs(client, published)
    assert {name: uri in text for name, text in found.items()} == dict.fromkeys(found, True)
    assert json.loads(found["JSON-LD"])["license"] == uri
    assert json.loads(found["API"])["rights"]["uri"] == uri
    assert json.loads(found["CSL-JSON"])[0]["license"] == uri
    assert f'<a href="{uri}" rel="license">{published.rights.label}</a>' in found["record page"]
    # The archive's own note travels with it where the format has room for it.
    for name in ("record page", "OAI-PMH", "API", "CSV export"):
        assert "Reuse welcome for research." in found[name], name


def test_a_draft_is_in_no_output(client, published, draft):
    """Nothing of the draft in the published record's outputs, the lists, feeds or sitemap."""
    texts = dict(outputs(client, published))
    texts["OAI-PMH list"] = client.get(
        "/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    ).content.decode()
    texts["API list"] = client.get("/api/documents/").content.decode()
    texts["feed"] = client.get("/feeds/documents/").content.decode()
    texts["sitemap"] = client.get("/sitemap-documents.xml").content.decode()
    texts["JSON Lines export"] = b"".join(
        client.get("/documents/export.jsonl").streaming_content
    ).decode()
    # Each output works (it describes the published record) and holds nothing of the draft.
    assert [name for name, text in texts.items() if str(published.record_id) not in text] == []
    assert [name for name, text in texts.items() if MARKER in text] == []
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(f"/api/documents/{draft.record_id}/").status_code == 404
