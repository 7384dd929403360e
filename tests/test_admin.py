"""The archivists' admin, driven through HTTP with the Django test client."""

import datetime
import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import search
from catalog.models import (
    Collection,
    Document,
    DocumentPerson,
    Person,
    PersonAuthority,
    ProvenanceEvent,
)

from .factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonAuthorityFactory,
    PersonFactory,
    ProvenanceEventFactory,
    RepositoryFactory,
    SubjectFactory,
    rights_statement,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:catalog_document_add")
CHANGELIST_URL = reverse("admin:catalog_document_changelist")

# The Document changelist's queries, whatever the number of rows: session, user, the user's
# own and group permissions (2), the collection, repository and rights filters' choices (3),
# the decade filter's years, the filtered and the full count (2), the page of rows with its
# repositories joined in, and the date hierarchy (2).  A list_display column that reached
# through a relation without list_select_related would add one query per row.
CHANGELIST_QUERIES = 13


def management_form(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def empty_inlines():
    """Management forms for a document add POST with no people and no custody events."""
    return {**management_form("person_links", 0), **management_form("custody_events", 0)}


def changeform_data(response, **changes):
    """
    The POST data an admin change form in ``response`` sends when submitted as it is shown
    (main form, every inline and its management form), updated with ``changes``.
    """
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if isinstance(bound.field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
                continue
            data[bound.html_name] = "" if value is None else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    data.update(changes)
    return data


def inline_formset(response, prefix):
    """The formset of the admin inline with ``prefix`` on a rendered change form."""
    [formset] = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == prefix
    ]
    return formset


@pytest.fixture
def telegram_links(db):
    """What the 1944 telegram links to, as an archivist would find it already catalogued."""
    library = RepositoryFactory(
        name="Library of Congress, Manuscript Division", place="Washington, DC"
    )
    return {
        "stalin": PersonFactory(display_name="Joseph Stalin", sort_name="Stalin, Joseph"),
        "harriman": PersonFactory(
            display_name="W. Averell Harriman", sort_name="Harriman, W. Averell"
        ),
        "library": library,
        "papers": CollectionFactory(title="W. Averell Harriman Papers", repository=library),
        "subject": SubjectFactory(name="World War, 1939-1945"),
        "rights": rights_statement("NoC-US"),
    }


def telegram_post(links, **changes):
    """The add form as an archivist fills it in for the 1944 Harriman–Stalin telegram."""
    data = {
        "source_identifier": "wilson-center-209844",
        "title": "Telegram re Stalin Harriman Conversation on Japanese Troops",
        "doc_type": "telegram",
        "language": "en",
        "date_edtf": "1944-02-02",
        "date_text": "February 2, 1944",
        "summary": "W. Averell Harriman and Joseph Stalin discuss Soviet intelligence about "
        "Japanese troop movements.",
        "transcript": "During a conversation with the Ambassador last evening Stalin "
        "volunteered the information that Soviet intelligence reports indicate that the "
        "Japanese may be preparing to withdraw from their outer line of defense.",
        "subjects": [links["subject"].pk],
        "repository": links["library"].pk,
        "collections": [links["papers"].pk],
        "container": "Container # 171",
        "source_note": "Container # 171, W. Averell Harriman Papers, Manuscript Division, "
        "Library of Congress, Washington, DC",
        "origin_url": "https://digitalarchive.wilsoncenter.org/document/209844",
        "rights": links["rights"].pk,
        "rights_note": "The Library of Congress is not aware of any copyright in the documents "
        "in this collection.",
        "original_uploaded": "2019-09-11",
        **management_form("person_links", 3),
        "person_links-0-person": links["harriman"].pk,
        "person_links-0-role": "author",
        "person_links-0-note": "Sends the telegram from Moscow.",
        "person_links-0-position": "",
        "person_links-1-person": links["stalin"].pk,
        "person_links-1-role": "mentioned",
        "person_links-1-position": "",
        "person_links-2-person": "",
        "person_links-2-role": "mentioned",
        "person_links-2-position": "",
        **management_form("custody_events", 3),
        "custody_events-0-event": "created",
        "custody_events-0-date_edtf": "1944-02-02",
        "custody_events-0-agent": "W. Averell Harriman",
        "custody_events-0-place": "Moscow",
        "custody_events-1-event": "held",
        "custody_events-1-agent": "Library of Congress, Manuscript Division",
        "custody_events-1-place": "Washington, DC",
        "custody_events-1-source": "Container # 171",
        "custody_events-2-event": "published_online",
        "custody_events-2-date_edtf": "2019-09-11",
        "custody_events-2-agent": "Wilson Center Digital Archive",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_archivist_catalogues_the_telegram_completely_through_the_add_form(
    archivist_client, telegram_links
):
    """An archivist's add form with two people and a custody chain saves one linked draft."""
    response = archivist_client.post(ADD_URL, telegram_post(telegram_links))

    assert response.status_code == 302, response.context["adminform"].form.errors
    document = Document.objects.get(source_identifier="wilson-center-209844")
    assert document.status == Document.Status.DRAFT
    assert document.published_at is None
    assert document.record_id is not None
    assert document.date_earliest == document.date_latest == datetime.date(1944, 2, 2)
    assert document.date_text == "February 2, 1944"
    assert document.transcript.startswith("During a conversation")
    assert document.repository == telegram_links["library"]
    assert list(document.collections.all()) == [telegram_links["papers"]]
    assert list(document.subjects.all()) == [telegram_links["subject"]]
    assert document.container == "Container # 171"
    assert document.rights == telegram_links["rights"]
    assert document.rights_note.startswith("The Library of Congress")
    assert document.original_uploaded == datetime.date(2019, 9, 11)
    assert [
        (link.person.display_name, link.role, link.position, link.note)
        for link in document.person_links.select_related("person")
    ] == [
        ("W. Averell Harriman", "author", 0, "Sends the telegram from Moscow."),
        ("Joseph Stalin", "mentioned", 1, ""),
    ]
    assert [
        (event.position, event.event, event.date_edtf, event.agent)
        for event in document.custody_events.all()
    ] == [
        (0, "created", "1944-02-02", "W. Averell Harriman"),
        (1, "held", "", "Library of Congress, Manuscript Division"),
        (2, "published_online", "2019-09-11", "Wilson Center Digital Archive"),
    ]


def test_editor_publishes_the_archivists_telegram_with_the_action(
    client, archivist, editor, telegram_links
):
    """An editor's confirmed publish action makes the archivist's draft public and dates it."""
    client.force_login(archivist)
    client.post(ADD_URL, telegram_post(telegram_links))
    document = Document.objects.get(source_identifier="wilson-center-209844")
    assert document.status == Document.Status.DRAFT
    client.force_login(editor)

    response = client.post(
        CHANGELIST_URL,
        {"action": "publish_selected", "_selected_action": [document.pk], "post": "yes"},
        follow=True,
    )

    document.refresh_from_db()
    assert document.is_published()
    assert document.published_at is not None
    assert "Published 1 document." in response.text


def test_editor_unpublishes_with_the_action(editor_client):
    """The confirmed unpublish action returns a published document to draft."""
    document = DocumentFactory()

    editor_client.post(
        CHANGELIST_URL,
        {"action": "unpublish_selected", "_selected_action": [document.pk], "post": "yes"},
    )

    document.refresh_from_db()
    assert document.status == Document.Status.DRAFT


def test_document_form_shows_fieldsets_with_inlines_in_place(archivist_client):
    """The form shows people after Content and the custody chain after Provenance."""
    response = archivist_client.get(ADD_URL)

    headings = [
        " ".join(heading.split())
        for heading in re.findall(r"<h2[^>]*>(.*?)</h2>", response.text, flags=re.S)
    ]
    assert headings == [
        "Identification",
        "Date",
        "Content",
        "People in the document",
        "Provenance",
        "Custody chain",
        "Rights",
        "Publication",
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1944-13-02", "there is no month 13"),
        ("1944-02-30", "February 1944 has no day 30"),
        ("2 February 1944", "not as words or day/month/year"),
        ("1892-04/1891-03", "ends before it begins"),
    ],
)
def test_invalid_document_date_is_a_field_error_with_an_example(archivist_client, value, reason):
    """An unreadable EDTF date is one error on the date field that says why and shows how."""
    response = archivist_client.post(
        ADD_URL, {"title": "A letter", "doc_type": "letter", "date_edtf": value, **empty_inlines()}
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    [message] = form.errors["date_edtf"]
    assert reason in message
    assert "1944-02-02" in message or "1891-03/1892-04" in message
    assert not form.non_field_errors()
    assert not Document.objects.exists()


def test_invalid_custody_event_date_is_an_inline_field_error(archivist_client):
    """A custody event with an unreadable date shows the reason on that row's date field."""
    data = {
        "title": "A letter",
        "doc_type": "letter",
        **management_form("person_links", 0),
        **management_form("custody_events", 1),
        "custody_events-0-event": "held",
        "custody_events-0-date_edtf": "1944-14",
    }

    response = archivist_client.post(ADD_URL, data)

    assert response.status_code == 200
    custody = inline_formset(response, "custody_events")
    [message] = custody.forms[0].errors["date_edtf"]
    assert "there is no month 14" in message
    assert "Valid examples" in message
    assert not Document.objects.exists()


@pytest.mark.parametrize("field", ["birth_date", "death_date"])
def test_invalid_life_date_is_a_field_error(archivist_client, field):
    """A person's unreadable birth or death date is an error on that field with examples."""
    data = {
        "display_name": "Joseph Stalin",
        field: "18 December 1878",
        **management_form("authorities", 0),
    }

    response = archivist_client.post(reverse("admin:catalog_person_add"), data)

    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors[field]
    assert "not as words" in message
    assert "Valid examples" in message
    assert not Person.objects.exists()


def test_change_form_shows_how_the_date_reads(archivist_client):
    """The Date fieldset shows the EDTF date in words and its indexed bounds."""
    document = DocumentFactory(date_edtf="1891-03/1892-04")

    response = archivist_client.get(reverse("admin:catalog_document_change", args=[document.pk]))

    assert "between March 1891 and April 1892" in response.text
    assert "1891-03-01" in response.text
    assert "1892-04-30" in response.text


def test_view_on_site_links_a_draft_to_its_permalink(archivist_client):
    """A draft's change page offers "View on site" at the document's permalink."""
    document = DocumentFactory(draft=True, title="Draft telegram")

    response = archivist_client.get(reverse("admin:catalog_document_change", args=[document.pk]))

    assert response.context["absolute_url"] == document.get_absolute_url()
    assert f'href="{document.get_absolute_url()}"' in response.text


def test_search_finds_a_document_by_a_persons_name(archivist_client):
    """Searching the document list for a name finds the documents that person is in."""
    stalin = PersonFactory(
        display_name="Joseph Stalin", alternate_names="Iosif Vissarionovich Dzhugashvili"
    )
    telegram = DocumentFactory(title="Telegram on Japanese troops")
    DocumentPersonFactory(document=telegram, person=stalin, role="mentioned")
    DocumentPersonFactory(document=telegram, person=stalin, role="signatory")
    DocumentFactory(title="Letter on something else")

    by_name = archivist_client.get(CHANGELIST_URL, {"q": "Stalin"})
    by_alternate = archivist_client.get(CHANGELIST_URL, {"q": "Dzhugashvili"})

    assert list(by_name.context["cl"].result_list) == [telegram]
    assert list(by_alternate.context["cl"].result_list) == [telegram]


def test_people_inline_autocompletes_a_person_by_alternate_name(archivist_client):
    """The people inline's person box finds a person by an alternate spelling."""
    stalin = PersonFactory(
        display_name="Joseph Stalin", alternate_names="Iosif Vissarionovich Dzhugashvili"
    )
    PersonFactory(display_name="W. Averell Harriman")

    response = archivist_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "catalog",
            "model_name": "documentperson",
            "field_name": "person",
            "term": "Dzhugashvili",
        },
    )

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(stalin.pk), "text": "Joseph Stalin"}]


