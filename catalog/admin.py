"""
The archivists' admin: the product the catalogue is made in.

Who may do what comes from the groups seeded by migration 0003: an Archivist adds, changes
and views every record but cannot publish; an Editor may also publish, unpublish and delete.
Publishing is guarded on every route: the status field is read-only without the
``catalog.publish_document`` permission (so a forged POST of it is ignored), the form and
``save_model`` refuse a status change as well, and the publish actions are hidden from
those without it and refused again by ``services``.

Inlines sit where they belong in the form (people after the content, the custody chain after
the provenance) through ``after_fieldset`` and ``templates/admin/catalog/change_form.html``.
"""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, models
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import Collate
from django.forms import Textarea
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from . import admin_actions, dates, search, services
from .admin_history import CatalogHistoryAdmin
from .forms import DocumentAdminForm, PersonAuthorityForm, PositionedInlineFormSet
from .models import (
    Collection,
    Document,
    DocumentPerson,
    Person,
    PersonAuthority,
    ProvenanceEvent,
    Repository,
    RightsStatement,
    Subject,
)
from .views.pagination import CappedCountPaginator

# How many of a person's documents their admin page lists before pointing to the document list.
PERSON_DOCUMENTS_SHOWN = 100


class CatalogModelAdmin(CatalogHistoryAdmin):
    """What every catalogue ModelAdmin shares."""

    # A URL typed without a scheme is read as https (Django 6's default, without the warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    class Media:
        # Accessibility repairs for the admin's own widgets: underlined breadcrumb links, and
        # autocomplete (select2) boxes named after the field they stand for.
        css = {"all": ["css/admin.css"]}
        js = ["js/admin-a11y.js"]


class LabelledTabularInline(admin.TabularInline):
    """
    A tabular inline whose inputs are named after their column (``aria-label``): the table's
    header cells alone do not label them for assistive technology.
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for name, field in formset.form.base_fields.items():
            field.widget.attrs.setdefault("aria-label", capfirst(field.label or name))

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs["aria-label"] = "Delete"

        return LabelledFormSet


def _documents_filter(lookup, title="documents"):
    """A yes/no list filter: rows that some document points at through ``lookup``."""

    class HasDocumentsFilter(admin.SimpleListFilter):
        parameter_name = "has_documents"

        def lookups(self, request, model_admin):
            return [("yes", "With documents"), ("no", "Without documents")]

        def queryset(self, request, queryset):
            used = Exists(Document.objects.filter(**{lookup: OuterRef("pk")}))
            if self.value() == "yes":
                return queryset.filter(used)
            if self.value() == "no":
                return queryset.filter(~used)
            return None

    HasDocumentsFilter.title = title
    return HasDocumentsFilter


class DecadeListFilter(admin.SimpleListFilter):
    """Documents whose earliest possible date falls in a decade; or those with no date."""

    title = "decade"
    parameter_name = "decade"

    def lookups(self, request, model_admin):
        decades = decades_in_use(model_admin.model._default_manager.db)
        return [(str(decade), f"{decade}s") for decade in decades] + [("undated", "Undated")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "undated":
            return queryset.filter(date_earliest__isnull=True)
        if value and value.isdigit() and int(value) <= 9990:
            decade = int(value) // 10 * 10
            return queryset.filter(
                date_earliest__gte=datetime.date(max(decade, 1), 1, 1),
                date_earliest__lte=datetime.date(decade + 9, 12, 31),
            )
        return None


def closed_until(document):
    """“Closed until March 1, 2030”: an embargoed document's date as staff read it."""
    return f"Closed until {date_format(document.embargo_until, 'F j, Y')}"


