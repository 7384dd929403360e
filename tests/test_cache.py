"""
Caching never serves stale data: cached public pages and the record page's conditional GET
see every publish, edit, unpublish and import on the very next request (catalog/cache.py).

Every test runs with local memory and, when Redis answers at 127.0.0.1:6379, with Redis
(database 15, emptied before and after).
"""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

import catalog.cache
from archive.settings import cache_from_url
from catalog import importing, services
from catalog.models import Document
from tests.checkers import require

from .factories import CollectionFactory, DocumentFactory, DocumentPersonFactory, PersonFactory

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/15"
BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
}


@pytest.fixture(autouse=True, params=sorted(BACKENDS))
def backend(request, settings):
    """The cache backend under test, emptied before and after the test."""
    if request.param == "redis":
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            # Skipped on a machine without Redis; in CI (ARCHIVE_REQUIRE_CHECKERS) a failure.
            require(False, "Redis does not answer at 127.0.0.1:6379: start redis-server.")
    settings.CACHES = {"default": BACKENDS[request.param]}
    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture
def letter(db):
    """A published letter by a person, in a collection."""
    collection = CollectionFactory(title="Harriman papers")
    document = DocumentFactory(title="Telegram on the inner line")
    document.collections.add(collection)
    link = DocumentPersonFactory(document=document, person=PersonFactory(display_name="Harriman"))
    return document, link.person, collection


