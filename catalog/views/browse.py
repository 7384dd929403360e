"""
Ways into the catalogue: home, people A–Z and person pages, collections, archives, and the
date browse from decades to years to months.

Every query here starts at a ``published()`` gate (documents, people, collections, archives);
no view tests a document's status itself.  Counts come from aggregate queries, and each page
runs a fixed number of queries however many documents it lists (pinned in tests/test_browse.py).
"""

import calendar
import datetime
import re
import string
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, F, Max, Min, Q, Window
from django.db.models.functions import RowNumber, Substr, Upper
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView, TemplateView

from catalog.dates import OPEN_END, OPEN_START
from catalog.facets import home_histogram
from catalog.models import Collection, Document, DocumentPerson, Person, Repository
from catalog.text import fold

from .pagination import ElidedPageRangeMixin

# Detail pages show this many documents and link to the full, filterable document list.
DOCUMENT_PREVIEW = 25
# A person page shows this many documents in each role.
ROLE_PREVIEW = 20
RECENT_COUNT = 10
LETTERS = tuple(string.ascii_uppercase)
OTHER_LETTER = "other"
YEAR_MIN, YEAR_MAX = 1, 9999
# The people finder searches the first this many characters of what was typed.
NAME_QUERY_MAX = 200
PERSON_SORTS = {
    "name": ("sort_name", "display_name", "pk"),
    "documents": ("-document_count", "sort_name", "display_name", "pk"),
}
BY_DATE = (F("date_earliest").asc(nulls_last=True), "record_id")


def document_list_url(**params):
    """The document list filtered by ``params`` (its FilterSet's parameter names)."""
    return f"{reverse('catalog:document-list')}?{urlencode(params)}"


def collection_tree(collections):
    """
    Nest ``collections`` (any iterable, already fetched) under their parents: returns the roots,
    each with ``.branches`` holding its children, sorted by title.  A collection whose parent
    is not in the set becomes a root.  No queries.
    """
    nodes = {collection.pk: collection for collection in collections}
    roots = []
    for collection in nodes.values():
        collection.branches = []
    for collection in nodes.values():
        parent = nodes.get(collection.parent_id)
        (parent.branches if parent else roots).append(collection)
    for collection in nodes.values():
        collection.branches.sort(key=lambda c: c.title.casefold())
    roots.sort(key=lambda c: c.title.casefold())
    return roots


def year_or_404(year):
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404("No such year.")
    return year


def published_documents():
    """The one public gate for documents, shaped for list rows."""
    return Document.objects.published().for_list()


def earliest_within(first_year, last_year):
    """Filter arguments: the earliest date falls within these years (inclusive)."""
    return {
        "date_earliest__gte": datetime.date(first_year, 1, 1),
        "date_earliest__lte": datetime.date(last_year, 12, 31),
    }


class BrowseMixin(ElidedPageRangeMixin):
    """What every browse page shares: page links drawn like the document list's."""


class HomeView(BrowseMixin, TemplateView):
    """What the archive holds, what was published lately, and the ways in."""

    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        document_count = Document.objects.published().count()
        decades = list(Document.objects.published().decade_counts())
        return super().get_context_data(
            document_count=document_count,
            person_count=Person.objects.published().count(),
            collection_count=Collection.objects.published().count(),
            repository_count=Repository.objects.published().count(),
            recent_documents=published_documents().order_by("-published_at", "-record_id")[
                :RECENT_COUNT
            ],
            decades=decades,
            # Drawn from the same rows, so the histogram costs no query.
            histogram=home_histogram(decades, document_count, reverse("catalog:document-list")),
            document_types=Document.Type.choices,
            **kwargs,
        )


def name_words(query):
    """
    The words of a people-finder query, folded like ``Person.search_names``: letters and
    digits only, so punctuation, emoji and control characters never reach the database.
    """
    return list(dict.fromkeys(re.findall(r"\w+", fold(query))))


def names_matching(words):
    """A filter: every word is part of one of the person's folded names, in any order."""
    condition = Q()
    for word in words:
        condition &= Q(search_names__contains=word)
    return condition


