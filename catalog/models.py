"""
The catalogue's records: where originals are held (Repository), how they are grouped
(Collection), who is in them (Person), what may be done with them (RightsStatement), and the
documents themselves with their people and custody chain.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from . import dates
from .authorities import authority_label, normalize_authority_uri
from .permalinks import record_url
from .querysets import (
    CollectionQuerySet,
    DocumentQuerySet,
    PersonQuerySet,
    RepositoryQuerySet,
    RightsStatementQuerySet,
    SubjectQuerySet,
)
from .text import person_search_names

# BCP 47 codes offered for a document's language, with the name shown to readers.
LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("ru", "Russian"),
    ("es", "Spanish"),
    ("it", "Italian"),
    ("la", "Latin"),
    ("nl", "Dutch"),
    ("pt", "Portuguese"),
    ("pl", "Polish"),
    ("cs", "Czech"),
    ("ja", "Japanese"),
    ("zh", "Chinese"),
    ("ko", "Korean"),
    ("ar", "Arabic"),
    ("tr", "Turkish"),
    ("el", "Greek"),
    ("sv", "Swedish"),
    ("da", "Danish"),
    ("hu", "Hungarian"),
]


def unique_slug(model, text, *, instance=None, max_length=80):
    """A slug for ``text`` not yet used by another row of ``model`` (``-2``, ``-3``… appended)."""
    base = slugify(text)[:max_length].strip("-") or "untitled"
    slug, n = base, 1
    others = (
        model._default_manager.exclude(pk=instance.pk)
        if instance and instance.pk
        else (model._default_manager.all())
    )
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"
    return slug


class SlugNaturalKeyManager(models.Manager):
    """Lets fixtures refer to rows by slug, so they load into any database."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Repository(models.Model):
    """A holding institution: the record page's "Original Archive"."""

    name = models.CharField(
        max_length=255,
        unique=True,
        help_text="The institution and, where useful, its division: “Library of Congress, "
        "Manuscript Division”.",
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        blank=True,
        help_text="Used in the web address; made from the name if left blank.",
    )
    place = models.CharField(
        max_length=255, blank=True, help_text="City and country: “Washington, DC”."
    )
    url = models.URLField("website", blank=True)
    description = models.TextField(blank=True)

    # Who changed what, when (django-simple-history); the admin shows and reverts it.
    history = HistoricalRecords()

    objects = SlugNaturalKeyManager.from_queryset(RepositoryQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "repositories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("catalog:repository-detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Repository, self.name, instance=self)
        super().save(*args, **kwargs)


