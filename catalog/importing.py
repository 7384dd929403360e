"""
Importing documents from a file: the one service behind ``manage.py import_documents`` and
the admin's import page.

Two steps, so nothing is written until the whole file has been checked:

- :func:`prepare` reads every row (streaming; see :mod:`catalog.interchange` for the format)
  and checks it against the model and the catalogue: required fields, EDTF dates, choices,
  lengths, URIs, rights statements, people, duplicates within the file.  It returns an
  :class:`ImportPlan`: per row create, update or unchanged, and the :class:`RowError` list.
  The plan keeps row numbers and source identifiers only, never the rows' text.
- :func:`apply` reads the file again and writes the plan in one transaction, in chunks of
  bulk writes, recording an :class:`~catalog.models.ImportBatch` that :func:`undo` can take
  back.

What rows refer to is matched, never guessed (:class:`Vocabulary`): people by authority URI,
else by exact name or alternate name (two candidates is an error); collections and subjects
by slug or exact title or name; the repository by slug or name; rights by statement URI or
exact label.  What is not found is created, once, however many rows name it.
"""

import csv
import datetime
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, reset_queries, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from . import cache, dates, interchange, search
from .authorities import normalize_authority_uri
from .models import (
    LANGUAGES,
    Collection,
    Document,
    DocumentPerson,
    ImportBatch,
    ImportBatchItem,
    Person,
    PersonAuthority,
    ProvenanceEvent,
    Repository,
    RightsStatement,
    Subject,
)
from .services import can_publish
from .text import person_search_names

__all__ = ["RowError", "ImportPlan", "ImportRefused", "prepare", "apply", "undo", "errors_csv"]

#: Rows read, checked and written together; bounds memory and the size of each query.
CHUNK_SIZE = 500

CREATE, UPDATE, UNCHANGED, INVALID = "create", "update", "unchanged", "invalid"

# Document fields a row sets directly (strings in the file, as stored).
TEXT_FIELDS = (
    "title",
    "doc_type",
    "date_edtf",
    "date_text",
    "summary",
    "transcript",
    "language",
    "container",
    "source_note",
    "origin_url",
    "rights_note",
    "status",
    "embargo_reason",
)
# Columns whose empty cell means "leave as it is" (create: the model's default).
KEEP_WHEN_EMPTY = ("doc_type", "status", "published_at")
MAX_RECORD_ID = 2_147_483_647

_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: row as the user numbers it (CSV header = row 1)."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self):
        value = self.value if len(self.value) <= 60 else self.value[:59] + "…"
        return f"row {self.row}, column {self.column or '-'}, value “{value}”: {self.reason}"


class ImportRefused(Exception):
    """:func:`apply` or :func:`undo` will not run; the message says why, for the user."""


@dataclass(eq=False)
class ImportPlan:
    """
    What importing a file would do. ``creates``, ``updates`` and ``unchanged`` are the
    source identifiers of the rows in each case (``len()`` for the counts); ``errors`` the
    :class:`RowError` list; ``new`` what would be created besides documents, by kind
    ("people", "collections", "subjects", "repositories", "rights") as a list of names.
    """

    fileobj: object = field(repr=False)
    file_name: str
    file_format: str
    mapping: str
    update: bool
    rows: int = 0
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    new: dict = field(default_factory=dict)
    #: row number -> "create", "update", "unchanged" or "invalid"
    actions: dict = field(default_factory=dict, repr=False)
    #: A problem with the file as a whole (no row can be imported); also in ``errors``.
    file_error: str = ""
    #: The highest record ID the file asks for, so new IDs are handed out above it.
    max_record_id: int = 0

    @property
    def is_valid(self):
        return not self.errors

    @property
    def skipped(self):
        """Rows with errors: what ``skip_invalid`` leaves out."""
        return sum(1 for action in self.actions.values() if action == INVALID)


# -- what rows refer to ---------------------------------------------------------------------


def _name_key(name):
    return " ".join((name or "").split())


def _sort_name(display_name):
    """Surname first, as ``Person.save()`` makes it."""
    parts = display_name.rsplit(" ", 1)
    return f"{parts[1]}, {parts[0]}" if len(parts) == 2 else display_name


class _Unique:
    """Hands out slugs (or codes) not yet taken, without a query per slug."""

    def __init__(self, taken, max_length):
        self.taken, self.max_length = set(taken), max_length

    def __call__(self, text):
        base = slugify(text)[: self.max_length].strip("-") or "untitled"
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base[: self.max_length - len(str(n)) - 1]}-{n}"
        self.taken.add(candidate)
        return candidate


