"""
Caching that never serves stale data (docs/performance.md#caching).

The whole catalogue has one **generation**, a number kept in Django's cache under
``catalog:generation``.  Every public page cached by :func:`cached_public_page` is stored under
its URL together with the generation (and date) it was rendered at, and is served only while
that is still the current one, so :func:`bump` (a new generation) retires every cached page at
once.  A hit costs one round trip to the cache (``get_many`` of the generation and the page).
When the cache server cannot be reached, pages are rendered and served uncached, and writes go
on (a warning is logged): the cache can make the site faster, never unavailable.

The signals below bump on every save and delete of anything a public page shows and on the
document's collection, subject and people links.  Writes that bypass signals (``bulk_create``,
``QuerySet.update()``) call :func:`bump` themselves: the importer's ``apply`` and ``undo``,
``generate_documents`` and ``services.add_to_collection``.

A bump happens at once *and* again when the transaction commits: the first keeps a request in
the same transaction (a test, a shell) from seeing old pages; the second makes unreachable
anything a reader cached from the old data between the first bump and the commit.

The generation is a time in nanoseconds, never a counter from 1, so a generation lost from the
cache (evicted, a Redis restart) starts again above every earlier one, and it doubles as the
time of the last change for ``Last-Modified`` (:func:`changed_at`).
"""

import datetime
import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import get_conditional_response, quote_etag

from .models import (
    Collection,
    Document,
    DocumentPerson,
    Person,
    PersonAuthority,
    PersonRedirect,
    ProvenanceEvent,
    Repository,
    RightsStatement,
    Subject,
)

logger = logging.getLogger(__name__)

GENERATION_KEY = "catalog:generation"
# Cached pages live this long at most (old generations are never read, only expire).
PAGE_TIMEOUT = 10 * 60
# Everything a public page shows: a save or delete of any of these is a new generation.
PUBLIC_MODELS = (
    Collection,
    Document,
    DocumentPerson,
    Person,
    PersonAuthority,
    PersonRedirect,
    ProvenanceEvent,
    Repository,
    RightsStatement,
    Subject,
)
LINK_TABLES = (Document.collections.through, Document.subjects.through, DocumentPerson)


def generation() -> int:
    """The current generation (set to now when the cache holds none or cannot be reached)."""
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
            value = cache.get(GENERATION_KEY)
    except Exception:  # the cache server is down: pages are rendered, not cached
        logger.warning("The cache did not answer; serving pages uncached.", exc_info=True)
        value = None
    # No cache at all (production without CACHE_URL: DummyCache keeps nothing): now.
    return value or time.time_ns()


def changed_at() -> datetime.datetime:
    """When the catalogue last changed, as far as the cache knows (the generation's time)."""
    return datetime.datetime.fromtimestamp(generation() / 1e9, tz=datetime.UTC)


def _new_generation():
    try:
        current = cache.get(GENERATION_KEY) or 0
        cache.set(GENERATION_KEY, max(time.time_ns(), current + 1), timeout=None)
    except Exception:
        # The write itself must not fail because the cache is down.  Cached pages expire
        # within PAGE_TIMEOUT; a cache that lost its data on the way down holds none.
        logger.error("The cache did not answer; could not start a new generation.", exc_info=True)


def bump() -> None:
    """Start a new generation now and again after the current transaction commits."""
    _new_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_new_generation)


def _changed(sender, **kwargs):
    bump()


def _links_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        bump()


for _model in PUBLIC_MODELS:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"catalog_cache_{_model.__name__}_s")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"catalog_cache_{_model.__name__}_d")
for _table in LINK_TABLES:
    m2m_changed.connect(_links_changed, sender=_table, dispatch_uid=f"catalog_cache_{_table}_m2m")


def _cacheable(request) -> bool:
    """Anonymous GETs only: no signed-in user, no session cookie (staff see drafts)."""
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def cached_public_page(view):
    """
    Serve ``view`` from the cache to anonymous GET requests, keyed by the absolute URL (host,
    path and query string), the generation and today's date; store its 200 responses for
    ``PAGE_TIMEOUT``.

    Cached responses carry an ``ETag`` of the generation, date and URL and answer ``If-None-Match``
    with a 304.  Signed-in users and anyone with a session cookie pass straight through, never
    reading or writing the cache.  The page must show nothing per-user to anonymous users.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
        key = f"catalog:page:{digest}"
        try:
            # One round trip for a hit: the generation and this URL's last rendering.
            found = cache.get_many([GENERATION_KEY, key])
        except Exception:
            logger.warning("The cache did not answer; serving pages uncached.", exc_info=True)
            return view(request, *args, **kwargs)
        # Today's date is part of the stamp and the ETag: embargoes lift at midnight without a
        # write (the gate compares dates), so a page rendered yesterday is never served today.
        current = f"{found.get(GENERATION_KEY) or generation()}-{timezone.localdate():%Y%m%d}"
        stamp, response = found.get(key) or (None, None)
        if stamp != current:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                return response
            if hasattr(response, "render"):
                response.render()
            response["ETag"] = quote_etag(f"{current}-{digest[:12]}")
            try:
                cache.set(key, (current, response), PAGE_TIMEOUT)
            except Exception:
                logger.warning("The cache did not answer; page not stored.", exc_info=True)
        return get_conditional_response(request, etag=response["ETag"], response=response)

    return wrapped
