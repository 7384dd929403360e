"""
Full-text search (catalog/search.py), through its public functions, on whichever database the
suite runs against: the same tests pass on SQLite (FTS5) and on PostgreSQL (tsvector).

Most tests use ``tests/search_sample.json``: real documents from Foreign Relations of the
United States (public domain, CC0) and from the letter list of the Politische Korrespondenz
des Herzogs und Kurfürsten Moritz von Sachsen (CC BY 4.0, Sächsische Akademie der
Wissenschaften zu Leipzig), written by ``scripts/search_sample.py``, which says why each
document is there.  Documents are named by their source identifier.
"""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from catalog.models import Document, DocumentPerson, Person
from catalog.search import EmptyQuery, reindex, search, snippets
from tests.factories import DocumentFactory, DocumentPersonFactory, PersonFactory

pytestmark = pytest.mark.django_db

SAMPLE = "tests/search_sample.json"
SHANTUNG_TITLE = "frus:frus1901China/d8"
SHANTUNG_TEXT = {
    "frus:frus1901China/d5",
    "frus:frus1919Parisv01/d262",
    "frus:frus1901China/d147",
    "frus:frus1901China/d53",
    "frus:frus1901China/d49",
}
OPEN_DOOR_PHRASE = {
    "frus:frus1901China/d261",
    "frus:frus1919Parisv01/d23",
    "frus:frus1936v03/d503",
    "frus:frus1925v02/d194",  # in its summary: "the principle of the open door"
}
OPEN_DOOR_APART = {"frus:frus1894Nicaragua/d45", "frus:frus1925v02/d354"}
CHURCHILL_WITH_HERRICK = {
    "frus:frus1925v02/d122",
    "frus:frus1925v02/d123",
    "frus:frus1925v02/d125",
    "frus:frus1925v02/d126",
}
CHURCHILL_WITHOUT_HERRICK = {
    "frus:frus1919Parisv01/d171",
    "frus:frus1919Parisv01/d177",
    "frus:frus1919Parisv01/d186",
}
SCHONBERG = {"moritz:1/23", "moritz:1/79", "moritz:3/467", "moritz:3/473", "moritz:3/476"}

HOSTILE = [
    '"unbalanced quote',
    'stalin "',
    '"""',
    "-",
    "--",
    "- - -",
    "OR",
    "OR OR OR",
    "stalin OR",
    "OR stalin",
    "AND",
    "-stalin OR -churchill",
    "a & b | !c",
    "!!(stalin & japan)",
    "stalin:* & japan:A",
    "NEAR(stalin japan, 3)",
    "title:stalin",
    "stal*",
    "^stalin",
    "stalin NOT japan",
    '"stalin" AND "japan" OR "NOT"',
    "' OR 1=1; --",
    "'; DROP TABLE catalog_document; --",
    "\\",
    "%_%",
    "x" * 10_000,
    "stalin " * 2_000,
    '"' + "inner defense line " * 300 + '"',
    "stalin\x00japan",
    "\x00",
    "\ue000stalin\ue001",
    "😀",
    "stalin 😀 japan",
    "שלום עולם",
    "مرحبا بالعالم",
    "\u202estalin\u202c",
    "Иосиф Сталин",
    "中华人民共和国",
    "Scho\u0308nberg",
    "\u0301",
    "٣٤٥",
    "①②③",
    '-"inner defense" -stalin',
    "()[]{}<>",
    "<script>alert(1)</script>",
    "a" * 300 + " OR " + "b" * 300,
]


@pytest.fixture
def sample(db):
    """The sample documents, loaded as a fixture (raw saves), by source identifier."""
    call_command("loaddata", SAMPLE, verbosity=0)
    return {d.source_identifier: d for d in Document.objects.all()}


def found(text, queryset=None):
    """Source identifiers of the published documents matching ``text``, best first."""
    queryset = Document.objects.published() if queryset is None else queryset
    return [d.source_identifier for d in search(queryset, text)]


