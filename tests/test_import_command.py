"""``manage.py import_documents``, through call_command."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Document, ImportBatch, ImportBatchItem

SAMPLES = Path(__file__).parent / "import_samples"
pytestmark = pytest.mark.django_db


def import_documents(*args):
    """Run the command; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_documents", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fileobj:
        writer = csv.DictWriter(fileobj, ["source_identifier", "title", "summary"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_imports_a_file_and_summarises(archivist):
    """A valid file is written as one batch under the user, with counts in the summary."""
    out, err = import_documents(
        SAMPLES / "documents.csv", "--user", "archivist", "--batch-name", "Box 171"
    )
    assert err == ""
    assert "2 rows in documents.csv (csv, mapping default)" in out
    assert "2 were created, 0 were updated, 0 unchanged" in out and "docs/s" in out
    batch = ImportBatch.objects.get()
    assert (batch.name, batch.created_by, batch.created_count) == ("Box 171", archivist, 2)


def test_dry_run_writes_nothing():
    """--dry-run checks and reports what would happen."""
    out, _err = import_documents(SAMPLES / "documents.csv", "--dry-run")
    assert "2 would be created" in out and "nothing was written" in out
    assert not Document.objects.exists() and not ImportBatch.objects.exists()


def test_errors_stop_the_import_and_are_listed(tmp_path):
    """Errors are printed as "row N, column C, value V: reason"; nothing is written."""
    path = write_csv(tmp_path / "x.csv", [{"source_identifier": "a", "title": ""}])
    with pytest.raises(CommandError, match="1 errors; nothing was written"):
        import_documents(path)
    assert not Document.objects.exists()


def test_error_lines_and_errors_csv(tmp_path):
    """The first 50 errors are shown, then a pointer to --errors-csv, which writes them all."""
    rows = [{"source_identifier": f"s{n}", "title": ""} for n in range(60)]
    path = write_csv(tmp_path / "x.csv", rows)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_documents", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == "row 2, column title, value “”: required"
    assert lines[50] == "and 10 more; --errors-csv PATH writes them all"
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError):
        import_documents(path, "--errors-csv", errors)
    assert len(errors.read_text(encoding="utf-8").splitlines()) == 61


def test_skip_invalid_imports_the_good_rows(tmp_path):
    """--skip-invalid writes the valid rows and counts the rest as skipped."""
    path = write_csv(
        tmp_path / "x.csv",
        [{"source_identifier": "a", "title": "A"}, {"source_identifier": "b", "title": ""}],
    )
    out, err = import_documents(path, "--skip-invalid")
    assert "1 were created" in out and "1 skipped, 1 errors" in out
    assert "row 3, column title" in err
    assert list(Document.objects.values_list("source_identifier", flat=True)) == ["a"]


def test_update_and_reimport(tmp_path):
    """A changed file needs --update; the same file again changes nothing."""
    path = write_csv(tmp_path / "x.csv", [{"source_identifier": "a", "title": "A"}])
    import_documents(path)
    out, _err = import_documents(path)
    assert "0 were created, 0 were updated, 1 unchanged" in out
    assert ImportBatch.objects.count() == 1  # nothing to write, no batch
    write_csv(path, [{"source_identifier": "a", "title": "A2", "summary": "S"}])
    with pytest.raises(CommandError):
        import_documents(path)
    out, _err = import_documents(path, "--update")
    assert "1 were updated" in out
    assert ImportBatchItem.objects.get(action="updated").before["title"] == "A"


def test_corpus_mapping_on_real_lines():
    """--mapping corpus reads the corpus's records; messy ones are reported, others imported."""
    out, err = import_documents(
        SAMPLES / "moritz-records.jsonl", "--mapping", "corpus", "--skip-invalid"
    )
    assert "9 rows" in out and "5 were created" in out
    assert "row 4, column people, value “author: Herr von Granvelle" in err
    assert "listed twice as author" in err
    assert "row 8, column date_text, value “[1553 Mai 12/13”: unbalanced bracket" in err
    out, err = import_documents(
        SAMPLES / "frus-records.jsonl", "--mapping", "corpus", "--skip-invalid"
    )
    assert "3 were created" in out and "row 2, column title" in err
    assert Document.objects.get(source_identifier="moritz:1/177").date_display == (
        "on or before circa July 18, 1541"
    )


def test_unknown_user_and_missing_file():
    """A mistyped username or path is a clear error."""
    with pytest.raises(CommandError, match="No user named"):
        import_documents(SAMPLES / "documents.csv", "--user", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        import_documents(SAMPLES / "missing.csv")


def test_help_has_examples(capsys):
    """--help lists the options with examples."""
    with pytest.raises(SystemExit):
        call_command("import_documents", "--help")
    text = capsys.readouterr().out
    assert "--skip-invalid" in text and "examples:" in text and "--mapping corpus" in text
