"""
The catalogue keeps answering when its database does not (docs/reliability.md).

:class:`DatabaseUnavailableMiddleware` turns a lost database connection (``OperationalError``
or ``InterfaceError`` raised while a view or its template ran), or an unreachable Redis
(``CACHE_URL``) anywhere the page cache does not already fall back, into a 503 with
``Retry-After``: a friendly page for readers, JSON for the API, plain text for OAI-PMH
harvesters.  Nothing it renders touches the database: the page is rendered without context
processors, from ``SITE_NAME`` and the request alone.  :func:`server_error` (``handler500``)
does the same for the rarer database error raised outside a view (a session saved by a
middleware); any other error is the usual 500.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import get_template
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger("catalog.reliability")

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30
MESSAGE = "The catalogue is not answering at the moment; please try again shortly."
DATABASE_DOWN = (OperationalError, InterfaceError)
try:  # the shared cache (CACHE_URL); the page cache itself falls back to rendering
    from redis.exceptions import ConnectionError as CacheConnectionError
    from redis.exceptions import TimeoutError as CacheTimeoutError

    UNAVAILABLE = (*DATABASE_DOWN, CacheConnectionError, CacheTimeoutError)
except ImportError:  # pragma: no cover - redis is a dependency
    UNAVAILABLE = DATABASE_DOWN


def unavailable_response(request):
    """The 503 for ``request``, in the format its client reads; never cached."""
    path = request.path_info
    if path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=503)
    elif path.startswith("/oai/"):
        response = HttpResponse(MESSAGE + "\n", status=503, content_type="text/plain")
    else:
        context = {"SITE_NAME": settings.SITE_NAME, "request": request, "retry_after": RETRY_AFTER}
        # No request argument: no context processors, so nothing here can query.
        html = get_template("503.html").render(context)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    add_never_cache_headers(response)
    return response


def _log(request, exception):
    logger.error(
        "Unavailable (%s) for %s %s: %s",
        type(exception).__name__,
        request.method,
        request.path,
        exception,
        exc_info=(type(exception), exception, exception.__traceback__),
    )


class DatabaseUnavailableMiddleware:
    """A 503, not a traceback, when the database is down (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE):
            _log(request, exception)
            return unavailable_response(request)
        return None


def server_error(request, template_name="500.html"):
    """``handler500``: the 503 for a database error that escaped the middleware, else the 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, UNAVAILABLE):
        _log(request, exception)
        return unavailable_response(request)
    return defaults.server_error(request, template_name)
