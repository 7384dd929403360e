"""
What a record page tells machines: schema.org JSON-LD for search engines, and the Dublin Core
and Highwire Press ``<meta>`` tags that Zotero's "Embedded Metadata" translator and other
reference managers read.

Both are built from what the record page has already loaded (``Document.objects.for_detail()``
and the collections with their parents from ``attach_ancestors``), so they add no queries.
docs/discovery.md maps every field.
"""

import calendar
import json
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from . import dates
from .citations import _authors_and_recipients
from .models import Collection, Document, DocumentPerson

SCHEMA_ORG = "https://schema.org"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"

# Inside <script>, "</script>" or "<!--" would end or change the block: JSON may write these
# characters as \u escapes, which mean the same string to a JSON reader.
_HTML_UNSAFE_IN_JSON = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})

_YEAR, _MONTH, _DAY = range(3)


def json_for_html(data):
    """``data`` as JSON that is safe inside an HTML ``<script>`` element (``<``, ``>`` and
    ``&`` escaped), marked safe for templates."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return mark_safe(text.translate(_HTML_UNSAFE_IN_JSON))


def _precision(day, *, end):
    """How coarse a bound can be written: a start on 1 January is a year, on the 1st a month;
    an end on 31 December is a year, on the month's last day a month."""
    if end:
        if (day.month, day.day) == (12, 31):
            return _YEAR
        return _MONTH if day.day == calendar.monthrange(day.year, day.month)[1] else _DAY
    if (day.month, day.day) == (1, 1):
        return _YEAR
    return _MONTH if day.day == 1 else _DAY


def _iso(day, precision):
    return day.isoformat()[: (4, 7, 10)[precision]]


def date_created(document):
    """
    The document's date in ISO 8601 from its EDTF bounds: ``1944-02-02``, ``1944-02``,
    ``1944``, or an interval such as ``1891-03/1892-04`` or ``1940/1949`` (for ``194X``), both
    ends at the finer of their two precisions.  None when undated or open at either end,
    where no ISO 8601 date says what the catalogue knows.
    """
    start, end = document.date_earliest, document.date_latest
    if not document.date_edtf or start is None or end is None:
        return None
    if start == dates.OPEN_START or end == dates.OPEN_END:
        return None
    precision = max(_precision(start, end=False), _precision(end, end=True))
    first, last = _iso(start, precision), _iso(end, precision)
    return first if first == last else f"{first}/{last}"


def _person(person, absolute_uri):
    """A schema.org Person, with the person page as ``@id`` and ``url``."""
    url = absolute_uri(person.get_absolute_url())
    return {"@type": "Person", "@id": url, "name": person.display_name, "url": url}


def _people(links, absolute_uri):
    """Persons for person links, each with its authority URIs (``for_detail()``) as sameAs."""
    nodes = []
    for link in links:
        node = _person(link.person, absolute_uri)
        uris = sorted((getattr(link, "authority_uris", None) or "").split())
        if uris:
            node["sameAs"] = uris
        nodes.append(node)
    return nodes


def _collection(collection, absolute_uri):
    """An archival collection as an ArchiveComponent, a curated theme as a Collection, each
    inside the collections above it as far as they are loaded (no queries)."""
    url = absolute_uri(collection.get_absolute_url())
    kind = "ArchiveComponent" if collection.kind == Collection.Kind.ARCHIVAL else "Collection"
    node = {"@type": kind, "@id": url, "name": collection.title, "url": url}
    if collection.identifier:
        node["identifier"] = collection.identifier
    if collection.parent_id and Collection.parent.is_cached(collection):
        node["isPartOf"] = _collection(collection.parent, absolute_uri)
    return node


def _holding_archive(repository, absolute_uri):
    url = absolute_uri(repository.get_absolute_url())
    node = {"@type": "ArchiveOrganization", "@id": url, "name": repository.name, "url": url}
    if repository.place:
        node["address"] = repository.place
    if repository.url:
        node["sameAs"] = repository.url
    return node