class Collection(models.Model):
    """An archival collection (fonds, series, file) or a curated theme; may sit inside another."""

    class Kind(models.TextChoices):
        ARCHIVAL = "archival", "Archival collection"
        THEME = "theme", "Curated theme"

    title = models.CharField(max_length=255, help_text="“W. Averell Harriman Papers”.")
    slug = models.SlugField(
        max_length=100,
        unique=True,
        blank=True,
        help_text="Used in the web address; made from the title if left blank.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ARCHIVAL)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The collection this one sits inside (a series inside its fonds).",
    )
    repository = models.ForeignKey(
        Repository,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collections",
        help_text="The archive that holds it; empty for a curated theme.",
    )
    identifier = models.CharField(
        max_length=100, blank=True, help_text="The archive's own call number, e.g. “MSS26180”."
    )
    description = models.TextField(blank=True)
    tree_path = models.CharField(
        max_length=1000,
        editable=False,
        db_index=True,
        help_text="Slugs from the top collection down, each followed by “/”; kept by save().",
    )

    history = HistoricalRecords(excluded_fields=["tree_path"])

    objects = SlugNaturalKeyManager.from_queryset(CollectionQuerySet)()

    class Meta:
        ordering = ["tree_path"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("catalog:collection-detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError(
                    {
                        "parent": "A collection cannot sit inside itself or one of its own "
                        "sub-collections."
                    },
                    code="collection_cycle",
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Collection, self.title, instance=self)
        old_path = self.tree_path
        self.tree_path = (self.parent.tree_path if self.parent_id else "") + f"{self.slug}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.tree_path:
            for child in self.children.all():
                child.save()

    @property
    def ancestors(self):
        """Collections above this one, top first (one query per level; for detail pages)."""
        chain, node = [], self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain


class Subject(models.Model):
    """A subject term documents are indexed under."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True, blank=True)

    objects = SlugNaturalKeyManager.from_queryset(SubjectQuerySet)()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Subject, self.name, instance=self)
        super().save(*args, **kwargs)


class Person(models.Model):
    """Someone who wrote, received, signed or is named in documents."""

    display_name = models.CharField(
        max_length=255, help_text="The name as readers know it: “Joseph Stalin”."
    )
    sort_name = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="Surname first, for A–Z lists: “Stalin, Joseph”. Made from the display name "
        "if left blank.",
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        blank=True,
        help_text="Used in the web address; made from the sort name if blank.",
    )
    alternate_names = models.TextField(
        blank=True,
        help_text="Other names and spellings, one per line: “Iosif Vissarionovich Dzhugashvili”.",
    )
    birth_date = models.CharField(
        max_length=100,
        blank=True,
        validators=[dates.validate_edtf],
        help_text="EDTF, e.g. 1878-12-18 or 1878~.",
    )
    death_date = models.CharField(
        max_length=100,
        blank=True,
        validators=[dates.validate_edtf],
        help_text="EDTF, e.g. 1953-03-05.",
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences: who they were, in relation to the documents."
    )
    search_names = models.TextField(
        editable=False,
        blank=True,
        help_text="Every name folded to lower case without accents, one per line; kept by "
        "save() for the accent-insensitive people finder.",
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["modified", "search_names"])

    objects = SlugNaturalKeyManager.from_queryset(PersonQuerySet)()

    class Meta:
        ordering = ["sort_name", "display_name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return record_url("catalog:person-detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)

    def save(self, *args, **kwargs):
        if not self.sort_name:
            parts = self.display_name.rsplit(" ", 1)
            self.sort_name = f"{parts[1]}, {parts[0]}" if len(parts) == 2 else self.display_name
        if not self.slug:
            self.slug = unique_slug(Person, self.sort_name, instance=self)
        self.search_names = person_search_names(
            self.display_name, self.sort_name, self.alternate_names
        )
        super().save(*args, **kwargs)

    @property
    def alternate_name_list(self):
        return [name.strip() for name in self.alternate_names.splitlines() if name.strip()]

    @property
    def life_dates(self):
        """“1878–1953”, “born 1891”, or an empty string."""
        birth = dates.display(self.birth_date) if self.birth_date else ""
        death = dates.display(self.death_date) if self.death_date else ""
        if birth and death:
            return f"{birth} – {death}"
        if birth:
            return f"born {birth}"
        if death:
            return f"died {death}"
        return ""


class PersonAuthorityManager(models.Manager):
    def get_by_natural_key(self, uri):
        return self.get(uri=uri)


class PersonAuthority(models.Model):
    """A link from a person to an authority record (GND, VIAF, Wikidata, LCNAF…)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="authorities")
    uri = models.URLField(
        "authority URI",
        max_length=500,
        unique=True,
        help_text="Paste it as found; it is stored in one normal form so the same authority "
        "is never linked to two people.",
    )

    history = HistoricalRecords()

    objects = PersonAuthorityManager()

    class Meta:
        ordering = ["uri"]
        verbose_name = "authority link"

    def __str__(self):
        return self.uri

    def natural_key(self):
        return (self.uri,)

    @property
    def label(self):
        return authority_label(self.uri)

    def clean(self):
        if self.uri:
            self.uri = normalize_authority_uri(self.uri)

    def save(self, *args, **kwargs):
        self.uri = normalize_authority_uri(self.uri)
        super().save(*args, **kwargs)


class RightsStatementManager(models.Manager.from_queryset(RightsStatementQuerySet)):
    def get_by_natural_key(self, uri):
        return self.get(uri=uri)


class RightsStatement(models.Model):
    """A standard rights statement (RightsStatements.org, Creative Commons) identified by URI."""

    uri = models.URLField("URI", max_length=255, unique=True)
    identifier = models.CharField(max_length=50, unique=True, help_text="Short code: “NoC-US”.")
    label = models.CharField(max_length=255)
    description = models.TextField(blank=True)

    objects = RightsStatementManager()

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.uri,)


class DocumentManager(models.Manager.from_queryset(DocumentQuerySet)):
    def get_by_natural_key(self, record_id):
        return self.get(record_id=record_id)