class Vocabulary:
    """
    The people, collections, subjects, repositories and rights statements rows may name,
    loaded once (a few queries, whatever the file's size), and what this import adds to them.
    A lookup returns a saved object, or an unsaved one the import will create; the same name
    always gets the same object, so a new person named in 500 rows is created once.
    """

    def __init__(self):
        self.new = defaultdict(list)  # kind -> unsaved objects, in the order first named
        self.used = set()  # ids of unsaved objects named by a valid row
        self.person_uri = {}  # id(unsaved person) -> normalised authority URI
        self._load_people()
        self._load_places()

    def _load_people(self):
        self.people_by_uri, self.people_by_name = {}, defaultdict(list)
        people = {
            p.pk: p for p in Person.objects.only("id", "slug", "display_name", "alternate_names")
        }
        for person in people.values():
            names = {_name_key(person.display_name)}
            names.update(_name_key(name) for name in person.alternate_names.splitlines())
            for name in names - {""}:
                self.people_by_name[name].append(person)
        for uri, person_id in PersonAuthority.objects.values_list("uri", "person_id"):
            self.people_by_uri[uri] = people[person_id]
        self.person_slug = _Unique(Person.objects.values_list("slug", flat=True), 80)

    def _load_places(self):
        self.collections = {c.slug: c for c in Collection.objects.only("id", "slug", "title")}
        self.collections_by_title = defaultdict(list)
        for collection in self.collections.values():
            self.collections_by_title[collection.title].append(collection)
        self.collection_slug = _Unique(self.collections, 80)
        self.subjects = {}
        for subject in Subject.objects.all():
            self.subjects[subject.slug] = self.subjects[subject.name] = subject
        self.subject_slug = _Unique(Subject.objects.values_list("slug", flat=True), 80)
        self.repositories = {}
        for repository in Repository.objects.only("id", "slug", "name"):
            self.repositories[repository.slug] = self.repositories[repository.name] = repository
        self.repository_slug = _Unique(Repository.objects.values_list("slug", flat=True), 80)
        self.rights = {}
        for statement in RightsStatement.objects.all():
            self.rights[statement.label] = statement
            self.rights[self._uri_key(statement.uri)] = statement
        self.rights_code = _Unique(RightsStatement.objects.values_list("identifier", flat=True), 50)

    @staticmethod
    def _uri_key(uri):
        """http and https, with or without a trailing slash, are one statement."""
        return re.sub(r"^https?://", "", uri.strip()).rstrip("/").lower()

    def _add(self, kind, obj):
        self.new[kind].append(obj)
        return obj

    def person(self, name, uri):
        """The person for a people entry, or raise ValueError saying why there is none."""
        name = _name_key(name)
        if uri:
            try:
                uri = normalize_authority_uri(uri)
            except ValidationError as error:
                raise ValueError(error.messages[0]) from None
            if uri in self.people_by_uri:
                return self.people_by_uri[uri]
        else:
            candidates = sorted(
                {id(p): p for p in self.people_by_name.get(name, [])}.values(),
                key=lambda p: (p.display_name, p.slug),
            )
            if len(candidates) > 1:
                shown = " and ".join(self._describe(p) for p in candidates)
                raise ValueError(f"ambiguous: matches {shown}; add the authority URI")
            if candidates:
                return candidates[0]
        person = Person(
            display_name=name,
            sort_name=_sort_name(name),
            slug=self.person_slug(_sort_name(name)),
            search_names=person_search_names(name, _sort_name(name), ""),
        )
        self.people_by_name[name].append(person)
        if uri:
            self.people_by_uri[uri] = person
            self.person_uri[id(person)] = uri
        return self._add("people", person)

    def _describe(self, person):
        if person.pk is None:
            return f"{person.display_name} (new in this file)"
        return f"{person.display_name} (/people/{person.slug}/)" if person.slug else str(person)

    def collection(self, value, repository):
        """By slug, else by exact title (two collections with that title is an error)."""
        if value in self.collections:
            return self.collections[value]
        candidates = self.collections_by_title.get(value, [])
        if len(candidates) > 1:
            slugs = " and ".join(c.slug for c in candidates)
            raise ValueError(f"ambiguous: collections {slugs} have this title; use the slug")
        if candidates:
            return candidates[0]
        self._check_length(Collection, "title", value)
        slug = self.collection_slug(value)
        collection = Collection(title=value, slug=slug, tree_path=f"{slug}/", repository=repository)
        self.collections[slug] = collection
        self.collections_by_title[value].append(collection)
        return self._add("collections", collection)

    def subject(self, value):
        if value not in self.subjects:
            self._check_length(Subject, "name", value)
            subject = Subject(name=value, slug=self.subject_slug(value))
            self.subjects[value] = self._add("subjects", subject)
        return self.subjects[value]

    def repository(self, value):
        if value not in self.repositories:
            self._check_length(Repository, "name", value)
            repository = Repository(name=value, slug=self.repository_slug(value))
            self.repositories[value] = self._add("repositories", repository)
        return self.repositories[value]

    def rights_statement(self, value):
        """By statement URI or exact label; an unknown http(s) URI is a new statement."""
        found = self.rights.get(value) or self.rights.get(self._uri_key(value))
        if found:
            return found
        try:
            _url(value)
        except ValidationError:
            raise ValueError(
                "unknown rights statement; give its URI (http://rightsstatements.org/vocab/"
                "NoC-US/1.0/) or its exact label"
            ) from None
        self._check_length(RightsStatement, "uri", value)
        parts = urlsplit(value)
        code = self.rights_code(re.sub(r"[/.]+", " ", parts.netloc + parts.path))
        statement = RightsStatement(uri=value, identifier=code, label=value)
        self.rights[self._uri_key(value)] = statement
        return self._add("rights", statement)

    @staticmethod
    def _check_length(model, name, value):
        limit = model._meta.get_field(name).max_length
        if len(value) > limit:
            raise ValueError(f"longer than {limit} characters ({len(value)})")

    def mark_used(self, objects):
        self.used.update(id(obj) for obj in objects if obj is not None and obj.pk is None)

    def summary(self):
        """{kind: [names]} of the new objects valid rows name."""
        return {
            kind: [str(obj) for obj in objects if id(obj) in self.used]
            for kind, objects in self.new.items()
            if any(id(obj) in self.used for obj in objects)
        }

    def save_new(self, objects, user):
        """Create the unsaved ones among ``objects`` (and what they refer to), in bulk."""
        pending = {id(obj): obj for obj in objects if obj is not None and obj.pk is None}
        for collection in [o for o in pending.values() if isinstance(o, Collection)]:
            if collection.repository is not None and collection.repository.pk is None:
                pending[id(collection.repository)] = collection.repository
        by_model = defaultdict(list)
        for obj in pending.values():
            by_model[type(obj)].append(obj)
        for model in (Repository, RightsStatement, Collection, Subject, Person):
            if not by_model[model]:
                continue
            if model in (Subject, RightsStatement):
                model.objects.bulk_create(by_model[model])
            else:
                bulk_create_with_history(by_model[model], model, default_user=user)
        authorities = [
            PersonAuthority(person=person, uri=self.person_uri[id(person)])
            for person in by_model[Person]
            if id(person) in self.person_uri
        ]
        bulk_create_with_history(authorities, PersonAuthority, default_user=user)