def record_json_ld(document, *, permalink, collections, absolute_uri):
    """
    ``document`` as a schema.org ``ArchiveComponent`` (a dict ready for ``json_for_html``).

    ``permalink`` is the record's absolute URL, ``collections`` its collections with their
    parents loaded, and ``absolute_uri`` turns a path into an absolute URL (the request's
    ``build_absolute_uri``).  Empty fields are left out; the transcript is not included.
    """
    authors, recipients = _authors_and_recipients(document)
    by_role = {}
    for link in document.person_links.all():
        if link not in authors and link not in recipients:
            by_role.setdefault(link.role, []).append(link)
    others = [
        link
        for role in (DocumentPerson.Role.SIGNATORY, DocumentPerson.Role.OTHER)
        for link in by_role.get(role, [])
    ]
    data = {
        "@context": SCHEMA_ORG,
        "@type": "ArchiveComponent",
        "@id": permalink,
        "url": permalink,
        "name": document.title,
        "identifier": str(document.record_id),
        "genre": document.get_doc_type_display(),
        "description": document.summary,
        "inLanguage": document.language,
        "dateCreated": date_created(document),
        "author": _people(authors, absolute_uri),
        "recipient": _people(recipients, absolute_uri),
        "mentions": _people(by_role.get(DocumentPerson.Role.MENTIONED, []), absolute_uri),
        "translator": _people(by_role.get(DocumentPerson.Role.TRANSLATOR, []), absolute_uri),
        "contributor": _people(others, absolute_uri),
        "about": [{"@type": "DefinedTerm", "name": s.name} for s in document.subjects.all()],
        "isPartOf": [_collection(c, absolute_uri) for c in collections],
        "holdingArchive": (
            _holding_archive(document.repository, absolute_uri) if document.repository else None
        ),
        "license": document.rights.uri if document.rights else None,
        "usageInfo": document.rights.uri if document.rights else None,
        "datePublished": document.published_at.isoformat() if document.published_at else None,
        "dateModified": document.modified.isoformat() if document.modified else None,
    }
    return {key: value for key, value in data.items() if value}


def _zotero_type(document):
    """Zotero's item type, which its translator takes from ``DC.type``: letter or manuscript."""
    return "letter" if document.doc_type == Document.Type.LETTER else "manuscript"


def _citation_name(person):
    """“Family, Given” when the sort name is that, which reference managers split right."""
    return person.sort_name if ", " in person.sort_name else person.display_name


def record_meta_tags(document, *, permalink, source=""):
    """
    ``[(name, content), …]`` for the record page's ``<meta>`` tags: Highwire Press
    ``citation_*`` (Google Scholar, Zotero, Mendeley) and Dublin Core ``DC.*`` (Zotero's
    Embedded Metadata translator, with ``<link rel="schema.DC">``).  Empty values are left
    out; a tag may repeat (one ``citation_author`` per author).
    """
    authors, _recipients = _authors_and_recipients(document)
    when = date_created(document)
    subjects = [subject.name for subject in document.subjects.all()]
    tags = [("citation_title", document.title)]
    tags += [("citation_author", _citation_name(link.person)) for link in authors]
    tags += [
        ("citation_date", when),
        ("citation_language", document.language),
        ("citation_abstract", document.summary),
        ("citation_keywords", "; ".join(subjects)),
        ("DC.title", document.title),
    ]
    tags += [("DC.creator", link.person.display_name) for link in authors]
    tags += [
        ("DC.date", when),
        ("DC.type", _zotero_type(document)),
        ("DC.identifier", permalink),
        ("DC.language", document.language),
        ("DC.description", document.summary),
        ("DC.rights", document.rights.uri if document.rights else ""),
        ("DC.source", source),
    ]
    tags += [("DC.subject", name) for name in subjects]
    return [(name, content) for name, content in tags if content]


@dataclass(frozen=True)
class RecordMetadata:
    """Everything ``catalog/includes/_record_meta.html`` writes into the record page's head."""

    json_ld: SafeString
    meta_tags: list
    dublin_core: str = DUBLIN_CORE


def record_metadata(document, *, permalink, collections, absolute_uri, source=""):
    """The JSON-LD (escaped for HTML) and the meta tags of a published record page."""
    data = record_json_ld(
        document, permalink=permalink, collections=collections, absolute_uri=absolute_uri
    )
    return RecordMetadata(
        json_ld=json_for_html(data),
        meta_tags=record_meta_tags(document, permalink=permalink, source=source),
    )