def test_search_finds_a_document_by_exact_record_id(archivist_client):
    """A record ID finds exactly that document, and not others whose IDs contain its digits."""
    documents = [
        DocumentFactory(record_id=record_id, title="Telegram", summary="")
        for record_id in (7, 17, 70)
    ]

    response = archivist_client.get(CHANGELIST_URL, {"q": "7"})

    assert list(response.context["cl"].result_list) == [documents[0]]


def test_search_finds_word_forms_in_transcripts_and_drafts(archivist_client):
    """The list is searched through the full-text index: any form of a word, in the
    transcript too, drafts included; unrelated documents stay out."""
    draft = DocumentFactory(
        draft=True, title="Despatch", summary="", transcript="The telegrams were delayed."
    )
    published = DocumentFactory(title="Telegram on troops", summary="")
    DocumentFactory(title="Letter on something else", summary="", transcript="Nothing here.")

    response = archivist_client.get(CHANGELIST_URL, {"q": "telegram"})

    assert set(response.context["cl"].result_list) == {draft, published}


@pytest.mark.parametrize("broad", [0, 1000], ids=["walk-the-list", "ids-from-the-index"])
def test_search_finds_the_same_documents_by_either_plan(archivist_client, monkeypatch, broad):
    """PostgreSQL reads a broad search by testing each document in list order and a narrow
    one from the index: the same documents either way, in the list's order."""
    monkeypatch.setattr(search.PostgreSQLBackend, "BROAD", broad)
    found = [
        DocumentFactory(title=f"Treaty draft {n}", date_edtf=f"19{n}0", summary="")
        for n in range(3, 0, -1)
    ]
    DocumentFactory(title="Letter on something else", summary="", transcript="")

    response = archivist_client.get(CHANGELIST_URL, {"q": "treaties"})

    assert list(response.context["cl"].result_list) == found[::-1]


