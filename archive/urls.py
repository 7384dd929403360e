"""Root URLs: the archivists' admin and the public catalogue."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.generic import TemplateView

from catalog.feeds import CollectionFeed, DocumentFeed
from catalog.sitemaps import SITEMAPS
from catalog.views.health import healthz

admin.site.site_header = "Archive Catalogue — cataloguing"
admin.site.site_title = "Archive Catalogue admin"
admin.site.index_title = "Catalogue records"

urlpatterns = [
    # DJANGO_ADMIN_URL, "admin/" by default (docs/deployment.md#the-admin-address).
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("catalog.api.urls")),
    # For load balancers and monitors: database and cache status (docs/reliability.md).
    path("healthz", healthz, name="healthz"),
    # Discovery (docs/discovery.md): sitemap index and sections, robots.txt, Atom feeds.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots-txt",
    ),
    path("feeds/documents/", DocumentFeed(), name="feed-documents"),
    path("collections/<slug:slug>/feed/", CollectionFeed(), name="feed-collection"),
    path("", include("catalog.urls")),
]

# A database error outside any view is a 503 too (catalog/middleware.py); others the 500 page.
handler500 = "catalog.middleware.server_error"
