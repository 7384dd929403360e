"""
The catalogue's import and export format: one row per document, as CSV or JSON Lines.

Both directions go through here, so what an export writes an import reads back unchanged:
:func:`document_row` turns a document into a row (use :func:`export_queryset` for the
queryset, which prefetches what it reads), :func:`write_csv` and :func:`write_jsonl` write
rows, and :func:`read_rows` streams them back from a file, one at a time, never holding the
file in memory.  :func:`corpus_row` maps a record of the development corpus
(``../shared/corpus/*-records.jsonl``) into a row, for ``--mapping corpus``.

A row is a dict keyed by :data:`COLUMNS`.  Scalars are strings ("" when empty; ``record_id``
an int); ``people``, ``collections``, ``subjects`` and ``custody`` are lists.  A key missing
from a row means "not in the file" (an update leaves that field alone); a key present with an
empty value clears it.  Problems found while reading (a malformed people cell, invalid JSON)
are not raised: they travel with the row under the :data:`PROBLEMS` key as
``(column, value, reason)`` tuples, so the importer reports them with the row's number.

The format itself is described for archivists in ``docs/import.md``.
"""

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePath

from django.db.models import Prefetch

from .models import DocumentPerson, PersonAuthority

COLUMNS = [
    "source_identifier",
    "record_id",
    "title",
    "doc_type",
    "date_edtf",
    "date_text",
    "summary",
    "transcript",
    "language",
    "people",
    "repository",
    "collections",
    "subjects",
    "container",
    "source_note",
    "origin_url",
    "rights",
    "rights_note",
    "status",
    "published_at",
    "original_uploaded",
    "embargo_until",
    "embargo_reason",
    "custody",
]
#: Columns only staff see: the public exports leave them out (the reason for a closure is
#: for staff only, docs/access.md).
STAFF_COLUMNS = ("embargo_until", "embargo_reason")
PUBLIC_COLUMNS = tuple(column for column in COLUMNS if column not in STAFF_COLUMNS)
#: Columns a file must have; ``record_id`` can stand in for ``source_identifier``.
REQUIRED = ("source_identifier", "title")
LIST_COLUMNS = ("people", "collections", "subjects", "custody")
CUSTODY_KEYS = ("event", "date_edtf", "agent", "place", "source", "note")
PERSON_KEYS = ("role", "name", "uri", "uncertain")
FORMATS = ("csv", "jsonl")
MAPPINGS = ("default", "corpus")

#: Where reading problems travel in a row: a list of (column, value, reason).
PROBLEMS = "_problems"

#: Between the values of a multi-value CSV cell; a literal "|" in a value is written "\|".
SEPARATOR = " | "

# "author: Joseph Stalin <https://www.wikidata.org/entity/Q855>"; "recipient?: Mr. Adams".
_PERSON_ENTRY = re.compile(
    r"^(?P<role>[A-Za-z_]+)(?P<uncertain>\?)?\s*:\s*(?P<name>[^<>]*?)\s*(?:<(?P<uri>[^<>]*)>)?$"
)


class FormatError(ValueError):
    """The file as a whole cannot be read (not UTF-8, no header, required columns missing)."""

    def __init__(self, message, *, row=0):
        super().__init__(message)
        self.row = row


def detect_format(file_name, file_format=None):
    """``file_format`` if given, else "csv" or "jsonl" from the file name's extension."""
    if file_format:
        if file_format not in FORMATS:
            raise FormatError(f"Unknown format “{file_format}”; use csv or jsonl.")
        return file_format
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise FormatError(
        f"Cannot tell the format of “{file_name}” from its name; name it .csv or .jsonl, "
        "or give the format (--format csv or --format jsonl)."
    )


# -- export ---------------------------------------------------------------------------------


