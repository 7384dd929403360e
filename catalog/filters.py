"""
The FilterSets: the single definition of what a researcher can filter documents on.

The HTML list, facet counts, exports, the API and feeds all take :class:`DocumentFilter`, so a
filter that works in one works in all.  A FilterSet never filters on status: every caller hands
it ``Document.objects.published()`` (or a narrower queryset built from it).

Parameter names are part of the public URL scheme and other pages link to them:
``date_from``, ``date_to``, ``exclude_approximate``, ``exclude_uncertain``, ``person``,
``role``, ``collection``, ``repository``, ``subject``, ``language``, ``rights``, ``doc_type``
and ``sort``.  Invalid values are form errors; with django-filter's strict views they give an
empty result and the reason, never a server error.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Lower

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
}
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


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter over :class:`SlugChoiceField` (a hidden input, not a huge select)."""

    field_class = SlugChoiceField


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
    """What a researcher can filter the document list on, and in which order it comes."""

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
        help_text="The person's part in the document.",
    )
    collection = SlugChoiceFilter(
        queryset=Collection.objects.published(),
        to_field_name="slug",
        method="filter_collection",
        label="Collection",
        error_messages={"invalid_choice": "No collection with documents here has that address."},
    )
    repository = django_filters.ChoiceFilter(
        field_name="repository__slug", label="Archive", empty_label="Any archive"
    )
    subject = SlugChoiceFilter(
        queryset=Subject.objects.published(),
        to_field_name="slug",
        field_name="subjects",
        label="Subject",
        error_messages={"invalid_choice": "No subject with documents here has that address."},
    )
    language = django_filters.ChoiceFilter(
        choices=LANGUAGES, label="Language", empty_label="Any language"
    )
    rights = django_filters.ChoiceFilter(
        field_name="rights__identifier",
        label="Rights statement",
        empty_label="Any rights statement",
    )
    doc_type = django_filters.ChoiceFilter(
        choices=Document.Type.choices, label="Type", empty_label="Any type"
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", label="Sort by", empty_label=None
    )

    class Meta:
        model = Document
        fields = []
        form = DocumentFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Short vocabularies as selects.  Their choices are read once, when first needed (to
        # validate a value or render the select), and then serve both without a second query.
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

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset.order_by(*SORTS[self.form.cleaned_data.get("sort") or "date"])

    def filter_date_from(self, queryset, name, value):
        return queryset.overlapping(start=value.start)

    def filter_date_to(self, queryset, name, value):
        return queryset.overlapping(end=value.end)

    def filter_person(self, queryset, name, value):
        """The person, in the chosen role when there is one, on the same link row."""
        links = DocumentPerson.objects.filter(document=OuterRef("pk"), person=value)
        role = self.form.cleaned_data.get("role")
        if role:
            links = links.filter(role=role)
        return queryset.filter(Exists(links))

    def filter_role(self, queryset, name, value):
        """Without a person: documents in which someone has this role."""
        if self.form.cleaned_data.get("person"):
            return queryset  # applied together with the person in filter_person
        return queryset.filter(
            Exists(DocumentPerson.objects.filter(document=OuterRef("pk"), role=value))
        )

    def filter_collection(self, queryset, name, value):
        return queryset.in_collection(value)

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset
