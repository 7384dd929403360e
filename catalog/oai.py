"""
The OAI-PMH 2.0 data provider's protocol: arguments, errors, identifiers, sets, datestamps,
resumption tokens and the ``oai_dc`` record of a document.  :mod:`catalog.views.oai` answers
the requests with the templates in ``templates/oai/``; docs/oai-pmh.md is the harvester's guide.

What is harvested: every document that has ever been public (its ``published_at``, when it
went online, has come).  One that is public now is a full record; one that was withdrawn
(back to draft, or closed by an embargo after it had been online) answers as a deleted
header, and so does a published document that was deleted outright, through the
:class:`~catalog.models.DeletedDocument` tombstone written by :func:`record_deletion`.  A
deleted header carries the identifier and the datestamp only: nothing of the withdrawn
record's content.  A draft that was never published, and a record published under an
embargo that has not yet lifted (its ``published_at`` is the moment it lifts), do not exist
for a harvester.

A record's datestamp is when it last changed (``modified``) or, once an embargo has lifted,
the moment it lifted if that is later: a record that opens at midnight without anyone
touching it has a datestamp of that midnight, so incremental harvests (``from``) see it.

Lists are ordered by datestamp (see above, or when deleted) then record ID and paged by
keyset: a resumption token holds the last (datestamp, record ID) served and the original
arguments, with an upper bound frozen at the first request, so a harvest never skips or
repeats a record even while documents change.  Tokens are signed and expire after a day.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Prefetch, Q, When
from django.db.models.functions import Cast, Greatest
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from . import citations, dates
from .models import Collection, DeletedDocument, Document, DocumentPerson

NAMESPACE = "http://www.openarchives.org/OAI/2.0/"
METADATA_FORMATS = {
    "oai_dc": {
        "schema": "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "namespace": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    }
}
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
TOKEN_SALT = "catalog.oai.resumption"
TOKEN_LIFETIME = datetime.timedelta(days=1)
DCMI_TEXT = "Text"

# The arguments each verb takes: required, optional, and the one that must come alone.
VERBS = {
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
}

# Syntax the OAI-PMH schema gives these values; anything else is a badArgument.
SPEC_PATTERN = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
# The oai-identifier scheme's repositoryIdentifier: a domain name with at least one dot.
REPOSITORY_IDENTIFIER_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+$")
DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECONDS_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/F).
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class OAIError(Exception):
    """An OAI-PMH error condition: ``code`` is one the protocol defines."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def xml_text(value):
    """``value`` as text XML can carry: characters XML 1.0 forbids are dropped."""
    return NOT_XML.sub("", str(value))


def format_datestamp(moment):
    """A UTC datestamp at seconds granularity: ``2024-05-01T12:00:00Z``."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Arguments ----------------------------------------------------------------------------------


def parse_arguments(query):
    """
    The verb and its arguments from a request's query (GET) or form (POST), checked against
    what the verb takes: badVerb for a missing, unknown or repeated verb, badArgument for a
    missing, unknown, repeated or malformed argument or one that must come alone.
    """
    verbs = query.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError("badVerb", "Give exactly one verb the protocol defines.")
    verb = verbs[0]
    required, optional, exclusive = VERBS[verb]
    allowed = {"verb", *required, *optional, *([exclusive] if exclusive else [])}
    arguments = {}
    for name in query:
        values = query.getlist(name)
        if name not in allowed:
            raise OAIError("badArgument", f"{verb} does not take the argument “{name}”.")
        if len(values) > 1:
            raise OAIError("badArgument", f"The argument “{name}” is repeated.")
        if NOT_XML.search(values[0]):
            raise OAIError("badArgument", f"The argument “{name}” holds characters XML forbids.")
        if name != "verb":
            arguments[name] = values[0]
    if exclusive and exclusive in arguments:
        if len(arguments) > 1:
            raise OAIError("badArgument", f"{exclusive} is an exclusive argument.")
        return verb, arguments
    missing = [name for name in required if name not in arguments]
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument “{missing[0]}”.")
    for name in ("metadataPrefix", "set"):
        if name in arguments and not SPEC_PATTERN.match(arguments[name]):
            raise OAIError("badArgument", f"“{arguments[name]}” is not a valid {name}.")
    return verb, arguments


def check_metadata_prefix(prefix):
    if prefix not in METADATA_FORMATS:
        raise OAIError("cannotDisseminateFormat", f"Records are not available as “{prefix}”.")


def parse_datestamp(value, *, name, upper):
    """
    ``from`` or ``until`` as (bound, granularity): ``from`` is the first moment included,
    ``until`` the first moment excluded (the end of the day or second it names).
    """
    if DAY_PATTERN.match(value):
        granularity, fmt, step = "day", "%Y-%m-%d", datetime.timedelta(days=1)
    elif SECONDS_PATTERN.match(value):
        granularity, fmt, step = "seconds", "%Y-%m-%dT%H:%M:%SZ", datetime.timedelta(seconds=1)
    else:
        raise OAIError(
            "badArgument", f"“{name}” must look like 2024-05-01 or 2024-05-01T12:00:00Z."
        )
    try:
        moment = datetime.datetime.strptime(value, fmt).replace(tzinfo=datetime.UTC)
        return (moment + step if upper else moment), granularity
    except (ValueError, OverflowError):
        raise OAIError("badArgument", f"“{value}” is not a date.") from None


# Identifiers and sets -----------------------------------------------------------------------


def repository_identifier(request):
    """The ``<host>`` of ``oai:<host>:record/<id>``: the setting, else the request's host."""
    configured = getattr(settings, "OAI_REPOSITORY_IDENTIFIER", "")
    return configured or request.get_host().rsplit(":", 1)[0].strip("[]")