def export_queryset(queryset):
    """
    ``queryset`` with everything :func:`document_row` reads fetched up front: a fixed number
    of queries (six) however many documents and people there are.
    """
    return queryset.select_related("repository", "rights").prefetch_related(
        Prefetch(
            "person_links",
            queryset=DocumentPerson.objects.select_related("person").prefetch_related(
                Prefetch("person__authorities", queryset=PersonAuthority.objects.order_by("uri"))
            ),
        ),
        "collections",
        "subjects",
        "custody_events",
    )


def _person_entry(link):
    authorities = list(link.person.authorities.all())
    return {
        "role": link.role,
        "name": link.person.display_name,
        "uri": authorities[0].uri if authorities else "",
        "uncertain": link.uncertain,
    }


def document_row(document) -> dict:
    """The document as one row of the format (every column; lists as lists)."""
    return {
        "source_identifier": document.source_identifier or "",
        "record_id": document.record_id,
        "title": document.title,
        "doc_type": document.doc_type,
        "date_edtf": document.date_edtf,
        "date_text": document.date_text,
        "summary": document.summary,
        "transcript": document.transcript,
        "language": document.language,
        "people": [_person_entry(link) for link in document.person_links.all()],
        "repository": document.repository.name if document.repository else "",
        "collections": sorted(collection.slug for collection in document.collections.all()),
        "subjects": sorted(subject.name for subject in document.subjects.all()),
        "container": document.container,
        "source_note": document.source_note,
        "origin_url": document.origin_url,
        "rights": document.rights.uri if document.rights else "",
        "rights_note": document.rights_note,
        "status": document.status,
        "published_at": document.published_at.isoformat() if document.published_at else "",
        "original_uploaded": (
            document.original_uploaded.isoformat() if document.original_uploaded else ""
        ),
        "embargo_until": document.embargo_until.isoformat() if document.embargo_until else "",
        "embargo_reason": document.embargo_reason,
        "custody": [
            {key: getattr(event, key) for key in CUSTODY_KEYS}
            for event in document.custody_events.all()
        ],
    }


def _escape(value):
    return str(value).replace("\\", "\\\\").replace("|", "\\|")


def _person_cell_entry(entry):
    text = f"{entry['role']}{'?' if entry.get('uncertain') else ''}: {_escape(entry['name'])}"
    return f"{text} <{_escape(entry['uri'])}>" if entry.get("uri") else text


def _csv_cell(column, value):
    if column == "people":
        return SEPARATOR.join(_person_cell_entry(entry) for entry in value)
    if column == "custody":
        return json.dumps(value, ensure_ascii=False) if value else ""
    if column in LIST_COLUMNS:
        return SEPARATOR.join(_escape(item) for item in value)
    return "" if value is None else str(value)


def write_csv(rows: Iterable[dict], out, *, columns=COLUMNS) -> int:
    """
    Write ``rows`` to the text stream ``out`` as CSV with a header of ``columns`` (every
    column by default; ``PUBLIC_COLUMNS`` for the public exports); return how many.
    """
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(column, row.get(column, "")) for column in columns])
        count += 1
    return count


