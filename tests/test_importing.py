"""The import service: checking (prepare), writing (apply), undoing, through its public API."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog import dates, importing, interchange, search
from catalog.importing import RowError
from catalog.models import (
    Collection,
    Document,
    DocumentPerson,
    ImportBatch,
    ImportBatchItem,
    Person,
    RightsStatement,
)

from .factories import (
    CollectionFactory,
    DocumentFactory,
    PersonAuthorityFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "import_samples"


def csv_bytes(rows, *, bom=False):
    """A CSV file (bytes) with the columns the rows use, in the format's order."""
    columns = [c for c in interchange.COLUMNS if any(c in row for row in rows)]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode())


def jsonl_bytes(rows):
    return io.BytesIO("".join(json.dumps(row) + "\n" for row in rows).encode())


def plan_for(rows, *, file_format="csv", **options):
    data = csv_bytes(rows) if file_format == "csv" else jsonl_bytes(rows)
    return importing.prepare(data, file_name=f"test.{file_format}", **options)


def run(rows, **options):
    """prepare + apply, failing the test if the file has errors."""
    plan = plan_for(rows, **{k: v for k, v in options.items() if k in ("file_format", "update")})
    assert plan.errors == []
    return importing.apply(plan, **{k: v for k, v in options.items() if k in ("user",)})


def exported(source_identifier):
    document = interchange.export_queryset(Document.objects).get(
        source_identifier=source_identifier
    )
    return interchange.document_row(document)


ROW = {"source_identifier": "t:1", "title": "Letter one"}


# -- checking -------------------------------------------------------------------------------

RULES = [
    ({"source_identifier": ""}, "source_identifier", "", "required"),
    ({"title": ""}, "title", "", "required"),
    ({"title": "x" * 501}, "title", "x" * 501, "longer than 500 characters (501)"),
    ({"date_text": "y" * 256}, "date_text", "y" * 256, "longer than 255 characters (256)"),
    ({"doc_type": "poem"}, "doc_type", "poem", "not one of: "),
    ({"language": "english"}, "language", "english", "not one of: "),
    ({"status": "live"}, "status", "live", "not one of: "),
    ({"date_edtf": "2 Feb 1944"}, "date_edtf", "2 Feb 1944", "is not a date the catalogue"),
    ({"date_edtf": "1944-02-30"}, "date_edtf", "1944-02-30", "February 1944 has no day 30"),
    ({"date_edtf": "1945/1944"}, "date_edtf", "1945/1944", "ends before it begins"),
    ({"origin_url": "www.loc.gov"}, "origin_url", "www.loc.gov", "not a web address"),
    ({"rights": "Free for all"}, "rights", "Free for all", "unknown rights statement"),
    ({"record_id": "12a"}, "record_id", "12a", "a whole number from 1"),
    ({"published_at": "yesterday"}, "published_at", "yesterday", "write it as 2024-05-01T"),
    ({"original_uploaded": "1/3/2019"}, "original_uploaded", "1/3/2019", "write it as"),
    (
        {"embargo_until": "2031-13-01", "embargo_reason": "Donor"},
        "embargo_until",
        "2031-13-01",
        "write it as 2024-05-01",
    ),
    ({"embargo_until": "2031-01-01"}, "embargo_reason", "", "required when embargo_until"),
    (
        {"embargo_until": "2031-01-01", "embargo_reason": "r" * 256},
        "embargo_reason",
        "r" * 256,
        "longer than 255 characters",
    ),
    ({"people": "author Stalin"}, "people", "author Stalin", "write each person as"),
    ({"people": "writer: Stalin"}, "people", "writer: Stalin", "role not one of"),
    ({"people": "author: Stalin <Q855>"}, "people", "author: Stalin <Q855>", "not an authority"),
    (
        {"people": "author: Stalin | author: Stalin"},
        "people",
        "author: Stalin",
        "listed twice as author",
    ),
    ({"custody": "[{"}, "custody", "[{", "not a JSON array"),
    ({"custody": '[{"event": "lost"}]'}, "custody", "event=lost", "event not one of"),
    (
        {"custody": '[{"event": "held", "date_edtf": "soon"}]'},
        "custody",
        "soon",
        "is not a date the catalogue",
    ),
    ({"collections": "c" * 256}, "collections", "c" * 256, "longer than 255 characters"),
]