class EmbargoListFilter(admin.SimpleListFilter):
    """
    Documents by embargo: closed now (the date is still to come, the record opens later by
    itself), open again (the date has passed) or never embargoed.
    """

    title = "embargo"
    parameter_name = "embargo"

    def lookups(self, request, model_admin):
        return [
            ("closed", "Closed now, opens later"),
            ("opened", "Opened (date passed)"),
            ("none", "None"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "closed":
            return queryset.filter(embargo_until__gt=today)
        if self.value() == "opened":
            return queryset.filter(embargo_until__lte=today)
        if self.value() == "none":
            return queryset.filter(embargo_until__isnull=True)
        return None


# The decades in use without reading every document (issue 7, item 4): from the first dated
# document, each step asks the date index for the first date of a later decade, so the query
# costs one index probe per decade in use whatever the number of documents.
_DECADES_SQL = {
    "postgresql": """
        WITH RECURSIVE d(day) AS (
            SELECT MIN(date_earliest) FROM catalog_document WHERE date_earliest > %s
            UNION ALL
            SELECT (SELECT MIN(date_earliest) FROM catalog_document WHERE date_earliest >=
                    make_date((CAST(EXTRACT(YEAR FROM d.day) AS integer) / 10 + 1) * 10, 1, 1))
            FROM d WHERE d.day IS NOT NULL AND EXTRACT(YEAR FROM d.day) < 9990
        ) SELECT day FROM d WHERE day IS NOT NULL
    """,
    "sqlite": """
        WITH RECURSIVE d(day) AS (
            SELECT MIN(date_earliest) FROM catalog_document WHERE date_earliest > %s
            UNION ALL
            SELECT (SELECT MIN(date_earliest) FROM catalog_document WHERE date_earliest >=
                    printf('%%04d-01-01', (CAST(substr(d.day, 1, 4) AS INTEGER) / 10 + 1) * 10))
            FROM d WHERE d.day IS NOT NULL AND CAST(substr(d.day, 1, 4) AS INTEGER) < 9990
        ) SELECT day FROM d WHERE day IS NOT NULL
    """,
}


def decades_in_use(using="default"):
    """The decades (1940, …) in which some document's earliest date falls, in order."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_DECADES_SQL[connection.vendor], [dates.OPEN_START])
        return [int(str(day)[:4]) // 10 * 10 for (day,) in cursor.fetchall()]


class CollectionListFilter(admin.SimpleListFilter):
    """
    Documents in a collection or any collection below it.  Offers the top-level collections
    (at most ``shown``) and the chosen one, not all of them: a catalogue has hundreds.
    """

    title = "collection"
    parameter_name = "collection"
    shown = 50

    def lookups(self, request, model_admin):
        top = list(
            Collection.objects.filter(parent__isnull=True)
            .order_by("title", "pk")
            .values_list("pk", "title")[: self.shown]
        )
        chosen = _id_param(self.value())
        if chosen and chosen not in {pk for pk, _ in top}:
            top += Collection.objects.filter(pk=chosen).values_list("pk", "title")
        return [(str(pk), title) for pk, title in top]

    def queryset(self, request, queryset):
        chosen = _id_param(self.value())
        collection = Collection.objects.filter(pk=chosen).first() if chosen else None
        if collection is None:
            return None
        return queryset.in_collection(collection)


class PersonListFilter(admin.SimpleListFilter):
    """
    Documents a given person appears in, in any role.  Reached from a person's admin page;
    shown in the sidebar only while in use (a list of every person would be too long).
    """

    title = "person"
    parameter_name = "person"

    def lookups(self, request, model_admin):
        person_id = _id_param(self.value())
        person = Person.objects.filter(pk=person_id).first() if person_id else None
        return [(str(person.pk), person.display_name)] if person else []

    def queryset(self, request, queryset):
        person_id = _id_param(self.value())
        if person_id is None:
            return None
        return queryset.filter(person_links__person=person_id).distinct()


def _id_param(value):
    """A query-string value as a database id, or None when it cannot be one."""
    if value and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _date_or_open(value, *, open_text):
    if value in (dates.OPEN_START, dates.OPEN_END):
        return open_text
    return value.isoformat()


# Documents and what hangs off them -----------------------------------------------------------


class DocumentPersonInline(LabelledTabularInline):
    """The people in a document, each with a role."""

    model = DocumentPerson
    formset = PositionedInlineFormSet
    fields = ("person", "role", "uncertain", "note", "position")
    autocomplete_fields = ("person",)
    ordering = ("position", "pk")
    after_fieldset = "Content"

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None and obj.person_links.exists() else 2


class ProvenanceEventInline(LabelledTabularInline):
    """The custody chain: created, held, filmed, published online…, in order."""

    model = ProvenanceEvent
    formset = PositionedInlineFormSet
    fields = ("position", "event", "date_edtf", "reads_as", "agent", "place", "source", "note")
    readonly_fields = ("reads_as",)
    ordering = ("position", "pk")
    after_fieldset = "Provenance"
    verbose_name_plural = "custody chain"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "note":
            kwargs["widget"] = Textarea(attrs={"rows": 2, "cols": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is not None and obj.custody_events.exists() else 3

    @admin.display(description="reads as")
    def reads_as(self, obj):
        return obj.date_display if obj and obj.date_edtf else "—"


#: The largest value a record ID (a PositiveIntegerField) can hold on every database.
RECORD_ID_MAX = 2_147_483_647


class DocumentChangeList(ChangeList):
    """The document list loads no transcripts or long notes: no column shows them."""

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer("transcript", "source_note", "rights_note")
        )


@admin.register(Document)
class DocumentAdmin(CatalogModelAdmin):
    """Documents: the catalogue's records, from draft to published."""

    form = DocumentAdminForm
    inlines = [DocumentPersonInline, ProvenanceEventInline]
    list_display = ("title", "date_column", "status_column", "repository", "modified")
    list_filter = (
        "status",
        EmbargoListFilter,
        CollectionListFilter,
        "repository",
        "rights",
        "doc_type",
        "language",
        DecadeListFilter,
        PersonListFilter,
    )
    # Searched through the full-text index (get_search_results), not with icontains, which
    # reads every row: 18 s at a million documents (issue 7, item 4).
    search_fields = ("title",)
    search_help_text = (
        "Finds whole words (any form: “telegrams” finds “telegram”) in titles, summaries, "
        "transcripts and people's names, alternate spellings too, drafts included; a number "
        'also finds that record ID. "Quoted phrases", OR and -word work as on the public site.'
    )
    # No date_hierarchy: it reads the years of every matching document (a full scan at a
    # million); the decade filter does its job from the date index (issue 7, item 4).
    list_select_related = ("repository",)
    # No second, unfiltered count; the filtered one is capped (an estimate beyond 10,000).
    show_full_result_count = False
    paginator = CappedCountPaginator
    autocomplete_fields = ("repository", "collections", "subjects", "rights")
    readonly_fields = (
        "date_reads_as",
        "date_earliest_shown",
        "date_latest_shown",
        "published_at",
        "created",
        "modified",
    )
    fieldsets = (
        (
            "Identification",
            {"fields": ("record_id", "source_identifier", "title", "doc_type", "language")},
        ),
        (
            "Date",
            {
                "fields": (
                    "date_edtf",
                    "date_text",
                    "date_reads_as",
                    ("date_earliest_shown", "date_latest_shown"),
                )
            },
        ),
        ("Content", {"fields": ("summary", "transcript", "subjects")}),
        (
            "Provenance",
            {"fields": ("repository", "collections", "container", "source_note", "origin_url")},
        ),
        ("Rights", {"fields": ("rights", "rights_note")}),
        (
            "Publication",
            {
                "fields": (
                    "status",
                    ("embargo_until", "embargo_reason"),
                    "published_at",
                    "original_uploaded",
                    ("created", "modified"),
                )
            },
        ),
    )
    actions = [
        admin_actions.publish_selected,
        admin_actions.unpublish_selected,
        admin_actions.add_to_collection,
        admin_actions.set_rights,
    ]
    save_as = True
    save_on_top = True
    list_per_page = 50
    # Their changes show on the document's history page (catalog/admin_history.py).
    history_related = {"person_links": "People", "custody_events": "Custody chain"}

    def get_search_results(self, request, queryset, search_term):
        """
        The documents whose words match ``search_term`` in the search index (which holds
        drafts too), or whose record ID it is; a search with nothing to search for lists
        nothing and says why.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        is_record_id = term.isascii() and term.isdigit() and int(term) <= RECORD_ID_MAX
        by_record_id = queryset.filter(record_id=int(term)) if is_record_id else None
        try:
            found = search.matching(queryset, term)
        except search.EmptyQuery as error:
            if by_record_id is not None:
                return by_record_id, False
            messages.warning(request, str(error))
            return queryset.none(), False
        if by_record_id is not None:
            found = found | by_record_id
        return found, False

    def view_on_site(self, obj):
        """The public permalink; for a draft the public view gives staff a preview."""
        return obj.get_absolute_url()

    def get_changelist(self, request, **kwargs):
        return DocumentChangeList

    def has_publish_permission(self, request):
        """Used by ``allowed_permissions=("publish",)`` and for the status field."""
        return services.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("record_id")
        if not self.has_publish_permission(request):
            fields.append("status")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.may_publish = self.has_publish_permission(request)
        return form

    def save_model(self, request, obj, form, change):
        stored_status = getattr(form, "stored_status", Document.Status.DRAFT)
        if obj.status != stored_status and not self.has_publish_permission(request):
            raise PermissionDenied("Only editors may publish or unpublish documents.")
        super().save_model(request, obj, form, change)

    @admin.display(description="status", ordering="status")
    def status_column(self, obj):
        """The status, and "Closed until <date>" while an embargo keeps the record closed."""
        if obj.is_embargoed():
            return f"{obj.get_status_display()} · {closed_until(obj)}"
        return obj.get_status_display()

    @admin.display(description="date", ordering="date_earliest")
    def date_column(self, obj):
        return obj.date_display

    @admin.display(description="reads as")
    def date_reads_as(self, obj):
        if not obj.date_edtf:
            return "Undated"
        return dates.display(obj.date_edtf)

    @admin.display(description="earliest")
    def date_earliest_shown(self, obj):
        try:
            earliest = dates.parse(obj.date_edtf).earliest
        except ValidationError:
            return "—"
        return _date_or_open(earliest, open_text="open start") if earliest else "—"

    @admin.display(description="latest")
    def date_latest_shown(self, obj):
        try:
            latest = dates.parse(obj.date_edtf).latest
        except ValidationError:
            return "—"
        return _date_or_open(latest, open_text="open end") if latest else "—"


# People -------------------------------------------------------------------------------------


class HasAuthorityFilter(admin.SimpleListFilter):
    """People with or without a link to an authority record (GND, VIAF, Wikidata…)."""

    title = "authority link"
    parameter_name = "has_authority"

    def lookups(self, request, model_admin):
        return [("yes", "Linked to an authority"), ("no", "Not linked yet")]

    def queryset(self, request, queryset):
        linked = Exists(PersonAuthority.objects.filter(person=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(linked)
        if self.value() == "no":
            return queryset.filter(~linked)
        return None


class PersonAuthorityInline(LabelledTabularInline):
    """Authority records (GND, VIAF, Wikidata, LCNAF…), stored in one normal form."""

    model = PersonAuthority
    form = PersonAuthorityForm
    formfield_overrides = CatalogModelAdmin.formfield_overrides
    fields = ("uri", "authority")
    readonly_fields = ("authority",)
    extra = 1
    after_fieldset = "Life"
    verbose_name_plural = "authority links"

    @admin.display(description="authority file")
    def authority(self, obj):
        if obj is None or not obj.pk:
            return "—"
        return format_html('<a href="{}" rel="noopener">{}</a>', obj.uri, obj.label)


@admin.register(Person)
class PersonAdmin(CatalogModelAdmin):
    """
    People in documents.  The document count here is every document the person appears in,
    drafts included: this is the archivists' view (the public count is published only).
    """

    inlines = [PersonAuthorityInline]
    list_display = ("display_name", "sort_name", "life_dates_column", "document_total")
    list_filter = (_documents_filter("person_links__person"), HasAuthorityFilter)
    search_fields = ("display_name", "sort_name", "alternate_names")
    # Explicit, because a query with a Count annotation does not use Meta.ordering.
    ordering = ("sort_name", "display_name")
    prepopulated_fields = {"slug": ("sort_name",)}
    history_related = {"authorities": "Authority links"}
    readonly_fields = ("document_list", "created", "modified")
    list_select_related = ()
    actions = [admin_actions.merge_people]
    fieldsets = (
        ("Names", {"fields": ("display_name", "sort_name", "slug", "alternate_names")}),
        ("Life", {"fields": ("birth_date", "death_date", "description")}),
        ("Documents", {"fields": ("document_list",)}),
        ("Record", {"fields": (("created", "modified"),), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(document_total=Count("document_links__document", distinct=True))
        )

    def has_merge_permission(self, request):
        """Used by the merge action, which changes one person and deletes the others."""
        return services.can_merge_people(request.user)

    @admin.display(description="life dates")
    def life_dates_column(self, obj):
        return obj.life_dates

    @admin.display(description="documents (all statuses)", ordering="document_total")
    def document_total(self, obj):
        return obj.document_total

    @admin.display(description="documents")
    def document_list(self, obj):
        """The person's documents with their roles, each linked to its admin page (one query)."""
        if obj is None or obj.pk is None:
            return "—"
        links = list(
            DocumentPerson.objects.filter(person=obj)
            .select_related("document")
            .only(
                "role",
                "uncertain",
                "document__title",
                "document__date_edtf",
                "document__status",
                "document__record_id",
            )
            .order_by("document__date_earliest", "document__record_id", "position", "pk")[
                : PERSON_DOCUMENTS_SHOWN + 1
            ]
        )
        if not links:
            return "None yet."
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> · {} · {}{} · {}</li>',
            (
                (
                    reverse("admin:catalog_document_change", args=[link.document_id]),
                    link.document.title,
                    link.document.date_display,
                    link.get_role_display(),
                    " (uncertain)" if link.uncertain else "",
                    link.document.get_status_display(),
                )
                for link in links[:PERSON_DOCUMENTS_SHOWN]
            ),
        )
        everything = format_html(
            '<a href="{}?person={}">All of them in the document list</a>',
            reverse("admin:catalog_document_changelist"),
            obj.pk,
        )
        if len(links) > PERSON_DOCUMENTS_SHOWN:
            intro = format_html("The first {}. ", PERSON_DOCUMENTS_SHOWN)
        else:
            intro = ""
        return format_html(
            '<ul class="person-documents">{}</ul><p>{}{}</p>', items, intro, everything
        )


# Where documents are held and how they are grouped ------------------------------------------


@admin.register(Repository)
class RepositoryAdmin(CatalogModelAdmin):
    """Holding institutions."""

    list_display = ("name", "place", "document_total")
    list_filter = (_documents_filter("repository"),)
    search_fields = ("name", "place")
    ordering = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ()
    fieldsets = ((None, {"fields": ("name", "slug", "place", "url", "description")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_total=Count("documents"))

    @admin.display(description="documents (all statuses)", ordering="document_total")
    def document_total(self, obj):
        return obj.document_total


@admin.register(Collection)
class CollectionAdmin(CatalogModelAdmin):
    """Collections as a tree: series indented under their fonds."""

    list_display = ("indented_title", "kind", "repository", "identifier", "document_total")
    list_filter = ("kind", "repository", _documents_filter("collections"))
    search_fields = ("title", "identifier", "description")
    autocomplete_fields = ("parent", "repository")
    prepopulated_fields = {"slug": ("title",)}
    list_select_related = ("repository",)
    readonly_fields = ("place_in_tree",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "identifier", "description")}),
        ("Where it sits", {"fields": ("parent", "place_in_tree", "repository")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_total=Count("documents"))

    def get_ordering(self, request):
        # Tree order is byte order of the slug path; PostgreSQL's locale collations ignore
        # "/" and "-" and would separate a series from its fonds.
        if connection.vendor == "postgresql":
            return [Collate("tree_path", "C")]
        return ["tree_path"]

    @admin.display(description="title", ordering="tree_path")
    def indented_title(self, obj):
        depth = max(obj.tree_path.count("/") - 1, 0)
        if not depth:
            return obj.title
        # A class, not a style attribute: the Content Security Policy allows no inline style.
        return format_html('<span class="tree-depth--{}">↳ {}</span>', min(depth, 10), obj.title)

    @admin.display(description="in the tree")
    def place_in_tree(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return " › ".join(node.title for node in [*obj.ancestors, obj])

    @admin.display(description="documents (all statuses)", ordering="document_total")
    def document_total(self, obj):
        return obj.document_total


# Vocabularies -------------------------------------------------------------------------------


@admin.register(Subject)
class SubjectAdmin(CatalogModelAdmin):
    """Subject terms."""

    list_display = ("name", "slug", "document_total")
    list_filter = (_documents_filter("subjects"),)
    search_fields = ("name",)
    ordering = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ()
    fieldsets = ((None, {"fields": ("name", "slug")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_total=Count("documents"))

    @admin.display(description="documents (all statuses)", ordering="document_total")
    def document_total(self, obj):
        return obj.document_total


class RightsFamilyFilter(admin.SimpleListFilter):
    """RightsStatements.org statements or Creative Commons licences and marks."""

    title = "family"
    parameter_name = "family"

    def lookups(self, request, model_admin):
        return [("rightsstatements", "RightsStatements.org"), ("cc", "Creative Commons")]

    def queryset(self, request, queryset):
        if self.value() == "rightsstatements":
            return queryset.filter(uri__contains="rightsstatements.org/")
        if self.value() == "cc":
            return queryset.filter(uri__contains="creativecommons.org/")
        return None


@admin.register(RightsStatement)
class RightsStatementAdmin(CatalogModelAdmin):
    """
    The rights statements documents may carry; seeded by a data migration.  Archivists may
    only view them; editors may add a statement.
    """

    list_display = ("label", "identifier", "uri_link", "document_total")
    list_filter = (RightsFamilyFilter, _documents_filter("rights"))
    search_fields = ("label", "identifier", "uri")
    ordering = ("label",)
    list_select_related = ()
    fieldsets = ((None, {"fields": ("label", "identifier", "uri", "description")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_total=Count("documents"))

    @admin.display(description="URI", ordering="uri")
    def uri_link(self, obj):
        if not obj.uri.lower().startswith(("http://", "https://")):
            return obj.uri  # not a web address (a javascript: URL stays text)
        return format_html('<a href="{}" rel="noopener">{}</a>', obj.uri, obj.uri)

    @admin.display(description="documents (all statuses)", ordering="document_total")
    def document_total(self, obj):
        return obj.document_total


from . import admin_imports  # noqa: E402, F401 (the ImportBatch admin: import, undo, export)
