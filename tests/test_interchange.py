"""The import/export format: rows out of documents, files out of rows, rows back out of files."""

import io
import json
from pathlib import Path

import pytest

from catalog import interchange
from catalog.models import Document, DocumentPerson, ProvenanceEvent

from .factories import (
    CollectionFactory,
    DocumentFactory,
    PersonAuthorityFactory,
    PersonFactory,
    SubjectFactory,
)

SAMPLES = Path(__file__).parent / "import_samples"
pytestmark = pytest.mark.django_db


def corpus_rows(name):
    with (SAMPLES / name).open("rb") as fileobj:
        return dict(interchange.read_rows(fileobj, "jsonl", mapping="corpus"))


@pytest.fixture
def document():
    """A document with two people (one uncertain, one with an authority), custody, links."""
    document = DocumentFactory(
        source_identifier="loc:171",
        title="Telegram | with a pipe",
        collections=[CollectionFactory(slug="harriman-papers")],
        subjects=[SubjectFactory(name="Japan")],
    )
    stalin = PersonAuthorityFactory(uri="https://www.wikidata.org/entity/Q855").person
    DocumentPerson.objects.create(document=document, person=stalin, role="author", position=0)
    DocumentPerson.objects.create(
        document=document,
        person=PersonFactory(display_name="A | B\\C"),
        role="recipient",
        uncertain=True,
        position=1,
    )
    ProvenanceEvent.objects.create(document=document, event="held", agent="LoC", position=0)
    return document


def test_export_queryset_reads_a_fixed_number_of_queries(document, django_assert_num_queries):
    """The prefetch recipe keeps exporting to six queries however many people (no N+1)."""
    with django_assert_num_queries(6):
        rows = [interchange.document_row(d) for d in interchange.export_queryset(Document.objects)]
    assert rows[0]["people"][0] == {
        "role": "author",
        "name": stalin_name(document),
        "uri": "https://www.wikidata.org/entity/Q855",
        "uncertain": False,
    }
    assert rows[0]["collections"] == ["harriman-papers"] and rows[0]["subjects"] == ["Japan"]


def stalin_name(document):
    return document.person_links.get(role="author").person.display_name


@pytest.mark.parametrize("write", [interchange.write_csv, interchange.write_jsonl])
def test_rows_written_read_back_equal(document, write):
    """write_csv/write_jsonl then read_rows gives back the same rows, escapes included."""
    row = interchange.document_row(interchange.export_queryset(Document.objects).get())
    out = io.StringIO()
    write([row], out)
    file_format = "csv" if write is interchange.write_csv else "jsonl"
    ((number, read),) = interchange.read_rows(io.BytesIO(out.getvalue().encode()), file_format)
    assert number == 2 if file_format == "csv" else 1
    assert read == row
    if file_format == "csv":
        assert "recipient?: A \\| B\\\\C" in out.getvalue()


def test_split_cell_escapes():
    """ " | " separates; \\| is a literal pipe, \\\\ a backslash, other backslashes stay."""
    assert interchange.split_cell(r"a | b\|c | d\\ | e\f") == ["a", "b|c", "d\\", "e\\f"]


def test_text_file_with_bom_is_read_too():
    """A text-mode file (the BOM decoded as a character) reads as a binary one does."""
    text = io.StringIO("\ufeffsource_identifier,title\nt:1,One\n")
    assert list(interchange.read_rows(text, "csv")) == [
        (2, {"source_identifier": "t:1", "title": "One"})
    ]


def test_detect_format():
    """By extension unless told; an unknown extension asks for --format."""
    assert interchange.detect_format("a.CSV") == "csv"
    assert interchange.detect_format("a.jsonl") == "jsonl"
    assert interchange.detect_format("a.txt", "jsonl") == "jsonl"
    with pytest.raises(interchange.FormatError, match="--format"):
        interchange.detect_format("a.txt")


def test_corpus_frus_lines():
    """FRUS: no date is empty; no title fails later as required; 0201 for 1864 is a problem."""
    rows = corpus_rows("frus-records.jsonl")
    assert rows[1]["date_edtf"] == "" and rows[1]["title"] == "Schedule A."
    assert rows[2]["title"] == ""
    assert rows[3][interchange.PROBLEMS] == [
        (
            "date_edtf",
            "0201-06-05",
            "the date's year (201) is not the year written in date_text (1864)",
        )
    ]
    lansing = rows[5]
    assert lansing["people"][0]["uri"].startswith("https://history.state.gov/")
    assert lansing["rights"] == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert lansing["rights_note"].startswith("Public domain")
    assert lansing["language"] == "en" and lansing["transcript"]


def test_corpus_moritz_lines():
    """Moritz: open ranges, queried and bracketed names, bare GND numbers, long volume titles."""
    rows = corpus_rows("moritz-records.jsonl")
    assert rows[1]["date_edtf"] == "1533-01-06" and rows[1]["doc_type"] == "letter"
    assert rows[2]["date_edtf"] == "/1541-07-18~"
    assert rows[3]["date_edtf"] == "1541-09-26~/"
    assert rows[5][interchange.PROBLEMS] == [
        ("people", "[Dr. Georg von] Komerstadt]", "unbalanced bracket in the name")
    ]
    assert rows[5]["people"][0]["name"] == "Simon Pistoris"
    assert rows[6]["people"][0]["uri"] == "https://d-nb.info/gnd/1143733460"
    assert rows[7]["people"][0] == {
        "role": "author",
        "name": "Kf. Moritz",
        "uri": "http://d-nb.info/gnd/118584138",
        "uncertain": True,
    }
    assert rows[8]["date_edtf"] == "1553-05-12?/1553-05-13?"
    assert rows[8][interchange.PROBLEMS][0][2] == "unbalanced bracket"
    assert rows[9]["date_edtf"] == "1553-05?/1553-06?"
    assert rows[1]["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert all(len(row["collections"][0]) <= 255 for row in rows.values())
    assert rows[1]["collections"][0].startswith("Politische Korrespondenz")


def test_corpus_mapping_never_raises_on_odd_records():
    """Nulls, wrong types and missing keys give a row (with problems to report), not a crash."""
    line = json.dumps({"source_id": "x", "people": [{"name": "[A"}], "date_start": "0000"})
    ((_number, row),) = interchange.read_rows(io.StringIO(line), "jsonl", mapping="corpus")
    assert row["source_identifier"] == "x" and interchange.PROBLEMS in row
