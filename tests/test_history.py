"""Change history in the admin: who changed what, seen and reverted through the admin pages."""

import pytest
from django import forms
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Document

from .factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonFactory,
    ProvenanceEventFactory,
    RepositoryFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db


def form_data(response, **changes):
    """
    The POST data of the admin form in ``response`` submitted as shown (main form, and any
    inlines with their management forms), updated with ``changes``.
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
    for inline in response.context.get("inline_admin_formsets", []):
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    data.update(changes)
    return data


def admin_url(obj, view):
    return reverse(f"admin:catalog_{obj._meta.model_name}_{view}", args=[obj.pk])


def edit(client, obj, **changes):
    """Change ``obj`` through its admin change form, as an archivist would."""
    url = admin_url(obj, "change")
    response = client.post(url, form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def version_url(obj, version):
    return reverse(
        f"admin:catalog_{obj._meta.model_name}_simple_history", args=[obj.pk, version.pk]
    )


def revert(client, obj, version, **changes):
    """Press "Revert" on ``version``'s page, the form submitted as it is shown."""
    url = version_url(obj, version)
    return client.post(url, form_data(client.get(url), **changes))


def history_page(client, obj):
    response = client.get(admin_url(obj, "history"))
    assert response.status_code == 200
    return response.content.decode()


def test_history_page_names_the_user_and_the_field_changed_from_what_to_what(
    archivist_client,
):
    """An edit in the admin shows on the history page with its user and old → new value."""
    document = DocumentFactory(title="Telegram on troops", language="en")

    edit(archivist_client, document, title="Telegram on Japanese troops", language="ru")

    page = history_page(archivist_client, document)
    assert "archivist" in page
    assert "Telegram on troops&nbsp;&rarr; Telegram on Japanese troops" in page
    assert "English&nbsp;&rarr; Russian" in page  # choice labels, not the stored codes


def test_long_transcript_is_shown_shortened_with_its_length(archivist_client):
    """A changed transcript is an excerpt around the change with a character count."""
    document = DocumentFactory(transcript="Moscow. " * 500)

    edit(archivist_client, document, transcript="Moscow. " * 499 + "Leningrad.")

    page = history_page(archivist_client, document)
    assert "(4,000 characters)" in page
    assert "(4,002 characters)" in page
    assert "Moscow. " * 100 not in page
    assert "Leningrad." in page


def test_subjects_and_collections_changes_show_as_added_and_removed(archivist_client):
    """Many-to-many changes name what was added and what was removed."""
    old, new = CollectionFactory(title="Harriman Papers"), CollectionFactory(title="Stalin Fonds")
    subject = SubjectFactory(name="Intelligence")
    document = DocumentFactory(collections=[old])

    edit(archivist_client, document, collections=[new.pk], subjects=[subject.pk])

    page = history_page(archivist_client, document)
    assert "added Stalin Fonds" in page
    assert "removed Harriman Papers" in page
    assert "added Intelligence" in page


def test_people_and_custody_changes_show_on_the_document_history(archivist_client):
    """Changes to a document's people and custody chain are listed on its history page."""
    stalin = PersonFactory(display_name="Joseph Stalin")
    document = DocumentFactory()
    event = ProvenanceEventFactory(document=document, agent="Library of Congress")

    edit(
        archivist_client,
        document,
        **{
            "person_links-0-person": stalin.pk,
            "person_links-0-role": "mentioned",
            "custody_events-0-agent": "National Archives",
        },
    )

    page = history_page(archivist_client, document)
    assert "People: added Joseph Stalin (Mentioned)" in page
    assert f"Custody chain: {event}: agent: Library of Congress → National Archives" in page


def test_authority_links_show_on_the_person_history(archivist_client):
    """Adding an authority link to a person shows on the person's history page."""
    person = PersonFactory(display_name="Joseph Stalin")

    edit(archivist_client, person, **{"authorities-0-uri": "https://d-nb.info/gnd/118642499"})

    assert "Authority links: added" in history_page(archivist_client, person)


def test_a_change_from_an_import_is_attributed_to_the_batch(archivist_client):
    """A change whose reason names an import batch is shown as made by that batch."""
    document = DocumentFactory(title="Before the import")
    document.title = "After the import"
    document._change_reason = "import batch 12: letters.csv"
    document.save()

    page = history_page(archivist_client, document)
    assert "import batch 12" in page
    assert "letters.csv" in page


