from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The catalogue: records, the archivists' admin and the public pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    verbose_name = "Catalogue"

    def ready(self):
        from . import cache, oai, signals  # noqa: F401 (page cache; OAI tombstones; search index)