def matched_alternate_name(person, words):
    """
    The first alternate name that holds a searched word the display and sort names lack
    ("Iosif Vissarionovich Dzhugashvili" for "dzhugashvili"), so a reader sees why the person
    was found; ``None`` when the usual names explain it.  No queries.
    """
    usual = fold(f"{person.display_name}\n{person.sort_name}")
    missing = [word for word in words if word not in usual]
    if not missing:
        return None
    for name in person.alternate_name_list:
        folded = fold(name)
        if any(word in folded for word in missing):
            return name
    return None


class PersonListView(BrowseMixin, ListView):
    """
    People A–Z with life dates and how many published documents each appears in; ``q`` finds
    people by any of their names (accent- and case-insensitive, every word, any order),
    ``letter`` narrows to an initial and ``sort=documents`` puts the most documented first.
    """

    template_name = "catalog/person_list.html"
    context_object_name = "people"
    paginate_by = 50

    @cached_property
    def letter(self):
        """The asked letter (``A``–``Z`` or ``other``), ``None`` for all, ``""`` if invalid."""
        value = self.request.GET.get("letter", "").strip()
        if not value:
            return None
        if value.lower() == OTHER_LETTER:
            return OTHER_LETTER
        value = value.upper()
        return value if value in LETTERS else ""

    @cached_property
    def typed_query(self):
        """What was typed in "Find a person": control characters as spaces, spaces collapsed."""
        typed = self.request.GET.get("q", "")
        return " ".join("".join(ch if ch.isprintable() else " " for ch in typed).split())

    @cached_property
    def query(self):
        """The query searched: the first ``NAME_QUERY_MAX`` characters of what was typed."""
        return self.typed_query[:NAME_QUERY_MAX]

    @cached_property
    def words(self):
        return name_words(self.query)

    @cached_property
    def sort(self):
        value = self.request.GET.get("sort", "")
        return value if value in PERSON_SORTS else "name"

    def searchable_people(self):
        """Published people whose names hold every searched word (everyone without a search)."""
        people = Person.objects.published().annotate(initial=Upper(Substr("sort_name", 1, 1)))
        if self.query and not self.words:
            return people.none()
        return people.filter(names_matching(self.words))

    def get_queryset(self):
        people = self.searchable_people().with_document_counts().order_by(*PERSON_SORTS[self.sort])
        if self.letter == "":
            return people.none()
        if self.letter == OTHER_LETTER:
            return people.exclude(initial__in=LETTERS)
        if self.letter:
            return people.filter(initial=self.letter)
        return people

    def letter_index(self):
        """
        ``[{value, label, count}]`` for A–Z and ``other`` (the people found, when searching),
        from one aggregate query.
        """
        counts = dict.fromkeys((*LETTERS, OTHER_LETTER), 0)
        initials = self.searchable_people().order_by().values("initial").annotate(n=Count("pk"))
        for row in initials:
            key = row["initial"] if row["initial"] in counts else OTHER_LETTER
            counts[key] += row["n"]
        return [
            {"value": value, "label": "Other" if value == OTHER_LETTER else value, "count": n}
            for value, n in counts.items()
        ]

    def get_context_data(self, **kwargs):
        asked = self.request.GET.get("letter", "")
        context = super().get_context_data(
            letter=self.letter,
            letter_index=self.letter_index(),
            invalid_letter=(
                "".join(ch for ch in asked[:20] if ch.isprintable()) if self.letter == "" else None
            ),
            query=self.query,
            query_truncated=len(self.typed_query) > NAME_QUERY_MAX,
            query_unusable=bool(self.query) and not self.words,
            query_max=NAME_QUERY_MAX,
            sort=self.sort,
            **kwargs,
        )
        if self.words:
            for person in context["people"]:
                person.matched_name = matched_alternate_name(person, self.words)
        return context


