"""
Stored cross-site scripting: markup typed into any text field of any record is shown as text.

Every text field of every catalogue model (found by introspection, so a field added later is
covered), and the names of the staff user the change history names, get a payload with its own
marker: a ``<script>``, an ``<img onerror>``, a ``javascript:`` link, quotes that try to leave
an attribute, and ``</script>`` to break out of the record page's JSON-LD block; URL fields get
``javascript:`` URLs.  Then every public page type that shows the records (and the admin's
change lists, change forms, history pages and action confirmation pages) is fetched and parsed:

- no ``<script>`` holds a marker, except the JSON-LD block, which must still parse as JSON;
- no element has an ``on…`` attribute holding a marker, and no ``href``/``src``/``action``
  starts with ``javascript:``;
- XML answers (feeds, sitemap, OAI-PMH) parse; JSON answers parse; downloads (CSV, JSON
  Lines, RIS, BibTeX, CSL-JSON) are not served as HTML and carry ``nosniff``;
- each page shows at least one marker, so a page that stopped showing the data fails too.
"""

import json
import re

import lxml.etree
import lxml.html
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from catalog import dates
from catalog.models import (
    DeletedDocument,
    Document,
    DocumentPerson,
    ImportBatch,
    ImportBatchItem,
    Person,
    PersonRedirect,
    RightsStatement,
)
from tests.factories import (
    CollectionFactory,
    DocumentFactory,
    DocumentPersonFactory,
    PersonAuthorityFactory,
    PersonFactory,
    ProvenanceEventFactory,
    RepositoryFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db

MARKER = re.compile(r"XSS\d+")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
#: Not free text: what the form checks before it is stored (EDTF dates, slugs) or what
#: save() makes from other fields.
NOT_FREE_TEXT = {"tree_path", "search_names"}


class Payloads:
    """Hands out payloads, each with a new marker, and remembers which field has which."""

    def __init__(self):
        self.fields = {}

    def marker(self, label):
        marker = f"XSS{len(self.fields) + 1}"
        self.fields[marker] = label
        return marker

    def __call__(self, label, *, url=False, max_length=None):
        marker = self.marker(label)
        if url:
            text = f"javascript:alert('{marker}')//\"><script>alert('{marker}')</script>"
        else:
            text = (
                f"\"'><script>alert('{marker}')</script><img src=x onerror=alert('{marker}')>"
                f"</script><a href=\"javascript:alert('{marker}')\">{marker}</a>"
            )
        if max_length and len(text) > max_length:
            text = f"<i onclick={marker}>"[:max_length]
        return text


def is_free_text(field):
    """A text field whose value is stored as typed: not chosen from a list, not an EDTF date
    or a slug (both checked by the form), not derived."""
    return (
        isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField)
        and not field.choices
        and field.editable
        and field.name not in NOT_FREE_TEXT
        and dates.validate_edtf not in field.validators
    )


def poison(instance, payloads, *, user=None, **fixed):
    """Put a payload in every free-text field of ``instance`` (``fixed`` values instead where
    given), and save it with a payload as the change history's reason."""
    for field in instance._meta.concrete_fields:
        if field.name in fixed:
            value = fixed[field.name]
            if callable(value):  # a value that must keep a form, with a marker in it
                value = value(payloads.marker(f"{type(instance).__name__}.{field.name}"))
            setattr(instance, field.name, value)
        elif is_free_text(field):
            label = f"{type(instance).__name__}.{field.name}"
            value = payloads(label, url=isinstance(field, models.URLField), max_length=None)
            if field.max_length and len(value) > field.max_length:
                value = payloads(label, max_length=field.max_length)
            setattr(instance, field.name, value)
        elif isinstance(field, models.JSONField):
            label = f"{type(instance).__name__}.{field.name}"
            setattr(instance, field.name, {"title": payloads(label), "summary": payloads(label)})
    reason = f"{type(instance).__name__} history reason"
    instance._change_reason = payloads(reason, max_length=100)
    if user is not None:
        instance._history_user = user
    instance.save()
    return instance