class Document(models.Model):
    """One catalogued document: what it is, when, who is in it, where the original lies."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Type(models.TextChoices):
        LETTER = "letter", "Letter"
        TELEGRAM = "telegram", "Telegram"
        MEMORANDUM = "memorandum", "Memorandum"
        REPORT = "report", "Report"
        MINUTES = "minutes", "Minutes"
        TRANSCRIPT = "transcript", "Conversation transcript"
        NOTE = "note", "Note"
        DIARY = "diary", "Diary entry"
        SPEECH = "speech", "Speech"
        TREATY = "treaty", "Treaty or agreement"
        INSTRUCTION = "instruction", "Instruction"
        DISPATCH = "dispatch", "Dispatch"
        OTHER = "other", "Other"

    record_id = models.PositiveIntegerField(
        "record ID",
        unique=True,
        blank=True,
        help_text="Permanent; part of the permalink. Assigned when the record is first saved.",
    )
    source_identifier = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="The identifier this record had where it came from (used to match imports).",
    )
    title = models.CharField(max_length=500)
    doc_type = models.CharField("type", max_length=20, choices=Type.choices, default=Type.LETTER)
    date_edtf = models.CharField(
        "date (EDTF)",
        max_length=100,
        blank=True,
        validators=[dates.validate_edtf],
        help_text="1944-02-02; 1944-02; 1944~ (circa); 1944? (uncertain); 194X (1940s); "
        "1891-03/1892-04 (a range). Empty if undated.",
    )
    date_text = models.CharField(
        "date as written",
        max_length=255,
        blank=True,
        help_text="The source's own wording, kept as it is: “Moscow, February 2, 1944”.",
    )
    date_earliest = models.DateField(null=True, editable=False)
    date_latest = models.DateField(null=True, editable=False)
    date_approximate = models.BooleanField(default=False, editable=False)
    date_uncertain = models.BooleanField(default=False, editable=False)
    summary = models.TextField(blank=True, help_text="One or two sentences on what it says.")
    transcript = models.TextField(blank=True)
    language = models.CharField(max_length=35, choices=LANGUAGES, blank=True)
    subjects = models.ManyToManyField(Subject, blank=True, related_name="documents")
    repository = models.ForeignKey(
        Repository,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        help_text="Where the original is held.",
    )
    collections = models.ManyToManyField(Collection, blank=True, related_name="documents")
    container = models.CharField(
        "container or shelfmark", max_length=255, blank=True, help_text="“Container # 171”."
    )
    source_note = models.TextField(
        "source",
        blank=True,
        help_text="The full source line as the archive gives it: “Container # 171, W. Averell "
        "Harriman Papers, Manuscript Division, Library of Congress, Washington, DC”.",
    )
    origin_url = models.URLField("original online location", max_length=500, blank=True)
    people = models.ManyToManyField(
        Person, through="DocumentPerson", blank=True, related_name="documents"
    )
    rights = models.ForeignKey(
        RightsStatement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="rights statement",
    )
    rights_note = models.TextField(
        blank=True, help_text="The holding institution's own words on reuse and permissions."
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "published online",
        null=True,
        blank=True,
        help_text="When it first went online here; set on publishing.",
    )
    original_uploaded = models.DateField(
        "original uploaded date",
        null=True,
        blank=True,
        help_text="When the source first put it online, if it came from another digital archive.",
    )
    embargo_until = models.DateField(
        "closed until",
        null=True,
        blank=True,
        help_text="Leave empty unless the record must stay closed: a published record is "
        "hidden from the public until this date and opens by itself on it (no one need act).",
    )
    embargo_reason = models.CharField(
        "reason for closure",
        max_length=255,
        blank=True,
        help_text="Why it is closed, for staff only (never shown to the public): “Closed for "
        "30 years under the donor agreement”. Required with a date.",
    )
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    # Derived fields (the date bounds, the slug's source) are left out: save() remakes them
    # from what is kept, so a reverted version is whole.
    history = HistoricalRecords(
        excluded_fields=[
            "modified",
            "date_earliest",
            "date_latest",
            "date_approximate",
            "date_uncertain",
        ],
        m2m_fields=[subjects, collections],
    )

    objects = DocumentManager()

    class Meta:
        ordering = ["date_earliest", "record_id"]
        permissions = [("publish_document", "Can publish and unpublish documents")]
        constraints = [
            models.CheckConstraint(
                name="document_date_order",
                condition=Q(date_earliest__isnull=True)
                | Q(date_latest__isnull=True)
                | Q(date_earliest__lte=F("date_latest")),
                violation_error_message="The earliest date must not be after the latest date.",
            ),
            models.CheckConstraint(
                name="document_published_has_date",
                condition=~Q(status="published") | Q(published_at__isnull=False),
                violation_error_message="A published document needs its publication date.",
            ),
        ]
        indexes = [
            models.Index(fields=["date_earliest", "date_latest"], name="document_date_range"),
            models.Index(fields=["status", "date_earliest"], name="document_status_date"),
            models.Index(fields=["modified"], name="document_modified"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("catalog:document-detail", record_id=self.record_id, slug=self.slug)

    def natural_key(self):
        return (self.record_id,)

    @property
    def slug(self):
        """Made from the title; the permalink answers any other slug with a redirect here."""
        return slugify(self.title)[:80].strip("-") or "document"

    def is_published(self):
        """The instance twin of ``Document.objects.published()``: published and not closed."""
        return self.status == self.Status.PUBLISHED and not self.is_embargoed()

    def is_embargoed(self):
        """Closed today: an embargo date after today (the record opens on that date)."""
        return self.embargo_until is not None and self.embargo_until > timezone.localdate()

    @property
    def embargo_opens_at(self):
        """The moment the embargo lifts (midnight at the start of its date), or None."""
        if self.embargo_until is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(self.embargo_until, datetime.time()))

    def clean(self):
        if self.embargo_until and not self.embargo_reason.strip():
            raise ValidationError(
                {"embargo_reason": "Give the reason the record is closed until this date."},
                code="embargo_reason_required",
            )

    @property
    def date_display(self):
        return dates.display(self.date_edtf) if self.date_edtf else "Undated"

    @property
    def date_open_start(self):
        return self.date_earliest == dates.OPEN_START

    def save(self, *args, **kwargs):
        info = dates.parse(self.date_edtf)
        self.date_edtf = info.edtf
        self.date_earliest, self.date_latest = info.earliest, info.latest
        self.date_approximate, self.date_uncertain = info.approximate, info.uncertain
        if self.record_id is None:
            last = Document.objects.aggregate(models.Max("record_id"))["record_id__max"]
            self.record_id = (last or 0) + 1
        if self.status == self.Status.PUBLISHED:
            self._date_publication()
        super().save(*args, **kwargs)

    def _date_publication(self):
        """
        Set ``published_at``, when the record goes online here: now, or when its embargo lifts.
        Kept once that moment has passed; until then it follows the embargo date, so a record
        published under an embargo was never online before the date (OAI-PMH, catalog/oai.py,
        tells harvesters of it only then).  A date in the past given with a closed record
        stands only if the stored record had been online already.
        """
        now = timezone.now()
        if self.is_embargoed() and self.published_at is not None and self.published_at <= now:
            stored = (
                Document.objects.filter(pk=self.pk).values_list("published_at", flat=True).first()
                if self.pk
                else None
            )
            if stored is None or stored > now:
                self.published_at = None
        if self.published_at is None or self.published_at > now:
            opens_at = self.embargo_opens_at
            self.published_at = max(now, opens_at) if opens_at else now

    def people_by_role(self):
        """[(role label, [links])] in the order roles are defined; uses prefetched links."""
        groups = {}
        for link in self.person_links.all():
            groups.setdefault(link.role, []).append(link)
        return [
            (label, groups[value])
            for value, label in DocumentPerson.Role.choices
            if value in groups
        ]


class DocumentPersonManager(models.Manager):
    def get_by_natural_key(self, record_id, person_slug, role):
        return self.get(document__record_id=record_id, person__slug=person_slug, role=role)


class DocumentPerson(models.Model):
    """A person's part in a document: author, recipient, mentioned…"""

    class Role(models.TextChoices):
        AUTHOR = "author", "Author"
        RECIPIENT = "recipient", "Recipient"
        SIGNATORY = "signatory", "Signatory"
        MENTIONED = "mentioned", "Mentioned"
        TRANSLATOR = "translator", "Translator"
        OTHER = "other", "Other"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="document_links")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MENTIONED)
    uncertain = models.BooleanField(
        "uncertain attribution",
        default=False,
        help_text="Tick when the source does not settle who this is.",
    )
    note = models.CharField(max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    objects = DocumentPersonManager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "person in the document"
        verbose_name_plural = "people in the document"
        constraints = [
            models.UniqueConstraint(
                fields=["document", "person", "role"],
                name="document_person_role_unique",
                violation_error_message="This person already has that role in this document.",
            )
        ]
        indexes = [models.Index(fields=["person", "role"], name="document_person_role")]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"

    def natural_key(self):
        return (self.document.record_id, self.person.slug, self.role)

    natural_key.dependencies = ["catalog.document", "catalog.person"]


class ProvenanceEventManager(models.Manager):
    def get_by_natural_key(self, record_id, position):
        return self.get(document__record_id=record_id, position=position)


class ProvenanceEvent(models.Model):
    """One dated step in a document's custody chain: created → held → filmed → online."""

    class Event(models.TextChoices):
        CREATED = "created", "Created"
        SENT = "sent", "Sent"
        RECEIVED = "received", "Received"
        HELD = "held", "Held by"
        TRANSFERRED = "transferred", "Transferred"
        ACQUIRED = "acquired", "Acquired"
        MICROFILMED = "microfilmed", "Microfilmed"
        PUBLISHED_PRINT = "published_print", "Published in print"
        DIGITISED = "digitised", "Digitised"
        PUBLISHED_ONLINE = "published_online", "Published online"
        OTHER = "other", "Other"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="custody_events")
    position = models.PositiveSmallIntegerField(default=0)
    event = models.CharField(max_length=20, choices=Event.choices)
    date_edtf = models.CharField(
        "date (EDTF)", max_length=100, blank=True, validators=[dates.validate_edtf]
    )
    agent = models.CharField(
        max_length=255, blank=True, help_text="Who did it or held it: “Library of Congress”."
    )
    place = models.CharField(max_length=255, blank=True)
    source = models.CharField(
        max_length=500, blank=True, help_text="Where this step is documented."
    )
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = ProvenanceEventManager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "custody event"
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"],
                name="provenance_event_position_unique",
                violation_error_message="Two custody events cannot share a position.",
            )
        ]

    def __str__(self):
        return f"{self.get_event_display()} {self.date_display}".strip()

    def natural_key(self):
        return (self.document.record_id, self.position)

    natural_key.dependencies = ["catalog.document"]

    @property
    def date_display(self):
        return dates.display(self.date_edtf) if self.date_edtf else ""