class PersonDetailView(BrowseMixin, DetailView):
    """
    A person: names, life dates, authority links, and their published documents grouped by
    role (the first ``ROLE_PREVIEW`` of each, with the total and a link to all of them).

    The address of a person merged into another answers 301 with the address of the one kept
    (:class:`~catalog.models.PersonRedirect`), if that person is public; otherwise 404.
    """

    template_name = "catalog/person_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return Person.objects.published().with_document_counts().prefetch_related("authorities")

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            survivor = Person.objects.published().filter(redirects__old_slug=kwargs["slug"]).first()
            if survivor is None:
                raise
            return redirect(survivor, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def role_groups(self):
        """
        ``[{role, label, count, documents, list_url}]`` in the order roles are defined, from
        one windowed query: each row knows its rank and its role's total.
        """
        person = self.object
        rows = (
            published_documents()
            .filter(person_links__person=person)
            .annotate(
                role=F("person_links__role"),
                role_rank=Window(
                    RowNumber(),
                    partition_by=F("person_links__role"),
                    order_by=(F("date_earliest").asc(nulls_last=True), F("record_id").asc()),
                ),
                role_total=Window(Count("pk"), partition_by=F("person_links__role")),
            )
            .filter(role_rank__lte=ROLE_PREVIEW)
            .order_by(*BY_DATE)
        )
        grouped = {}
        for document in rows:
            grouped.setdefault(document.role, []).append(document)
        return [
            {
                "role": role,
                "label": label,
                "count": grouped[role][0].role_total,
                "documents": grouped[role],
                "list_url": document_list_url(person=person.slug, role=role),
            }
            for role, label in DocumentPerson.Role.choices
            if role in grouped
        ]

    def date_span(self):
        """Earliest and latest dates of the person's published documents, open ends ignored."""
        return (
            Document.objects.published()
            .filter(person_links__person=self.object)
            .aggregate(
                earliest=Min("date_earliest", filter=Q(date_earliest__gt=OPEN_START)),
                latest=Max("date_latest", filter=Q(date_latest__lt=OPEN_END)),
            )
        )

    def get_context_data(self, **kwargs):
        initial = self.object.sort_name[:1].upper()
        return super().get_context_data(
            letter=initial if initial in LETTERS else OTHER_LETTER,
            role_groups=self.role_groups(),
            date_span=self.date_span(),
            all_documents_url=document_list_url(person=self.object.slug),
            **kwargs,
        )


class CollectionListView(BrowseMixin, ListView):
    """Published collections as a tree, each with its published documents counted."""

    template_name = "catalog/collection_list.html"
    context_object_name = "collections"

    def get_queryset(self):
        return Collection.objects.published().with_document_counts().select_related("repository")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roots = collection_tree(context["collections"])
        context["archival_roots"] = [c for c in roots if c.kind == Collection.Kind.ARCHIVAL]
        context["theme_roots"] = [c for c in roots if c.kind == Collection.Kind.THEME]
        return context


class CollectionDetailView(BrowseMixin, DetailView):
    """A collection: where it sits, what sits inside it, and its first published documents."""

    template_name = "catalog/collection_detail.html"
    context_object_name = "collection"

    def get_queryset(self):
        return Collection.objects.published().with_document_counts().select_related("repository")

    def get_context_data(self, **kwargs):
        collection = self.object
        above = collection.tree_path.split("/")[:-2]
        ancestors = sorted(
            Collection.objects.published().filter(slug__in=above),
            key=lambda c: len(c.tree_path),
        )
        children = (
            Collection.objects.published()
            .with_document_counts()
            .filter(parent=collection)
            .order_by("title")
        )
        documents = (
            published_documents().in_collection(collection).order_by(*BY_DATE)[:DOCUMENT_PREVIEW]
        )
        return super().get_context_data(
            ancestors=ancestors,
            children=children,
            documents=documents,
            all_documents_url=document_list_url(collection=collection.slug),
            **kwargs,
        )


class RepositoryListView(BrowseMixin, ListView):
    """The archives that hold published documents, with how many each holds."""

    template_name = "catalog/repository_list.html"
    context_object_name = "repositories"

    def get_queryset(self):
        return Repository.objects.published().with_document_counts().order_by("name")


class RepositoryDetailView(BrowseMixin, DetailView):
    """An archive: where it is, its collections and its first published documents."""

    template_name = "catalog/repository_detail.html"
    context_object_name = "repository"

    def get_queryset(self):
        return Repository.objects.published().with_document_counts()

    def get_context_data(self, **kwargs):
        repository = self.object
        collections = (
            Collection.objects.published().with_document_counts().filter(repository=repository)
        )
        documents = (
            published_documents()
            .filter(repository=repository)
            .order_by(*BY_DATE)[:DOCUMENT_PREVIEW]
        )
        return super().get_context_data(
            collection_roots=collection_tree(collections),
            documents=documents,
            all_documents_url=document_list_url(repository=repository.slug),
            **kwargs,
        )


class DateBrowseView(BrowseMixin, TemplateView):
    """Decades that hold dated published documents, with counts."""

    template_name = "catalog/date_browse.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            decades=list(Document.objects.published().decade_counts()), **kwargs
        )