def index_rows():
    """How many rows the index table holds (a structure migration 0005 creates)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM catalog_search")
        return cursor.fetchone()[0]


def single_marks(html):
    """``<mark>a</mark> <mark>b</mark>`` as ``<mark>a b</mark>`` (PostgreSQL marks each word)."""
    return re.sub(r"</mark>(\s+)<mark>", r"\1", html)


# -- ranking and the query language -------------------------------------------------------


def test_title_match_outranks_transcript_only_matches(sample):
    """A document with the word in its title comes before those with it only in the text."""
    results = found("Shantung")
    assert results[0] == SHANTUNG_TITLE
    assert set(results) == {SHANTUNG_TITLE} | SHANTUNG_TEXT


def test_title_match_in_a_long_document_outranks_short_documents(sample):
    """Even a long despatch named after Schleinitz outranks short ones that merely name him."""
    results = found("schleinitz")
    assert results[0] == "frus:frus1861/d10"
    assert len(results) == 4


def test_results_are_ordered_by_rank_then_record_id(sample):
    """search_rank is a float, highest first; equal ranks fall back to the record ID."""
    results = list(search(Document.objects.published(), "churchill"))
    keys = [(-d.search_rank, d.record_id) for d in results]
    assert all(isinstance(d.search_rank, float) for d in results)
    assert keys == sorted(keys)


def test_words_are_all_required(sample):
    """Two words find only documents that hold both."""
    assert set(found("churchill herrick")) == CHURCHILL_WITH_HERRICK


def test_a_quoted_phrase_matches_the_words_in_order_only(sample):
    """ "open door" finds the phrase; the two words apart are found only without quotes."""
    assert set(found('"open door"')) == OPEN_DOOR_PHRASE
    assert set(found("open door")) >= OPEN_DOOR_PHRASE | OPEN_DOOR_APART


def test_or_finds_either_word(sample):
    """stalinski OR shantung finds the documents of each word."""
    either = set(found("stalinski OR shantung"))
    assert either == {"frus:frus1918Russiav03/d201", SHANTUNG_TITLE} | SHANTUNG_TEXT


def test_or_binds_tighter_than_the_words_around_it(sample):
    """shantung stalinski OR rockhill means shantung and one of the other two."""
    results = set(found("shantung stalinski OR rockhill"))
    assert "frus:frus1901China/d147" in results  # Rockhill's despatch naming Shantung
    assert "frus:frus1918Russiav03/d201" not in results  # Stalinski without Shantung
    assert results <= set(found("shantung"))


def test_a_minus_excludes_documents_with_the_word(sample):
    """churchill -herrick leaves out Ambassador Herrick's telegrams."""
    results = list(search(Document.objects.published(), "churchill -herrick"))
    assert {d.source_identifier for d in results} == CHURCHILL_WITHOUT_HERRICK
    assert all(d.search_rank > 0 for d in results)


def test_a_minus_excludes_a_quoted_phrase(sample):
    """open door -"open door" leaves the documents where the two words are apart."""
    assert set(found('open door -"open door"')) >= OPEN_DOOR_APART
    assert not set(found('open door -"open door"')) & OPEN_DOOR_PHRASE


def test_matching_ignores_case_and_stems_words_but_matches_whole_words(sample):
    """SHANTUNG finds what shantung finds, a plural the singular, but Stalin not Stalinski."""
    assert found("SHANTUNG") == found("shantung")
    assert set(found("telegrams")) == set(found("telegram"))
    assert found("stalinski") == ["frus:frus1918Russiav03/d201"]
    assert found("stalin") == []


# -- accents and names ----------------------------------------------------------------------


def test_a_search_without_accents_finds_accented_names(sample):
    """Schonberg finds the letters of Anton, Caspar and Wolf von Schönberg."""
    assert set(found("Schonberg")) == SCHONBERG
    assert set(found("schartlin")) == {"moritz:4/635a2"}  # Sebastian Schärtlin