class PersonRedirect(models.Model):
    """The web address of a person merged into another, which answers 301 to the survivor."""

    old_slug = models.SlugField(max_length=100, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="redirects")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.person.slug}"


class ImportBatch(models.Model):
    """One import of a file: who ran it, when, from what, and what it did (undoable)."""

    class Status(models.TextChoices):
        APPLIED = "applied", "applied"
        UNDONE = "undone", "undone"

    name = models.CharField(max_length=200, blank=True)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField("created", default=0)
    updated_count = models.PositiveIntegerField("updated", default=0)
    unchanged_count = models.PositiveIntegerField("unchanged", default=0)
    skipped_count = models.PositiveIntegerField("skipped (invalid)", default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLIED)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return self.name or f"{self.file_name} ({self.created:%Y-%m-%d %H:%M})"


class ImportBatchItem(models.Model):
    """
    What a batch did to one document: created it, or updated it from ``before`` (the
    document in the import format as it was), so undoing can delete or restore it.
    """

    class Action(models.TextChoices):
        CREATED = "created", "created"
        UPDATED = "updated", "updated"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_identifier = models.CharField(max_length=255)
    action = models.CharField(max_length=20, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.source_identifier}"


class DeletedDocument(models.Model):
    """
    A tombstone: a document deleted after it had been published, kept so that OAI-PMH
    harvesters (catalog/oai.py) learn it is gone.  Nothing of its content is kept.
    """

    record_id = models.PositiveIntegerField("record ID", unique=True)
    deleted = models.DateTimeField(default=timezone.now)
    collection_paths = models.TextField(
        blank=True,
        help_text="The tree paths of its collections, each after a line break, so that "
        "harvesting a set still reports the deletion.",
    )

    class Meta:
        ordering = ["deleted", "record_id"]
        indexes = [models.Index(fields=["deleted", "record_id"], name="deleted_document_deleted")]

    def __str__(self):
        return f"record ID {self.record_id} (deleted)"
