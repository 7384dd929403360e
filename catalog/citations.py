"""
Citations for a record, as plain text.

:func:`chicago` writes a Chicago Manual of Style note for an archival document (17th ed.,
14.221–14.235): the people (author to recipient), the title, the date, then where the original
lies from the smallest unit up (container, collection, repository, place), then where it was
read online (this site, its record ID and permalink).  It reads only what a record page has
already loaded (people, collections with their parents, repository), so it adds no queries.
"""

from django.conf import settings

from .models import Collection, DocumentPerson


def _names(links):
    """“A”, “A and B”, “A, B, and C”; an uncertain attribution in brackets with a query."""
    names = [
        f"[{link.person.display_name}?]" if link.uncertain else link.person.display_name
        for link in links
    ]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _loaded_trail(collection):
    """The collection and the parents already loaded with it, smallest first (no queries)."""
    trail, node = [collection], collection
    while node.parent_id and Collection.parent.is_cached(node):
        node = node.parent
        trail.append(node)
    return trail


def _archival_collections(document):
    """The document's archival collections, leaving out any that another one sits inside."""
    archival = [c for c in document.collections.all() if c.kind == Collection.Kind.ARCHIVAL]
    return [
        c
        for c in archival
        if not any(o is not c and o.tree_path.startswith(c.tree_path) for o in archival)
    ]


def _join(parts):
    """Join with commas; a quoted title takes the comma inside its closing quote."""
    text = ""
    for part in parts:
        if not text:
            text = part
        elif text.endswith("”") and text[-2:-1] not in {"?", "!"}:
            text = f"{text[:-1]},” {part}"
        elif text.endswith("”"):
            text = f"{text} {part}"
        else:
            text = f"{text}, {part}"
    return text


def _sentence(text):
    """End with one full stop (“n.d.” already has it)."""
    return text if text.endswith(".") else f"{text}."


def _holding(document):
    """Container, collections (smallest first), repository, place: whichever are recorded."""
    parts = [document.container] if document.container else []
    for collection in _archival_collections(document):
        parts.extend(c.title for c in _loaded_trail(collection))
    if document.repository_id:
        parts.append(document.repository.name)
        if document.repository.place:
            parts.append(document.repository.place)
    return parts


def source_line(document):
    """
    Where the original lies, as one line: the source's own wording when catalogued, else
    container, collections, repository and place put together.
    """
    return document.source_note or ", ".join(_holding(document))


def chicago(document, url, *, site_name=None):
    """
    A Chicago-style note for ``document`` read at ``url`` (an absolute permalink), e.g.
    “W. Averell Harriman, “Telegram re …,” February 2, 1944, Container # 171, W. Averell
    Harriman Papers, Library of Congress, Manuscript Division, Washington, DC. Archive
    Catalogue, record ID 1, https://…/documents/1/telegram-re-…/.”
    """
    links = list(document.person_links.all())
    authors = [link for link in links if link.role == DocumentPerson.Role.AUTHOR]
    if not authors:
        authors = [link for link in links if link.role == DocumentPerson.Role.SIGNATORY]
    recipients = [link for link in links if link.role == DocumentPerson.Role.RECIPIENT]

    parts = []
    if authors:
        people = _names(authors)
        if recipients:
            people = f"{people} to {_names(recipients)}"
        parts.append(people)
    if document.title:
        parts.append(f"“{document.title.strip()}”")
    else:
        parts.append(document.get_doc_type_display().lower())
    parts.append(document.date_display if document.date_edtf else "n.d.")
    parts.extend(_holding(document))

    online = [site_name or settings.SITE_NAME, f"record ID {document.record_id}", url]
    return f"{_sentence(_join(parts))} {_sentence(_join(online))}"