@pytest.mark.parametrize(("change", "column", "value", "reason"), RULES)
def test_each_rule_reports_row_column_value_and_reason(change, column, value, reason):
    """Every check names the row (CSV header = row 1), the column, the value and the reason."""
    plan = plan_for([{**ROW, "source_identifier": "t:0"}, {**ROW, **change}])
    assert not plan.is_valid
    (error,) = plan.errors
    assert (error.row, error.column, error.value) == (3, column, value)
    assert reason in error.reason
    assert plan.creates == ["t:0"]
    assert plan.skipped == 1


def test_duplicates_within_the_file_name_the_first_row():
    """A source identifier or record ID used twice is an error on the second, naming the first."""
    plan = plan_for(
        [
            {**ROW, "record_id": "7"},
            {**ROW, "record_id": "8"},
            {**ROW, "source_identifier": "t:2", "record_id": "7"},
        ]
    )
    assert plan.errors == [
        RowError(3, "source_identifier", "t:1", "also in row 2"),
        RowError(4, "record_id", "7", "also in row 2"),
    ]


def test_unknown_csv_column_and_missing_required_column_stop_the_whole_file():
    """A misspelt column is a file error on row 1, which even skip_invalid will not import."""
    plan = importing.prepare(
        io.BytesIO(b"source_identifier,titel\nt:1,Letter\n"), file_name="letters.csv"
    )
    assert plan.errors[0].row == 1 and "unknown columns: titel" in plan.file_error
    with pytest.raises(importing.ImportRefused):
        importing.apply(plan, skip_invalid=True)
    plan = importing.prepare(io.BytesIO(b"title\nLetter\n"), file_name="letters.csv")
    assert "no source_identifier column" in plan.file_error


def test_file_that_is_not_utf8_is_a_file_error():
    """Latin-1 bytes are reported with where they are, not a crash."""
    data = io.BytesIO("source_identifier,title\nt:1,Schönberg\n".encode("latin-1"))
    plan = importing.prepare(data, file_name="x.csv")
    assert "not UTF-8" in plan.file_error and not plan.is_valid


def test_invalid_json_line_is_a_row_error():
    """A broken line is reported with its line number; the other lines are checked."""
    data = io.BytesIO(b'{"source_identifier": "t:1", "title": "A"}\n{"title": \n')
    plan = importing.prepare(data, file_name="x.jsonl")
    assert [(e.row, e.reason[:14]) for e in plan.errors] == [(2, "not valid JSON")]
    assert plan.creates == ["t:1"]


@pytest.mark.parametrize("bom", [False, True])
def test_csv_with_or_without_bom(bom):
    """Spreadsheets write a BOM before the header; it is not part of the first column's name."""
    plan = importing.prepare(csv_bytes([ROW], bom=bom), file_name="x.csv")
    assert plan.errors == [] and plan.creates == ["t:1"]


def test_jsonl_with_bom_and_real_lists():
    """JSON Lines takes lists for people, collections, subjects and custody."""
    CollectionFactory(title="Harriman Papers", slug="harriman-papers")
    row = {
        **ROW,
        "people": [{"role": "author", "name": "A. Writer", "uncertain": True}],
        "collections": ["harriman-papers"],
        "subjects": ["Japan"],
        "custody": [{"event": "held", "agent": "Library of Congress"}],
    }
    data = io.BytesIO(b"\xef\xbb\xbf" + (json.dumps(row) + "\n").encode())
    plan = importing.prepare(data, file_name="x.jsonl")
    importing.apply(plan)
    exported_row = exported("t:1")
    assert exported_row["people"] == [
        {"role": "author", "name": "A. Writer", "uri": "", "uncertain": True}
    ]
    assert exported_row["collections"] == ["harriman-papers"]
    assert exported_row["custody"][0]["agent"] == "Library of Congress"


def test_prepare_writes_nothing():
    """Checking a file (a dry run) creates no document, person, collection or batch."""
    plan = plan_for([{**ROW, "people": "author: New Person", "collections": "New papers"}])
    assert plan.creates == ["t:1"]
    assert plan.new == {"people": ["New Person"], "collections": ["New papers"]}
    assert not Document.objects.exists() and not Person.objects.exists()
    assert not Collection.objects.exists() and not ImportBatch.objects.exists()


# -- people ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "http://d-nb.info/gnd/118584138",
        "https://d-nb.info/gnd/118584138/",
        "https://d-nb.info/gnd/118584138",
    ],
)
def test_person_found_by_authority_uri_however_written(written):
    """http or https, with or without a trailing slash: the same authority, the same person."""
    moritz = PersonAuthorityFactory(uri="https://d-nb.info/gnd/118584138").person
    run([{**ROW, "people": f"author: Hz. Moritz <{written}>"}])
    assert list(Document.objects.get().people.all()) == [moritz]


