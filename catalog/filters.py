"""
The FilterSets: the single definition of what a researcher can filter documents on.

The HTML list, facet counts, exports, the API and feeds all take :class:`DocumentFilter`, so a
filter that works in one works in all.  A FilterSet never filters on status: every caller hands
it ``Document.objects.published()`` (or a narrower queryset built from it).

Parameter names are part of the public URL scheme and other pages link to them: ``q`` (the
search, see :mod:`catalog.search`), ``date_from``, ``date_to``, ``exclude_approximate``,
``exclude_uncertain``, ``person``, ``role``, ``collection``, ``repository``, ``subject``,
``language``, ``rights``, ``doc_type`` and ``sort``.  Invalid values are form errors; with
django-filter's strict views they give an empty result and the reason, never a server error.

Facet counts (:mod:`catalog.facets`) apply every filter but their own through
:meth:`DocumentFilter.filtered`, reusing the values this FilterSet has already validated.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import CharField, Exists, F, Func, OuterRef, Subquery, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Concat, Lower

from . import search
from .models import (
    LANGUAGES,
    Collection,
    Document,
    DocumentPerson,
    Person,
    Repository,
    RightsStatement,
    Subject,
)

_PARTIAL_DATE = re.compile(
    r"(?P<year>\d{1,4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?", re.ASCII
)
_SLUG = re.compile(r"[-\w]+")
DATE_HELP = "A year (1944), a month (1944-02) or a day (1944-02-02)."
#: The longest search accepted; a longer one is a form error, not a slow query.
SEARCH_MAX_LENGTH = 500
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

#: sort value → ORDER BY; undated documents come last in either date order, on every database.
SORTS = {
    "date": (
        F("date_earliest").asc(nulls_last=True),
        F("date_latest").asc(nulls_last=True),
        "record_id",
    ),
    "-date": (
        F("date_latest").desc(nulls_last=True),
        F("date_earliest").desc(nulls_last=True),
        "-record_id",
    ),
    "title": (Lower("title"), "record_id"),
    # Only while searching: search.search() annotates search_rank.
    "relevance": (F("search_rank").desc(), "record_id"),
}
#: Filters that pick out a set of documents by something other than the sort's columns.  With
#: one of them in use, PostgreSQL reads in the sort's index order and tests each row against
#: the filter, which for a popular person, a date range late in the catalogue or a search
#: walks tens of thousands of index entries before it finds 25 (the planner cannot know the
#: matches are clustered); the sort is then written so that no index matches it, and the
#: planner reads the matches through the filter's own index and sorts them (issue 7).
#: A date range counts only with both ends: an open one ("from 1900") may hold most of the
#: catalogue, and the index order then finds its first 25 soon enough.
SELECTIVE_FILTERS = ("q", "person", "collection", "subject")


def _unindexed(expression):
    """``expression`` written so that no index matches it (PostgreSQL): ``+ 0`` or ``|| ''``."""
    if isinstance(expression, str):
        descending = expression.startswith("-")
        expression = F(expression.lstrip("-"))
        expression = expression.desc() if descending else expression.asc()
    elif not isinstance(expression, OrderBy):
        expression = expression.asc()
    inner = expression.expression
    if isinstance(inner, Lower):
        wrapped = Concat(inner, Value(""), output_field=CharField())
    else:
        field = Document._meta.get_field(inner.name)
        wrapped = Func(inner, template="(%(expressions)s + 0)", output_field=field)
    return OrderBy(wrapped, descending=expression.descending, nulls_last=expression.nulls_last)


def sort_expressions(sort, *, unindexed=False):
    """The ORDER BY of ``sort``; ``unindexed`` for the PostgreSQL form no index serves."""
    expressions = SORTS[sort]
    if not unindexed or sort == RELEVANCE_VALUE:
        return expressions
    return tuple(_unindexed(expression) for expression in expressions)


RELEVANCE_VALUE = "relevance"
RELEVANCE = ("relevance", "Relevance")
SORT_CHOICES = [
    ("date", "Date, earliest first"),
    ("-date", "Date, latest first"),
    ("title", "Title, A–Z"),
]


def _once(query):
    """A choices callable that runs ``query`` the first time it is asked and keeps the rows."""
    rows = []

    def choices():
        if not rows:
            rows.append(list(query()))
        return rows[0]

    return choices


@dataclass(frozen=True)
class DateBound:
    """A date a researcher typed, with the first and last day it covers."""

    text: str
    start: datetime.date
    end: datetime.date

    def __str__(self):
        return self.text


class PartialDateField(forms.CharField):
    """A year, year-month or full ISO date; cleans to a :class:`DateBound`."""

    default_error_messages = {
        "format": "Write a year (1944), a month (1944-02) or a day (1944-02-02).",
        "year": "Years run from 1 to 9999.",
        "month": "There is no month %(month)s; use 01 to 12.",
        "day": "%(month)s %(year)s has no day %(day)s.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", DATE_HELP)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "placeholder": "YYYY-MM-DD", "size": 10}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        match = _PARTIAL_DATE.fullmatch(text)
        if not match:
            raise ValidationError(self.error_messages["format"], code="format")
        year = int(match["year"])
        if not 1 <= year <= 9999:
            raise ValidationError(self.error_messages["year"], code="year")
        if match["month"] is None:
            return DateBound(text, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValidationError(
                self.error_messages["month"], code="month", params={"month": match["month"]}
            )
        last = calendar.monthrange(year, month)[1]
        if match["day"] is None:
            return DateBound(text, datetime.date(year, month, 1), datetime.date(year, month, last))
        day = int(match["day"])
        if not 1 <= day <= last:
            raise ValidationError(
                self.error_messages["day"],
                code="day",
                params={"month": calendar.month_name[month], "year": year, "day": match["day"]},
            )
        day_date = datetime.date(year, month, day)
        return DateBound(text, day_date, day_date)


def search_text(value):
    """What is searched for: control characters (NUL among them) become spaces, ends trimmed."""
    return _CONTROL_CHARACTERS.sub(" ", str(value or "")).strip()


class SearchTextField(forms.CharField):
    """The search box: any text up to ``SEARCH_MAX_LENGTH`` characters, control characters
    removed; what it means is for :func:`catalog.search.search` to say."""

    default_error_messages = {
        "too_long": "Searches are limited to %(limit)s characters; this one has %(length)s. "
        "Try the few words that matter most.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.SearchInput(attrs={"maxlength": SEARCH_MAX_LENGTH, "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return search_text(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if len(value) > SEARCH_MAX_LENGTH:
            raise ValidationError(
                self.error_messages["too_long"],
                code="too_long",
                params={"limit": SEARCH_MAX_LENGTH, "length": f"{len(value):,}"},
            )


class SlugChoiceField(forms.ModelChoiceField):
    """
    A record chosen by its slug (or other short key) and carried in the URL; the value is
    checked for shape before the database is asked, so junk never reaches a query.
    """

    widget = forms.HiddenInput
    max_key_length = 100

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        if len(value) > self.max_key_length or not _SLUG.fullmatch(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class FilterSelect(forms.Select):
    """
    A select of flat choices whose options carry no attributes but ``selected``, written in
    one template (``catalog/widgets/select.html``) instead of Django's include per option.
    """

    template_name = "catalog/widgets/select.html"


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter over :class:`SlugChoiceField` (a hidden input, not a huge select)."""

    field_class = SlugChoiceField