# -- reading and checking rows --------------------------------------------------------------


@dataclass
class ParsedRow:
    """One valid row as model values, with what it refers to resolved."""

    number: int
    source_identifier: str
    present: frozenset
    values: dict
    date: dates.DateInfo | None
    record_id: int | None
    people: list  # [(role, person, uncertain)]
    collections: list
    subjects: list
    custody: list  # [dict of ProvenanceEvent fields]

    @property
    def label(self):
        """How the row's document is named in plans and batch items."""
        return self.source_identifier or f"record {self.record_id}"

    def referenced(self):
        objects = [self.values.get("repository"), self.values.get("rights")]
        objects += [person for _role, person, _uncertain in self.people]
        return objects + self.collections + self.subjects


def _choices(choices):
    return {value for value, _label in choices}


DOC_TYPES = _choices(Document.Type.choices)
STATUSES = _choices(Document.Status.choices)
ROLES = _choices(DocumentPerson.Role.choices)
EVENTS = _choices(ProvenanceEvent.Event.choices)
LANGUAGE_CODES = _choices(LANGUAGES)


def _limit(model, name):
    return model._meta.get_field(name).max_length


class _RowChecker:
    """Turns a row dict into a :class:`ParsedRow`, collecting :class:`RowError`s."""

    def __init__(self, number, row, vocabulary, user, *, exact=False):
        self.number, self.row, self.vocabulary, self.user = number, row, vocabulary, user
        self.keep_when_empty = () if exact else KEEP_WHEN_EMPTY
        self.errors = []

    def error(self, column, value, reason):
        self.errors.append(RowError(self.number, column, str(value), reason))

    def text(self, column):
        value = self.row.get(column, "")
        limit = _limit(Document, column)
        if limit and len(value) > limit:
            self.error(column, value, f"longer than {limit} characters ({len(value)})")
        return value

    def choice(self, column, allowed):
        value = self.row.get(column, "")
        if value and value not in allowed:
            self.error(column, value, f"not one of: {', '.join(sorted(allowed))}")
        return value

    def parse(self):
        row = self.row
        for column, value, reason in row.get(interchange.PROBLEMS, []):
            self.error(column, value, reason)
        if set(row) - {interchange.PROBLEMS}:
            if not row.get("title"):
                self.error("title", "", "required")
            if not row.get("source_identifier") and row.get("record_id", "") == "":
                self.error("source_identifier", "", "required (or a record_id to match)")
        values = {name: self.text(name) for name in TEXT_FIELDS if name in row}
        self.choice("doc_type", DOC_TYPES)
        self.choice("status", STATUSES)
        self.choice("language", LANGUAGE_CODES)
        self.text("source_identifier")
        date = self.date("date_edtf", row.get("date_edtf", ""))
        if row.get("origin_url"):
            self.url("origin_url", row["origin_url"])
        if "repository" in row:
            values["repository"] = self.lookup("repository", row["repository"])
        if "rights" in row:
            values["rights"] = self.lookup("rights", row["rights"])
        if "published_at" in row:
            values["published_at"] = self.moment(row["published_at"])
        if "original_uploaded" in row:
            values["original_uploaded"] = self.day("original_uploaded", row["original_uploaded"])
        if "embargo_until" in row:
            values["embargo_until"] = self.day("embargo_until", row["embargo_until"])
            if row["embargo_until"] and not row.get("embargo_reason", "").strip():
                # As in the admin: a closure needs its reason, for the staff who lift it.
                self.error("embargo_reason", "", "required when embargo_until is given")
        present = {column for column in row if column != interchange.PROBLEMS}
        present -= {column for column in self.keep_when_empty if not row.get(column)}
        for column in self.keep_when_empty:
            if column not in present:
                values.pop(column, None)
        parsed = ParsedRow(
            number=self.number,
            source_identifier=row.get("source_identifier", ""),
            present=frozenset(present),
            values=values,
            date=date,
            record_id=self.record_id(row.get("record_id", "")),
            people=self.people(row.get("people", [])),
            collections=self.related("collections", values.get("repository")),
            subjects=self.related("subjects"),
            custody=self.custody(row.get("custody", [])),
        )
        return parsed, self.errors

    def date(self, column, value):
        try:
            return dates.parse(value)
        except ValidationError as error:
            self.error(column, value, error.messages[0])
            return None

    def url(self, column, value):
        try:
            _url(value)
        except ValidationError:
            self.error(column, value, "not a web address (http:// or https://…)")

    def lookup(self, column, value):
        if not value:
            return None
        try:
            if column == "repository":
                return self.vocabulary.repository(value)
            return self.vocabulary.rights_statement(value)
        except ValueError as error:
            self.error(column, value, str(error))
            return None

    def moment(self, value):
        if not value:
            return None
        try:
            moment = parse_datetime(value)
            if moment is None and (day := parse_date(value)):
                moment = datetime.datetime.combine(day, datetime.time())
        except ValueError:
            moment = None
        if moment is None:
            self.error("published_at", value, "write it as 2024-05-01T12:00:00+00:00")
            return None
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)

    def day(self, column, value):
        if not value:
            return None
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            self.error(column, value, "write it as 2024-05-01")
        return day

    def record_id(self, value):
        if value == "":
            return None
        if not isinstance(value, int) or not 1 <= value <= MAX_RECORD_ID:
            self.error("record_id", value, "a whole number from 1, or empty")
            return None
        return value

    def people(self, entries):
        people, seen = [], set()
        for entry in entries:
            shown = f"{entry['role']}: {entry['name']}" + (
                f" <{entry['uri']}>" if entry["uri"] else ""
            )
            if entry["role"] not in ROLES:
                self.error("people", shown, f"role not one of: {', '.join(sorted(ROLES))}")
                continue
            if not entry["name"] or len(entry["name"]) > _limit(Person, "display_name"):
                self.error("people", shown, "a name of 1 to 255 characters is needed")
                continue
            try:
                person = self.vocabulary.person(entry["name"], entry["uri"])
            except ValueError as error:
                self.error("people", shown, str(error))
                continue
            if (id(person), entry["role"]) in seen:
                self.error("people", shown, f"listed twice as {entry['role']}")
                continue
            seen.add((id(person), entry["role"]))
            people.append((entry["role"], person, entry["uncertain"]))
        return people

    def related(self, column, repository=None):
        found = []
        for value in self.row.get(column, []):
            try:
                if column == "collections":
                    obj = self.vocabulary.collection(value, repository)
                else:
                    obj = self.vocabulary.subject(value)
            except ValueError as error:
                self.error(column, value, str(error))
                continue
            if all(obj is not other for other in found):
                found.append(obj)
        return found

    def custody(self, steps):
        for step in steps:
            shown = ", ".join(f"{k}={v}" for k, v in step.items() if v)
            if step["event"] not in EVENTS:
                self.error("custody", shown, f"event not one of: {', '.join(sorted(EVENTS))}")
            for key in ("agent", "place", "source"):
                limit = _limit(ProvenanceEvent, key)
                if len(step[key]) > limit:
                    self.error("custody", shown, f"{key} longer than {limit} characters")
            self.date("custody", step["date_edtf"])
        return steps