def queries(client, url, **headers):
    """(response, number of queries) of an anonymous GET."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


def public_pages(person, collection):
    return [
        reverse("catalog:home"),
        reverse("catalog:document-list"),
        reverse("catalog:person-detail", args=[person.slug]),
        reverse("catalog:collection-detail", args=[collection.slug]),
    ]


def test_second_anonymous_request_is_served_from_cache(client, letter):
    """The second anonymous request for a list page runs no query and gets the same page."""
    first, count = queries(client, "/documents/?q=inner")
    assert first.status_code == 200 and count > 0
    second, count = queries(client, "/documents/?q=inner")
    assert count == 0
    assert second.content == first.content
    other, count = queries(client, "/documents/?q=line")
    assert count > 0, "another query string is another page"


def test_publish_shows_on_every_page_at_once(client, letter, editor):
    """A draft published through the service is on the list, home, person and collection pages."""
    _, person, collection = letter
    draft = DocumentFactory(draft=True, title="Draft about the Kuril islands")
    draft.collections.add(collection)
    DocumentPersonFactory(document=draft, person=person)
    pages = public_pages(person, collection)
    for url in pages:
        assert "Kuril" not in client.get(url).text
        assert queries(client, url)[1] == 0, f"{url} is cached"
    services.publish_documents(documents=[draft], user=editor)
    for url in pages:
        assert "Kuril" in client.get(url).text, url


def test_edit_and_unpublish_show_on_the_next_request(client, letter, editor):
    """A new title shows at once; an unpublished document leaves every page at once."""
    document, person, collection = letter
    pages = public_pages(person, collection)
    for url in pages:
        assert "inner line" in client.get(url).text
    document.title = "Telegram on the Kuril islands"
    document.save()
    for url in pages:
        text = client.get(url).text
        assert "Kuril" in text and "inner line" not in text, url
    services.unpublish_documents(documents=[document], user=editor)
    for url in pages:
        assert "Kuril" not in client.get(url).text, url


def test_admin_publish_action_shows_at_once(client, editor_client, letter):
    """Publishing from the admin's change list is visible to the public on the next request."""
    draft = DocumentFactory(draft=True, title="Draft about the Kuril islands")
    assert "Kuril" not in client.get("/documents/").text
    response = editor_client.post(
        reverse("admin:catalog_document_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert "Kuril" in client.get("/documents/").text


def test_import_and_undo_invalidate(client, letter):
    """An import batch's documents are listed at once, and gone at once after its undo."""
    assert "Imported letter" not in client.get("/documents/").text
    data = io.BytesIO(b"source_identifier,title,status\nt:1,Imported letter,published\n")
    plan = importing.prepare(data, file_name="cache.csv")
    assert plan.errors == []
    batch = importing.apply(plan)
    assert "Imported letter" in client.get("/documents/").text
    importing.undo(batch)
    assert "Imported letter" not in client.get("/documents/").text


def test_staff_are_never_served_or_stored_in_the_cache(client, editor_client, letter):
    """Signed-in staff always get a fresh page, and what they get is never cached for others."""
    client.get("/documents/")  # cached for anonymous readers
    response, count = queries(editor_client, "/documents/")
    assert response.status_code == 200 and count > 0
    assert "ETag" not in response
    cache.clear()
    editor_client.get("/people/")
    assert queries(client, "/people/")[1] > 0, "the staff request stored nothing"


def test_etag_gives_304_until_the_record_changes(client, letter):
    """If-None-Match on the record page is a 304 until an edit, then a 200 with a new ETag."""
    document, person, _ = letter
    url = document.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    document.title = "Telegram, retitled"
    document.save()
    url = Document.objects.get(pk=document.pk).get_absolute_url()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "retitled" in response.text
    assert response["ETag"] != etag
    etag = response["ETag"]
    person.display_name = "W. Averell Harriman"
    person.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200, "a renamed person on the page is a change too"
    assert "W. Averell Harriman" in response.text


def test_if_modified_since_gives_304_until_the_record_changes(client, letter, monkeypatch):
    """If-Modified-Since on the record page is a 304 until an edit, then a 200."""
    document, _, _ = letter
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Document.objects.filter(pk=document.pk).update(modified=hour_ago)
    # The catalogue's last change (the generation's time) an hour ago too.
    monkeypatch.setattr("catalog.cache.time.time_ns", lambda: int(hour_ago.timestamp() * 1e9))
    cache.clear()
    catalog.cache.generation()  # a new generation, dated by the clock above
    monkeypatch.undo()
    url = document.get_absolute_url()
    response = client.get(url)
    assert response["Last-Modified"] == http_date(int(hour_ago.timestamp()))
    since = response["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    document.summary = "Edited"
    document.save()
    response = client.get(url, HTTP_IF_MODIFIED_SINCE=since)
    assert response.status_code == 200 and "Edited" in response.text


def test_page_etag_answers_304_on_cached_pages(client, letter):
    """A cached person page answers its ETag with a 304, and a new ETag after a change."""
    _, person, _ = letter
    url = reverse("catalog:person-detail", args=[person.slug])
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    person.description = "Ambassador in Moscow"
    person.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_draft_is_404_whatever_the_conditional_headers(client, letter):
    """A draft's record page is a 404 for the public, with or without conditional headers."""
    draft = DocumentFactory(draft=True)
    url = draft.get_absolute_url()
    for headers in (
        {},
        {"HTTP_IF_NONE_MATCH": "*"},
        {"HTTP_IF_NONE_MATCH": f'"{draft.record_id}-0-0"'},
        {"HTTP_IF_MODIFIED_SINCE": http_date(timezone.now().timestamp() + 3600)},
    ):
        assert client.get(url, **headers).status_code == 404
    person = PersonFactory()
    DocumentPersonFactory(document=draft, person=person)
    person_url = reverse("catalog:person-detail", args=[person.slug])
    assert client.get(person_url, HTTP_IF_NONE_MATCH="*").status_code == 404


def test_staff_preview_gets_no_validators(editor_client, letter):
    """Signed-in staff get no ETag or Last-Modified, so no 304 meant for the public."""
    document, _, _ = letter
    response = editor_client.get(document.get_absolute_url(), HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 200
    assert "ETag" not in response and "Last-Modified" not in response


@pytest.mark.parametrize(
    ("url", "debug", "backend"),
    [
        ("redis://127.0.0.1:6379/1", False, "redis.RedisCache"),
        ("", True, "locmem.LocMemCache"),
        # Per-process memory behind several workers could serve a page from before a publish.
        ("", False, "dummy.DummyCache"),
    ],
)
def test_cache_url_chooses_the_backend(url, debug, backend):
    assert cache_from_url(url, debug=debug)["BACKEND"].endswith(backend)


def test_a_cache_url_that_is_not_redis_stops_startup():
    with pytest.raises(ImproperlyConfigured, match="must be a redis:// URL"):
        cache_from_url("memcached://127.0.0.1:11211", debug=False)