def test_revert_puts_back_fields_collections_and_derived_dates(archivist_client):
    """Reverting restores the old values, collections included, and recomputes the dates."""
    papers = CollectionFactory()
    document = DocumentFactory(title="First title", date_edtf="1944-02-02", collections=[papers])
    first = document.history.latest()  # created, then put in the collection
    edit(archivist_client, document, title="Second title", date_edtf="1950", collections=[])

    response = revert(archivist_client, document, first)

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "First title"
    assert list(document.collections.all()) == [papers]
    assert (document.date_earliest.isoformat(), document.date_latest.isoformat()) == (
        "1944-02-02",
        "1944-02-02",
    )
    latest = document.history.latest()
    assert latest.history_user.username == "archivist"
    assert latest.history_change_reason.startswith("Reverted to the version of")


@pytest.mark.parametrize(
    ("factory", "field", "old", "new"),
    [
        (PersonFactory, "display_name", "Joseph Stalin", "Iosif Stalin"),
        (CollectionFactory, "title", "Harriman Papers", "Harriman Files"),
        (RepositoryFactory, "name", "Library of Congress", "LoC"),
    ],
)
def test_people_collections_and_repositories_have_history_and_revert(
    archivist_client, factory, field, old, new
):
    """Person, collection and repository: the edit is listed and a revert undoes it."""
    obj = factory(**{field: old})
    first = obj.history.earliest()
    edit(archivist_client, obj, **{field: new})

    assert f"{old}&nbsp;&rarr; {new}" in history_page(archivist_client, obj)

    assert revert(archivist_client, obj, first).status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, field) == old


def test_reverting_needs_the_change_permission(client, django_user_model):
    """A user who may only view documents sees an old version but cannot revert to it."""
    reader = django_user_model.objects.create_user("reader", password="x", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_document"))
    document = DocumentFactory(title="First title")
    first = document.history.earliest()
    document.title = "Second title"
    document.save()
    client.force_login(reader)

    page = client.get(version_url(document, first))
    response = client.post(version_url(document, first), form_data(page))

    assert page.status_code == 200
    assert b'value="Revert"' not in page.content
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.title == "Second title"


def test_archivist_cannot_publish_by_reverting_to_a_published_version(archivist_client):
    """Reverting leaves the status as it is for someone who may not publish."""
    document = DocumentFactory(title="Published title")  # published
    published = document.history.earliest()
    document.status, document.title = Document.Status.DRAFT, "Draft title"
    document.save()

    response = revert(archivist_client, document, published, status="published")

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Published title"
    assert document.status == Document.Status.DRAFT


def test_editor_may_restore_a_status_by_reverting(editor_client):
    """Someone who may publish gets the old version's status back with the rest."""
    document = DocumentFactory(title="Published title")
    published = document.history.earliest()
    document.status, document.title = Document.Status.DRAFT, "Draft title"
    document.save()

    assert revert(editor_client, document, published).status_code == 302

    document.refresh_from_db()
    assert (document.title, document.status) == ("Published title", Document.Status.PUBLISHED)


def test_subject_history_is_the_admin_log(archivist_client):
    """Models without recorded versions (subjects) keep Django's own history page."""
    subject = SubjectFactory()

    response = archivist_client.get(admin_url(subject, "history"))

    assert response.status_code == 200
    assert b"Change history" in response.content


def test_history_page_queries_do_not_grow_with_the_people_in_a_document(
    archivist_client, django_assert_max_num_queries
):
    """
    Related changes are read in one query each (people, custody chain), with the people's
    names joined in: naming each added person must not cost a query per link.
    """
    document = DocumentFactory()
    people = PersonFactory.create_batch(6)
    DocumentPersonFactory(document=document, person=people[0])
    with CaptureQueriesContext(connection) as one_link:
        history_page(archivist_client, document)
    for person in people[1:]:
        DocumentPersonFactory(document=document, person=person)

    with django_assert_max_num_queries(len(one_link)):
        page = history_page(archivist_client, document)

    assert page.count("People: added") == 6


def test_every_change_is_listed_on_exactly_one_page(archivist_client, monkeypatch):
    """Paged history: each version and each related change appears once, diffed in full."""
    from catalog.admin import DocumentAdmin

    monkeypatch.setattr(DocumentAdmin, "history_list_per_page", 2)
    document = DocumentFactory(title="T0")
    for number in range(1, 5):
        person = PersonFactory(display_name=f"P{number}")
        DocumentPersonFactory(document=document, person=person, position=number)
        edit(archivist_client, document, title=f"T{number}")

    url = admin_url(document, "history")
    pages = "".join(archivist_client.get(url, {"p": p}).content.decode() for p in (1, 2, 3))

    for number in range(1, 5):
        assert pages.count(f"added P{number} (Author)") == 1
        assert pages.count(f"T{number - 1}&nbsp;&rarr; T{number}") == 1
