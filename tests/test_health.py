"""
/healthz and the 503 page (docs/reliability.md), with the database failing in-process: every
query raises the error a lost connection raises.  tests/test_faults.py does the same against a
PostgreSQL server that is really stopped.
"""

import contextlib
import json

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db

FRIENDLY = "The catalogue is temporarily unavailable"


@contextlib.contextmanager
def database_down():
    """Every query on the connection fails as one to a stopped server does."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError(
            'connection to server at "db.internal" (10.0.0.5), port 5432 failed: Connection refused'
        )

    with connection.execute_wrapper(refuse):
        yield


def public_addresses(seed):
    return ["/", "/documents/", seed.get_absolute_url(), "/people/", "/dates/"]


def test_healthz_reports_database_and_cache_ok_with_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] == connection.vendor
    assert body["cache"] == {"ok": True, "backend": type(cache).__name__, "ms": body["cache"]["ms"]}
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert not response.cookies


def test_healthz_is_never_served_from_a_cache_and_only_answers_reads(client):
    first = client.get("/healthz")
    second = client.get("/healthz")
    assert "ETag" not in first and "ETag" not in second
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_is_503_when_the_database_does_not_answer(client):
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["ok"] is False
    assert body["database"]["error"] == "OperationalError: did not answer"
    assert body["cache"]["ok"] is True
    # The server's own error text (host, address, port) stays in the log.
    assert "db.internal" not in response.content.decode()
    assert "10.0.0.5" not in response.content.decode()
    # Up again: the next check answers 200 with no restart.
    assert client.get("/healthz").status_code == 200


def test_healthz_reports_a_failing_cache_as_degraded_but_still_serving(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis.internal:6379. Connection refused.")

    monkeypatch.setattr(cache, "set", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["cache"]["ok"] is False
    assert body["cache"]["error"] == "ConnectionError: did not answer"
    assert "redis.internal" not in response.content.decode()


def test_healthz_is_kept_out_of_robots_and_sitemaps(client, seed):
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /healthz" in robots
    sitemap = client.get("/sitemap.xml").content.decode()
    for section in ("documents", "people", "collections"):
        sitemap += client.get(f"/sitemap-{section}.xml").content.decode()
    assert "healthz" not in sitemap


def test_public_pages_answer_a_friendly_503_when_the_database_is_down(client, seed):
    addresses = public_addresses(seed)
    for address in addresses:
        assert client.get(address).status_code == 200, address
    cache.clear()  # what was just cached would be served without the database
    with database_down():
        for address in addresses:
            response = client.get(address)
            assert response.status_code == 503, address
            html = response.content.decode()
            assert FRIENDLY in html, address
            assert "Traceback" not in html and "OperationalError" not in html
            assert "db.internal" not in html
            assert response["Retry-After"] == "30"
            assert "no-store" in response["Cache-Control"]
            assert response["Content-Type"].startswith("text/html")
            assert not response.cookies
    # The 503 was never cached: up again, the pages are back.
    for address in addresses:
        assert client.get(address).status_code == 200, address


def test_the_api_and_oai_pmh_answer_503_in_their_own_formats(client, seed):
    with database_down():
        api = client.get("/api/documents/")
        oai = client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert api.status_code == 503
    assert api["Content-Type"] == "application/json"
    assert "try again" in json.loads(api.content)["detail"]
    assert api["Retry-After"] == "30"
    assert oai.status_code == 503
    assert oai["Content-Type"].startswith("text/plain")
    assert "try again" in oai.content.decode()


def test_signed_in_staff_get_the_503_too(archivist_client, seed):
    """A session cookie means the session is read from the database, inside the view."""
    with database_down():
        response = archivist_client.get("/documents/")
        admin = archivist_client.get("/admin/catalog/document/")
    assert response.status_code == 503
    assert FRIENDLY in response.content.decode()
    assert admin.status_code == 503


def test_a_database_error_outside_any_view_is_a_503_and_others_still_a_500(monkeypatch):
    """handler500: the error escaped the middleware (here: the session middleware's own)."""
    client = Client(raise_request_exception=False)

    def lost(self, request):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionMiddleware, "process_request", lost)
    response = client.get("/documents/")
    assert response.status_code == 503
    assert FRIENDLY in response.content.decode()
    assert response["Retry-After"] == "30"

    def broken(self, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(SessionMiddleware, "process_request", broken)
    response = client.get("/documents/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_pages_are_served_uncached_when_the_shared_cache_is_unreachable(client, seed, monkeypatch):
    """The page cache (Redis in production) down: pages are rendered, and writes go on."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from catalog.models import Document

    def unreachable(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to redis.internal:6379.")

    for method in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, method, unreachable)
    document = Document.objects.published().first()
    for url in ("/", "/documents/", document.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "redis.internal" not in response.content.decode()
    # An edit still saves (its cache bump fails quietly) and shows on the next request.
    document.title = "Renamed while the cache was down"
    document.save()
    assert "Renamed while the cache was down" in client.get("/documents/").content.decode()
    # The health check stays 200, "degraded": every app server shares the one cache.
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
