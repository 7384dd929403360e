"""manage.py generate_documents: benchmark data that is consistent with what save() would
have written, and nothing at all on a dry run."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from catalog import dates
from catalog.models import (
    Collection,
    Document,
    DocumentPerson,
    Person,
    ProvenanceEvent,
    Repository,
)

pytestmark = pytest.mark.django_db


def generate(count="200", *args, **options):
    out = StringIO()
    options = {"people": 60, "collections": 25, "seed": 7, "batch_size": 64, **options}
    call_command("generate_documents", count, *args, stdout=out, **options)
    return out.getvalue()


def test_creates_the_documents_asked_for():
    """generate_documents 200 adds 200 documents, their people and collections, and
    reports it."""
    output = generate()
    assert Document.objects.count() == 200
    assert Person.objects.count() == 60
    assert Collection.objects.count() == 25
    assert "Created 200 documents" in output


def test_derived_dates_agree_with_the_date_parser():
    """Each document's earliest/latest dates and certainty flags are what catalog.dates.parse
    gives for its EDTF value (bulk_create skips save()), within 1550–1950, with some
    approximate, uncertain and range dates."""
    generate()
    documents = list(Document.objects.all())
    for document in documents:
        info = dates.parse(document.date_edtf)
        assert (
            document.date_earliest,
            document.date_latest,
            document.date_approximate,
            document.date_uncertain,
        ) == (info.earliest, info.latest, info.approximate, info.uncertain)
        assert 1550 <= document.date_earliest.year <= document.date_latest.year <= 1954
    assert any(d.date_approximate for d in documents)
    assert any(d.date_uncertain for d in documents)
    assert any("/" in d.date_edtf for d in documents)


def test_every_document_has_people_with_roles_and_an_author():
    """Each document names one to four people, the first as author, each person at most once."""
    generate()
    per_document = Document.objects.annotate(
        n=Count("person_links"), named=Count("person_links__person", distinct=True)
    )
    for document in per_document:
        assert 1 <= document.n <= 4
        assert document.n == document.named
    authors = DocumentPerson.objects.filter(position=0)
    assert authors.count() == 200
    assert set(authors.values_list("role", flat=True)) == {"author"}
    roles = set(DocumentPerson.objects.values_list("role", flat=True))
    assert roles <= {choice for choice, _ in DocumentPerson.Role.choices}
    assert "recipient" in roles


def test_people_are_skewed():
    """A few people appear in many documents: the most named person is in far more documents
    than the median person."""
    generate("400", people=200)
    counts = sorted(Person.objects.annotate(n=Count("document_links")).values_list("n", flat=True))
    assert counts[-1] >= 4 * max(1, counts[len(counts) // 2])


def test_collections_form_three_levels_with_correct_paths():
    """Collections sit in three levels, each tree_path its parent's plus its own slug, and
    every document is filed in at least one of them."""
    generate()
    depths = set()
    for collection in Collection.objects.select_related("parent"):
        parent_path = collection.parent.tree_path if collection.parent else ""
        assert collection.tree_path == f"{parent_path}{collection.slug}/"
        depths.add(collection.tree_path.count("/"))
    assert depths == {1, 2, 3}
    assert not Document.objects.filter(collections__isnull=True).exists()
    assert Repository.objects.exists()


def test_mostly_published_with_some_drafts_and_a_custody_chain():
    """About 95% of documents are published (each with its publication date), the rest are
    drafts, and every document has a custody chain."""
    generate("400")
    published = Document.objects.published().count()
    assert 340 <= published < 400
    assert not Document.objects.published().filter(published_at__isnull=True).exists()
    assert not Document.objects.filter(custody_events__isnull=True).exists()


def test_record_ids_continue_after_the_highest(seed):
    """New record IDs follow the highest one already in the database."""
    generate("20")
    record_ids = sorted(Document.objects.exclude(pk=seed.pk).values_list("record_id", flat=True))
    assert record_ids == list(range(seed.record_id + 1, seed.record_id + 21))


def test_a_second_run_adds_more_without_clashing():
    """Running the command twice adds new documents, people and collections with fresh
    record IDs and slugs."""
    generate("50")
    generate("50")
    assert Document.objects.count() == 100
    assert Person.objects.count() == 120
    assert Collection.objects.count() == 50


def test_generated_documents_render_like_saved_ones():
    """A generated document saved through the model keeps its derived fields: the command
    wrote what save() would."""
    generate("30")
    for document in Document.objects.all()[:30]:
        before = (
            document.date_earliest,
            document.date_latest,
            document.date_approximate,
            document.date_uncertain,
        )
        document.save()
        document.refresh_from_db()
        assert before == (
            document.date_earliest,
            document.date_latest,
            document.date_approximate,
            document.date_uncertain,
        )


def test_dry_run_writes_nothing():
    """--dry-run reports what it would create and leaves every table as it was."""
    output = generate("200", dry_run=True)
    assert "Dry run" in output and "200 documents" in output
    for model in (Document, Person, Collection, Repository, DocumentPerson, ProvenanceEvent):
        assert not model.objects.exists(), model


def test_verbosity_zero_is_silent():
    """With --verbosity 0 the command prints nothing."""
    assert generate("10", verbosity=0) == ""


def test_rejects_a_negative_count():
    """A negative N is a command error, not a traceback."""
    with pytest.raises(CommandError):
        generate("-1")
