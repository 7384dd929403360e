"""
Multi-model and bulk writes, each one keyword-only, typed and in one transaction.

Publishing is the gate between the archivists' work and the public site, so the functions
that move a document across it check the ``catalog.publish_document`` permission themselves:
the admin hides its actions from those without it, and these functions refuse them as well.

The other bulk writes (collections, rights, merging people) check the model permissions they
need when given a ``user``, and record that user in the change history of every row they
write; called without one (from a shell or a command) they trust the caller.  Every row is
written through ``save()``, ``delete()`` or a related manager, never ``QuerySet.update()``,
so django-simple-history and the search index (:mod:`catalog.signals`) hear of each change.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import (
    Collection,
    Document,
    DocumentPerson,
    Person,
    PersonAuthority,
    PersonRedirect,
    RightsStatement,
)
from .text import fold

PUBLISH_PERMISSION = "catalog.publish_document"


def can_publish(user) -> bool:
    """Whether ``user`` may publish and unpublish documents (Editors and superusers)."""
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def _require_publish_permission(user) -> None:
    if not can_publish(user):
        raise PermissionDenied("Only editors may publish or unpublish documents.")


def _locked(documents: QuerySet[Document] | Iterable[Document]) -> QuerySet[Document]:
    """The given documents as a fresh queryset, rows locked until the transaction ends."""
    if isinstance(documents, QuerySet):
        # A subquery, not a list of ids: "select all" on a large changelist stays one query.
        selection = documents.order_by().values("pk")
    else:
        selection = [document.pk for document in documents]
    return Document.objects.select_for_update().filter(pk__in=selection).order_by("pk")


@transaction.atomic
def publish_documents(*, documents: QuerySet[Document] | Iterable[Document], user) -> int:
    """
    Publish ``documents`` and return how many were drafts before.

    ``published_at`` is set on a document's first publication only: a record that is taken
    down and published again keeps the date it first went online.  Each row is saved (not
    bulk-updated) so that anything listening to ``post_save``, such as a search index, hears
    of the change.
    """
    _require_publish_permission(user)
    changed = 0
    for document in _locked(documents):
        if document.status == Document.Status.PUBLISHED:
            continue
        document.status = Document.Status.PUBLISHED
        # save() sets published_at: now, or when an embargo lifts (catalog/models.py).
        document.save(update_fields=["status", "published_at", "modified"])
        changed += 1
    return changed


@transaction.atomic
def unpublish_documents(*, documents: QuerySet[Document] | Iterable[Document], user) -> int:
    """
    Return published ``documents`` to draft and return how many were published before.

    The public site stops showing them at once; ``published_at`` is kept as the record of
    when each first went online.
    """
    _require_publish_permission(user)
    changed = 0
    for document in _locked(documents):
        if document.status != Document.Status.PUBLISHED:
            continue
        document.status = Document.Status.DRAFT
        document.save(update_fields=["status", "modified"])
        changed += 1
    return changed


def _require_permissions(user, *permissions: str, refusal: str) -> None:
    """Refuse ``user`` (when there is one) unless active and holding every permission."""
    if user is None:
        return
    if not (user.is_active and user.has_perms(permissions)):
        raise PermissionDenied(refusal)


def _attribute_to(instance, user):
    """Name ``user`` as the author of ``instance``'s next history record (if there is one)."""
    if user is not None:
        instance._history_user = user
    return instance


# Documents in bulk ---------------------------------------------------------------------------


@transaction.atomic
def add_to_collection(
    documents: QuerySet[Document] | Iterable[Document], collection: Collection, *, user=None
) -> int:
    """
    Put ``documents`` in ``collection`` as well as the collections they are in already, and
    return how many were not in it before (the others are left untouched).

    Each document is added through its ``collections`` manager, so its change history gets a
    version naming ``user``.  Collections are not part of the search index: nothing to reindex.
    """
    _require_permissions(
        user,
        "catalog.change_document",
        refusal="You may not change documents, so you cannot add them to a collection.",
    )
    already = set(collection.documents.values_list("pk", flat=True))
    changed = []
    for document in _locked(documents):
        if document.pk in already:
            continue
        _attribute_to(document, user).collections.add(collection)
        changed.append(document.pk)
    if changed:
        # The m2m write above does not touch ``modified``; this update records no second version.
        Document.objects.filter(pk__in=changed).update(modified=timezone.now())
    return len(changed)


