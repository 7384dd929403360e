"""
Citations for a record: a Chicago note as text, and the same facts for reference managers.

:func:`chicago` writes a Chicago Manual of Style note for an archival document (17th ed.,
14.221–14.235): the people (author to recipient), the title, the date, then where the original
lies from the smallest unit up (container, collection, repository, place), then where it was
read online (this site, its record ID and permalink).

:func:`csl_json`, :func:`ris` and :func:`bibtex` give the same record as a CSL-JSON item
(Zotero, Mendeley, citeproc), an RIS record (EndNote, Zotero) and a BibTeX entry (LaTeX);
docs/citations.md maps each field.  Dates keep the EDTF's precision: a year, a month or a
day, a range when the EDTF is one, and the EDTF itself in the note when a reference manager
cannot hold it exactly (circa, uncertain, a season, unknown digits, an open end).

All of them read only what a record page has already loaded (people, collections with their
parents, repository), so they add no queries.
"""

import re

from django.conf import settings
from django.utils import timezone

from . import dates
from .models import Collection, DocumentPerson


def _authors_and_recipients(document):
    """The author links (the signatories when no author is recorded) and the recipient links."""
    links = list(document.person_links.all())
    authors = [link for link in links if link.role == DocumentPerson.Role.AUTHOR]
    if not authors:
        authors = [link for link in links if link.role == DocumentPerson.Role.SIGNATORY]
    recipients = [link for link in links if link.role == DocumentPerson.Role.RECIPIENT]
    return authors, recipients


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


def _collection_titles(document):
    """The archival collections' titles with the collections above them, smallest first."""
    return [
        c.title for collection in _archival_collections(document) for c in _loaded_trail(collection)
    ]


def _holding(document):
    """Container, collections (smallest first), repository, place: whichever are recorded."""
    parts = [document.container] if document.container else []
    parts.extend(_collection_titles(document))
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
    authors, recipients = _authors_and_recipients(document)
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


# For reference managers: CSL-JSON, RIS and BibTeX.

# One EDTF date with a known year; month and day may be unspecified (XX) or a season (21–24).
_EDTF_DATE = re.compile(
    r"^[~?%]?(?P<year>\d{4})(?:-(?P<month>\d{2}|XX))?(?:-(?P<day>\d{2}|XX))?[~?%]?$"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_TEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",  # not \{: BibTeX counts every brace, escaped or not
        "}": r"\textbraceright{}",
        "%": r"\%",
        "&": r"\&",
        "$": r"\textdollar{}",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\^{}",
    }
)


def _title(document):
    return document.title.strip() or document.get_doc_type_display()


def _archive(document):
    return document.repository.name if document.repository_id else ""


def _split_name(person):
    """
    ``(family, given)`` when the sort name is the display name turned round (“Harriman,
    W. Averell” for “W. Averell Harriman”); None when it is not, and the name stays whole.
    """
    family, comma, given = person.sort_name.partition(", ")
    if comma and family and given and f"{given} {family}" == person.display_name:
        return family, given
    return None


def _bound_parts(edtf, bound):
    """``bound`` as ``[year, month, day]`` cut to what one EDTF date states; None if unknown."""
    match = _EDTF_DATE.match(edtf)
    if not match or bound in (None, dates.OPEN_START, dates.OPEN_END):
        return None
    parts = [bound.year]
    month, day = match["month"], match["day"]
    if month and month.isdigit() and int(month) <= 12:
        parts.append(bound.month)
        if day and day.isdigit():
            parts.append(bound.day)
    return parts


def _date_parts(document):
    """
    The date as CSL ``date-parts`` at the EDTF's precision: ``[[1944, 2, 2]]``, ``[[1944, 2]]``,
    ``[[1944]]``, or a start and an end for a range.  None when undated, or when no year can be
    given (``194X``, an open or unknown end, a set of dates).
    """
    if not document.date_edtf:
        return None
    # A single date takes the earliest bound; an interval's end takes the latest.
    bounds = (document.date_earliest, document.date_latest)
    pieces = zip(document.date_edtf.split("/"), bounds, strict=False)
    parts = [_bound_parts(edtf, bound) for edtf, bound in pieces]
    return None if None in parts else parts


def _padded(date):
    """``[1944, 2]`` as ``["1944", "02"]``."""
    return [f"{n:0{4 if i == 0 else 2}d}" for i, n in enumerate(date)]


def _is_exact(document, parts):
    """Whether ``parts`` say all the EDTF says (no circa, uncertainty, season or open end)."""
    return "/".join("-".join(_padded(date)) for date in parts or []) == document.date_edtf


def _season(document):
    """The CSL season (1 spring … 4 winter) of a date like ``1944-21``, else None."""
    match = _EDTF_DATE.match(document.date_edtf)
    month = match["month"] if match else None
    return int(month) - 20 if month and month.isdigit() and 21 <= int(month) <= 24 else None


def _attribution_remarks(people):
    """“Attribution uncertain: …” for the people whose attribution is, else nothing."""
    uncertain = [link.person.display_name for link in people if link.uncertain]
    return [f"Attribution uncertain: {', '.join(uncertain)}"] if uncertain else []


def _notes(document, people, parts):
    """
    The record ID, then what the structured fields cannot hold: the EDTF of a date they give
    only roughly, and uncertain attributions.
    """
    notes = [f"Record ID {document.record_id}"]
    if document.date_edtf and not _is_exact(document, parts):
        notes.append(f"Date (EDTF): {document.date_edtf}")
    return notes + _attribution_remarks(people)