def test_a_search_with_accents_finds_unaccented_spellings(sample):
    """Jörg finds the letters of "Jorg Oppenheimer"; Jorg finds those of Jörg von Malsburg."""
    assert "moritz:4/635a1" in found("Jörg")
    assert set(found("Jörg")) == set(found("Jorg"))
    assert set(found("Schönberg")) == SCHONBERG


def test_sharp_s_and_ss_are_the_same_letter(sample):
    """Droyssig finds Heinrich von Bünau auf Droyßig, and Droyßig finds "auf Droyssig"."""
    droyssig = set(found("Droyssig"))
    assert {"moritz:1/353", "moritz:1/547"} <= droyssig
    assert set(found("Droyßig")) == droyssig


def test_a_persons_name_finds_their_documents(sample):
    """Marlborough, General Churchill's first name, finds the papers he is named in."""
    results = set(found("marlborough"))
    assert "frus:frus1919Parisv01/d177" in results
    person = Person.objects.get(display_name="General Marlborough Churchill")
    assert results == {
        link.document.source_identifier for link in person.document_links.select_related("document")
    }


def test_an_alternate_name_finds_the_persons_documents(sample):
    """Numitor, a cover name of Moritz of Saxony found only among his alternate names, finds
    his letters."""
    moritz = Person.objects.get(display_name="Kf. Moritz")
    assert "Numitor" in moritz.alternate_names
    documents = {
        link.document.source_identifier for link in moritz.document_links.select_related("document")
    }
    assert set(found("numitor")) == documents
    assert all("numitor" not in (d.title + d.transcript).lower() for d in Document.objects.all())


def test_the_seed_telegram_is_found_by_stalin_and_its_phrase(seed):
    """stalin "inner defense line" finds the 1944 Harriman–Stalin telegram."""
    assert found('stalin "inner defense line"') == [seed.source_identifier]
    assert [d.pk for d in search(Document.objects.published(), 'stalin "inner defense line"')] == [
        seed.pk
    ]


def test_harriman_without_churchill_finds_the_seed_telegram(seed):
    """harriman -churchill keeps the telegram, which does not mention Churchill."""
    assert [d.pk for d in search(Document.objects.published(), "harriman -churchill")] == [seed.pk]


# -- what search() returns ------------------------------------------------------------------


def test_the_result_is_a_queryset_that_can_be_filtered_counted_grouped_and_sliced(sample):
    """Facets group the result and pages slice it, without losing the search."""
    results = search(Document.objects.published().for_list(), "Schonberg OR shantung")
    assert results.count() == len(SCHONBERG) + 1 + len(SHANTUNG_TEXT)
    assert results.filter(language="de").count() == len(SCHONBERG)
    grouped = {
        row["language"]: row["n"]
        for row in results.order_by().values("language").annotate(n=Count("pk"))
    }
    assert grouped["de"] == len(SCHONBERG)
    page = list(results[2:4])
    assert [d.pk for d in page] == [d.pk for d in list(results)[2:4]]
    assert results.filter(pk__in=Document.objects.filter(language="de")).exists()


def test_a_draft_is_never_found_through_the_public_gate(sample):
    """The index holds drafts, but searching published() never finds one."""
    DocumentFactory(draft=True, title="Zanzibarian treaty draft", transcript="Zanzibarian")
    assert found("zanzibarian") == []
    assert len(found("zanzibarian", Document.objects.all())) == 1


# -- snippets -------------------------------------------------------------------------------


def test_a_snippet_marks_the_matching_words(seed):
    """The telegram's snippet shows the phrase inside <mark>."""
    results = list(search(Document.objects.published(), '"inner defense line"'))
    html = snippets(results, '"inner defense line"')[seed.pk]
    assert "<mark>inner defense line</mark>" in single_marks(html)
    assert len(html.split()) < 60