@transaction.atomic
def set_rights(
    documents: QuerySet[Document] | Iterable[Document], rights: RightsStatement, *, user=None
) -> int:
    """
    Give ``documents`` the rights statement ``rights`` and return how many had another one.

    Each document's own rights note (the holding institution's words) is left as it is.  Each
    row is saved, so its change history names ``user``; the rights are not part of the search
    index, so the save does not reindex.
    """
    _require_permissions(
        user,
        "catalog.change_document",
        refusal="You may not change documents, so you cannot set their rights statement.",
    )
    changed = 0
    for document in _locked(documents):
        if document.rights_id == rights.pk:
            continue
        document.rights = rights
        _attribute_to(document, user).save(update_fields=["rights", "modified"])
        changed += 1
    return changed


# Merging people ------------------------------------------------------------------------------

MERGE_PERMISSIONS = ("catalog.change_person", "catalog.delete_person")
# DocumentPerson.note's max_length: joined notes longer than this are cut with an ellipsis.
LINK_NOTE_LENGTH = DocumentPerson._meta.get_field("note").max_length


def can_merge_people(user) -> bool:
    """Whether ``user`` may merge people (it changes one record and deletes the others)."""
    return bool(user and user.is_active and user.has_perms(MERGE_PERMISSIONS))


@dataclass(frozen=True)
class MergePlan:
    """What merging ``others`` into ``survivor`` does; made by :func:`plan_merge`."""

    survivor: Person
    others: tuple[Person, ...]
    #: Links of the others given to the survivor as they are.
    links_moved: int
    #: Links dropped because the survivor already has that role in that document (their
    #: certainty and note are folded into the survivor's link).
    duplicates_dropped: int
    #: Names that become the survivor's alternate names, in order.
    names_added: tuple[str, ...]
    #: Authority URIs moved to the survivor.
    authorities_moved: tuple[str, ...]
    #: Old slugs that will answer with a redirect to the survivor (the others' own and those
    #: already redirecting to them).
    redirected_slugs: tuple[str, ...]


def _names_to_add(survivor: Person, others: Iterable[Person]) -> list[str]:
    """The others' display and alternate names the survivor lacks (compared folded)."""
    known = {fold(name).strip() for name in (survivor.display_name, survivor.sort_name)}
    known |= {fold(name).strip() for name in survivor.alternate_name_list}
    added = []
    for other in others:
        for name in (other.display_name.strip(), *other.alternate_name_list):
            key = fold(name).strip()
            if key and key not in known:
                known.add(key)
                added.append(name)
    return added


def _check_merge(survivor: Person, others: Iterable[Person]) -> tuple[Person, ...]:
    others = tuple(others)
    if not others:
        raise ValueError("Choose at least one person to merge into the survivor.")
    if any(other.pk == survivor.pk for other in others):
        raise ValueError("The survivor cannot also be one of the people merged into it.")
    return others


def plan_merge(survivor: Person, others: Iterable[Person]) -> MergePlan:
    """
    What :func:`merge_people` would do, without writing anything.  Uses the people's
    prefetched ``document_links``, ``authorities`` and ``redirects`` when they have them
    (the admin's preview prefetches them once for every choice of survivor).
    """
    others = _check_merge(survivor, others)
    taken = {(link.document_id, link.role) for link in survivor.document_links.all()}
    moved = dropped = 0
    for other in others:
        for link in other.document_links.all():
            if (link.document_id, link.role) in taken:
                dropped += 1
            else:
                taken.add((link.document_id, link.role))
                moved += 1
    return MergePlan(
        survivor=survivor,
        others=others,
        links_moved=moved,
        duplicates_dropped=dropped,
        names_added=tuple(_names_to_add(survivor, others)),
        authorities_moved=tuple(a.uri for other in others for a in other.authorities.all()),
        redirected_slugs=tuple(
            slug
            for other in others
            for slug in (other.slug, *(r.old_slug for r in other.redirects.all()))
        ),
    )