def test_search_with_nothing_to_search_for_lists_nothing_and_says_why(archivist_client):
    """Only punctuation: an empty list and the reason, not every document or an error."""
    DocumentFactory(title="Telegram")

    response = archivist_client.get(CHANGELIST_URL, {"q": "&&& !!"}, follow=True)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert "type at least one word to search for" in response.text.lower()


@pytest.mark.parametrize("term", ["99999999999999999999999", "²", "-7", "7 OR"])
def test_search_for_odd_numbers_answers_200(archivist_client, term):
    """Numbers too big for a record ID, digits that are not ASCII: a list, not a 500."""
    DocumentFactory(record_id=7, title="Telegram")

    response = archivist_client.get(CHANGELIST_URL, {"q": term})

    assert response.status_code == 200


def test_decade_filter_lists_decades_and_filters_by_earliest_date(archivist_client):
    """The decade filter offers the decades in use and keeps the documents that start in one."""
    forties = DocumentFactory(date_edtf="1944-02-02")
    straddling = DocumentFactory(date_edtf="1939-12/1940-01")
    nineties = DocumentFactory(date_edtf="1891-03/1892-04")
    undated = DocumentFactory(date_edtf="")
    DocumentFactory(date_edtf="../1944")  # open start: in no decade

    listing = archivist_client.get(CHANGELIST_URL)
    forties_page = archivist_client.get(CHANGELIST_URL, {"decade": "1940"})
    thirties_page = archivist_client.get(CHANGELIST_URL, {"decade": "1930"})
    undated_page = archivist_client.get(CHANGELIST_URL, {"decade": "undated"})

    assert "1880s" not in listing.text
    assert ">0s</a>" not in listing.text
    for label in ("1890s", "1930s", "1940s", "Undated"):
        assert f">{label}</a>" in listing.text
    assert set(forties_page.context["cl"].result_list) == {forties}
    assert set(thirties_page.context["cl"].result_list) == {straddling}
    assert set(undated_page.context["cl"].result_list) == {undated}
    assert nineties not in forties_page.context["cl"].result_list


