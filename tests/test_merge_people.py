"""
Merging people through the admin's "Merge selected people…" action and ``services.merge_people``:
the preview, the merge itself (links, names, authorities, redirects), who may do it, and what
the public site and the search index make of it afterwards.
"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from catalog import search, services
from catalog.models import Document, DocumentPerson, Person, PersonAuthority, PersonRedirect

from .factories import DocumentFactory, DocumentPersonFactory, PersonAuthorityFactory, PersonFactory

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:catalog_person_changelist")
AUTHOR, RECIPIENT, MENTIONED = (
    DocumentPerson.Role.AUTHOR,
    DocumentPerson.Role.RECIPIENT,
    DocumentPerson.Role.MENTIONED,
)


def preview(client, *people):
    """The changelist's POST of the merge action: the confirmation page."""
    return client.post(
        CHANGELIST_URL,
        {"action": "merge_people", "index": "0", "_selected_action": [p.pk for p in people]},
    )


def confirm(client, survivor, *people, follow=False):
    """The confirmation page's POST: merge ``people`` into ``survivor``."""
    return client.post(
        CHANGELIST_URL,
        {
            "action": "merge_people",
            "_selected_action": [p.pk for p in people],
            "post": "yes",
            "survivor": survivor.pk,
        },
        follow=follow,
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def stalins():
    """
    Two records for one man: "Joseph Stalin" on two documents and an authority link, and
    "Iosif Dzhugashvili" on one of them in the same role (uncertain, with a note), one in
    another role, and a third document of his own, with an authority link of his own.
    """
    stalin = PersonFactory(display_name="Joseph Stalin", alternate_names="J. V. Stalin")
    other = PersonFactory(
        display_name="Iosif Dzhugashvili", alternate_names="Koba\nJ. V. Stalin\nJoseph Stalin"
    )
    shared, second, own = (
        DocumentFactory(title=f"Telegram {n}", transcript="Text.") for n in (1, 2, 3)
    )
    DocumentPersonFactory(document=shared, person=stalin, role=AUTHOR, uncertain=True, note="a")
    DocumentPersonFactory(document=second, person=stalin, role=RECIPIENT)
    DocumentPersonFactory(document=shared, person=other, role=AUTHOR, note="signed “Koba”")
    DocumentPersonFactory(document=shared, person=other, role=MENTIONED)
    DocumentPersonFactory(document=own, person=other, role=AUTHOR)
    PersonAuthorityFactory(person=stalin, uri="https://d-nb.info/gnd/118642499")
    PersonAuthorityFactory(person=other, uri="http://www.wikidata.org/entity/Q855")
    return {"stalin": stalin, "other": other, "shared": shared, "second": second, "own": own}


def test_preview_shows_each_person_and_what_keeping_each_would_do(editor_client, stalins):
    """The preview lists both people with documents, names and authorities, and each plan."""
    stalin, other = stalins["stalin"], stalins["other"]

    response = preview(editor_client, stalin, other)

    assert response.status_code == 200
    candidates = {c["person"].pk: c for c in response.context["candidates"]}
    assert candidates[stalin.pk]["documents"] == 2
    assert candidates[other.pk]["documents"] == 2
    assert candidates[other.pk]["links"] == 3
    assert candidates[other.pk]["names"] == [
        "Iosif Dzhugashvili",
        "Koba",
        "J. V. Stalin",
        "Joseph Stalin",
    ]
    kept_stalin = candidates[stalin.pk]["plan"]
    assert (kept_stalin.links_moved, kept_stalin.duplicates_dropped) == (2, 1)
    assert kept_stalin.names_added == ("Iosif Dzhugashvili", "Koba")
    assert kept_stalin.authorities_moved == ("https://www.wikidata.org/entity/Q855",)
    kept_other = candidates[other.pk]["plan"]
    assert (kept_other.links_moved, kept_other.duplicates_dropped) == (1, 1)
    assert "Which record should be kept?" in response.text
    assert f'for="survivor-{stalin.pk}"' in response.text


def test_preview_chooses_the_person_with_most_links_by_default(editor_client, stalins):
    """The record with the most document links is the one checked."""
    response = preview(editor_client, stalins["stalin"], stalins["other"])

    assert response.context["chosen"] == str(stalins["other"].pk)
    assert f'value="{stalins["other"].pk}" id="survivor-{stalins["other"].pk}" checked' in (
        response.text
    )


def test_cancelling_at_the_preview_changes_nothing(editor_client, stalins):
    """Showing the preview and going back leaves both people and every link as they were."""
    links = set(DocumentPerson.objects.values_list("pk", "person_id", "role", "note"))

    preview(editor_client, stalins["stalin"], stalins["other"])
    editor_client.get(CHANGELIST_URL)

    assert Person.objects.count() == 2
    assert set(DocumentPerson.objects.values_list("pk", "person_id", "role", "note")) == links
    assert not PersonRedirect.objects.exists()


def test_merge_moves_links_without_duplicating_a_role(editor_client, stalins):
    """Each document keeps one link per role; the surer attribution and both notes are kept."""
    stalin, other = stalins["stalin"], stalins["other"]

    response = confirm(editor_client, stalin, stalin, other, follow=True)

    assert not Person.objects.filter(pk=other.pk).exists()
    links = {
        (link.document_id, link.role): link for link in DocumentPerson.objects.filter(person=stalin)
    }
    assert set(links) == {
        (stalins["shared"].pk, AUTHOR),
        (stalins["shared"].pk, MENTIONED),
        (stalins["second"].pk, RECIPIENT),
        (stalins["own"].pk, AUTHOR),
    }
    author = links[(stalins["shared"].pk, AUTHOR)]
    assert author.uncertain is False
    assert author.note == "a; signed “Koba”"
    assert DocumentPerson.objects.count() == 4
    assert any("2 document links moved; 1 duplicate dropped" in m for m in messages_of(response))


def test_merge_keeps_names_and_authorities(editor_client, stalins):
    """The others' names become alternate names once each; their authority URIs move."""
    stalin, other = stalins["stalin"], stalins["other"]

    confirm(editor_client, stalin, stalin, other)

    stalin.refresh_from_db()
    assert stalin.display_name == "Joseph Stalin"
    assert stalin.alternate_name_list == ["J. V. Stalin", "Iosif Dzhugashvili", "Koba"]
    assert "dzhugashvili" in stalin.search_names
    assert set(stalin.authorities.values_list("uri", flat=True)) == {
        "https://d-nb.info/gnd/118642499",
        "https://www.wikidata.org/entity/Q855",
    }
    assert PersonAuthority.objects.count() == 2


def test_merge_records_redirects_and_repoints_old_ones(editor_client, stalins):
    """The merged person's slug, and slugs that redirected to them, now lead to the survivor."""
    stalin, other = stalins["stalin"], stalins["other"]
    PersonRedirect.objects.create(old_slug="koba", person=other)

    confirm(editor_client, stalin, stalin, other)

    assert dict(PersonRedirect.objects.values_list("old_slug", "person_id")) == {
        other.slug: stalin.pk,
        "koba": stalin.pk,
    }


def test_merge_is_recorded_in_the_history_with_its_user(editor_client, editor, stalins):
    """The moved links, the survivor's new names and the deletion name the editor."""
    stalin, other = stalins["stalin"], stalins["other"]

    confirm(editor_client, stalin, stalin, other)

    own_link = DocumentPerson.objects.get(document=stalins["own"])
    assert own_link.history.latest().history_user == editor
    assert stalin.history.latest().history_user == editor
    deleted = Person.history.filter(id=other.pk, history_type="-").get()
    assert deleted.history_user == editor


def test_old_address_answers_301_with_the_survivor(client, editor_client, stalins):
    """/people/<merged slug>/ is a permanent redirect to the survivor's page."""
    stalin, other = stalins["stalin"], stalins["other"]
    old_url = reverse("catalog:person-detail", kwargs={"slug": other.slug})
    confirm(editor_client, stalin, stalin, other)
    client.logout()

    response = client.get(old_url)

    assert response.status_code == 301
    assert response["Location"] == stalin.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_old_address_of_a_survivor_with_only_drafts_is_404(client, db):
    """A redirect never leads the public to a person who is in no published document."""
    survivor = PersonFactory()
    DocumentPersonFactory(person=survivor, document=DocumentFactory(draft=True))
    PersonRedirect.objects.create(old_slug="merged-away", person=survivor)

    response = client.get(reverse("catalog:person-detail", kwargs={"slug": "merged-away"}))

    assert response.status_code == 404


def test_unknown_person_address_is_still_404(client, db):
    """A slug that is neither a person nor a redirect is not found."""
    response = client.get(reverse("catalog:person-detail", kwargs={"slug": "nobody"}))

    assert response.status_code == 404


def test_search_for_the_merged_away_name_finds_the_documents(editor_client, stalins):
    """After the merge, the other's names find every document of the survivor's."""
    stalin, other = stalins["stalin"], stalins["other"]

    confirm(editor_client, stalin, stalin, other)

    found = search.search(Document.objects.published(), "Dzhugashvili")
    documents = {stalins[key].pk for key in ("shared", "second", "own")}
    assert set(found.values_list("pk", flat=True)) == documents
    listed = editor_client.get(reverse("catalog:document-list"), {"q": "Koba"})
    assert listed.context["result_count"] == 3


def test_an_archivist_cannot_merge(archivist_client, stalins):
    """Without delete_person the action is not offered, and a forged confirmation is ignored."""
    stalin, other = stalins["stalin"], stalins["other"]

    page = archivist_client.get(CHANGELIST_URL)
    confirm(archivist_client, stalin, stalin, other)

    assert "Merge selected people" not in page.text
    assert Person.objects.filter(pk=other.pk).exists()
    assert DocumentPerson.objects.filter(person=other).count() == 3


def test_deleting_without_changing_is_not_enough_to_merge(client, archivist, stalins):
    """A user who may delete people but not change them is refused with a message."""
    archivist.groups.clear()
    archivist.user_permissions.set(
        Permission.objects.filter(codename__in=["view_person", "delete_person"])
    )
    client.force_login(archivist)
    stalin, other = stalins["stalin"], stalins["other"]

    response = confirm(client, stalin, stalin, other, follow=True)

    assert Person.objects.filter(pk=other.pk).exists()
    assert "No action selected." in messages_of(response)


def test_merge_service_refuses_a_user_without_delete_person(archivist, stalins):
    """The service checks the permissions itself."""
    with pytest.raises(PermissionDenied):
        services.merge_people(stalins["stalin"], [stalins["other"]], user=archivist)

    assert Person.objects.count() == 2


def test_one_person_selected_is_refused_with_a_message(editor_client, stalins):
    """Merging needs at least two people; with one the list comes back with a warning."""
    response = preview(editor_client, stalins["stalin"])

    assert response.status_code == 302
    assert "Select at least two people to merge." in messages_of(response)


def test_survivor_must_not_be_among_the_others(stalins):
    """A person cannot be merged into themselves."""
    with pytest.raises(ValueError):
        services.merge_people(stalins["stalin"], [stalins["stalin"], stalins["other"]])


def test_long_notes_are_joined_and_cut_to_fit(db):
    """Joined notes longer than a link's note field end in an ellipsis instead of failing."""
    document = DocumentFactory()
    keep, merged = PersonFactory(), PersonFactory()
    DocumentPersonFactory(document=document, person=keep, note="x" * 200)
    DocumentPersonFactory(document=document, person=merged, note="y" * 200)

    services.merge_people(keep, [merged])

    note = DocumentPerson.objects.get(person=keep).note
    assert len(note) == 255
    assert note.startswith("x" * 200 + "; y") and note.endswith("…")


def test_three_people_merge_into_one(editor_client, db):
    """Several people merge at once: every link ends on the survivor, each role once."""
    document = DocumentFactory()
    people = [PersonFactory(display_name=f"Averell Harriman {n}") for n in range(3)]
    for person in people:
        DocumentPersonFactory(document=document, person=person, role=AUTHOR)
    DocumentPersonFactory(person=people[2], role=RECIPIENT)

    confirm(editor_client, people[1], *people)

    assert list(Person.objects.values_list("pk", flat=True)) == [people[1].pk]
    assert DocumentPerson.objects.filter(person=people[1]).count() == 2
    assert PersonRedirect.objects.count() == 2