def test_person_found_by_alternate_name():
    """An exact alternate name (spaces aside) finds the person."""
    stalin = PersonFactory(display_name="Joseph Stalin", alternate_names="Iosif  Dzhugashvili")
    run([{**ROW, "people": "mentioned: Iosif Dzhugashvili"}])
    assert list(Document.objects.get().people.all()) == [stalin]


def test_two_people_with_the_name_is_ambiguous():
    """Two candidates is an error naming both; the importer never guesses."""
    PersonFactory(display_name="Hz. Georg", slug="georg-a")
    PersonFactory(display_name="Georg", alternate_names="Hz. Georg", slug="georg-b")
    plan = plan_for([{**ROW, "people": "author: Hz. Georg"}])
    (error,) = plan.errors
    assert error.column == "people"
    assert error.reason.startswith(
        "ambiguous: matches Georg (/people/georg-b/) and Hz. Georg (/people/georg-a/)"
    )


def test_new_person_is_created_once_for_many_rows():
    """A person new to the catalogue, named in two rows, becomes one person with the URI."""
    run(
        [
            {**ROW, "people": "author: Mr. Seward <http://d-nb.info/gnd/1>"},
            {"source_identifier": "t:2", "title": "Two", "people": "recipient: Mr. Seward"},
        ]
    )
    seward = Person.objects.get()
    assert seward.authorities.get().uri == "https://d-nb.info/gnd/1"
    assert seward.document_links.count() == 2
    assert seward.slug == "seward-mr" and seward.search_names


def test_unknown_authority_uri_makes_a_new_person_even_when_the_name_exists():
    """An authority URI identifies better than a name: a new URI is a new person."""
    PersonFactory(display_name="Hz. Heinrich")
    run([{**ROW, "people": "author: Hz. Heinrich <http://d-nb.info/gnd/2>"}])
    assert Person.objects.filter(display_name="Hz. Heinrich").count() == 2


# -- writing --------------------------------------------------------------------------------


def test_sample_csv_imports_every_column(editor):
    """The hand-written sample: people, repository, collections, subjects, rights, custody."""
    RightsStatement.objects.get(label="In Copyright")
    CollectionFactory(title="Harriman Papers")
    with (SAMPLES / "documents.csv").open("rb") as fileobj:
        plan = importing.prepare(fileobj, file_name="documents.csv")
        assert plan.errors == []
        batch = importing.apply(plan, user=editor, batch_name="Box 171")
    first = exported("test:harriman-1")
    assert first["people"] == [
        {
            "role": "author",
            "name": "W. Averell Harriman",
            "uri": "https://www.wikidata.org/entity/Q380900",
            "uncertain": False,
        },
        {"role": "recipient", "name": "Franklin D. Roosevelt", "uri": "", "uncertain": True},
    ]
    assert first["transcript"] == "Line one\nline two"
    assert first["subjects"] == ["Japan", "Soviet Union"]
    assert first["custody"][0]["place"] == "Moscow"
    assert first["original_uploaded"] == "2019-03-01"
    assert exported("test:harriman-2")["subjects"] == ["War | peace"]
    assert (batch.name, batch.created_by, batch.created_count, batch.rows) == (
        "Box 171",
        editor,
        2,
        2,
    )
    assert batch.items.filter(action="created").count() == 2
    assert Person.objects.filter(display_name="W. Averell Harriman").count() == 1


def test_dates_are_stored_as_the_model_would():
    """Bounds and flags equal catalog.dates.parse for every kind of EDTF value."""
    values = [
        "1944-02-02",
        "1944-02",
        "1944",
        "1944~",
        "1944-02?",
        "1541-07-18~/",
        "/1541-07",
        "1553-05?/1553-06?",
        "194X",
        "1944-21",
        "1944-02-02/1944-03-01",
        "1891-03/..",
        "",
    ]
    run([{**ROW, "source_identifier": f"d:{i}", "date_edtf": v} for i, v in enumerate(values)])
    for i, value in enumerate(values):
        document = Document.objects.get(source_identifier=f"d:{i}")
        info = dates.parse(value)
        stored = (
            document.date_earliest,
            document.date_latest,
            document.date_approximate,
            document.date_uncertain,
        )
        assert stored == (info.earliest, info.latest, info.approximate, info.uncertain), value


