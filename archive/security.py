"""
What django-axes needs from this project (docs/deployment.md#admin-sign-in-throttling): the
client's address, behind a proxy or not, and the page a locked-out archivist sees.
"""

import math

from axes.helpers import get_client_username
from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse


def client_ip(request):
    """
    The address sign-in failures are counted against.

    Directly on the internet it is ``REMOTE_ADDR``. Behind ``TRUSTED_PROXY_COUNT`` proxies
    (``DJANGO_BEHIND_PROXY=1``, ``DJANGO_PROXY_COUNT``) it is the X-Forwarded-For entry that
    many places from the right: the address the outermost proxy saw. Entries further left
    were written by the client and could be anything, so they are never trusted.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if len(addresses) >= count:
            return addresses[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """The admin-styled "too many attempts" page, 429 with Retry-After, for a locked sign-in."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in locked",
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": math.ceil(cooloff.total_seconds() / 60),
    }
    response = TemplateResponse(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(math.ceil(cooloff.total_seconds()))
    return response.render()