# -- comparing with the catalogue -----------------------------------------------------------


def _state(document):
    """What a row can set, as the document has it (uses export_queryset's prefetch)."""
    return {
        **{name: getattr(document, name) for name in TEXT_FIELDS},
        "repository": document.repository_id,
        "rights": document.rights_id,
        "published_at": document.published_at,
        "original_uploaded": document.original_uploaded,
        "embargo_until": document.embargo_until,
        "people": [
            (link.role, link.person_id, link.uncertain) for link in document.person_links.all()
        ],
        "collections": sorted(c.pk for c in document.collections.all()),
        "subjects": sorted(s.pk for s in document.subjects.all()),
        "custody": [
            {key: getattr(event, key) for key in interchange.CUSTODY_KEYS}
            for event in document.custody_events.all()
        ],
    }


def _wanted(parsed):
    """The same shape as :func:`_state`, for the columns the row has."""
    values = {
        **parsed.values,
        "repository": getattr(parsed.values.get("repository"), "pk", None),
        "rights": getattr(parsed.values.get("rights"), "pk", None),
        "people": [(role, person.pk, uncertain) for role, person, uncertain in parsed.people],
        "collections": sorted(c.pk or 0 for c in parsed.collections),
        "subjects": sorted(s.pk or 0 for s in parsed.subjects),
        "custody": parsed.custody,
    }
    if parsed.date is not None:
        values["date_edtf"] = parsed.date.edtf
    return {key: value for key, value in values.items() if key in parsed.present}