def test_decade_filter_ignores_nonsense(archivist_client):
    """A decade value that is not a decade leaves the list unfiltered rather than failing."""
    DocumentFactory()

    for value in ("abc", "99999999999999999999", "-1940"):
        response = archivist_client.get(CHANGELIST_URL, {"decade": value})
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        ("document", DocumentFactory),
        ("person", PersonFactory),
        ("personauthority", None),
        ("collection", CollectionFactory),
        ("repository", RepositoryFactory),
        ("subject", SubjectFactory),
        ("rightsstatement", None),
    ],
)
def test_changelist_add_and_change_pages_load_for_each_model(admin_client, model, factory):
    """A superuser can open every registered model's list, add form and change form."""
    from django.contrib import admin

    from catalog import models

    model_class = {m._meta.model_name: m for m in vars(models).values() if hasattr(m, "_meta")}[
        model
    ]
    if model_class not in admin.site._registry:
        assert model == "personauthority"  # edited inline on the person, not on its own
        return
    instance = factory() if factory else model_class.objects.first()

    for url in (
        reverse(f"admin:catalog_{model}_changelist"),
        reverse(f"admin:catalog_{model}_add"),
        reverse(f"admin:catalog_{model}_change", args=[instance.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_document_changelist_query_count_does_not_grow_with_rows(
    archivist_client, django_assert_max_num_queries
):
    """
    The document list runs a fixed number of queries for 1 or 60 rows: the repository column
    is joined in (list_select_related), not fetched per row.
    """
    library = RepositoryFactory()
    papers = CollectionFactory(repository=library)
    DocumentFactory(repository=library, collections=[papers])
    with django_assert_max_num_queries(CHANGELIST_QUERIES):
        assert archivist_client.get(CHANGELIST_URL).status_code == 200

    for year in range(1900, 1960):
        document = DocumentFactory(
            date_edtf=str(year), repository=RepositoryFactory(), collections=[papers]
        )
        DocumentPersonFactory(document=document)
    with django_assert_max_num_queries(CHANGELIST_QUERIES):
        response = archivist_client.get(CHANGELIST_URL)
    assert len(response.context["cl"].result_list) == 50


def test_document_changelist_has_the_archivists_columns(archivist_client):
    """The list shows title, date in words, status, repository and last change."""
    DocumentFactory(title="Telegram re Japanese troops", date_edtf="1944-02-02", draft=True)

    response = archivist_client.get(CHANGELIST_URL)

    head = re.search(r"<thead>(.*?)</thead>", response.text, flags=re.S)[1]
    headers = [
        " ".join(header.split())
        for header in re.findall(r'<div class="text">\s*(?:<a [^>]*>)?(.*?)<', head, re.S)
    ]
    # The first column holds the checkboxes of the bulk actions, which archivists may use.
    assert headers == ["", "Title", "Date", "Status", "Repository", "Modified"]
    assert "February 2, 1944" in response.text
    assert "Draft" in response.text


def test_custody_chain_rows_can_swap_positions(archivist_client):
    """Swapping two custody events' positions saves, rather than tripping the unique order."""
    document = DocumentFactory()
    created = ProvenanceEventFactory(document=document, position=0, event="created")
    held = ProvenanceEventFactory(document=document, position=1, event="held")
    url = reverse("admin:catalog_document_change", args=[document.pk])
    page = archivist_client.get(url)
    data = changeform_data(page, _save="Save")
    rows = {data[f"custody_events-{i}-id"]: i for i in range(2)}
    data[f"custody_events-{rows[created.pk]}-position"] = "1"
    data[f"custody_events-{rows[held.pk]}-position"] = "0"

    response = archivist_client.post(url, data)

    assert response.status_code == 302
    assert [event.event for event in document.custody_events.all()] == ["held", "created"]


def test_custody_events_may_not_share_a_position(archivist_client):
    """Two custody events given the same position are a form error, not a database error."""
    data = {
        "title": "A letter",
        "doc_type": "letter",
        **management_form("person_links", 0),
        **management_form("custody_events", 2),
        "custody_events-0-event": "created",
        "custody_events-0-position": "3",
        "custody_events-1-event": "held",
        "custody_events-1-position": "3",
    }

    response = archivist_client.post(ADD_URL, data)

    assert response.status_code == 200
    custody = inline_formset(response, "custody_events")
    assert "already has position 3" in custody.forms[1].errors["position"][0]
    assert not ProvenanceEvent.objects.exists()


def test_new_custody_event_without_position_goes_last(archivist_client):
    """An event added to an existing chain with no position is put after the others."""
    document = DocumentFactory()
    ProvenanceEventFactory(document=document, position=4, event="held")
    url = reverse("admin:catalog_document_change", args=[document.pk])
    data = changeform_data(archivist_client.get(url), _save="Save")
    data.update({"custody_events-1-event": "digitised", "custody_events-1-agent": "LoC"})

    response = archivist_client.post(url, data)

    assert response.status_code == 302
    assert [(e.position, e.event) for e in document.custody_events.all()] == [
        (4, "held"),
        (5, "digitised"),
    ]


def test_the_same_person_twice_in_the_same_role_is_a_form_error(archivist_client):
    """Naming one person twice in one role is reported on the form, not as a server error."""
    stalin = PersonFactory(display_name="Joseph Stalin")
    data = {
        "title": "A letter",
        "doc_type": "letter",
        **management_form("person_links", 2),
        "person_links-0-person": stalin.pk,
        "person_links-0-role": "author",
        "person_links-1-person": stalin.pk,
        "person_links-1-role": "author",
        **management_form("custody_events", 0),
    }

    response = archivist_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert not Document.objects.exists()
    assert not DocumentPerson.objects.exists()


# People -------------------------------------------------------------------------------------


def person_post(display_name, *uris, **fields):
    data = {
        "display_name": display_name,
        **fields,
        **management_form("authorities", len(uris)),
    }
    for index, uri in enumerate(uris):
        data[f"authorities-{index}-uri"] = uri
    return data


def test_authority_uri_is_stored_in_normal_form(archivist_client):
    """An authority URI pasted in any common spelling is saved in its one normal form."""
    response = archivist_client.post(
        reverse("admin:catalog_person_add"),
        person_post("Joseph Stalin", "http://www.wikidata.org/wiki/Q855"),
    )

    assert response.status_code == 302
    assert list(PersonAuthority.objects.values_list("uri", flat=True)) == [
        "https://www.wikidata.org/entity/Q855"
    ]


def test_authority_held_by_another_person_in_other_spelling_is_a_form_error(archivist_client):
    """An authority already linked to someone else, spelled differently, is a named form error."""
    stalin = PersonFactory(display_name="Joseph Stalin")
    PersonAuthorityFactory(person=stalin, uri="https://d-nb.info/gnd/118642379")

    response = archivist_client.post(
        reverse("admin:catalog_person_add"),
        person_post("Iosif Stalin", "http://d-nb.info/gnd/118642379/"),
    )

    assert response.status_code == 200
    [authorities] = response.context["inline_admin_formsets"]
    [message] = authorities.formset.forms[0].errors["uri"]
    assert "already linked to Joseph Stalin" in message
    assert Person.objects.count() == 1


def test_one_authority_twice_in_one_form_is_a_form_error(archivist_client):
    """The same authority entered twice in two spellings on one person is a form error."""
    response = archivist_client.post(
        reverse("admin:catalog_person_add"),
        person_post(
            "Joseph Stalin", "http://d-nb.info/gnd/118642379", "https://d-nb.info/gnd/118642379/"
        ),
    )

    assert response.status_code == 200
    [authorities] = response.context["inline_admin_formsets"]
    assert authorities.formset.non_form_errors() or any(
        form.errors for form in authorities.formset.forms
    )
    assert not PersonAuthority.objects.exists()


def test_person_list_counts_documents_of_every_status(archivist_client):
    """The people list counts drafts too: it is the archivists' view, not the public one."""
    stalin = PersonFactory(display_name="Joseph Stalin")
    DocumentPersonFactory(person=stalin, document=DocumentFactory())
    DocumentPersonFactory(person=stalin, document=DocumentFactory(draft=True))
    DocumentPersonFactory(person=stalin, document=DocumentFactory(draft=True), role="mentioned")

    response = archivist_client.get(reverse("admin:catalog_person_changelist"))

    [row] = response.context["cl"].result_list
    assert row.document_total == 3


def test_person_search_finds_alternate_names(archivist_client):
    """Searching people finds them by an alternate name or spelling."""
    stalin = PersonFactory(
        display_name="Joseph Stalin", alternate_names="Iosif Vissarionovich Dzhugashvili"
    )
    PersonFactory(display_name="W. Averell Harriman")

    response = archivist_client.get(
        reverse("admin:catalog_person_changelist"), {"q": "Dzhugashvili"}
    )

    assert list(response.context["cl"].result_list) == [stalin]


def _person_page_queries(client, person):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:catalog_person_change", args=[person.pk]))
    assert response.status_code == 200
    return response, len(queries)


def test_person_page_links_their_documents_without_a_query_per_document(archivist_client):
    """A person's page lists their documents, each linked to its admin page, in fixed queries."""
    stalin = PersonFactory(display_name="Joseph Stalin")
    first = DocumentPersonFactory(person=stalin, document=DocumentFactory(title="First")).document
    _, one_document = _person_page_queries(archivist_client, stalin)
    for number in range(20):
        DocumentPersonFactory(person=stalin, document=DocumentFactory(title=f"Later {number}"))

    response, many_documents = _person_page_queries(archivist_client, stalin)

    assert many_documents == one_document
    assert reverse("admin:catalog_document_change", args=[first.pk]) in response.text
    assert response.text.count('href="/admin/catalog/document/') >= 21
    assert f"?person={stalin.pk}" in response.text


def test_document_list_filtered_by_person(archivist_client):
    """The "all of them" link from a person's page lists that person's documents once each."""
    stalin = PersonFactory(display_name="Joseph Stalin")
    telegram = DocumentFactory()
    DocumentPersonFactory(document=telegram, person=stalin, role="author")
    DocumentPersonFactory(document=telegram, person=stalin, role="signatory")
    DocumentFactory()

    response = archivist_client.get(CHANGELIST_URL, {"person": stalin.pk})

    assert list(response.context["cl"].result_list) == [telegram]
    assert "Joseph Stalin" in response.text


# Collections --------------------------------------------------------------------------------


def test_collection_list_shows_the_tree(archivist_client):
    """Series are listed under their fonds, indented, whatever their titles."""
    papers = CollectionFactory(title="W. Averell Harriman Papers")
    CollectionFactory(title="Aardvark Papers")
    series = CollectionFactory(title="Moscow Files", parent=papers)
    CollectionFactory(title="W. Averell Harriman Papers Addition")

    response = archivist_client.get(reverse("admin:catalog_collection_changelist"))

    rows = list(response.context["cl"].result_list)
    assert rows.index(series) == rows.index(papers) + 1
    assert "↳ Moscow Files" in response.text


def test_collection_cannot_sit_inside_its_own_series(archivist_client):
    """Making a fonds the child of its own series is a form error on the parent field."""
    papers = CollectionFactory(title="W. Averell Harriman Papers")
    series = CollectionFactory(title="Moscow Files", parent=papers)
    url = reverse("admin:catalog_collection_change", args=[papers.pk])
    data = changeform_data(archivist_client.get(url), parent=series.pk, _save="Save")

    response = archivist_client.post(url, data)

    assert response.status_code == 200
    assert "cannot sit inside itself" in str(response.context["adminform"].form.errors["parent"])
    papers.refresh_from_db()
    assert papers.parent is None
    assert Collection.objects.get(pk=series.pk).tree_path.startswith(papers.tree_path)
