"""The fixtures: they load into an empty database, load twice without adding anything, carry
derived fields that agree with the code that derives them, and reproduce the seed record."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from catalog import dates
from catalog.authorities import normalize_authority_uri
from catalog.models import Collection, Document, DocumentPerson, PersonAuthority

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED = FIXTURES / "seed.json"
DEMO = FIXTURES / "demo.json"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"

pytestmark = pytest.mark.django_db


def load(*paths):
    call_command("loaddata", *[str(path) for path in paths], verbosity=0)


def catalogue_counts():
    """Row counts of every catalogue table, the many-to-many tables included."""
    counts = {}
    for model in apps.get_app_config("catalog").get_models():
        counts[model._meta.label] = model.objects.count()
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            counts[through._meta.label] = through.objects.count()
    return counts


@pytest.fixture
def demo(db):
    load(SEED, DEMO)


@pytest.mark.parametrize("path", [SEED, DEMO], ids=["seed", "demo"])
def test_fixture_uses_natural_keys_only(path):
    """No object carries a primary key, so the file loads into any database."""
    objects = json.loads(path.read_text(encoding="utf-8"))
    assert objects
    assert all("pk" not in obj for obj in objects)
    assert all("id" not in obj["fields"] for obj in objects)


def test_fixtures_load_into_an_empty_database():
    """seed.json and demo.json load into a database that holds no catalogue records."""
    assert Document.objects.count() == 0
    load(SEED, DEMO)
    demo_documents = sum(
        1 for obj in json.loads(DEMO.read_text()) if obj["model"] == "catalog.document"
    )
    assert 250 <= demo_documents <= 400
    assert Document.objects.count() == 1 + demo_documents
    assert Document.objects.filter(record_id__gte=1001).count() == demo_documents


@pytest.mark.parametrize("path", [SEED, DEMO], ids=["seed", "demo"])
def test_loading_a_fixture_twice_adds_nothing(path):
    """A second loaddata of the same file leaves every catalogue table's row count as it was."""
    load(path)
    first = catalogue_counts()
    load(path)
    assert catalogue_counts() == first


def test_demo_dates_agree_with_the_date_parser(demo):
    """Every demo document's stored bounds and certainty flags are what
    catalog.dates.parse() gives for its EDTF date (loaddata does not run save())."""
    documents = Document.objects.filter(record_id__gte=1001)
    assert documents.exists()
    for document in documents:
        info = dates.parse(document.date_edtf)
        assert (
            document.date_earliest,
            document.date_latest,
            document.date_approximate,
            document.date_uncertain,
        ) == (info.earliest, info.latest, info.approximate, info.uncertain), document.record_id
    # The messy records are kept on purpose.
    assert documents.filter(date_approximate=True).exists()
    assert documents.filter(date_uncertain=True).exists()
    assert documents.filter(date_edtf="").exists()
    dated = documents.exclude(date_edtf="")
    assert dated.filter(date_earliest__year__lte=1865).exists()
    assert dated.filter(date_earliest__year__gte=1930).exists()


def test_collection_tree_paths_are_correct(demo):
    """Each collection's tree_path is its parent's path plus its own slug and a slash, as
    Collection.save() would make it."""
    for collection in Collection.objects.select_related("parent"):
        parent_path = collection.parent.tree_path if collection.parent else ""
        assert collection.tree_path == f"{parent_path}{collection.slug}/"
    frus = Collection.objects.get(slug="frus")
    volumes = Collection.objects.filter(parent=frus)
    assert volumes.count() == 13
    assert Collection.objects.get(slug="frus1861").tree_path == "frus/frus1861/"