def _changes(parsed, document):
    """The columns whose value in the row differs from the document's."""
    state, wanted = _state(document), _wanted(parsed)
    return [key for key, value in wanted.items() if key in state and state[key] != value]


# -- one pass over the file -----------------------------------------------------------------


@dataclass
class _Pass:
    """One read of the file: rows checked in chunks against the catalogue, in file order."""

    fileobj: object
    file_format: str
    mapping: str
    update: bool
    user: object
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    seen_sources: dict = field(default_factory=dict)
    seen_record_ids: dict = field(default_factory=dict)

    def chunks(self) -> Iterator[list]:
        """Lists of (number, parsed or None, action, errors, existing document or None)."""
        self.fileobj.seek(0)
        chunk = []
        rows = interchange.read_rows(self.fileobj, self.file_format, mapping=self.mapping)
        for number, row in rows:
            chunk.append(self._check(number, row))
            if len(chunk) >= CHUNK_SIZE:
                yield self._classify(chunk)
                chunk = []
        if chunk:
            yield self._classify(chunk)

    def _check(self, number, row):
        parsed, errors = _RowChecker(number, row, self.vocabulary, self.user).parse()
        source = parsed.source_identifier
        if source in self.seen_sources:
            errors.append(
                RowError(
                    number, "source_identifier", source, f"also in row {self.seen_sources[source]}"
                )
            )
        elif source:
            self.seen_sources[source] = number
        if parsed.record_id in self.seen_record_ids:
            first = self.seen_record_ids[parsed.record_id]
            errors.append(
                RowError(number, "record_id", str(parsed.record_id), f"also in row {first}")
            )
        elif parsed.record_id:
            self.seen_record_ids[parsed.record_id] = number
        return parsed, errors

    def _classify(self, chunk):
        """
        Each row's action, against its existing document: found by source_identifier, or by
        record_id for a row without one (documents catalogued in the admin have none).
        """
        sources = [parsed.source_identifier for parsed, _e in chunk if parsed.source_identifier]
        keyless = [parsed.record_id for parsed, _e in chunk if not parsed.source_identifier]
        found = interchange.export_queryset(
            Document.objects.filter(Q(source_identifier__in=sources) | Q(record_id__in=keyless))
        )
        by_source, by_record = {}, {}
        for document in found:
            by_source[document.source_identifier] = by_record[document.record_id] = document
        result = []
        for parsed, errors in chunk:
            if parsed.source_identifier:
                document = by_source.get(parsed.source_identifier)
            else:
                document = by_record.get(parsed.record_id)
            action = self._action(parsed, document, errors)
            if action != INVALID:
                self.vocabulary.mark_used(parsed.referenced())
            result.append((parsed.number, parsed, action, errors, document))
        return result

    def _action(self, parsed, document, errors):
        if document is None:
            if parsed.values.get("status") == Document.Status.PUBLISHED:
                self._check_publisher(parsed, errors)
            return INVALID if errors else CREATE
        if parsed.record_id and parsed.record_id != document.record_id:
            errors.append(
                RowError(
                    parsed.number,
                    "record_id",
                    str(parsed.record_id),
                    f"this document's record ID is {document.record_id}; record IDs are permanent",
                )
            )
        changes = [] if errors else _changes(parsed, document)
        if "status" in changes:
            self._check_publisher(parsed, errors)
        if errors:
            return INVALID
        if not changes:
            return UNCHANGED
        if not self.update:
            errors.append(
                RowError(
                    parsed.number,
                    "source_identifier" if parsed.source_identifier else "record_id",
                    parsed.source_identifier or str(parsed.record_id),
                    f"exists (record {document.record_id}; differs in {', '.join(changes)}); "
                    "use --update",
                )
            )
            return INVALID
        return UPDATE

    def _check_publisher(self, parsed, errors):
        if self.user is not None and not can_publish(self.user):
            errors.append(
                RowError(
                    parsed.number,
                    "status",
                    parsed.values["status"],
                    "only editors may publish or unpublish documents",
                )
            )