def oai_identifier(repository, record_id):
    return f"oai:{repository}:record/{record_id}"


def record_id_from(identifier, repository):
    """The record ID an OAI identifier of this repository names; idDoesNotExist otherwise."""
    prefix = f"oai:{repository}:record/"
    number = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
    if not (number.isascii() and number.isdigit() and len(number) < 10):
        raise OAIError("idDoesNotExist", f"“{identifier}” is not an identifier of this archive.")
    return int(number)


def set_spec(tree_path):
    """``frus/frus-1918-russia/`` → ``frus:frus-1918-russia``."""
    return tree_path.strip("/").replace("/", ":")


def set_specs(collections):
    """Every set a document in ``collections`` belongs to: each collection and those above it."""
    specs = set()
    for collection in collections:
        slugs = collection.tree_path.strip("/").split("/")
        specs.update(":".join(slugs[: n + 1]) for n in range(len(slugs)))
    return sorted(specs)


def tree_path(spec):
    return spec.replace(":", "/") + "/"


def public_sets():
    """The sets: every public collection, parents before children."""
    return [
        {"spec": set_spec(c.tree_path), "name": c.title, "description": c.description}
        for c in Collection.objects.published().order_by("tree_path")
    ]


# What is harvested --------------------------------------------------------------------------


def ever_published():
    """
    Documents that were public at some time: public now (full records) or withdrawn (deleted
    headers), each with its ``datestamp``.  ``published_at`` is set on first publication,
    to when an embargo lifts if the record is published under one, and never cleared.
    """
    return Document.objects.filter(published_at__lte=timezone.now()).annotate(datestamp=datestamp())


def datestamp():
    """
    A document's datestamp: ``modified``, or the moment its embargo lifted (midnight UTC,
    the site's time zone, at the start of ``embargo_until``) when that has passed and is later.
    """
    lifted = Cast("embargo_until", DateTimeField())
    return Case(
        When(
            embargo_until__lte=timezone.localdate(),
            then=Greatest("modified", lifted, output_field=DateTimeField()),
        ),
        default=F("modified"),
        output_field=DateTimeField(),
    )


def tombstones():
    """Deleted documents whose record ID no harvested document has taken again."""
    return DeletedDocument.objects.exclude(
        Exists(ever_published().filter(record_id=OuterRef("record_id")))
    )


def with_metadata(documents):
    """What an ``oai_dc`` record shows, in a fixed number of queries (three prefetches)."""
    return (
        documents.select_related("repository", "rights")
        .defer("transcript")
        .prefetch_related(
            Prefetch(
                "person_links",
                queryset=DocumentPerson.objects.filter(
                    role__in=[DocumentPerson.Role.AUTHOR, DocumentPerson.Role.RECIPIENT]
                )
                .select_related("person")
                .order_by("position", "pk"),
            ),
            Prefetch(
                "collections", queryset=Collection.objects.select_related("parent", "repository")
            ),
            "subjects",
        )
    )


def with_sets(documents):
    """What a header shows: the collections, for the set specs (one prefetch)."""
    return documents.only(
        "pk", "record_id", "status", "embargo_until", "modified"
    ).prefetch_related(Prefetch("collections", queryset=Collection.objects.only("pk", "tree_path")))


@dataclass
class Item:
    """One record of a list: a document (published or withdrawn) or a tombstone."""

    record_id: int
    datestamp: datetime.datetime
    document: Document | None = None

    @property
    def deleted(self):
        return self.document is None or not self.document.is_published()