@pytest.fixture
def poisoned(db):
    """Published records of every kind with a payload in every text field; a draft too."""
    payloads = Payloads()
    user = get_user_model().objects.create_user("cataloguer", is_staff=True)
    poison(user, payloads, username="cataloguer", password=user.password, email="c@example.org")
    repository = poison(RepositoryFactory(), payloads, user=user)
    parent = poison(CollectionFactory(repository=repository), payloads, user=user)
    collection = poison(CollectionFactory(parent=parent, repository=repository), payloads)
    subject = poison(SubjectFactory(), payloads)
    # Editors may add a statement (its URI must be an http(s) URL in the form, not here).
    rights = poison(RightsStatement(), payloads)
    people = [poison(PersonFactory(), payloads, user=user) for _ in range(2)]
    poison(
        PersonAuthorityFactory(person=people[0]),
        payloads,
        uri=lambda marker: f"https://example.org/\"><script>alert('{marker}')</script>",
    )
    documents = []
    for _ in range(2):
        document = poison(
            DocumentFactory(
                repository=repository,
                collections=[collection],
                subjects=[subject],
                rights=rights,
                date_edtf="1944-02-02",
            ),
            payloads,
            user=user,
        )
        for role, person in zip(
            (DocumentPerson.Role.AUTHOR, DocumentPerson.Role.RECIPIENT), people, strict=True
        ):
            poison(DocumentPersonFactory(document=document, person=person, role=role), payloads)
        poison(ProvenanceEventFactory(document=document, position=1), payloads)
        documents.append(document)
    poison(DocumentFactory(draft=True, collections=[collection]), payloads)
    PersonRedirect.objects.create(old_slug="old-address", person=people[0])
    batch = poison(ImportBatch(file_name="x.csv", file_format="csv", created_by=user), payloads)
    poison(
        ImportBatchItem(batch=batch, document=documents[0], action="updated"),
        payloads,
        action="updated",
    )
    poison(DeletedDocument(record_id=99_999), payloads)
    return {
        "payloads": payloads,
        "documents": documents,
        "people": people,
        "collections": [parent, collection],
        "repository": repository,
        "subject": subject,
        "rights": rights,
        "batch": batch,
    }


# Checks --------------------------------------------------------------------------------------


def where(payloads, text):
    return sorted({payloads.fields.get(m, m) for m in MARKER.findall(text)})


def assert_inert_html(content, url, payloads, *, shows_text=True):
    """No script holds a marker (JSON-LD excepted, which must parse), no on… attribute holds
    one, no link or source is javascript:, and the page shows at least one marker as text."""
    page = lxml.html.document_fromstring(content)
    for script in page.iter("script"):
        text = script.text or ""
        if script.get("type") == "application/ld+json":
            json.loads(text)  # a </script> breakout would have cut it short
            continue
        assert not MARKER.search(text + script.get("src", "")), (url, where(payloads, text))
    for element in page.iter(lxml.etree.Element):
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                assert not MARKER.search(value), (url, element.tag, name, value)
            if name in URL_ATTRIBUTES:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                assert not scheme.startswith(("javascript:", "vbscript:", "data:text/html")), (
                    url,
                    element.tag,
                    name,
                    value,
                )
    if shows_text:  # as text, or as a form field's value
        shown = page.text_content() + " ".join(page.xpath("//input/@value"))
        assert MARKER.search(shown), f"{url} shows none of the records' text"


def assert_inert(response, url, payloads, *, shows_text=True, status=200):
    """``response`` is harmless for its content type, and shows the records' text."""
    assert response.status_code == status, (url, response.status_code)
    content_type = response["Content-Type"].split(";")[0].strip()
    content = b"".join(response) if response.streaming else response.content
    if content_type == "text/html":
        assert_inert_html(content.decode(), url, payloads, shows_text=shows_text)
        return
    assert response.get("X-Content-Type-Options") == "nosniff", url
    if shows_text:
        assert MARKER.search(content.decode()), f"{url} shows none of the records' text"
    if content_type.endswith("xml"):
        lxml.etree.fromstring(content)  # well-formed: the payload's markup is escaped
    elif content_type.endswith("json"):
        json.loads(content)
    else:
        assert content_type in {
            "text/csv",
            "application/jsonl",
            "application/x-research-info-systems",
            "application/x-bibtex",
            "text/plain",
        }, (url, content_type)


# Pages ---------------------------------------------------------------------------------------

#: Pages that show counts or settings only, none of the records' text.
WITHOUT_TEXT = {"/dates/1940s/", "/oai/?verb=Identify", "/admin/auth/group/"}


