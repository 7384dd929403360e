"""
Search index upkeep, and nothing else: whenever a document, its people or a person's names
change, the index rows of the documents concerned are rebuilt (:func:`catalog.search.reindex`).

Signals hear every ``save()`` and ``delete()``: the admin, services, factories and ``loaddata``
(raw saves included, so a loaded fixture is searchable at once).  They do not hear
``bulk_create``, ``QuerySet.update()`` or raw SQL: code that writes indexed fields that way
calls ``reindex()`` itself, as ``generate_documents`` does.  ``manage.py rebuild_search_index``
rebuilds everything.  After ``migrate`` and ``flush`` (which empties the tables around the
index, as the test runner does after each transactional test) rows of vanished documents are
pruned.
"""

from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save
from django.dispatch import receiver

from . import search
from .models import Document, DocumentPerson, Person

# Document fields the index reads; a save limited to other fields (publishing) leaves it be.
INDEXED_DOCUMENT_FIELDS = {"title", "summary", "transcript", "source_note"}
INDEXED_PERSON_FIELDS = {"display_name", "alternate_names"}


@receiver(post_save, sender=Document, dispatch_uid="catalog_search_document_saved")
def document_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not INDEXED_DOCUMENT_FIELDS & set(update_fields):
        return
    search.reindex([instance.pk])


@receiver(post_delete, sender=Document, dispatch_uid="catalog_search_document_deleted")
def document_deleted(sender, instance, **kwargs):
    search.reindex([instance.pk])  # the document is gone, so its row goes


@receiver(post_save, sender=DocumentPerson, dispatch_uid="catalog_search_link_saved")
@receiver(post_delete, sender=DocumentPerson, dispatch_uid="catalog_search_link_deleted")
def person_link_changed(sender, instance, **kwargs):
    search.reindex([instance.document_id], texts=False)


@receiver(m2m_changed, sender=DocumentPerson, dispatch_uid="catalog_search_people_changed")
def people_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``document.people.add()`` and the like, which write links without saving them."""
    if action == "pre_clear":
        # Remember whose links are being cleared: afterwards they cannot be found.
        if reverse:
            links = DocumentPerson.objects.filter(person=instance)
            instance._search_cleared = list(links.values_list("document_id", flat=True))
        else:
            instance._search_cleared = [instance.pk]
    elif action == "post_clear":
        search.reindex(getattr(instance, "_search_cleared", []), texts=False)
    elif action in ("post_add", "post_remove"):
        search.reindex(pk_set if reverse else [instance.pk], texts=False)


@receiver(pre_save, sender=Person, dispatch_uid="catalog_search_person_saving")
def person_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    """Note whether the names the index holds are changing (one query for a stored person)."""
    instance._search_names_changed = True
    if raw or instance.pk is None:
        return
    if update_fields is not None and not INDEXED_PERSON_FIELDS & set(update_fields):
        instance._search_names_changed = False
        return
    stored = (
        Person.objects.filter(pk=instance.pk).values_list(*sorted(INDEXED_PERSON_FIELDS)).first()
    )
    current = tuple(getattr(instance, field) for field in sorted(INDEXED_PERSON_FIELDS))
    instance._search_names_changed = stored != current


@receiver(post_save, sender=Person, dispatch_uid="catalog_search_person_saved")
def person_saved(sender, instance, created=False, **kwargs):
    """A renamed person: every document naming them is found under the new name."""
    if created or not getattr(instance, "_search_names_changed", True):
        return
    search.reindex(
        DocumentPerson.objects.filter(person=instance).values_list("document_id", flat=True),
        texts=False,
    )


@receiver(post_migrate, dispatch_uid="catalog_search_pruned")
def prune_after_flush(sender, using="default", **kwargs):
    """``flush`` empties the documents but not the index, a table the models do not know."""
    if sender.label != "catalog":
        return
    if search.INDEX_TABLE in connections[using].introspection.table_names():
        search.prune(using)