def item(record_id):
    """The harvested item with this record ID, from :func:`with_metadata`; idDoesNotExist."""
    document = with_metadata(ever_published()).filter(record_id=record_id).first()
    if document is not None:
        return Item(record_id, document.datestamp, document)
    tombstone = tombstones().filter(record_id=record_id).first()
    if tombstone is None:
        raise OAIError("idDoesNotExist", f"There is no record {record_id}.")
    return Item(record_id, tombstone.deleted)


@dataclass
class Page:
    """One page of a list, with what its ``resumptionToken`` element says."""

    items: list
    complete_list_size: int
    cursor: int
    token: str | None  # the next page's token; "" on the last page of a resumed list
    expiration: datetime.datetime | None = None
    paged: bool = False

    @property
    def expiration_datestamp(self):
        return format_datestamp(self.expiration) if self.expiration else ""


def list_page(verb, arguments, *, now=None):
    """
    A page of ListIdentifiers or ListRecords for ``arguments`` (the request's, or those a
    resumption token carries): noRecordsMatch when there is nothing to list.
    """
    now = now or timezone.now()
    if "resumptionToken" in arguments:
        state = _read_token(arguments["resumptionToken"], verb)
    else:
        check_metadata_prefix(arguments["metadataPrefix"])
        state = _first_state(arguments, now)
    lower = datetime.datetime.fromisoformat(state["lower"]) if state["lower"] else None
    upper = datetime.datetime.fromisoformat(state["upper"])
    path = state["set"]

    documents = ever_published().filter(datestamp__lt=upper)
    deleted = tombstones().filter(deleted__lt=upper)
    if lower:
        documents = documents.filter(datestamp__gte=lower)
        deleted = deleted.filter(deleted__gte=lower)
    if path:
        documents = documents.in_collection(Collection(tree_path=path))
        deleted = deleted.filter(collection_paths__contains=f"\n{path}")
    total = documents.count() + deleted.count()
    if total == 0:
        if path and not Collection.objects.exists():
            raise OAIError("noSetHierarchy", "This archive has no sets.")
        raise OAIError("noRecordsMatch", "No records match these arguments.")

    size = settings.OAI_PAGE_SIZE
    if state["after"]:
        moment, last_id = datetime.datetime.fromisoformat(state["after"][0]), state["after"][1]
        documents = documents.filter(
            Q(datestamp__gt=moment) | Q(datestamp=moment, record_id__gt=last_id)
        )
        deleted = deleted.filter(Q(deleted__gt=moment) | Q(deleted=moment, record_id__gt=last_id))
    documents = (with_metadata if verb == "ListRecords" else with_sets)(documents)
    items = [
        Item(d.record_id, d.datestamp, d)
        for d in documents.order_by("datestamp", "record_id")[: size + 1]
    ]
    items += [
        Item(t.record_id, t.deleted) for t in deleted.order_by("deleted", "record_id")[: size + 1]
    ]
    items.sort(key=lambda i: (i.datestamp, i.record_id))
    page, more = items[:size], len(items) > size
    if not page:
        raise OAIError("noRecordsMatch", "No records remain to be listed.")

    cursor = state["cursor"]
    token = None
    if more:
        last = page[-1]
        token = _write_token(
            {
                **state,
                "verb": verb,
                "after": [last.datestamp.isoformat(), last.record_id],
                "cursor": cursor + len(page),
            }
        )
    elif state["after"]:
        token = ""
    return Page(
        items=page,
        complete_list_size=total,
        cursor=cursor,
        token=token,
        expiration=now + TOKEN_LIFETIME if token else None,
        paged=token is not None,
    )


def _first_state(arguments, now):
    """The harvest a first request starts: its bounds, set and format, nothing served yet."""
    lower = upper = None
    granularities = set()
    if "from" in arguments:
        lower, granularity = parse_datestamp(arguments["from"], name="from", upper=False)
        granularities.add(granularity)
    if "until" in arguments:
        upper, granularity = parse_datestamp(arguments["until"], name="until", upper=True)
        granularities.add(granularity)
    if len(granularities) > 1:
        raise OAIError("badArgument", "“from” and “until” must have the same granularity.")
    if lower and upper and lower >= upper:
        raise OAIError("badArgument", "“from” is after “until”.")
    return {
        "prefix": arguments["metadataPrefix"],
        "lower": lower.isoformat() if lower else None,
        # Frozen at the first request: what changes during the harvest waits for the next.
        "upper": min(upper, now).isoformat() if upper else now.isoformat(),
        "set": tree_path(arguments["set"]) if "set" in arguments else None,
        "after": None,
        "cursor": 0,
    }


