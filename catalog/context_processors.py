"""Template context shared by every page."""

from django.conf import settings


def site(request):
    """The site's name, for titles and citations."""
    return {"SITE_NAME": settings.SITE_NAME}