def _joined_notes(*notes: str) -> str:
    """The distinct non-empty notes joined with "; ", cut to fit a link's note."""
    distinct = list(dict.fromkeys(note.strip() for note in notes if note.strip()))
    joined = "; ".join(distinct)
    if len(joined) > LINK_NOTE_LENGTH:
        joined = joined[: LINK_NOTE_LENGTH - 1].rstrip() + "…"
    return joined


@transaction.atomic
def merge_people(survivor: Person, others: Iterable[Person], *, user=None) -> MergePlan:
    """
    Merge ``others`` into ``survivor`` (one record for one historical person) and return
    what was done, as a :class:`MergePlan`.  In one transaction, with the rows locked:

    - every document link of the others moves to the survivor; where the survivor already
      has that role in that document the other's link is dropped instead, and the
      survivor's link keeps the surer attribution (not uncertain if either was not) and both
      notes, joined with "; ";
    - the others' display and alternate names become the survivor's alternate names (each
      once, and never the survivor's own names), so searches for them still find the
      documents;
    - their authority URIs move to the survivor;
    - their web addresses, and any already redirecting to them, redirect to the survivor's
      (:class:`~catalog.models.PersonRedirect`);
    - the others are deleted.

    Every write is a ``save()`` or ``delete()``, so the change history names ``user`` and the
    search index is rebuilt for each document concerned.  Refuses a ``user`` without
    ``change_person`` and ``delete_person``; raises ``ValueError`` when ``others`` is empty
    or contains the survivor.
    """
    _require_permissions(
        user, *MERGE_PERMISSIONS, refusal="Merging people needs the change and delete permissions."
    )
    others = _check_merge(survivor, others)
    ids = sorted({survivor.pk, *(other.pk for other in others)})
    locked = {person.pk: person for person in Person.objects.select_for_update().filter(pk__in=ids)}
    if len(locked) != len(ids):
        raise ValueError("One of the people to merge no longer exists.")
    survivor = locked[survivor.pk]
    others = tuple(locked[other.pk] for other in others)
    plan = plan_merge(survivor, others)

    # Names first: each link moved below reindexes its document with the survivor's names.
    if plan.names_added:
        survivor.alternate_names = "\n".join([*survivor.alternate_name_list, *plan.names_added])
        _attribute_to(survivor, user).save()

    kept = {
        (link.document_id, link.role): link
        for link in DocumentPerson.objects.select_for_update().filter(person=survivor)
    }
    links = DocumentPerson.objects.select_for_update().filter(person__in=others)
    for link in links.order_by("person_id", "pk"):
        key = (link.document_id, link.role)
        existing = kept.get(key)
        if existing is None:
            link.person = survivor
            _attribute_to(link, user).save(update_fields=["person"])
            kept[key] = link
            continue
        uncertain = existing.uncertain and link.uncertain
        note = _joined_notes(existing.note, link.note)
        _attribute_to(link, user).delete()
        if (uncertain, note) != (existing.uncertain, existing.note):
            existing.uncertain, existing.note = uncertain, note
            _attribute_to(existing, user).save(update_fields=["uncertain", "note"])

    for authority in PersonAuthority.objects.filter(person__in=others):
        authority.person = survivor
        _attribute_to(authority, user).save(update_fields=["person"])

    for redirect in PersonRedirect.objects.filter(person__in=others):
        redirect.person = survivor
        redirect.save(update_fields=["person"])
    for other in others:
        PersonRedirect.objects.update_or_create(old_slug=other.slug, defaults={"person": survivor})
        _attribute_to(other, user).delete()
    return plan
