"""Model rules: derived dates, identifiers, authority URIs, constraints, the collection tree."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.authorities import normalize_authority_uri
from catalog.models import Collection, Document, PersonAuthority

from .factories import CollectionFactory, DocumentFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_saving_derives_indexed_dates_from_edtf():
    """The earliest/latest columns and certainty flags follow the EDTF date on every save."""
    document = DocumentFactory(date_edtf="1891-03/1892-04?")
    assert (document.date_earliest, document.date_latest) == (
        datetime.date(1891, 3, 1),
        datetime.date(1892, 4, 30),
    )
    assert document.date_uncertain and not document.date_approximate
    document.date_edtf = "1944~"
    document.save()
    document.refresh_from_db()
    assert document.date_earliest == datetime.date(1944, 1, 1)
    assert document.date_approximate


def test_record_ids_are_assigned_in_sequence_and_kept():
    """A new document gets the next record ID; saving again keeps it."""
    first = DocumentFactory()
    second = DocumentFactory()
    assert second.record_id == first.record_id + 1
    second.title = "Renamed"
    second.save()
    assert Document.objects.get(pk=second.pk).record_id == first.record_id + 1


def test_permalink_carries_record_id_and_title_slug():
    """get_absolute_url builds /documents/<record id>/<slug>/ without a query."""
    document = DocumentFactory(title="Telegram re Stalin Harriman Conversation")
    assert document.get_absolute_url() == (
        f"/documents/{document.record_id}/telegram-re-stalin-harriman-conversation/"
    )


def test_record_id_is_unique_in_the_database():
    """Two documents cannot share a record ID, even written around save()."""
    document = DocumentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.bulk_create([Document(record_id=document.record_id, title="Copy")])


def test_date_order_is_a_database_constraint():
    """A bulk write with earliest after latest is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.bulk_create(
            [
                Document(
                    record_id=999,
                    title="Backwards",
                    date_earliest=datetime.date(1945, 1, 1),
                    date_latest=datetime.date(1944, 1, 1),
                )
            ]
        )


def test_published_document_needs_a_publication_date():
    """A bulk write of a published document without published_at is refused."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.bulk_create(
            [Document(record_id=998, title="No date", status=Document.Status.PUBLISHED)]
        )


def test_publishing_sets_the_publication_date_once():
    """Saving as published stamps published_at; later saves keep the first stamp."""
    document = DocumentFactory(draft=True)
    assert document.published_at is None
    document.status = Document.Status.PUBLISHED
    document.save()
    stamp = document.published_at
    assert stamp is not None
    document.save()
    assert document.published_at == stamp


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("http://d-nb.info/gnd/118616595", "https://d-nb.info/gnd/118616595"),
        ("https://d-nb.info/gnd/118616595/", "https://d-nb.info/gnd/118616595"),
        (" HTTPS://D-NB.INFO/gnd/118616595 ", "https://d-nb.info/gnd/118616595"),
        ("http://viaf.org/viaf/101787139/", "https://viaf.org/viaf/101787139"),
        ("https://www.wikidata.org/wiki/Q855", "https://www.wikidata.org/entity/Q855"),
        ("http://wikidata.org/entity/q855", "https://www.wikidata.org/entity/Q855"),
        (
            "https://history.state.gov/historicaldocuments/frus1861/persons#p_LR1",
            "https://history.state.gov/historicaldocuments/frus1861/persons#p_LR1",
        ),
        (
            "http://id.loc.gov/authorities/names/n79007016.html",
            "https://id.loc.gov/authorities/names/n79007016",
        ),
    ],
)
def test_authority_uris_have_one_normal_form(written, normal):
    """Different spellings of the same authority URI normalise to one string."""
    assert normalize_authority_uri(written) == normal


def test_authority_uri_must_be_absolute():
    """A bare identifier is refused with a message showing a full URI."""
    with pytest.raises(ValidationError, match="d-nb.info/gnd"):
        normalize_authority_uri("118616595")


def test_same_authority_cannot_be_linked_to_two_people():
    """http:// and https://…/ spellings of one GND record collide on the unique column."""
    PersonAuthority.objects.create(person=PersonFactory(), uri="http://d-nb.info/gnd/118616595")
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonAuthority.objects.create(
            person=PersonFactory(), uri="https://d-nb.info/gnd/118616595/"
        )


def test_collection_tree_path_follows_parents():
    """A sub-collection's path starts with its parent's, and moves with it."""
    fonds = CollectionFactory(title="Harriman Papers")
    series = CollectionFactory(title="Correspondence", parent=fonds)
    assert series.tree_path == "harriman-papers/correspondence/"
    fonds.slug = "w-averell-harriman-papers"
    fonds.save()
    series.refresh_from_db()
    assert series.tree_path == "w-averell-harriman-papers/correspondence/"


def test_collection_cannot_sit_inside_itself():
    """clean() refuses a parent that is the collection's own descendant."""
    fonds = CollectionFactory()
    series = CollectionFactory(parent=fonds)
    fonds.parent = series
    with pytest.raises(ValidationError, match="inside itself"):
        fonds.full_clean()


def test_in_collection_includes_sub_collections():
    """Documents filed in a series are found from the fonds above it."""
    fonds = CollectionFactory()
    series = CollectionFactory(parent=fonds)
    inside = DocumentFactory(collections=[series])
    DocumentFactory()
    assert list(Document.objects.in_collection(fonds)) == [inside]


def test_people_and_collections_are_public_through_published_documents():
    """A person or collection only in drafts is not public; one in a published document is."""
    draft_only, public = PersonFactory(), PersonFactory()
    hidden, shown = CollectionFactory(), CollectionFactory()
    draft = DocumentFactory(draft=True, collections=[hidden])
    draft.person_links.create(person=draft_only, role="author")
    published = DocumentFactory(collections=[shown])
    published.person_links.create(person=public, role="author")
    from catalog.models import Person

    assert list(Person.objects.published()) == [public]
    assert list(Collection.objects.published()) == [shown]


def test_person_names_are_folded_for_the_people_finder():
    """Saving a person keeps every name folded to lower case without accents."""
    person = PersonFactory(
        display_name="Arnold Schönberg", alternate_names="Arnold SCHOENBERG\nŠenberg"
    )
    assert person.search_names.splitlines() == [
        "arnold schonberg",
        "schonberg, arnold",
        "arnold schoenberg",
        "senberg",
    ]
