"""
The public URLs of records (``get_absolute_url``), built once per worker and remembered.

A results page links every document and every person named in its rows, about a hundred
``reverse()`` calls of some 25 µs each (resolver lookups, quoting, and a check of the URL
against its pattern): about a fifth of rendering the document list.  The URL of a record
depends only on the view, its arguments, the script prefix and the URLconf, so those are the
cache's key; a changed slug, prefix or URLconf is a new key.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

#: Enough for every person of a large catalogue and the documents of a busy day; about
#: 200 bytes an entry.
CACHE_SIZE = 50_000


@lru_cache(maxsize=CACHE_SIZE)
def _reverse(viewname, kwargs, prefix, urlconf):
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))


def record_url(viewname, **kwargs):
    """``reverse(viewname, kwargs=kwargs)``, remembered for the script prefix and URLconf."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(viewname, tuple(kwargs.items()), get_script_prefix(), urlconf)