def prepare(
    fileobj,
    *,
    file_name,
    file_format=None,
    mapping="default",
    update=False,
    user=None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportPlan:
    """
    Read and check every row of ``fileobj`` (binary or text, seekable: :func:`apply` reads it
    again) and say what importing it would do.  Writes nothing.

    ``file_format`` is "csv" or "jsonl" (default: from ``file_name``'s extension);
    ``mapping`` "default" (this catalogue's format) or "corpus" (the development corpus's
    records, JSON Lines). Without ``update`` a row for an existing document that differs from
    it is an error. Given ``user``, rows that would publish or unpublish are errors unless
    they may (``catalog.publish_document``). ``progress(rows read, None)`` after each chunk.
    """
    if mapping not in interchange.MAPPINGS:
        raise ValueError(f"Unknown mapping “{mapping}”; use default or corpus.")
    plan = ImportPlan(fileobj, file_name, "", mapping, update)
    try:
        plan.file_format = (
            "jsonl" if mapping == "corpus" else interchange.detect_format(file_name, file_format)
        )
        one_pass = _Pass(fileobj, plan.file_format, mapping, update, user)
        for chunk in one_pass.chunks():
            for number, parsed, action, errors, _document in chunk:
                _record(plan, number, parsed, action, errors)
            reset_queries()  # as in apply(): DEBUG's query log would grow with the file
            if progress:
                progress(plan.rows, None)
    except interchange.FormatError as error:
        plan.file_error = str(error)
        plan.errors.append(RowError(error.row, "", "", str(error)))
        return plan
    plan.new = one_pass.vocabulary.summary()
    return plan


def _record(plan, number, parsed, action, errors):
    plan.rows += 1
    plan.actions[number] = action
    plan.errors.extend(errors)
    if action != INVALID and parsed.record_id:
        plan.max_record_id = max(plan.max_record_id, parsed.record_id)
    target = {CREATE: plan.creates, UPDATE: plan.updates, UNCHANGED: plan.unchanged}
    if action in target:
        target[action].append(parsed.label)


# -- writing --------------------------------------------------------------------------------


@contextmanager
def _history_user(user):
    """Name ``user`` in every history entry written inside, as the admin's request does."""
    context = HistoricalRecords.context
    saved = getattr(context, "request", None)
    if user is not None:
        context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if saved is None:
            if hasattr(context, "request"):
                del context.request
        else:
            context.request = saved


def _new_document(parsed, record_id, now):
    values = {k: v for k, v in parsed.values.items() if k in parsed.present}
    document = Document(
        record_id=record_id, source_identifier=parsed.source_identifier or None, **values
    )
    info = parsed.date
    document.date_edtf = info.edtf
    document.date_earliest, document.date_latest = info.earliest, info.latest
    document.date_approximate, document.date_uncertain = info.approximate, info.uncertain
    if document.status == Document.Status.PUBLISHED:
        if document.embargo_until:
            document._date_publication()  # online when the embargo lifts, as save() does
        elif document.published_at is None:
            document.published_at = now
    return document


def _links(document, parsed, notes=None):
    notes = notes or {}
    return [
        DocumentPerson(
            document=document,
            person=person,
            role=role,
            uncertain=uncertain,
            position=position,
            note=notes.get((person.pk, role), ""),
        )
        for position, (role, person, uncertain) in enumerate(parsed.people)
    ]


def _events(document, parsed):
    return [
        ProvenanceEvent(document=document, position=position, **step)
        for position, step in enumerate(parsed.custody)
    ]


def _record_history(model, rows, *, user, reason, when):
    """
    One "created" history entry for each of ``rows`` (new ``model`` instances), written by the
    database from the rows themselves (INSERT … SELECT): what ``bulk_create_with_history``
    does, without a second model instance per row in Python or every transcript sent twice.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    history = model.history.model
    tracked = ", ".join(
        quote(f.column) for f in history._meta.fields if not f.name.startswith("history_")
    )
    ids = [row.pk for row in rows]
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({tracked}, history_date, "
            f"history_change_reason, history_type, history_user_id) "
            f"SELECT {tracked}, %s, %s, '+', %s FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)} IN ({placeholders})",
            [connection.ops.adapt_datetimefield_value(when), reason, user and user.pk, *ids],
        )


class _Writer:
    """Writes checked chunks: new documents in bulk, updated ones one by one."""

    def __init__(self, batch, user, vocabulary, next_record_id):
        self.batch, self.user, self.vocabulary = batch, user, vocabulary
        self.next_record_id = next_record_id
        self.now = timezone.now()
        self.touched = []
        # The change reason the admin's history pages read as "made by import batch N".
        self.reason = f"import batch {batch.pk}: {batch.file_name}"[:100]

    def _bulk_create(self, model, rows):
        """Create ``rows`` and their history entries, naming the user and the batch."""
        rows = model.objects.bulk_create(rows)
        _record_history(model, rows, user=self.user, reason=self.reason, when=timezone.now())
        return rows

    def create(self, rows):
        if not rows:
            return
        wanted = [parsed.record_id for parsed in rows if parsed.record_id]
        taken = set(
            Document.objects.filter(record_id__in=wanted).values_list("record_id", flat=True)
        )
        documents = []
        for parsed in rows:
            record_id = parsed.record_id
            if not record_id or record_id in taken:
                record_id, self.next_record_id = self.next_record_id, self.next_record_id + 1
            documents.append(_new_document(parsed, record_id, self.now))
        documents = self._bulk_create(Document, documents)
        links, events, in_collections, on_subjects = [], [], [], []
        for document, parsed in zip(documents, rows, strict=True):
            links += _links(document, parsed)
            events += _events(document, parsed)
            in_collections += [
                Document.collections.through(document=document, collection=c)
                for c in parsed.collections
            ]
            on_subjects += [
                Document.subjects.through(document=document, subject=s) for s in parsed.subjects
            ]
        self._bulk_create(DocumentPerson, links)
        self._bulk_create(ProvenanceEvent, events)
        Document.collections.through.objects.bulk_create(in_collections)
        Document.subjects.through.objects.bulk_create(on_subjects)
        ImportBatchItem.objects.bulk_create(
            ImportBatchItem(
                batch=self.batch,
                document=document,
                source_identifier=document.source_identifier or f"record {document.record_id}",
                action=ImportBatchItem.Action.CREATED,
            )
            for document in documents
        )
        self.touched += [document.pk for document in documents]

    def update(self, parsed, document, *, record=True):
        """Bring ``document`` (from export_queryset) in line with the row's columns."""
        before = interchange.document_row(document)
        changes = set(_changes(parsed, document))
        for name in changes & (
            set(TEXT_FIELDS)
            | {"repository", "rights", "published_at", "original_uploaded", "embargo_until"}
        ):
            setattr(document, name, parsed.values[name])
        if changes - {"people", "collections", "subjects", "custody"}:
            document._change_reason = self.reason
            document.save()
        if "people" in changes:
            notes = {(link.person_id, link.role): link.note for link in document.person_links.all()}
            document.person_links.all().delete()
            self._bulk_create(DocumentPerson, _links(document, parsed, notes))
        if "custody" in changes:
            document.custody_events.all().delete()
            self._bulk_create(ProvenanceEvent, _events(document, parsed))
        if "collections" in changes:
            document.collections.set(parsed.collections)
        if "subjects" in changes:
            document.subjects.set(parsed.subjects)
        if record:
            ImportBatchItem.objects.create(
                batch=self.batch,
                document=document,
                source_identifier=parsed.label,
                action=ImportBatchItem.Action.UPDATED,
                before=before,
            )
        self.touched.append(document.pk)

    def write(self, chunk):
        """Write a chunk's create and update rows, creating what they name first."""
        rows = [(parsed, action, document) for _n, parsed, action, _e, document in chunk]
        self.vocabulary.save_new(
            [
                obj
                for parsed, action, _d in rows
                if action in (CREATE, UPDATE)
                for obj in parsed.referenced()
            ],
            self.user,
        )
        self.create([parsed for parsed, action, _d in rows if action == CREATE])
        for parsed, action, document in rows:
            if action == UPDATE:
                self.update(parsed, document)


def apply(
    plan: ImportPlan,
    *,
    user=None,
    batch_name="",
    skip_invalid=False,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportBatch:
    """
    Write ``plan``: read its file again and create and update documents in one transaction,
    recording an :class:`ImportBatch` with an item per created or updated document.

    Refuses (:class:`ImportRefused`) when the plan has errors, unless ``skip_invalid`` (which
    leaves those rows out; a file-wide error is refused all the same), and when the file or
    the catalogue changed since :func:`prepare` so that a row would now do something else.
    History entries name ``user``; the search index is rebuilt for what was written;
    ``progress(rows done, rows in all)`` after each chunk.
    """
    if plan.file_error:
        raise ImportRefused(f"The file cannot be imported: {plan.file_error}")
    if plan.errors and not skip_invalid:
        raise ImportRefused(
            f"The file has {len(plan.errors)} errors; correct them or skip the rows with errors."
        )
    with transaction.atomic(), _history_user(user):
        batch = ImportBatch.objects.create(
            name=batch_name,
            file_name=plan.file_name,
            file_format=plan.file_format,
            created_by=user,
            rows=plan.rows,
            skipped_count=plan.skipped,
        )
        last = Document.objects.aggregate(last=Max("record_id"))["last"] or 0
        one_pass = _Pass(plan.fileobj, plan.file_format, plan.mapping, plan.update, user)
        writer = _Writer(batch, user, one_pass.vocabulary, max(last, plan.max_record_id) + 1)
        counts, done = defaultdict(int), 0
        for chunk in one_pass.chunks():
            for number, _parsed, action, errors, _document in chunk:
                _check_unchanged_plan(plan, number, action, errors)
                counts[action] += 1
            writer.write(chunk)
            done += len(chunk)
            # With DEBUG on, Django keeps every query (transcripts included) on the connection;
            # forget them so a big import holds one chunk's worth of memory, not the file's.
            reset_queries()
            if progress:
                progress(done, plan.rows)
        search.reindex(writer.touched)
        cache.bump()  # bulk_create sends no signals: the public pages change all the same
        batch.created_count, batch.updated_count = counts[CREATE], counts[UPDATE]
        batch.unchanged_count = counts[UNCHANGED]
        batch.save()
        # "created" is when the writes ended: undo() calls documents modified later changed.
        ImportBatch.objects.filter(pk=batch.pk).update(created=timezone.now())
        batch.refresh_from_db()
    return batch


def _check_unchanged_plan(plan, number, action, errors):
    """Stop (rolling back) when a row would now do other than what the plan said."""
    planned = plan.actions.get(number)
    if planned == action:
        return
    reason = "; ".join(str(error) for error in errors[:3]) or f"it would now {action}"
    raise ImportRefused(
        f"Row {number} has changed since the file was checked ({reason}); nothing was "
        "written. Check the file again."
    )


# -- undo -----------------------------------------------------------------------------------


def undo(batch: ImportBatch, *, user=None, force=False) -> ImportBatch:
    """
    Take back ``batch`` in one transaction: delete the documents it created and restore the
    ones it updated from their ``before`` rows (fields, people, collections, subjects,
    custody), then mark it undone.

    Refuses (:class:`ImportRefused`) a batch already undone, and one whose documents were
    changed (or deleted) after it, naming their record IDs, since undoing would throw those
    changes away; ``force=True`` undoes it all the same (deleted ones stay deleted).
    People, collections and the like the import created are kept.
    """
    with transaction.atomic(), _history_user(user):
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.UNDONE:
            raise ImportRefused(
                f"“{batch}” was undone already, on {batch.undone_at:%Y-%m-%d %H:%M}."
            )
        items = list(batch.items.all())
        documents = {
            document.pk: document
            for document in interchange.export_queryset(
                Document.objects.filter(pk__in=[item.document_id for item in items])
            )
        }
        later = _changed_since(batch, items, documents)
        if later and not force:
            raise ImportRefused(
                f"{len(later)} documents were changed or deleted after this import "
                f"({', '.join(later[:10])}{'…' if len(later) > 10 else ''}); undoing it would "
                "throw those changes away. Undo it anyway to restore them as they were "
                "before the import."
            )
        created = [i.document_id for i in items if i.action == ImportBatchItem.Action.CREATED]
        Document.objects.filter(pk__in=created).delete()
        _restore(
            batch, user, [i for i in items if i.action == ImportBatchItem.Action.UPDATED], documents
        )
        batch.status = ImportBatch.Status.UNDONE
        batch.undone_at, batch.undone_by = timezone.now(), user
        batch.save(update_fields=["status", "undone_at", "undone_by"])
        search.reindex([item.document_id for item in items if item.document_id])
        cache.bump()  # restored links are bulk-created, without signals
    return batch


def _changed_since(batch, items, documents):
    """Labels of the batch's documents changed or deleted after it was applied."""
    later = []
    for item in items:
        document = documents.get(item.document_id)
        if document is None:
            later.append(f"{item.source_identifier} (deleted)")
        elif document.modified > batch.created:
            later.append(f"record {document.record_id}")
    return later


def _restore(batch, user, items, documents):
    """Put updated documents back as their ``before`` rows say."""
    vocabulary = Vocabulary()
    writer = _Writer(batch, user, vocabulary, next_record_id=0)
    for item in items:
        document = documents.get(item.document_id)
        if document is None:
            continue
        row = interchange.normalize_row(item.before)
        parsed, errors = _RowChecker(0, row, vocabulary, None, exact=True).parse()
        if errors:
            raise ImportRefused(
                f"Record {document.record_id} cannot be restored: {errors[0].reason} "
                f"({errors[0].column}: {errors[0].value}); nothing was undone."
            )
        vocabulary.save_new(parsed.referenced(), user)
        writer.update(parsed, document, record=False)


# -- reporting ------------------------------------------------------------------------------


def errors_csv(errors) -> str:
    """The errors as CSV text (row, column, value, reason), for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "value", "reason"])
    for error in errors:
        writer.writerow([error.row, error.column, error.value, error.reason])
    return out.getvalue()