def test_record_ids_kept_when_free_and_new_ones_above_them():
    """A record ID in the file is kept unless taken; rows without one are numbered after."""
    DocumentFactory(record_id=5, source_identifier="other")
    run(
        [
            {**ROW, "record_id": "40"},
            {"source_identifier": "t:2", "title": "Two", "record_id": "5"},
            {"source_identifier": "t:3", "title": "Three"},
        ]
    )
    ids = dict(Document.objects.values_list("source_identifier", "record_id"))
    assert ids["t:1"] == 40 and ids["t:2"] not in (5, 40) and ids["t:3"] > 40


def test_imported_documents_are_searchable():
    """bulk writes send no signals, so the import reindexes what it wrote."""
    run([{**ROW, "title": "Telegram about Vladivostok", "people": "author: Robert Lansing"}])
    found = search.search(Document.objects.all(), "vladivostok lansing")
    assert [d.source_identifier for d in found] == ["t:1"]


def test_history_names_the_user_and_the_batch(archivist):
    """The history entries the import writes name who imported and which batch it was: the
    document as it was created, field for field, and its people links."""
    run([{**ROW, "people": "author: Ann Writer"}], user=archivist)
    document = Document.objects.get()
    batch = ImportBatch.objects.get()
    entry = document.history.get()
    assert entry.history_user == archivist
    assert entry.history_type == "+"
    assert entry.history_change_reason == f"import batch {batch.pk}: {batch.file_name}"
    assert (entry.title, entry.date_edtf, entry.record_id) == (
        document.title,
        document.date_edtf,
        document.record_id,
    )
    link = DocumentPerson.history.get()
    assert link.history_user == archivist
    assert link.history_change_reason == entry.history_change_reason


def test_publishing_rows_need_the_permission(archivist, editor):
    """Given a user who may not publish, a row that would publish is an error."""
    row = {**ROW, "status": "published"}
    plan = plan_for([row], user=archivist)
    assert plan.errors[0].column == "status" and "only editors" in plan.errors[0].reason
    with pytest.raises(importing.ImportRefused, match="only editors"):
        importing.apply(plan_for([row]), user=archivist)
    batch = importing.apply(plan_for([row], user=editor), user=editor)
    assert batch.created_count == 1
    assert Document.objects.get().published_at is not None


def test_skip_invalid_imports_the_rest():
    """skip_invalid writes the valid rows and counts the others as skipped."""
    plan = plan_for([ROW, {"source_identifier": "t:2", "title": ""}])
    with pytest.raises(importing.ImportRefused, match="1 errors"):
        importing.apply(plan)
    batch = importing.apply(plan, skip_invalid=True)
    assert (batch.created_count, batch.skipped_count) == (1, 1)
    assert list(Document.objects.values_list("source_identifier", flat=True)) == ["t:1"]


def test_reimporting_the_same_file_changes_nothing():
    """A second import of the same rows finds them all unchanged and writes nothing."""
    rows = [{**ROW, "people": "author: Ann Writer", "collections": "Papers", "subjects": "War"}]
    run(rows)
    before = exported("t:1")
    plan = plan_for(rows)
    assert (plan.unchanged, plan.creates, plan.updates, plan.errors) == (["t:1"], [], [], [])
    batch = importing.apply(plan)
    assert (batch.unchanged_count, batch.items.count()) == (1, 0)
    assert exported("t:1") == before
    assert Person.objects.count() == Collection.objects.count() == 1


def test_changed_row_needs_update():
    """A row differing from its existing document is an error unless update is asked for."""
    run([ROW])
    plan = plan_for([{**ROW, "title": "Letter one, revised"}])
    (error,) = plan.errors
    assert (error.column, error.value) == ("source_identifier", "t:1")
    assert "exists" in error.reason and "differs in title" in error.reason
    assert "use --update" in error.reason


def test_update_records_the_document_as_it_was():
    """An updated document's batch item keeps document_row() from before the update."""
    run([{**ROW, "people": "author: Ann Writer", "summary": "Old"}])
    before = exported("t:1")
    plan = plan_for([{**ROW, "summary": "New", "people": "recipient: Bo Reader"}], update=True)
    assert plan.updates == ["t:1"]
    batch = importing.apply(plan)
    item = batch.items.get()
    assert (item.action, item.before) == ("updated", before)
    after = exported("t:1")
    assert after["summary"] == "New" and after["people"][0]["name"] == "Bo Reader"


