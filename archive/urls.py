"""Root URLs: the archivists' admin and the public catalogue."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Archive Catalogue — cataloguing"
admin.site.site_title = "Archive Catalogue admin"
admin.site.index_title = "Catalogue records"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
]