def write_jsonl(rows: Iterable[dict], out, *, columns=COLUMNS) -> int:
    """Write ``rows``' ``columns`` to the text stream ``out`` as JSON Lines; return how many."""
    count = 0
    for row in rows:
        out.write(json.dumps({c: row[c] for c in columns if c in row}, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


# -- import: reading ------------------------------------------------------------------------


def split_cell(text):
    """
    The values of a multi-value CSV cell: split at each unescaped "|", each value stripped;
    ``\\|`` is a literal "|" and ``\\\\`` a literal backslash (any other backslash is kept).
    """
    values, current, index = [], [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in "|\\":
            current.append(text[index + 1])
            index += 2
            continue
        if char == "|":
            values.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    values.append("".join(current).strip())
    return [value for value in values if value]


def _parse_person(entry, problems):
    """A people entry (CSV text or a JSON object) as a dict of PERSON_KEYS, or None."""
    if isinstance(entry, str):
        match = _PERSON_ENTRY.match(entry.strip())
        if not match or not match["name"]:
            problems.append(("people", entry, "write each person as “role: Name <authority URI>”"))
            return None
        return {
            "role": match["role"].lower(),
            "name": match["name"],
            "uri": (match["uri"] or "").strip(),
            "uncertain": bool(match["uncertain"]),
        }
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        problems.append(("people", json.dumps(entry), "each person needs at least a name"))
        return None
    unknown = set(entry) - set(PERSON_KEYS)
    if unknown:
        problems.append(("people", json.dumps(entry), f"unknown keys: {', '.join(unknown)}"))
    return {
        "role": str(entry.get("role") or "").strip().lower(),
        "name": " ".join(entry["name"].split()),
        "uri": str(entry.get("uri") or "").strip(),
        "uncertain": bool(entry.get("uncertain")),
    }


def _parse_custody(value, problems):
    if isinstance(value, str):
        if not value.strip():
            return []
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            problems.append(("custody", value, f"not a JSON array: {error.msg}"))
            return []
    if not isinstance(value, list) or not all(isinstance(step, dict) for step in value):
        problems.append(("custody", json.dumps(value), "write a JSON array of objects"))
        return []
    steps = []
    for step in value:
        unknown = set(step) - set(CUSTODY_KEYS)
        if unknown:
            problems.append(("custody", json.dumps(step), f"unknown keys: {', '.join(unknown)}"))
        steps.append({key: str(step.get(key) or "").strip() for key in CUSTODY_KEYS})
    return steps


def _list_value(column, value, problems):
    if value is None or value == "":
        return []
    if column == "custody":
        return _parse_custody(value, problems)
    items = split_cell(value) if isinstance(value, str) else value
    if not isinstance(items, list):
        problems.append((column, json.dumps(value), "write a list"))
        return []
    if column == "people":
        people = (_parse_person(item, problems) for item in items)
        return [person for person in people if person]
    return [str(item).strip() for item in items if str(item).strip()]


def _scalar(column, value):
    if value is None:
        return ""
    if column == "record_id":
        text = str(value).strip()
        return int(text) if text.isdigit() else text
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def normalize_row(raw: dict) -> dict:
    """
    A raw row (CSV cells or a JSON object) in the row form this module documents: known
    columns only (unknown ones become problems), scalars as stripped strings, lists parsed.
    """
    problems = list(raw.get(PROBLEMS, []))
    row = {}
    for column, value in raw.items():
        if column == PROBLEMS:
            continue
        if column not in COLUMNS:
            problems.append((column, _scalar(column, value)[:80], "unknown column"))
        elif column in LIST_COLUMNS:
            row[column] = _list_value(column, value, problems)
        else:
            row[column] = _scalar(column, value)
    if problems:
        row[PROBLEMS] = problems
    return row


def _text_stream(fileobj):
    """
    ``fileobj`` as text lines: a binary file is decoded as UTF-8 (a BOM is dropped) as it is
    read, never as a whole.  Returns (stream, detach): call detach() when done, so the
    caller's file stays open.
    """
    if isinstance(fileobj.read(0), bytes):
        stream = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")
        return stream, stream.detach
    return fileobj, lambda: None


def _drop_bom(text):
    return text[1:] if text.startswith(codecs.BOM_UTF8.decode()) else text


def _csv_rows(stream):
    reader = csv.reader(stream)
    header = next(reader, None)
    if not header:
        raise FormatError("The file is empty: it needs a header row naming the columns.", row=1)
    header = [_drop_bom(name).strip() if i == 0 else name.strip() for i, name in enumerate(header)]
    missing = [column for column in REQUIRED if column not in header]
    if "record_id" in header and "source_identifier" in missing:
        missing.remove("source_identifier")  # rows are matched by record ID
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown:
        problems = [f"no {' or '.join(missing)} column"] if missing else []
        problems += [f"unknown columns: {', '.join(unknown)}"] if unknown else []
        raise FormatError(
            f"The header row (row 1) has {' and '.join(problems)}; the columns are: "
            f"{', '.join(COLUMNS)}.",
            row=1,
        )
    number = 1
    for cells in reader:
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        raw = dict(zip(header, cells, strict=False))
        if len(cells) > len(header):
            reason = f"the row has {len(cells)} cells but the header names {len(header)}"
            raw[PROBLEMS] = [("", "", reason)]
        yield number, raw


def _jsonl_rows(stream):
    for number, line in enumerate(stream, start=1):
        line = _drop_bom(line) if number == 1 else line
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, {PROBLEMS: [("", line.strip()[:80], f"not valid JSON: {error.msg}")]}
            continue
        if not isinstance(record, dict):
            yield number, {PROBLEMS: [("", line.strip()[:80], "each line must be a JSON object")]}
            continue
        yield number, record


def read_rows(fileobj, file_format, *, mapping="default") -> Iterator[tuple[int, dict]]:
    """
    Stream ``(row number, row)`` pairs from ``fileobj`` (binary or text; UTF-8 with or without
    a BOM), one row in memory at a time.

    Row numbers are what the user sees: for CSV the header is row 1, so the first document is
    row 2 (a record with line breaks inside a cell still counts as one row); for JSON Lines
    the line number.  ``mapping="corpus"`` reads corpus records (JSON Lines) through
    :func:`corpus_row`.  Raises :class:`FormatError` when the file as a whole cannot be read.
    """
    stream, detach = _text_stream(fileobj)
    number = 0
    try:
        rows = _csv_rows(stream) if file_format == "csv" else _jsonl_rows(stream)
        for number, raw in rows:
            if mapping == "corpus" and PROBLEMS not in raw:
                raw = corpus_row(raw)
            yield number, normalize_row(raw)
    except UnicodeDecodeError as error:
        raise FormatError(
            f"The file is not UTF-8 text (after row {number}: {error.reason}); save it as "
            "UTF-8 and try again.",
            row=number + 1,
        ) from None
    except csv.Error as error:
        raise FormatError(
            f"The CSV cannot be read after row {number}: {error}.", row=number + 1
        ) from None
    finally:
        if not fileobj.closed:  # closed already when an error ended the caller's `with`
            detach()


# -- the corpus mapping ---------------------------------------------------------------------

_CORPUS_RIGHTS = [  # (words in the corpus's rights text, statement URI), first match wins
    ("CC BY 4.0", "http://creativecommons.org/licenses/by/4.0/"),
    ("CC0", "http://creativecommons.org/publicdomain/zero/1.0/"),
    ("Public domain", "http://creativecommons.org/publicdomain/mark/1.0/"),
]
_CORPUS_TYPES = [  # (pattern in the title, document type)
    (re.compile(r"\btelegra(m|ph)", re.I), "telegram"),
    (re.compile(r"\bmemorand", re.I), "memorandum"),
    (re.compile(r"\binstruction", re.I), "instruction"),
    (re.compile(r"\bdes?patch", re.I), "dispatch"),
    (re.compile(r"\breport\b", re.I), "report"),
    (re.compile(r"\bminutes\b", re.I), "minutes"),
    (re.compile(r"\bspeech\b|\baddress\b", re.I), "speech"),
    (re.compile(r"\btreaty\b|\bconvention\b|\bprotocol\b", re.I), "treaty"),
    (re.compile(r"\S \b(to|an)\b \S", re.I), "letter"),  # "Mr. Seward to Mr. Adams"
]
_GND_NUMBER = re.compile(r"^\d{7,10}[\dX]$")
_QUALIFIERS = {"approximate": "~", "uncertain": "?"}
COLLECTION_TITLE_LENGTH = 255


def _balanced(text):
    depth = 0
    for char in text:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _corpus_date(record, problems):
    """EDTF from date_start/date_end/date_certainty; problems for what cannot be right."""
    start, end = record.get("date_start") or "", record.get("date_end") or ""
    certainty = record.get("date_certainty") or "unknown"
    if certainty == "unknown" or not (start or end):
        return ""
    mark = _QUALIFIERS.get(certainty, "")
    value = (
        f"{start}{mark}"
        if start == end
        else f"{start}{mark if start else ''}/" + (f"{end}{mark}" if end else "")
    )
    written = {
        int(year) for year in re.findall(r"(?<!\d)\d{4}(?!\d)", record.get("date_text") or "")
    }
    years = [int(part[:4]) for part in (start, end) if part[:4].isdigit()]
    if written and years and not any(min(years) <= year <= max(years) for year in written):
        problems.append(
            (
                "date_edtf",
                value,
                f"the date's year ({', '.join(map(str, sorted(set(years))))}) is not the year "
                f"written in date_text ({', '.join(map(str, sorted(written)))})",
            )
        )
    return value


def _corpus_authority(uri):
    """A URI as given; a bare GND number (some Moritz rows) as its GND URI."""
    return f"https://d-nb.info/gnd/{uri}" if _GND_NUMBER.match(uri) else uri


def _corpus_person(person, problems):
    """A corpus person as a people entry: "Name?" is uncertain, editorial [brackets] go."""
    name = " ".join((person.get("name") or "").split())
    if not _balanced(name):
        problems.append(("people", name, "unbalanced bracket in the name"))
    uncertain = name.endswith("?")
    name = name.rstrip("?").replace("[", "").replace("]", "").strip()
    return {
        "role": person.get("role") or "other",
        "name": " ".join(name.split()),
        "uri": _corpus_authority(person.get("authority_uri") or ""),
        "uncertain": uncertain,
    }


def _corpus_collection(title):
    """
    The collection title, cut to fit the model: a trailing "[Digitale Ausgabe…]" note goes,
    then clauses from the end until it fits (the Moritz volumes' titles run to 376 characters).
    """
    title = " ".join((title or "").split())
    if len(title) <= COLLECTION_TITLE_LENGTH:
        return title
    title = re.sub(r"\s*\[[^\[\]]*\]$", "", title)
    while len(title) > COLLECTION_TITLE_LENGTH and ", " in title:
        title = title.rsplit(", ", 1)[0]
    return title


def _corpus_doc_type(title):
    for pattern, doc_type in _CORPUS_TYPES:
        if pattern.search(title):
            return doc_type
    return "other"


def _corpus_rights(text):
    for words, uri in _CORPUS_RIGHTS:
        if words.lower() in text.lower():
            return uri
    return ""


def corpus_row(record: dict) -> dict:
    """
    A corpus record (``../shared/corpus/*-records.jsonl``) as a row of this format.

    EDTF comes from date_start/date_end/date_certainty (exact: the date or an interval;
    approximate adds "~", uncertain "?", to each end; a missing end leaves that end open;
    unknown or no dates: empty).  A date whose year is not a year written in date_text (the
    FRUS document dated 0201) and unbalanced brackets in date_text or a name are reported as
    problems.  Bare GND numbers become GND URIs.  The rights text is kept as the rights note
    and mapped to a statement URI; the type is guessed from the title; the collection title is
    cut to fit.
    """
    problems = []
    title = " ".join((record.get("title") or "").split())
    date_text = record.get("date_text") or ""
    if not _balanced(date_text):
        problems.append(("date_text", date_text, "unbalanced bracket"))
    rights_text = record.get("rights") or ""
    row = {
        "source_identifier": record.get("source_id") or "",
        "title": title,
        "doc_type": _corpus_doc_type(title),
        "date_edtf": _corpus_date(record, problems),
        "date_text": date_text,
        "summary": record.get("summary") or "",
        "transcript": record.get("text") or "",
        "language": record.get("language") or "",
        "people": [_corpus_person(person, problems) for person in record.get("people") or []],
        "repository": record.get("repository") or "",
        "collections": [_corpus_collection(record["collection"])]
        if record.get("collection")
        else [],
        "source_note": record.get("source_citation") or "",
        "origin_url": record.get("origin_url") or "",
        "rights": _corpus_rights(rights_text),
        "rights_note": rights_text,
    }
    if problems:
        row[PROBLEMS] = problems
    return row