def public_pages(data):
    document, person = data["documents"][0], data["people"][0]
    parent, collection = data["collections"]
    repository, subject, rights = data["repository"], data["subject"], data["rights"]
    record = document.get_absolute_url()
    oai_id = f"oai:testserver:record/{document.record_id}"
    return [
        "/",
        "/documents/",
        "/documents/?q=alert",
        "/documents/?q=alert&sort=title",
        f"/documents/?person={person.slug}&role=author",
        f"/documents/?collection={parent.slug}",
        f"/documents/?repository={repository.slug}",
        f"/documents/?subject={subject.slug}",
        f"/documents/?rights={rights.identifier}",
        f"/documents/?q=alert&date_from=1944&date_to=1944-02&person={person.slug}",
        record,
        f"{record}cite.json",
        f"{record}cite.ris",
        f"{record}cite.bib",
        "/documents/export.csv",
        "/documents/export.jsonl",
        "/people/",
        "/people/?q=alert",
        person.get_absolute_url(),
        "/collections/",
        parent.get_absolute_url(),
        collection.get_absolute_url(),
        f"/collections/{parent.slug}/feed/",
        "/archives/",
        repository.get_absolute_url(),
        "/dates/1940s/",
        "/dates/1944/",
        "/dates/1944/2/",
        "/feeds/documents/",
        "/api/documents/",
        f"/api/documents/{document.record_id}/",
        "/api/documents/?q=alert",
        "/api/people/",
        f"/api/people/{person.slug}/",
        "/api/collections/",
        f"/api/collections/{collection.slug}/",
        "/api/repositories/",
        f"/api/repositories/{repository.slug}/",
        "/api/rights/",
        f"/api/rights/{rights.identifier}/",
        "/oai/?verb=Identify",
        "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
        "/oai/?verb=ListSets",
        f"/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier={oai_id}",
    ]


def test_payloads_reach_every_free_text_field_of_every_model(poisoned):
    """The data set really holds a payload in each free-text field of each catalogue model,
    and in the history's reason and the staff user's names."""
    from django.apps import apps

    labels = set(poisoned["payloads"].fields.values())
    for model in apps.get_app_config("catalog").get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if is_free_text(field) or isinstance(field, models.JSONField):
                assert f"{model.__name__}.{field.name}" in labels, (model, field.name)
    assert {"User.first_name", "User.last_name", "Document history reason"} <= labels


def test_public_pages_show_stored_markup_as_text(client, poisoned):
    """Each public page type showing the records (HTML, XML, JSON and downloads) shows the
    payloads as text: nothing in them runs.  A search or filter value holding markup is
    echoed (search box, chips, errors) as text too."""
    payloads = poisoned["payloads"]
    for url in public_pages(poisoned):
        assert_inert(client.get(url), url, payloads, shows_text=url not in WITHOUT_TEXT)
    reflected = payloads("search text")
    for url in ("/documents/", "/people/", "/api/documents/"):
        response = client.get(url, {"q": reflected, "person": reflected, "date_from": reflected})
        assert response.status_code in (200, 400), url
        assert_inert(response, url, payloads, shows_text=False, status=response.status_code)


def admin_pages(data):
    """Change lists, change forms and history pages of every registered model with data."""
    documents, people = data["documents"], data["people"]
    objects = [
        *documents,
        *people,
        *data["collections"],
        data["repository"],
        data["subject"],
        data["rights"],
        data["batch"],
        get_user_model().objects.get(username="cataloguer"),
    ]
    pages = []
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        if model._meta.app_label in ("catalog", "auth") and model is not get_user_model():
            pages.append(reverse("admin:{}_{}_changelist".format(*info)))
    for obj in objects:
        info = obj._meta.app_label, obj._meta.model_name
        pages.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        if obj._meta.app_label == "catalog":  # the user's history is Django's, empty here
            pages.append(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
    for obj in (documents[0], people[0]):
        info = obj._meta.app_label, obj._meta.model_name
        version = obj.history.earliest()
        pages.append(
            reverse("admin:{}_{}_simple_history".format(*info), args=[obj.pk, version.history_id])
        )
    pages.append(reverse("admin:auth_user_changelist"))
    return pages


def test_admin_pages_show_stored_markup_as_text(admin_client, poisoned):
    """The admin's change lists, change forms, history pages and earlier versions show the
    payloads (the staff user's names included) as text."""
    pages = admin_pages(poisoned)
    assert len(pages) >= 30
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_inert_html(
            response.content.decode(), url, poisoned["payloads"], shows_text=url not in WITHOUT_TEXT
        )


ACTIONS = [
    (Document, "publish_selected"),
    (Document, "unpublish_selected"),
    (Document, "add_to_collection"),
    (Document, "set_rights"),
    (Person, "merge_people"),
]


def test_admin_confirmation_pages_show_stored_markup_as_text(admin_client, poisoned):
    """The confirmation page of each bulk action (publish, unpublish, add to a collection,
    set the rights, merge people), listing the poisoned records, shows the payloads as text."""
    for model, action in ACTIONS:
        selected = poisoned["documents"] if model is Document else poisoned["people"]
        url = reverse(f"admin:catalog_{model._meta.model_name}_changelist")
        response = admin_client.post(
            url, {"action": action, "_selected_action": [obj.pk for obj in selected]}
        )
        assert response.status_code == 200, (action, response.status_code)
        assert_inert_html(response.content.decode(), f"{url} {action}", poisoned["payloads"])