def test_a_snippet_escapes_html_stored_in_the_transcript(db):
    """Markup in a transcript is shown as text or left out, never run: only <mark> tags."""
    document = DocumentFactory(
        title="Report",
        transcript="Shantung <script>alert('x')</script> & sons said 5 < 6 \ue000not\ue001 "
        '<img src=x onerror="alert(1)">',
    )
    html = snippets([document], "shantung")[document.pk]
    assert "<mark>Shantung</mark>" in html
    assert set(re.findall(r"<[^>]*>", html)) <= {"<mark>", "</mark>"}
    assert "&amp; sons" in html and "5 &lt; 6" in html
    assert html.count("<mark>") == html.count("</mark>") == 1


def test_a_snippet_falls_back_to_summary_names_then_title(db):
    """With no match in the transcript, the snippet comes from the people, then the title."""
    by_name = DocumentFactory(title="A letter", transcript="Nothing here.")
    DocumentPersonFactory(document=by_name, person=PersonFactory(display_name="Ada Quuxley"))
    by_title = DocumentFactory(title="The Quuxley report", summary="", transcript="")
    results = list(search(Document.objects.published(), "quuxley"))
    passages = snippets(results, "quuxley")
    assert "<mark>Quuxley</mark>" in passages[by_name.pk]
    assert passages[by_title.pk] == "The <mark>Quuxley</mark> report"


def test_snippets_for_a_page_take_one_query(sample, django_assert_num_queries):
    """A whole results page gets its snippets in one query, not one per row."""
    page = list(search(Document.objects.published().for_list(), "the OR an")[:25])
    assert len(page) == 25
    with django_assert_num_queries(1):
        passages = snippets(page, "the OR an")
    assert set(passages) == {d.pk for d in page}


def test_snippets_of_nothing_are_empty(sample):
    """No documents, or a text with nothing to search for, give no snippets."""
    assert snippets([], "stalin") == {}
    assert snippets(list(Document.objects.all()[:3]), "-") == {}


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type at least one word to search for."),
        ("   ", "Type at least one word to search for."),
        (
            "-churchill",
            "Type at least one word to search for; “-churchill” only says what to leave out.",
        ),
        (
            '-churchill -"inner line"',
            'Type at least one word to search for; “-churchill -"inner line"” only says what '
            "to leave out.",
        ),
        (
            "OR - !!",
            "Type at least one word to search for; “OR - !!” has only punctuation and search "
            "operators in it.",
        ),
    ],
)
def test_nothing_to_search_for_is_an_empty_query_with_a_message(db, text, message):
    """Only operators, punctuation or exclusions raise EmptyQuery with a sentence to show."""
    with pytest.raises(EmptyQuery) as raised:
        search(Document.objects.published(), text)
    assert str(raised.value) == message


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gives_results_or_an_empty_query(seed, text):
    """Database syntax, odd characters and huge input never reach the database as errors."""
    try:
        results = search(Document.objects.published(), text)
    except EmptyQuery as error:
        assert str(error).startswith("Type at least one word")
        return
    page = list(results[:25])
    assert results.count() >= len(page)
    snippets(page, text)


# -- keeping the index current ----------------------------------------------------------------


def test_a_changed_title_is_found_by_its_new_words_only(db):
    """Saving a document reindexes it: the old title word stops matching, the new one starts."""
    document = DocumentFactory(title="Memorandum on Tangerines")
    assert found("tangerines") == [document.source_identifier]
    document.title = "Memorandum on Kumquats"
    document.save()
    assert found("tangerines") == []
    assert [d.pk for d in search(Document.objects.published(), "kumquats")] == [document.pk]


def test_publishing_does_not_need_to_reindex(db):
    """A save limited to the status leaves the index as it was, and still right."""
    document = DocumentFactory(draft=True, title="Kumquat memorandum")
    document.status = Document.Status.PUBLISHED
    document.save(update_fields=["status", "published_at", "modified"])
    assert [d.pk for d in search(Document.objects.published(), "kumquat")] == [document.pk]