def test_columns_not_in_the_file_are_left_alone():
    """An update from a file without a column keeps what the document has there."""
    run([{**ROW, "summary": "Kept", "transcript": "Also kept"}])
    importing.apply(plan_for([{**ROW, "title": "New title"}], update=True))
    row = exported("t:1")
    assert (row["title"], row["summary"], row["transcript"]) == ("New title", "Kept", "Also kept")


def test_failure_part_way_leaves_the_database_as_it_was(monkeypatch):
    """An error while writing the third row rolls back the first two, and writes no batch."""
    monkeypatch.setattr(importing, "CHUNK_SIZE", 1)
    real = importing._new_document

    def fail_on_third(parsed, record_id, now):
        if parsed.number == 4:
            raise RuntimeError("disk full")
        return real(parsed, record_id, now)

    monkeypatch.setattr(importing, "_new_document", fail_on_third)
    rows = [
        {"source_identifier": f"t:{n}", "title": f"T{n}", "people": "author: A"} for n in range(4)
    ]
    plan = plan_for(rows)
    with pytest.raises(RuntimeError):
        importing.apply(plan)
    assert not Document.objects.exists() and not Person.objects.exists()
    assert not ImportBatch.objects.exists()


def test_database_changed_since_checking_refuses(monkeypatch):
    """A row that would now do something else than planned stops the import."""
    plan = plan_for([ROW])
    DocumentFactory(source_identifier="t:1", title="Someone else's")
    with pytest.raises(importing.ImportRefused, match="changed since the file was checked"):
        importing.apply(plan)
    assert not ImportBatch.objects.exists()


# -- undo -----------------------------------------------------------------------------------


def test_undo_restores_exactly(editor):
    """Undo deletes what the batch created and puts updated documents back as they were."""
    CollectionFactory(title="Old papers", slug="old-papers")
    run(
        [
            {
                **ROW,
                "summary": "Old",
                "people": "author: Ann Writer <https://d-nb.info/gnd/9> | mentioned?: Bo",
                "collections": "old-papers",
                "subjects": "War",
                "custody": '[{"event": "held", "agent": "LoC"}]',
                "status": "published",
            }
        ]
    )
    before = exported("t:1")
    plan = plan_for(
        [
            {
                **ROW,
                "summary": "New",
                "people": "recipient: Cy",
                "collections": "New papers",
                "subjects": "",
                "custody": "",
                "status": "draft",
            },
            {"source_identifier": "t:2", "title": "Brand new"},
        ],
        update=True,
    )
    batch = importing.apply(plan, user=editor)
    assert exported("t:1") != before
    importing.undo(batch, user=editor)
    assert exported("t:1") == before
    assert not Document.objects.filter(source_identifier="t:2").exists()
    batch.refresh_from_db()
    assert (batch.status, batch.undone_by) == ("undone", editor)
    assert batch.undone_at is not None
    with pytest.raises(importing.ImportRefused, match="undone already"):
        importing.undo(batch)


def test_imported_update_and_undo_reach_the_people_facet(client, editor):
    """The importer writes links in bulk; the list's people facet still counts them as they
    are after an import, an update and an undo."""

    def people():
        response = client.get("/documents/")
        facet = next((f for f in response.context["facets"] if f.name == "person"), None)
        return {value.label: value.count for value in facet.values} if facet else {}

    published = {**ROW, "status": "published", "people": "author: Ann Writer | mentioned: Bo"}
    importing.apply(plan_for([published], user=editor), user=editor)
    assert people() == {"Ann Writer": 1, "Bo": 1}

    changed = {**published, "people": "recipient: Cy"}
    batch = importing.apply(plan_for([changed], user=editor, update=True), user=editor)
    assert people() == {"Cy": 1}

    importing.undo(batch, user=editor)
    assert people() == {"Ann Writer": 1, "Bo": 1}


def test_undo_refuses_when_documents_changed_since_unless_forced():
    """Undo names the documents changed after the import; force undoes all the same."""
    batch = run([ROW])
    document = Document.objects.get()
    document.title = "Edited by hand"
    document.save()
    with pytest.raises(importing.ImportRefused, match=f"record {document.record_id}"):
        importing.undo(batch)
    assert Document.objects.exists()
    importing.undo(batch, force=True)
    assert not Document.objects.exists()


def test_errors_csv_lists_every_error():
    """errors_csv gives row, column, value and reason, one error a line."""
    errors = [RowError(2, "title", "", "required"), RowError(3, "people", "a|b", "odd")]
    lines = list(csv.reader(io.StringIO(importing.errors_csv(errors))))
    assert lines == [
        ["row", "column", "value", "reason"],
        ["2", "title", "", "required"],
        ["3", "people", "a|b", "odd"],
    ]