def _csl_names(links):
    """CSL names: family and given where :func:`_split_name` can tell them, else literal."""
    names = []
    for link in links:
        split = _split_name(link.person)
        if split:
            names.append({"family": split[0], "given": split[1]})
        else:
            names.append({"literal": link.person.display_name})
    return names


def _csl_issued(document, parts):
    """CSL ``issued``: date-parts with circa and season, the date in words, or None."""
    if not parts:
        return {"literal": document.date_display} if document.date_edtf else None
    issued = {"date-parts": parts}
    if season := _season(document):
        issued["season"] = season
    if document.date_approximate:
        issued["circa"] = True
    return issued


def csl_json(document, url, *, accessed=None):
    """
    ``document`` as one CSL-JSON item (a dict; a CSL-JSON file holds a list of them), of type
    ``manuscript``, read at ``url`` on ``accessed`` (today by default).  Empty fields are left
    out.
    """
    accessed = accessed or timezone.localdate()
    authors, recipients = _authors_and_recipients(document)
    parts = _date_parts(document)
    item = {
        "id": f"record-{document.record_id}",
        "type": "manuscript",
        "title": _title(document),
        "genre": document.get_doc_type_display(),
        "author": _csl_names(authors),
        "recipient": _csl_names(recipients),
        "issued": _csl_issued(document, parts),
        "archive_location": document.container,
        "archive_collection": ", ".join(_collection_titles(document)),
        "archive": _archive(document),
        "archive-place": document.repository.place if document.repository_id else "",
        "URL": url,
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        "language": document.language,
        "abstract": document.summary,
        "license": document.rights.uri if document.rights_id else "",
        "note": "\n".join(_notes(document, authors + recipients, parts)),
    }
    return {key: value for key, value in item.items() if value}


def _ris_date(parts):
    """``YYYY/MM/DD/`` with the parts not known left empty: ``1944/02//``, ``1944///``."""
    return "/".join(_padded(parts) + [""] * (3 - len(parts))) + "/"


def ris(document, url, *, accessed=None, site_name=None):
    """
    ``document`` as one RIS record (type ``MANSCPT``), one tag a line, CRLF line ends as the
    format asks.  There is no RIS tag for an archival collection, so ``AN`` (Zotero's “Loc. in
    Archive”) holds the container and the collections, as a Chicago note names them.
    """
    accessed = accessed or timezone.localdate()
    authors, recipients = _authors_and_recipients(document)
    parts = _date_parts(document)
    tags = [("TY", "MANSCPT"), ("TI", _title(document))]
    for link in authors:
        split = _split_name(link.person)
        tags.append(("AU", ", ".join(split) if split else link.person.display_name))
    if parts:
        tags += [("PY", f"{parts[0][0]:04d}"), ("DA", _ris_date(parts[0]))]
    elif document.date_edtf:
        tags.append(("DA", f"///{document.date_display}"))
    location = [document.container] if document.container else []
    tags += [
        ("M3", document.get_doc_type_display()),
        ("DB", _archive(document)),
        ("AN", ", ".join(location + _collection_titles(document))),
        ("DP", site_name or settings.SITE_NAME),
        ("UR", url),
        ("Y2", _ris_date([accessed.year, accessed.month, accessed.day])),
        ("LA", document.language),
        ("AB", document.summary),
        ("M1", "; ".join(_notes(document, authors + recipients, parts))),
    ]
    lines = [f"{tag}  - {' '.join(str(value).split())}" for tag, value in tags if value]
    return "\r\n".join([*lines, "ER  - ", ""])


def _tex(text):
    """``text`` with BibTeX's and LaTeX's special characters escaped."""
    return text.translate(_TEX_ESCAPES)


def _bibtex_name(person):
    """``Family, Given`` escaped, or the whole name braced."""
    split = _split_name(person)
    if split:
        return f"{_tex(split[0])}, {_tex(split[1])}"
    return "{" + _tex(person.display_name) + "}"  # braced: one name, never split


def _bibtex_dates(document, parts):
    """``year`` and ``month`` for BibTeX, and biblatex's ``date``, which reads EDTF itself."""
    if not parts:
        return [("year", "{" + _tex(document.date_display) + "}")] if document.date_edtf else []
    fields = [("year", f"{{{parts[0][0]}}}")]
    if len(parts[0]) > 1:
        fields.append(("month", _MONTHS[parts[0][1] - 1]))  # the month macro, unbraced
    fields.append(("date", f"{{{document.date_edtf}}}"))
    return fields


def bibtex(document, url, *, accessed=None, site_name=None):
    """
    ``document`` as one ``@unpublished`` BibTeX entry (Zotero reads it as a manuscript), keyed
    ``record<record ID>``; the title is double-braced so styles keep its capitals.
    """
    accessed = accessed or timezone.localdate()
    authors, recipients = _authors_and_recipients(document)
    parts = _date_parts(document)
    remarks = _attribution_remarks(authors + recipients)
    note = "; ".join(filter(None, [source_line(document), *remarks]))
    site = site_name or settings.SITE_NAME
    fields = [
        ("title", "{{" + _tex(_title(document)) + "}}"),
        ("author", "{" + " and ".join(_bibtex_name(link.person) for link in authors) + "}"),
        *_bibtex_dates(document, parts),
        ("note", "{" + _tex(note) + "}"),
        ("howpublished", "{" + _tex(f"{site}, record ID {document.record_id}") + "}"),
        ("url", "{" + url + "}"),
        ("urldate", "{" + accessed.isoformat() + "}"),
    ]
    body = ",\n".join(f"  {name} = {value}" for name, value in fields if value.strip("{}"))
    return f"@unpublished{{record{document.record_id},\n{body}\n}}\n"