def test_a_renamed_person_is_found_under_the_new_name(db):
    """Renaming a person reindexes every document naming them."""
    link = DocumentPersonFactory(person=PersonFactory(display_name="Wilhelmina Quorp"))
    assert [d.pk for d in search(Document.objects.all(), "quorp")] == [link.document_id]
    person = link.person
    person.display_name = "Wilhelmina Zelk"
    person.alternate_names = "Mina Vantablack"
    person.save()
    assert [d.pk for d in search(Document.objects.all(), "zelk")] == [link.document_id]
    assert [d.pk for d in search(Document.objects.all(), "vantablack")] == [link.document_id]
    assert list(search(Document.objects.all(), "quorp")) == []


def test_adding_and_removing_a_person_updates_the_document(db):
    """Links saved, added through the relation or deleted all reach the index."""
    document = DocumentFactory()
    link = DocumentPersonFactory(document=document, person=PersonFactory(display_name="Ozymandias"))
    assert [d.pk for d in search(Document.objects.all(), "ozymandias")] == [document.pk]
    link.delete()
    assert list(search(Document.objects.all(), "ozymandias")) == []
    document.people.add(
        PersonFactory(display_name="Nebuchadnezzar"), through_defaults={"role": "mentioned"}
    )
    assert [d.pk for d in search(Document.objects.all(), "nebuchadnezzar")] == [document.pk]
    document.people.clear()
    assert list(search(Document.objects.all(), "nebuchadnezzar")) == []


def test_a_deleted_document_leaves_the_index(db):
    """Deleting a document removes its index row."""
    document = DocumentFactory(title="Ephemeral note")
    DocumentPersonFactory(document=document)
    before = index_rows()
    document.delete()
    assert index_rows() == before - 1
    assert list(search(Document.objects.all(), "ephemeral")) == []


def test_loaddata_indexes_every_document(db):
    """After loading the seed and demo fixtures every document is in the index and found."""
    call_command("loaddata", "fixtures/seed.json", "fixtures/demo.json", verbosity=0)
    assert index_rows() == Document.objects.count() > 300
    for document in Document.objects.exclude(title="[Untitled]")[::15]:
        word = max(re.findall(r"\w+", document.title), key=len)
        assert document in search(Document.objects.filter(pk=document.pk), word)
    for link in DocumentPerson.objects.select_related("person", "document")[::40]:
        word = max(re.findall(r"\w+", link.person.display_name), key=len)
        assert link.document in search(Document.objects.filter(pk=link.document_id), word)


def test_reindex_rebuilds_rows_in_bulk(sample):
    """reindex() of some documents, or of all, rewrites their rows and drops stale ones."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_search")
    assert found("shantung") == []
    assert reindex([sample[SHANTUNG_TITLE].pk]) == 1
    assert found("shantung") == [SHANTUNG_TITLE]
    assert reindex() == Document.objects.count() == index_rows()
    assert reindex([]) == 0


def test_rebuild_search_index_command_rebuilds_and_dry_run_writes_nothing(sample, capsys):
    """The command rebuilds the whole index; --dry-run reports and changes nothing."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_search")
    call_command("rebuild_search_index", "--dry-run")
    out = capsys.readouterr().out
    assert f"Would index {len(sample)} documents" in out and "not changed" in out
    assert index_rows() == 0
    call_command("rebuild_search_index")
    assert f"Indexed {len(sample)} documents" in capsys.readouterr().out
    assert index_rows() == len(sample)
    assert found("shantung")[0] == SHANTUNG_TITLE
    call_command("rebuild_search_index", verbosity=0)
    assert capsys.readouterr().out == ""


def test_generated_documents_are_indexed(db):
    """generate_documents leaves what it created searchable (bulk_create sends no signals)."""
    call_command("generate_documents", "30", people=20, collections=5, verbosity=0)
    assert index_rows() == Document.objects.count() == 30
    document = Document.objects.published().first()
    word = max(re.findall(r"\w+", document.title), key=len)
    assert document in search(Document.objects.published(), word)


@pytest.mark.django_db(transaction=True)
def test_flushing_the_database_empties_the_index():
    """flush (run after each transactional test) leaves no rows of vanished documents."""
    DocumentFactory(title="Transient memorandum")
    assert index_rows() == 1
    call_command("flush", interactive=False, verbosity=0)
    assert index_rows() == 0