# -- the round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_export_reimported_into_an_empty_database_is_equal(file_format):
    """document_row → write → prepare/apply into an empty catalogue gives equal rows."""
    with (SAMPLES / "documents.csv").open("rb") as fileobj:
        importing.apply(importing.prepare(fileobj, file_name="documents.csv"))
    with (SAMPLES / "moritz-records.jsonl").open("rb") as fileobj:
        plan = importing.prepare(fileobj, file_name="m.jsonl", mapping="corpus")
        importing.apply(plan, skip_invalid=True)
    Document.objects.filter(source_identifier="test:harriman-2").update(
        status="published", published_at=timezone.now()
    )
    originals = [
        interchange.document_row(d)
        for d in interchange.export_queryset(Document.objects.order_by("record_id"))
    ]
    assert originals and any(row["people"] for row in originals)
    out = io.StringIO()
    (interchange.write_csv if file_format == "csv" else interchange.write_jsonl)(originals, out)
    for model in (ImportBatchItem, ImportBatch, DocumentPerson, Document, Person, Collection):
        model.objects.all().delete()
    data = io.BytesIO(out.getvalue().encode())
    plan = importing.prepare(data, file_name=f"export.{file_format}")
    assert plan.errors == []
    importing.apply(plan)
    again = [
        interchange.document_row(d)
        for d in interchange.export_queryset(Document.objects.order_by("record_id"))
    ]
    assert again == originals


def test_validation_error_messages_come_from_the_model():
    """The EDTF reasons are catalog.dates' own, so the admin and the importer agree."""
    with pytest.raises(ValidationError) as raised:
        dates.parse("1944-13")
    plan = plan_for([{**ROW, "date_edtf": "1944-13"}])
    assert plan.errors[0].reason == raised.value.messages[0]


def test_documents_without_source_identifier_match_by_record_id():
    """Admin-catalogued documents have no source identifier: their record ID is the key."""
    document = DocumentFactory(record_id=12, title="Seed telegram", source_identifier=None)
    row = exported_by_record(12)
    plan = plan_for([row], file_format="jsonl")
    assert (plan.errors, plan.unchanged) == ([], ["record 12"])
    importing.apply(plan_for([{**row, "summary": "Revised"}], file_format="jsonl", update=True))
    document.refresh_from_db()
    assert (document.summary, document.source_identifier) == ("Revised", None)
    plan = plan_for([{"record_id": "13", "title": "New"}, {"title": "No key"}])
    assert plan.creates == ["record 13"]
    assert [(e.row, e.column) for e in plan.errors] == [(3, "source_identifier")]
    importing.apply(plan, skip_invalid=True)
    assert Document.objects.get(record_id=13).source_identifier is None


def exported_by_record(record_id):
    document = interchange.export_queryset(Document.objects).get(record_id=record_id)
    return interchange.document_row(document)


# -- embargoes ------------------------------------------------------------------------------


def test_an_embargo_imported_with_its_reason_closes_the_record_until_the_day():
    """A published row with embargo_until keeps the record off the public site until that
    day, and the record opens on it; both columns come back in the full export."""
    until = timezone.localdate().replace(year=timezone.localdate().year + 5)
    run(
        [
            {
                **ROW,
                "status": "published",
                "embargo_until": until.isoformat(),
                "embargo_reason": "Closed at the donor's request",
            }
        ]
    )

    document = Document.objects.get(source_identifier="t:1")
    assert document.embargo_until == until
    assert document.embargo_reason == "Closed at the donor's request"
    assert document.is_embargoed()
    assert not Document.objects.published().filter(pk=document.pk).exists()
    assert document.published_at.date() == until  # online when the embargo lifts
    row = exported("t:1")
    assert (row["embargo_until"], row["embargo_reason"]) == (
        until.isoformat(),
        "Closed at the donor's request",
    )


def test_an_empty_embargo_cell_lifts_an_embargo_on_update():
    """Updating with an empty embargo_until opens a closed record (the exported row of an
    open record has empty embargo cells, so a round trip keeps it open)."""
    document = DocumentFactory(
        source_identifier="t:1",
        title="Letter one",
        embargo_until=timezone.localdate().replace(year=timezone.localdate().year + 5),
        embargo_reason="Donor",
    )

    run([{**ROW, "embargo_until": "", "embargo_reason": ""}], update=True)

    document.refresh_from_db()
    assert document.embargo_until is None
    assert document.embargo_reason == ""