class SearchFilter(django_filters.CharFilter):
    """Full-text search over the documents (see :mod:`catalog.search`)."""

    field_class = SearchTextField


class PartialDateFilter(django_filters.Filter):
    """One end of the date range; the two ends filter by overlap (see ``DocumentFilter``)."""

    field_class = PartialDateField


class ExcludeFilter(django_filters.Filter):
    """An unticked checkbox (the default) keeps the documents; a ticked one leaves them out."""

    field_class = forms.BooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value:
            return qs.exclude(**{self.field_name: True})
        return qs


class DocumentFilterForm(forms.Form):
    """Checks what no single field can: the date range runs forwards."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start.start > end.end:
            raise ValidationError(
                "The range ends (%(end)s) before it starts (%(start)s).",
                code="date_order",
                params={"start": start.text, "end": end.text},
            )
        return cleaned


class DocumentFilter(django_filters.FilterSet):
    """
    What a researcher can search and filter the document list on, and in which order it
    comes: by relevance while searching (the default then), otherwise by date or title.
    """

    q = SearchFilter(
        label="Search the documents",
        method="filter_q",
        help_text='Words in any order; "a phrase" in quotes; -word to leave a word out; '
        "OR between alternatives.",
    )
    date_from = PartialDateFilter(
        label="From",
        method="filter_date_from",
        help_text="Documents dated, wholly or in part, on or after this. " + DATE_HELP,
    )
    date_to = PartialDateFilter(
        label="To",
        method="filter_date_to",
        help_text="Documents dated, wholly or in part, on or before this. " + DATE_HELP,
    )
    exclude_approximate = ExcludeFilter(
        field_name="date_approximate", label="Leave out approximate dates (circa)"
    )
    exclude_uncertain = ExcludeFilter(
        field_name="date_uncertain", label="Leave out uncertain dates"
    )
    person = SlugChoiceFilter(
        queryset=Person.objects.published(),
        to_field_name="slug",
        method="filter_person",
        label="Person",
        error_messages={"invalid_choice": "No person with documents here has that address."},
    )
    role = django_filters.ChoiceFilter(
        choices=DocumentPerson.Role.choices,
        method="filter_role",
        label="Role",
        empty_label="Any role",
        widget=FilterSelect,
        help_text="The person's part in the document.",
    )
    collection = SlugChoiceFilter(
        queryset=Collection.objects.published(),
        to_field_name="slug",
        method="filter_collection",
        label="Collection",
        error_messages={"invalid_choice": "No collection with documents here has that address."},
    )
    # Archive and rights are chosen from their facets (links with counts), so they are hidden
    # inputs here; their choices are read only to check a value that is given.
    repository = django_filters.ChoiceFilter(
        field_name="repository__slug",
        method="filter_repository",
        label="Archive",
        empty_label="Any archive",
        widget=forms.HiddenInput,
    )
    subject = SlugChoiceFilter(
        queryset=Subject.objects.published(),
        to_field_name="slug",
        field_name="subjects",
        label="Subject",
        error_messages={"invalid_choice": "No subject with documents here has that address."},
    )
    language = django_filters.ChoiceFilter(
        choices=LANGUAGES, label="Language", empty_label="Any language", widget=FilterSelect
    )
    rights = django_filters.ChoiceFilter(
        field_name="rights__identifier",
        method="filter_rights",
        label="Rights statement",
        empty_label="Any rights statement",
        widget=forms.HiddenInput,
    )
    doc_type = django_filters.ChoiceFilter(
        choices=Document.Type.choices, label="Type", empty_label="Any type", widget=FilterSelect
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES,
        method="filter_sort",
        label="Sort by",
        empty_label=None,
        widget=FilterSelect,
    )

    class Meta:
        model = Document
        fields = []
        form = DocumentFilterForm

    #: Set by :meth:`filtered`: whether the dates are tested on a person's documents, and
    #: whether there are dates to test.
    _person_first = _person_dated = False

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # The search as it will be read (control characters such as NUL removed), so the
        # box, the hidden inputs and every link carry that rather than what was sent.
        if "q" in self.data:
            self.data = self.data.copy()
            self.data["q"] = search_text(self.data.get("q"))
        # Relevance is offered, and is the default, only while searching; a bookmarked
        # "sort=relevance" without a search falls back to the default order.
        self.searching = bool(self.data.get("q"))
        if self.searching:
            self.filters["sort"].extra["choices"] = [RELEVANCE, *SORT_CHOICES]
        elif self.data.get("sort") == RELEVANCE[0]:
            self.data = self.data.copy()
            self.data.pop("sort")
        # Short vocabularies: their choices are read once, when first needed (to validate a
        # value), and not at all when the filter is not in use.
        self.filters["repository"].extra["choices"] = _once(
            lambda: Repository.objects.published().order_by("name").values_list("slug", "name")
        )
        self.filters["rights"].extra["choices"] = _once(
            lambda: (
                RightsStatement.objects.published()
                .order_by("label")
                .values_list("identifier", "label")
            )
        )

    @property
    def sort_value(self):
        """The order in force: the chosen one, else relevance while searching, else date."""
        cleaned = getattr(self.form, "cleaned_data", {})
        return cleaned.get("sort") or (RELEVANCE[0] if cleaned.get("q") else "date")

    def filtered(self, queryset=None, *, without=()):
        """
        ``queryset`` (the view's, by default) narrowed by every valid filter except those
        named in ``without``, unordered.  Facets count on this: each leaves out its own filter
        (and, on PostgreSQL, the search, whose matches they read from ``facet_search``).
        Call only after the form has validated.
        """
        queryset = self.queryset if queryset is None else queryset
        cleaned = self.form.cleaned_data
        self._person_first = (
            "person" not in without and bool(cleaned.get("person")) and not cleaned.get("q")
        )
        self._person_dated = self._person_first and any(
            cleaned.get(name) and name not in without for name in ("date_from", "date_to")
        )
        for name, value in list(cleaned.items()):
            if name not in without:
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()

    def filter_queryset(self, queryset):
        try:
            queryset = self.filtered(queryset)
        except search.EmptyQuery as error:
            # Known only once the search backend has read the text: a form error like any
            # other, and (strict mode) an empty result.
            # The message quotes the search, so it goes in as a parameter: a "%" in it is text.
            self.form.add_error(
                "q",
                ValidationError("%(message)s", code="empty_query", params={"message": str(error)}),
            )
            return queryset.none()
        cleaned = self.form.cleaned_data
        unindexed = connections[queryset.db].vendor == "postgresql" and (
            any(cleaned.get(name) not in (None, "", False) for name in SELECTIVE_FILTERS)
            or bool(cleaned.get("date_from") and cleaned.get("date_to"))
        )
        return queryset.order_by(*sort_expressions(self.sort_value, unindexed=unindexed))

    def filter_q(self, queryset, name, value):
        return search.search(queryset, value)

    def filter_date_from(self, queryset, name, value):
        """
        Both ends in one overlap test (one index condition), with ``date_to`` when given.

        With a person as well (and no search), the test is two comparisons, which the span
        index cannot answer (``spanned=False``), so PostgreSQL starts from the person's
        documents: without a role, the person's entries in ``document_published_person_ids``
        intersected with the range's in the B-tree on the two dates (migration 0015,
        ``DocumentQuerySet.naming``), else the person's links, whose documents' dates it
        tests one by one.  Given the span index, it walks the whole range there and keeps
        the person's, pricing each lookup of a person's document at about eight times its
        cost against an entry of the range: a popular person's 20 years at 1,000,000
        documents read 61,000 entries to keep 5,000 (65 ms), against 21 ms for the person's
        7,800 lookups.  The other way costs at most what the person's documents number (the
        most linked person, 26,000, over a range of 20,000 entries: 69 ms against 45).
        """
        end = self.form.cleaned_data.get("date_to")
        return queryset.overlapping(
            start=value.start, end=end.end if end else None, spanned=not self._person_first
        )

    def filter_date_to(self, queryset, name, value):
        if self.form.cleaned_data.get("date_from"):
            return queryset  # applied together with the start in filter_date_from
        return queryset.overlapping(end=value.end, spanned=not self._person_first)

    def filter_person(self, queryset, name, value):
        """The person, in the chosen role when there is one (``DocumentQuerySet.naming``)."""
        role = self.form.cleaned_data.get("role") or None
        return queryset.naming(value, role=role, with_dates=self._person_dated)

    def filter_role(self, queryset, name, value):
        """Without a person: documents in which someone has this role."""
        if self.form.cleaned_data.get("person"):
            return queryset  # applied together with the person in filter_person
        return queryset.filter(
            Exists(DocumentPerson.objects.filter(document=OuterRef("pk"), role=value))
        )

    # Archive and rights compare the document's own column with the id looked up first (an
    # init plan), so the index (repository_id, date…) gives the rows in date order; a join on
    # the slug would walk the date index and test every row's archive (issue 7).

    def filter_repository(self, queryset, name, value):
        chosen = Repository.objects.filter(slug=value).values("pk")[:1]
        return queryset.filter(repository_id=Subquery(chosen))

    def filter_rights(self, queryset, name, value):
        chosen = RightsStatement.objects.filter(identifier=value).values("pk")[:1]
        return queryset.filter(rights_id=Subquery(chosen))

    def filter_collection(self, queryset, name, value):
        return queryset.in_collection(value)

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset
