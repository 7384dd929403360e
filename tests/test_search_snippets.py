"""
Snippets of long texts (catalog/search.py, ``snippets``): the passage around a match deep in a
transcript, wherever the match falls, on both databases.  On PostgreSQL a snippet is cut from
one stored passage of the text rather than from the whole of it (migration 0014); the last
tests check those passages against the text they are cut from.
"""

import re

import pytest
from django.db import connection

from catalog.models import Document
from catalog.search import PASSAGE_TABLE, PostgreSQLBackend, search, snippets
from tests.factories import DocumentFactory, DocumentPersonFactory, PersonFactory

pytestmark = pytest.mark.django_db

FILLER = "The commission met again and discussed the boundary question at length without result. "
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the passages table is PostgreSQL's"
)


def text_with(*inserts, length=9000):
    """Filler text of about ``length`` characters with ``(offset, words)`` put in at offsets."""
    text = (FILLER * (length // len(FILLER) + 1))[:length]
    for offset, words in sorted(inserts, reverse=True):
        text = text[:offset] + " " + words + " " + text[offset:]
    return text


def snippet_of(document, text):
    found = list(search(Document.objects.published(), text))
    assert document in found, text
    return snippets(found, text)[document.pk]


def shown_text(html):
    """The snippet's words as they stand in the text: no marks, no ellipses."""
    return html.replace("<mark>", "").replace("</mark>", "").strip("… ")


def assert_whole_words_of(html, transcript):
    plain = shown_text(html)
    words = " ".join(transcript.split())
    assert re.search(rf"(?<!\w){re.escape(plain)}(?!\w)", words), (plain, transcript)


def test_a_match_deep_in_a_long_text_is_shown_with_the_words_around_it():
    transcript = text_with((4500, "The Zanzibarian consul protested at once."))
    document = DocumentFactory(title="Report", summary="", transcript=transcript)
    html = snippet_of(document, "zanzibarian")
    assert "<mark>Zanzibarian</mark>" in html
    assert html.startswith("… ") and html.endswith(" …")
    assert 15 <= len(shown_text(html).split()) <= 35
    assert_whole_words_of(html, transcript)


def test_a_match_at_the_end_or_the_start_of_a_long_text_is_not_cut_there():
    at_end = DocumentFactory(
        title="Report", transcript=text_with() + " Signed, Zanzibarian.", source_note=""
    )
    at_start = DocumentFactory(title="Report", transcript="Zanzibarian note. " + text_with())
    passages = snippets([at_end, at_start], "zanzibarian")
    assert passages[at_end.pk].startswith("… ")
    assert re.search(r"Signed, <mark>Zanzibarian</mark>\.?$", passages[at_end.pk])
    assert passages[at_start.pk].startswith("<mark>Zanzibarian</mark> note")
    assert passages[at_start.pk].endswith(" …")


@pytest.mark.parametrize("offset", [585, 596, 790, 797, 1385, 1396, 2395])
def test_a_phrase_is_found_and_marked_wherever_it_falls(offset):
    """Offsets around where PostgreSQL's passages start and end (every 600 characters, 800
    long): the phrase is marked whole, never cut by a passage's edge."""
    transcript = text_with((offset, "the Zanzibarian consul protested"))
    document = DocumentFactory(title="Report", transcript=transcript)
    html = snippet_of(document, '"zanzibarian consul protested"')
    assert "<mark>Zanzibarian consul protested</mark>" in re.sub(r"</mark> <mark>", " ", html)
    assert_whole_words_of(html, transcript)


def test_of_two_words_far_apart_one_is_shown_marked():
    """Neither passage holds both words: the snippet shows one of them, marked, not the
    text's unmarked opening."""
    transcript = text_with((1000, "Zanzibarian"), (7000, "Quuxley"))
    document = DocumentFactory(title="Report", summary="", transcript=transcript)
    html = snippet_of(document, "quuxley zanzibarian")
    assert re.search(r"<mark>(Zanzibarian|Quuxley)</mark>", html), html
    assert_whole_words_of(html, transcript)


def test_the_passage_with_every_word_is_preferred_to_one_with_some():
    transcript = text_with((300, "Zanzibarian"), (5000, "the Zanzibarian envoy met Quuxley"))
    document = DocumentFactory(title="Report", transcript=transcript)
    html = snippet_of(document, "quuxley zanzibarian")
    assert "<mark>Zanzibarian</mark> envoy met <mark>Quuxley</mark>" in html


@on_postgresql  # SQLite shows the first field with a match (see catalog.search)
def test_the_summary_with_every_word_is_preferred_to_a_passage_with_some():
    transcript = text_with((1000, "Zanzibarian"), (7000, "Quuxley"))
    document = DocumentFactory(
        title="Report", summary="Quuxley writes of the Zanzibarian claims.", transcript=transcript
    )
    html = snippet_of(document, "quuxley zanzibarian")
    assert html.startswith("<mark>Quuxley</mark> writes of the <mark>Zanzibarian</mark> claims")


def test_an_edited_text_is_snipped_as_it_now_reads():
    document = DocumentFactory(
        title="Report", transcript=text_with((6000, "The Zanzibarian consul protested."))
    )
    assert "<mark>Zanzibarian</mark> consul protested" in snippet_of(document, "zanzibarian")
    document.transcript = text_with((2000, "The Quuxley agent wrote."))
    document.save()
    assert "<mark>Quuxley</mark> agent wrote" in snippet_of(document, "quuxley")
    assert not list(search(Document.objects.published(), "zanzibarian"))


# -- the passages themselves (PostgreSQL) ---------------------------------------------------


def stored_passages(document):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT start, catalog_search_passage_text(d.transcript || E'\\n\\n' || "
            f"d.source_note, start, %s) FROM {PASSAGE_TABLE} "
            "JOIN catalog_document d ON d.id = document_id WHERE document_id = %s ORDER BY start",
            [PostgreSQLBackend.PASSAGE, document.pk],
        )
        return cursor.fetchall()


@on_postgresql
def test_the_passages_hold_every_word_of_the_text_whole():
    words = [f"{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}{'x' * (i % 9)}" for i in range(1500)]
    transcript = " ".join(words)
    document = DocumentFactory(transcript=transcript, source_note="Source note.")
    passages = stored_passages(document)
    body = transcript + "\n\n" + "Source note."
    step, length = PostgreSQLBackend.STEP, PostgreSQLBackend.PASSAGE
    assert [start for start, _ in passages] == list(range(0, len(body) - (length - step), step))
    held = set()
    for _, text in passages:
        assert len(text) <= length + 2  # a space on each side at most
        assert text.strip() and text.strip() in body
        held.update(text.split())
    assert held == set(body.split())


@on_postgresql
def test_a_short_text_has_no_passages_and_a_deleted_one_none_left():
    short = DocumentFactory(transcript="A short note about the Zanzibarian consul.")
    long = DocumentFactory(transcript=text_with())
    assert stored_passages(short) == []
    assert len(stored_passages(long)) == 15
    long_id = long.pk
    long.delete()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {PASSAGE_TABLE} WHERE document_id = %s", [long_id])
        assert cursor.fetchone() == (0,)


@on_postgresql
def test_a_change_of_people_keeps_the_passages_and_a_new_text_replaces_them():
    document = DocumentFactory(transcript=text_with((6000, "The Zanzibarian consul.")))
    before = stored_passages(document)
    DocumentPersonFactory(document=document, person=PersonFactory(display_name="Ada Quuxley"))
    assert stored_passages(document) == before
    assert "<mark>Zanzibarian</mark> consul" in snippet_of(document, "zanzibarian")
    assert "<mark>Quuxley</mark>" in snippet_of(document, "quuxley")
    document.transcript = text_with(length=3000)
    document.save()
    assert len(stored_passages(document)) == 5