def _write_token(state):
    return signing.dumps(state, salt=TOKEN_SALT, compress=True)


def _read_token(token, verb):
    """
    The harvest state a token carries; badResumptionToken if garbled, expired or given to
    another verb.  Tokens are signed, so a valid signature means a state this module wrote.
    """
    try:
        state = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_LIFETIME)
    except signing.SignatureExpired:
        raise OAIError("badResumptionToken", "This resumption token has expired.") from None
    except signing.BadSignature:
        raise OAIError("badResumptionToken", "This resumption token is not valid.") from None
    if not isinstance(state, dict) or state.get("verb") != verb:
        raise OAIError("badResumptionToken", f"This resumption token is not one for {verb}.")
    return state


def earliest_datestamp(now=None):
    """The earliest datestamp of anything harvested (now, when nothing is)."""
    first = ever_published().order_by("datestamp").values_list("datestamp", flat=True).first()
    gone = DeletedDocument.objects.order_by("deleted").values_list("deleted", flat=True).first()
    moments = [m for m in (first, gone) if m is not None]
    return min(moments) if moments else (now or timezone.now())


# The oai_dc record --------------------------------------------------------------------------


def iso_date(earliest, latest):
    """
    The date bounds in ISO 8601 at the precision they span: ``1944-02-02``, ``1944``,
    ``1891-03/1892-04``; empty when undated or open at an end.
    """
    if earliest is None or earliest == dates.OPEN_START or latest == dates.OPEN_END:
        return ""
    if (earliest.month, earliest.day, latest.month, latest.day) == (1, 1, 12, 31):
        start, end = f"{earliest.year:04d}", f"{latest.year:04d}"
    elif earliest.day == 1 and (latest + datetime.timedelta(days=1)).day == 1:
        start = f"{earliest.year:04d}-{earliest.month:02d}"
        end = f"{latest.year:04d}-{latest.month:02d}"
    else:
        start, end = earliest.isoformat(), latest.isoformat()
    return start if start == end else f"{start}/{end}"


def dublin_core(document, request):
    """
    A published document as simple Dublin Core: ``[(element, value), …]`` in the order
    elements are written.  Reads only what :func:`with_metadata` loaded.
    """
    links = list(document.person_links.all())
    collections = list(document.collections.all())
    elements = [("title", document.title)]
    elements += [
        ("creator", link.person.sort_name)
        for link in links
        if link.role == DocumentPerson.Role.AUTHOR
    ]
    elements += [
        ("contributor", link.person.sort_name)
        for link in links
        if link.role == DocumentPerson.Role.RECIPIENT
    ]
    iso = iso_date(document.date_earliest, document.date_latest)
    elements += [("date", value) for value in dict.fromkeys([document.date_edtf, iso]) if value]
    elements += [("subject", subject.name) for subject in document.subjects.all()]
    if document.summary:
        elements.append(("description", document.summary))
    elements += [("type", document.get_doc_type_display()), ("type", DCMI_TEXT)]
    if document.language:
        elements.append(("language", document.language))
    source = citations.source_line(document)
    if source:
        elements.append(("source", source))
    if document.rights_id:
        elements.append(("rights", document.rights.uri))
    if document.rights_note:
        elements.append(("rights", document.rights_note))
    elements += [
        ("identifier", request.build_absolute_uri(document.get_absolute_url())),
        ("identifier", f"record ID {document.record_id}"),
    ]
    elements += [
        ("relation", request.build_absolute_uri(collection.get_absolute_url()))
        for collection in collections
    ]
    return [(name, xml_text(value)) for name, value in elements if str(value).strip()]


# Tombstones ---------------------------------------------------------------------------------


@receiver(pre_delete, sender=Document, dispatch_uid="catalog_oai_document_deleted")
def record_deletion(sender, instance, **kwargs):
    """
    A document that was ever public leaves a tombstone when deleted, so harvesters learn
    that it is gone.  Sent inside the deletion's transaction, before the collection links go.
    """
    if instance.published_at is None or instance.published_at > timezone.now():
        return  # never online (a draft, or published under an embargo not yet lifted)
    paths = instance.collections.values_list("tree_path", flat=True)
    DeletedDocument.objects.update_or_create(
        record_id=instance.record_id,
        defaults={
            "deleted": timezone.now(),
            "collection_paths": "".join(f"\n{path}" for path in paths),
        },
    )