class DecadeView(BrowseMixin, TemplateView):
    """The years of one decade with how many published documents each holds; 404 if none."""

    template_name = "catalog/date_decade.html"

    def get_context_data(self, **kwargs):
        decade = self.kwargs["decade"]
        if decade % 10 or decade > YEAR_MAX:
            raise Http404("Decades are written as 1940s.")
        first, last = max(decade, YEAR_MIN), min(decade + 9, YEAR_MAX)
        counts = {
            row["year"]: row["count"]
            for row in Document.objects.published()
            .filter(**earliest_within(first, last))
            .year_counts()
        }
        if not counts:
            raise Http404("No published documents are dated to this decade.")
        kwargs.update(
            decade=decade,
            years=[{"year": year, "count": counts.get(year, 0)} for year in range(first, last + 1)],
            total=sum(counts.values()),
            all_documents_url=document_list_url(date_from=f"{first:04d}", date_to=f"{last:04d}"),
        )
        return super().get_context_data(**kwargs)


class YearView(BrowseMixin, TemplateView):
    """
    One year: its months with counts ("month unknown" for documents dated only to the year
    or wider) and its first published documents; 404 if the year has none.
    """

    template_name = "catalog/date_year.html"

    def get_context_data(self, **kwargs):
        year = year_or_404(self.kwargs["year"])
        counts = {
            row["month"]: row["count"]
            for row in Document.objects.published()
            .filter(**earliest_within(year, year))
            .month_counts()
        }
        if not counts:
            raise Http404("No published documents are dated to this year.")
        kwargs.update(
            year=year,
            decade=year // 10 * 10,
            months=[
                {"number": n, "name": calendar.month_name[n], "count": counts.get(n, 0)}
                for n in range(1, 13)
            ],
            month_unknown=counts.get(0, 0),
            total=sum(counts.values()),
            documents=published_documents()
            .dated()
            .filter(**earliest_within(year, year))
            .order_by(*BY_DATE)[:DOCUMENT_PREVIEW],
            all_documents_url=document_list_url(date_from=f"{year:04d}", date_to=f"{year:04d}"),
        )
        return super().get_context_data(**kwargs)


class MonthView(BrowseMixin, ListView):
    """The published documents whose earliest date falls in one month; 404 if there are none."""

    template_name = "catalog/date_month.html"
    context_object_name = "documents"
    allow_empty = False

    def get_queryset(self):
        year = year_or_404(self.kwargs["year"])
        month = self.kwargs["month"]
        if not 1 <= month <= 12:
            raise Http404("Months are numbered 1 to 12.")
        self.first = datetime.date(year, month, 1)
        self.last = datetime.date(year, month, calendar.monthrange(year, month)[1])
        return (
            published_documents()
            .month_known()
            .filter(date_earliest__gte=self.first, date_earliest__lte=self.last)
            .order_by(*BY_DATE)
        )

    def get_paginate_by(self, queryset):
        return settings.CATALOG_PAGE_SIZE

    def get_context_data(self, **kwargs):
        month_param = f"{self.first.year:04d}-{self.first.month:02d}"
        return super().get_context_data(
            year=self.first.year,
            decade=self.first.year // 10 * 10,
            month=self.first.month,
            month_name=calendar.month_name[self.first.month],
            all_documents_url=document_list_url(date_from=month_param, date_to=month_param),
            **kwargs,
        )


__all__ = [
    "CollectionDetailView",
    "CollectionListView",
    "DateBrowseView",
    "DecadeView",
    "HomeView",
    "MonthView",
    "PersonDetailView",
    "PersonListView",
    "RepositoryDetailView",
    "RepositoryListView",
    "YearView",
]
