"""
``/healthz``: what a load balancer or monitor asks (docs/reliability.md#health-check).

One ``SELECT 1`` on the database and one write and read of the cache.  200 with
``"status": "ok"`` when both answer; 200 with ``"degraded"`` when only the cache fails (every
app server shares it, so taking this one out of rotation would not help; pages cached by it
fail until it is back); 503 with ``"error"`` when the database does not answer.  Never
cached, sets no cookie, and says which part failed without the server's own error text
(host names, ports), which goes to the log instead.
"""

import logging
import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("catalog.reliability")

CACHE_KEY = "catalog:healthz"


def _timed(check):
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # any failure is an answer here, not a 500
        logger.warning("Health check %s failed: %s", check.__name__, error, exc_info=True)
        result = {"ok": False, "error": f"{type(error).__name__}: did not answer"}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database():
    # A persistent connection that failed here is dropped when the request ends (Django's
    # close_old_connections), so the next check connects afresh.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _cache():
    backend = type(cache).__name__
    token = str(time.time_ns())
    cache.set(CACHE_KEY, token, 30)
    # The dummy cache (production without CACHE_URL) stores nothing and cannot fail.
    ok = backend == "DummyCache" or cache.get(CACHE_KEY) == token
    result = {"ok": ok, "backend": backend}
    if not ok:
        result["error"] = "the value written was not read back"
    return result


@require_safe
@never_cache
def healthz(request):
    """The health of this app server's database and cache, as JSON (200, or 503)."""
    database, cache_state = _timed(_database), _timed(_cache)
    if not database["ok"]:
        status = "error"
    elif not cache_state["ok"]:
        status = "degraded"
    else:
        status = "ok"
    response = JsonResponse(
        {"status": status, "database": database, "cache": cache_state},
        status=200 if database["ok"] else 503,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
