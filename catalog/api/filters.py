"""
The document list's FilterSet, plugged into REST framework.

The API hands :class:`~catalog.filters.DocumentFilter` the same gated queryset and the same
query string as the HTML list (``DocumentListView``), so both find the same documents in the
same order.  Where the HTML list shows an invalid value as a form error with an empty result,
the API answers 400 with the errors as JSON.
"""

from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.settings import api_settings

from ..filters import DATE_HELP, RELEVANCE, SORT_CHOICES
from ..models import DocumentPerson


def filter_errors(form):
    """A REST framework ``ValidationError`` for ``form``'s errors, keyed by parameter name
    (errors about several parameters at once, like a backwards date range, under
    ``non_field_errors``)."""
    error = utils.translate_validation(form.errors)
    if "__all__" in error.detail:
        error.detail[api_settings.NON_FIELD_ERRORS_KEY] = error.detail.pop("__all__")
    return error


class StrictFilterBackend(DjangoFilterBackend):
    """
    ``DjangoFilterBackend`` that also refuses what is found invalid only while filtering: a
    search with nothing to search for (``DocumentFilter.filter_queryset`` adds that error to
    the form as it reads the search).
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise filter_errors(filterset.form)
        queryset = filterset.qs
        if filterset.form.errors:
            raise filter_errors(filterset.form)
        return queryset


#: parameter → (description, allowed values or None), for the filters whose meaning the schema
#: generator cannot read from the FilterSet (custom fields, slugs checked against a queryset).
DESCRIBED_PARAMETERS = {
    "date_from": ("Documents dated, wholly or in part, on or after this. " + DATE_HELP, None),
    "date_to": ("Documents dated, wholly or in part, on or before this. " + DATE_HELP, None),
    # A checkbox on the HTML list, read the same way here: any value but these ticks it.
    "exclude_approximate": (
        "Any value (`on`, `true`, `1`) leaves out documents dated approximately (circa); "
        "absent, empty, `false` or `0` keeps them.",
        None,
    ),
    "exclude_uncertain": (
        "Any value (`on`, `true`, `1`) leaves out documents whose date is uncertain; "
        "absent, empty, `false` or `0` keeps them.",
        None,
    ),
    "person": ("A person's `slug` (see /api/people/): the documents naming them.", None),
    "role": (
        "With `person`, only where they have this role; alone, documents in which anyone has it.",
        [value for value, _ in DocumentPerson.Role.choices],
    ),
    "collection": ("A collection's `slug`: documents in it or any collection below it.", None),
    "repository": ("An archive's `slug` (see /api/repositories/).", None),
    "subject": ("A subject's `slug`.", None),
    "rights": ("A rights statement's `identifier` (see /api/rights/).", None),
    "sort": (
        "`relevance` (only while searching, and then the default), `date` (the default "
        "otherwise), `-date` or `title`; ties are broken by record ID.",
        [RELEVANCE[0], *(value for value, _ in SORT_CHOICES)],
    ),
}


class StrictFilterBackendExtension(DjangoFilterExtension):
    """Lists the document filters in the OpenAPI schema, each described as the API reads it."""

    target_class = StrictFilterBackend
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if field_name not in DESCRIBED_PARAMETERS:
            return super().resolve_filter_field(
                auto_schema, model, filterset_class, field_name, filter_field
            )
        description, enum = DESCRIBED_PARAMETERS[field_name]
        return [
            build_parameter_type(
                name=field_name,
                schema=build_basic_type(OpenApiTypes.STR),
                location=OpenApiParameter.QUERY,
                description=description,
                enum=enum,
            )
        ]