def test_demo_documents_sit_in_a_frus_volume_and_are_public(demo):
    """Every demo document is published, CC0, held by the Office of the Historian, in one
    FRUS volume, and has the two-step custody chain."""
    documents = (
        Document.objects.filter(record_id__gte=1001)
        .prefetch_related("collections", "custody_events")
        .select_related("repository", "rights")
    )
    for document in documents:
        assert document.is_published() and document.published_at is not None
        assert document.rights.uri == CC0
        assert document.rights_note.startswith("Public domain")
        assert document.repository.slug == "office-of-the-historian-us-department-of-state"
        assert document.source_identifier.startswith("frus:")
        [volume] = document.collections.all()
        assert volume.tree_path.startswith("frus/")
        events = [event.event for event in document.custody_events.all()]
        assert events == ["published_print", "published_online"]
        assert len(document.transcript) <= 20_200
    assert Document.objects.published().filter(record_id__gte=1001).count() == len(documents)


def test_demo_people_links_are_unique_and_authorities_normalised(demo):
    """A person has a role at most once per document, and stored authority URIs are in the
    normal form, so saving one through the admin would not change it."""
    links = DocumentPerson.objects.filter(document__record_id__gte=1001)
    assert links.count() > Document.objects.filter(record_id__gte=1001).count()
    keys = list(links.values_list("document_id", "person_id", "role"))
    assert len(keys) == len(set(keys))
    for authority in PersonAuthority.objects.all():
        assert authority.uri == normalize_authority_uri(authority.uri)


def test_demo_fixture_is_small():
    """demo.json stays under 3 MB, small enough to keep in the repository."""
    assert DEMO.stat().st_size < 3_000_000


def test_seed_telegram_reproduces_the_source_record(db):
    """The seed record carries the Wilson Center page's title, date, summary, transcript,
    people, source, archive and rights text word for word."""
    load(SEED)
    document = Document.objects.for_detail().get(record_id=1)
    assert document.title == "Telegram re Stalin Harriman Conversation on Japanese Troops"
    assert document.doc_type == "telegram"
    assert document.date_edtf == "1944-02-02"
    assert document.date_text == "February 2, 1944"
    assert document.date_display == "February 2, 1944"
    assert str(document.date_earliest) == str(document.date_latest) == "1944-02-02"
    assert document.summary == (
        "W. Averell Harriman and Joseph Stalin discuss Soviet intelligence about Japanese "
        "troop movements."
    )
    paragraphs = document.transcript.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith(
        "During a conversation with the Ambassador last evening Stalin volunteered the "
        "information that Soviet intelligence reports indicate that the Japanese may be "
        "preparing to withdraw from their outer line of defense running through Indonesia."
    )
    assert paragraphs[0].endswith(
        "He added that it should be checked but that he believed it was accurate."
    )
    assert paragraphs[1].startswith("The Ambassador inquired where the new line would run.")
    assert "the Shantung peninsula, Manchuria and around the Japanese islands" in paragraphs[1]
    assert paragraphs[2].endswith(
        "any comment on Stalin\u2019s remarks for transmission by the Ambassador to Stalin "
        "personally."
    )
    assert document.source_note == (
        "Container # 171, W. Averell Harriman Papers, Manuscript Division, Library of "
        "Congress, Washington, DC"
    )
    assert document.container == "Container # 171"
    assert document.repository.name == "Library of Congress, Manuscript Division"
    assert [c.title for c in document.collections.all()] == ["W. Averell Harriman Papers"]
    assert document.rights.uri == "http://rightsstatements.org/vocab/NoC-US/1.0/"
    assert document.rights.label == "No Copyright - United States"
    assert document.rights_note.startswith(
        "The History and Public Policy Program welcomes reuse of Digital Archive materials "
        "for research and educational purposes."
    )
    assert "please contact the History and Public Policy Program" in document.rights_note
    people = [(link.person.display_name, link.role) for link in document.person_links.all()]
    assert people == [("W. Averell Harriman", "author"), ("Joseph Stalin", "mentioned")]
    assert document.is_published()


def test_fixture_people_carry_their_folded_names():
    """Fixture rows are loaded raw, so they must carry the people finder's folded names."""
    from catalog.text import person_search_names

    for name in ("seed.json", "demo.json"):
        rows = json.loads((FIXTURES / name).read_text())
        for row in rows:
            if row["model"] == "catalog.person":
                fields = row["fields"]
                assert fields["search_names"] == person_search_names(
                    fields["display_name"], fields["sort_name"], fields["alternate_names"]
                )
