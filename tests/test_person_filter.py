"""
The document list's person filter (``?person=``) after every way an archivist changes who a
document names: the admin's people inline (add, change, remove), merging people, and the
document's own dates and publication.

On PostgreSQL a person and a date range are found through each document's own array of
people (``person_ids``, migration 0013, indexed by 0015) rather than the link table, once
there are more results than the cap (``cap`` runs each test both ways), so these tests are
the proof that the array follows every change on the next request; a person alone, and
SQLite throughout, go through the links.
"""

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Document, DocumentPerson

from .factories import DocumentFactory, DocumentPersonFactory, PersonFactory
from .test_admin import changeform_data
from .test_merge_people import confirm

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["counted", "past the cap"], autouse=True)
def cap(request, settings):
    """
    Each test twice: with every result counted (on PostgreSQL the results within dates are
    then taken from the person's documents of every date, found through the links), and with
    more results than the cap, so that the page finds them itself (on PostgreSQL through
    the documents' arrays of people).
    """
    if request.param == "past the cap":
        settings.CATALOG_COUNT_CAP = settings.CATALOG_FACET_SAMPLE = 1
    return request.param


@pytest.fixture
def reader():
    """A member of the public (the staff client is signed in)."""
    return Client()


LIST_URL = reverse("catalog:document-list")


def listed(client, **params):
    """
    The titles the public list shows for ``params`` (read from the page's HTML, which may
    come from the page cache), and the filter form's error messages.
    """
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    titles = re.findall(r'<h3 id="doc-\d+"><a href="[^"]*">([^<]*)</a></h3>', html)
    summary = re.search(r'<div class="error-summary" role="alert">(.*?)</div>', html, re.S)
    errors = re.findall(r"<li>(.*?)</li>", summary.group(1), re.S) if summary else []
    return (
        [unescape(title) for title in titles],
        [unescape(re.sub(r"<[^>]+>", "", error)) for error in errors],
    )


def change_url(document):
    return reverse("admin:catalog_document_change", args=[document.pk])


def save_people(client, document, **changes):
    """The document's change form submitted as shown, with ``changes`` to its people inline."""
    response = client.get(change_url(document))
    assert response.status_code == 200
    response = client.post(change_url(document), changeform_data(response, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.fixture
def telegram():
    """A published telegram of 1944 naming nobody yet, and two people with other documents."""
    kennan = PersonFactory(display_name="George F. Kennan", slug="kennan-george")
    harriman = PersonFactory(display_name="W. Averell Harriman", slug="harriman-w-averell")
    for person in (kennan, harriman):
        DocumentPersonFactory(
            document=DocumentFactory(
                title=f"Memorandum by {person.display_name}", date_edtf="1951"
            ),
            person=person,
        )
    document = DocumentFactory(title="Telegram on Japanese troops", date_edtf="1944-02-02")
    return {"document": document, "kennan": kennan, "harriman": harriman}


def test_a_person_added_changed_and_removed_in_the_admin_is_followed_by_the_filter(
    editor_client, reader, telegram
):
    document, kennan, harriman = telegram["document"], telegram["kennan"], telegram["harriman"]
    assert document.title not in listed(reader, person="kennan-george")[0]

    save_people(
        editor_client,
        document,
        **{"person_links-0-person": kennan.pk, "person_links-0-role": "author"},
    )
    titles, errors = listed(reader, person="kennan-george", date_from="1940", date_to="1949")
    assert (titles, errors) == (["Telegram on Japanese troops"], [])
    assert document.title in listed(reader, person="kennan-george")[0]

    # The cataloguer corrects the author: the same link now names Harriman.
    link = DocumentPerson.objects.get(document=document)
    save_people(editor_client, document, **{"person_links-0-person": harriman.pk})
    assert DocumentPerson.objects.get(pk=link.pk).person == harriman
    assert document.title not in listed(reader, person="kennan-george")[0]
    assert document.title in listed(reader, person="harriman-w-averell")[0]

    save_people(editor_client, document, **{"person_links-0-DELETE": "on"})
    assert not DocumentPerson.objects.filter(document=document).exists()
    assert document.title not in listed(reader, person="harriman-w-averell")[0]
    assert listed(reader, person="harriman-w-averell", date_from="1940", date_to="1949")[0] == []


def test_merged_people_are_found_under_the_survivor(editor_client, reader, telegram):
    document, kennan, harriman = telegram["document"], telegram["kennan"], telegram["harriman"]
    DocumentPersonFactory(document=document, person=harriman, role="recipient")

    confirm(editor_client, kennan, kennan, harriman)

    assert sorted(listed(reader, person="kennan-george")[0]) == [
        "Memorandum by George F. Kennan",
        "Memorandum by W. Averell Harriman",
        "Telegram on Japanese troops",
    ]
    assert listed(reader, person="kennan-george", date_from="1940", date_to="1949") == (
        ["Telegram on Japanese troops"],
        [],
    )
    titles, errors = listed(reader, person="harriman-w-averell")
    assert (titles, errors) == ([], ["Person: No person with documents here has that address."])


def test_a_person_and_dates_show_only_the_public_documents_of_those_years(reader, db):
    """
    The person's documents are tested for their dates and the public gate on their own rows:
    a draft, an embargoed record and one of another decade are left out, and a document whose
    dates are corrected moves in and out of the range on the next request.
    """
    person = PersonFactory(slug="kennan-george")
    titles = {
        "Long Telegram": {"date_edtf": "1946-02-22"},
        "Draft of the X article": {"date_edtf": "1947", "draft": True},
        "Embargoed letter": {
            "date_edtf": "1948",
            "embargo_until": datetime.date.today() + datetime.timedelta(days=30),
        },
        "Reith Lectures": {"date_edtf": "1957"},
    }
    documents = {}
    for title, fields in titles.items():
        documents[title] = DocumentFactory(title=title, **fields)
        DocumentPersonFactory(document=documents[title], person=person)

    assert listed(reader, person="kennan-george", date_from="1940", date_to="1949") == (
        ["Long Telegram"],
        [],
    )

    lectures = documents["Reith Lectures"]
    lectures.date_edtf = "1947"
    lectures.save()
    found = listed(reader, person="kennan-george", date_from="1940", date_to="1949")[0]
    assert sorted(found) == ["Long Telegram", "Reith Lectures"]

    telegram = documents["Long Telegram"]
    telegram.status = Document.Status.DRAFT
    telegram.save()
    assert listed(reader, person="kennan-george", date_from="1940", date_to="1949")[0] == [
        "Reith Lectures"
    ]
