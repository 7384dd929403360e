"""
The document list (filtered, sorted, paginated) and the record page with its permalink.

Both start at ``Document.objects.published()``; staff who may change documents also see drafts
on the record page, as an uncached, unindexed preview under a "Draft — not public" banner.
"""

import time

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, get_conditional_response, quote_etag
from django.utils.http import http_date
from django.views.generic import DetailView, RedirectView
from django_filters.views import FilterView

from .. import cache, facets, search, structured_data
from ..citations import chicago, source_line
from ..filters import RELEVANCE, DocumentFilter
from ..models import Collection, Document, DocumentPerson
from .pagination import ElidedPageRangeMixin

PREVIEW_PERMISSION = "catalog.change_document"
# Filters that get a removable chip, in the order the chips are shown.  The search is not a
# chip: the search box shows it, with its own link to clear it.
CHIP_FIELDS = [
    "date_from",
    "date_to",
    "exclude_approximate",
    "exclude_uncertain",
    "person",
    "role",
    "collection",
    "repository",
    "subject",
    "language",
    "rights",
    "doc_type",
]


class DocumentListView(ElidedPageRangeMixin, FilterView):
    """
    Published documents, searched and filtered by :class:`~catalog.filters.DocumentFilter`,
    25 a page, with facet counts and a date histogram (:mod:`catalog.facets`) beside them.

    Invalid filter values and searches with nothing to search for are shown as form errors
    with an empty result (django-filter's strict mode); a page number that is not a number or
    out of range is a 404.  The page runs a fixed number of queries (tests/test_facets.py).
    """

    filterset_class = DocumentFilter
    template_name = "catalog/document_list.html"
    context_object_name = "documents"
    facet_counts = None

    def get_paginate_by(self, queryset):
        return settings.CATALOG_PAGE_SIZE

    def get_queryset(self):
        return Document.objects.published().for_list()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        # Always bound, so the default sort applies to an empty query string too.
        kwargs["data"] = self.request.GET
        return kwargs

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        if self.facet_counts is not None:
            paginator.count = self.facet_counts.total  # counted with the facets
            number = self.requested_page()
            if self.facet_counts.total_estimated and number and number > paginator.num_pages:
                # An estimate may fall short of the results: a page past its end is read
                # too, and answers 404 only when it holds nothing (get_context_data).
                self.beyond_estimate = True
                paginator.count = number * paginator.per_page
                paginator.__dict__.pop("num_pages", None)  # worked out from the estimate
        return paginator

    def paginate_queryset(self, queryset, page_size):
        """
        The page's ids are chosen first, reading only what the filters and the order need
        (from indexes, on PostgreSQL), and then only those rows are read whole; a search in
        relevance order is ranked on ids (search.page).  Still one query.
        """
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        start = (page.number - 1) * paginator.per_page
        stop = start + paginator.per_page
        ranked = self.filterset.is_valid() and self.filterset.sort_value == RELEVANCE[0]
        if ranked and "search_rank" in queryset.query.annotations:
            read_with_facets = self.facet_counts and self.facet_counts.ranked_page == (start, stop)
            page_ids = self.facet_counts.page_ids if read_with_facets else None
            if page_ids is not None:
                query = self.filterset.form.cleaned_data["q"]
                rows = search.ranked_rows(self.get_queryset(), query, page_ids)
            else:
                rows = search.page(
                    self.filterset.filtered(without=("q",)),
                    self.filterset.form.cleaned_data["q"],
                    self.get_queryset(),
                    start,
                    stop,
                )
        else:
            read_with_facets = self.facet_counts and self.facet_counts.dated_page == (start, stop)
            page_ids = self.facet_counts.page_ids if read_with_facets else None
            ids = queryset.values("pk")[start:stop] if page_ids is None else page_ids
            rows = self.get_queryset().filter(pk__in=ids).order_by(*queryset.query.order_by)
        page.object_list = rows
        return paginator, page, rows, is_paginated

    def get_context_data(self, **kwargs):
        valid = self.filterset.is_valid()
        # The facets, the histogram and the number of results: one query, read before the
        # page of rows so that the paginator need not count the results separately.
        self.facet_counts = (
            facets.DocumentFacets(
                self.filterset, ranked_page=self.ranked_page(), dated_page=self.requested_range()
            )
            if valid
            else None
        )
        context = super().get_context_data(**kwargs)
        params = self.filterset.data  # the query string, the search cleaned of control chars
        cleaned = self.filterset.form.cleaned_data if valid else {}
        query = cleaned.get("q", "")
        documents = list(context["documents"])
        if query and documents:
            passages = search.snippets(documents, query)
            for document in documents:
                document.snippet = passages.get(document.pk, "")
        chips = self.active_filters()
        count = context["paginator"].count if context.get("paginator") else len(documents)
        estimated = bool(self.facet_counts and self.facet_counts.total_estimated)
        page = context.get("page_obj")
        first = page.start_index() if page is not None and documents else 0
        if estimated and page is not None:
            count, estimated = self.correct_estimate(context, page, documents, count)
        context.update(
            documents=documents,
            object_list=documents,
            query=query,
            search_hidden=self.search_hidden_fields(),
            drop_query_url=facets.query_string(
                params, drop=("q", "sort") if params.get("sort") == RELEVANCE[0] else ("q",)
            ),
            chips=chips,
            clear_url=facets.query_string(params, drop=CHIP_FIELDS),
            filter_errors=self.filter_errors(),
            result_count=count,
            # PostgreSQL, beyond facets.COUNT_CAP: an estimate, shown as "about".
            result_count_estimated=estimated,
            # The positions of the entries shown (0 and -1 when none are).
            shown_first=first,
            shown_last=first + len(documents) - 1,
            facets=[],
            histogram=None,
        )
        if valid:
            drop_urls = {chip["name"]: chip["url"] for chip in chips}
            context["facets"] = self.facet_counts.facets(
                params, result_count=count, drop_urls=drop_urls
            )
            context["histogram"] = self.facet_counts.histogram(params, result_count=count)
        return context

    def correct_estimate(self, context, page, documents, count):
        """
        ``(number of results, whether estimated)`` once an estimated page's rows are read,
        and the paginator made to agree.  A page that ends short is the last, so the number
        is known; a full page at or past the estimate's end may have more after it (a "next"
        link); an empty page past the estimate is not found, and one inside it says where
        the results ended (``past_the_end``).
        """
        paginator = page.paginator
        start = (page.number - 1) * paginator.per_page
        if documents and len(documents) < paginator.per_page:
            count, estimated = start + len(documents), False
        elif documents:
            count, estimated = max(count, start + len(documents) + 1), True
        elif getattr(self, "beyond_estimate", False):
            raise Http404("No documents on this page.")
        else:
            context["past_the_end"] = True
            return count, True
        paginator.count = count
        paginator.__dict__.pop("num_pages", None)
        context["page_range"] = self.elided_page_range(page)
        return count, estimated

    def requested_page(self):
        """The page number asked for, when it is one (1 to 1,000,000), else None."""
        try:
            number = int(self.request.GET.get(self.page_kwarg) or 1)
        except ValueError:
            return None  # "last", or not a page at all: the paginator decides
        return number if 1 <= number <= 1_000_000 else None

    def requested_range(self):
        """``(start, stop)`` of the entries of the page asked for by number, else None."""
        number = self.requested_page()
        if number is None:
            return None
        start = (number - 1) * settings.CATALOG_PAGE_SIZE
        return start, start + settings.CATALOG_PAGE_SIZE

    def ranked_page(self):
        """
        ``(start, stop)`` of the page asked for, when it is a page of a search in relevance
        order given by number (the facets' query then reads its ids too), else None.
        """
        if self.filterset.sort_value != RELEVANCE[0]:
            return None
        return self.requested_range()

    def search_hidden_fields(self):
        """The filters in use, as (name, value) pairs the search box sends along with a new
        search, so that searching again keeps them."""
        params = self.filterset.data
        return [
            (name, value)
            for name in DocumentFilter.base_filters
            if name != "q"
            for value in params.getlist(name)[:1]
            if value.strip()
        ]

    def filter_errors(self):
        """Why the result is empty: each invalid filter, its label and a link to its field."""
        form = self.filterset.form
        errors = []
        for name, messages in form.errors.items():
            if name == "__all__":
                label, field_id = "Dates", form["date_from"].auto_id
            else:
                bound = form[name]
                label = bound.label
                field_id = None if bound.is_hidden else bound.auto_id
            errors.extend(
                {"label": label, "field_id": field_id, "message": message} for message in messages
            )
        return errors

    def active_filters(self):
        """One chip per filter in use: its label, the value as a reader knows it, its removal."""
        form, params = self.filterset.form, self.filterset.data
        cleaned = getattr(form, "cleaned_data", {})
        chips = []
        for name in CHIP_FIELDS:
            raw = params.get(name, "")
            if not raw.strip() or (name == "role" and cleaned.get("person")):
                continue
            invalid = name in form.errors
            if invalid:
                value = raw if len(raw) <= 40 else f"{raw[:40]}…"
            else:
                value = _chip_value(form.fields[name], name, cleaned)
                if value is None:
                    continue
            drop = (name, "role") if name == "person" else (name,)
            chips.append(
                {
                    "name": name,
                    "label": form.fields[name].label,
                    "value": value,
                    "url": facets.query_string(params, drop=drop),
                    "invalid": invalid,
                }
            )
        return chips


def _chip_value(field, name, cleaned):
    """How a chip names a valid filter value; None when the filter is not in use."""
    value = cleaned.get(name)
    if name.startswith("exclude_"):
        return "" if value else None
    if value in (None, ""):
        return None
    if name == "person":
        role = cleaned.get("role")
        return f"{value} (as {DocumentPerson.Role(role).label.lower()})" if role else str(value)
    if hasattr(field, "queryset"):
        return str(value)
    if hasattr(field, "choices"):
        return dict(field.choices).get(value, value)
    return str(value)


class PublicDocumentMixin:
    """The public gate, widened to drafts for staff who may change documents (a preview)."""

    def get_queryset(self):
        if self.request.user.has_perm(PREVIEW_PERMISSION):
            return Document.objects.all()
        return Document.objects.published()


class DocumentRedirectView(PublicDocumentMixin, RedirectView):
    """``/documents/<record id>/`` answers 301 with the permalink (query string kept)."""

    permanent = True
    query_string = True

    def get_redirect_url(self, *args, **kwargs):
        document = get_object_or_404(self.get_queryset(), record_id=kwargs["record_id"])
        url = document.get_absolute_url()
        query = self.request.META.get("QUERY_STRING", "")
        return f"{url}?{query}" if query else url


class DocumentDetailView(PublicDocumentMixin, DetailView):
    """
    The record page at its permalink ``/documents/<record id>/<slug>/``; any other slug
    answers 301 with the right one.
    """

    template_name = "catalog/document_detail.html"
    context_object_name = "document"

    def get_queryset(self):
        return super().get_queryset().for_detail()

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        return get_object_or_404(queryset, record_id=self.kwargs["record_id"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if kwargs["slug"] != self.object.slug:
            url = self.object.get_absolute_url()
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
        validators = self.validators()
        if validators:
            not_modified = get_conditional_response(request, **validators)
            if not_modified is not None:
                return not_modified
        response = self.render_to_response(self.get_context_data(object=self.object))
        if not self.object.is_published():
            add_never_cache_headers(response)
        elif validators:
            response["ETag"] = validators["etag"]
            if validators["last_modified"] is not None:
                response["Last-Modified"] = http_date(validators["last_modified"])
        return response

    def validators(self):
        """
        ``ETag`` and ``Last-Modified`` of a published record read anonymously, or ``{}``.

        Both cover the record's own ``modified`` and the catalogue's generation (the names of
        its people and collections on the page can change without it).  The record has been
        fetched through the gate already, so a 304 is only ever for a public record; signed-in
        readers, who may see staff links or a draft preview, get neither.  ``Last-Modified``
        is left out until the second it names is over, since HTTP dates have whole seconds.
        """
        if self.request.user.is_authenticated or not self.object.is_published():
            return {}
        generation = cache.generation()
        changed = max(self.object.modified, cache.changed_at())
        last_modified = int(changed.timestamp())
        return {
            "etag": quote_etag(
                f"{self.object.record_id}-{self.object.modified.timestamp()}-{generation}"
            ),
            "last_modified": last_modified if last_modified + 1 <= time.time() else None,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        collections = list(document.collections.all())
        attach_ancestors(collections)
        permalink = self.request.build_absolute_uri(document.get_absolute_url())
        context.update(
            is_preview=not document.is_published(),
            people_by_role=document.people_by_role(),
            collections=collections,
            custody_events=list(document.custody_events.all()),
            permalink=permalink,
            citation=chicago(document, permalink),
            source_line=source_line(document),
            # JSON-LD and meta tags for search engines and reference managers; none on a
            # draft's preview, so nothing unpublished is described to machines.
            record_meta=None
            if not document.is_published()
            else structured_data.record_metadata(
                document,
                permalink=permalink,
                collections=collections,
                absolute_uri=self.request.build_absolute_uri,
                source=source_line(document),
            ),
        )
        return context


def attach_ancestors(collections):
    """
    Load every collection above ``collections`` in one query and link each to its parent, so
    ``collection.ancestors`` and the citation walk the whole chain without further queries.
    """
    known = {c.slug: c for c in collections}
    for collection in collections:
        if collection.parent_id and Collection.parent.is_cached(collection):
            known.setdefault(collection.parent.slug, collection.parent)
    wanted = {
        slug
        for collection in collections
        for slug in collection.tree_path.strip("/").split("/")
        if slug and slug not in known
    }
    if wanted:
        known.update({c.slug: c for c in Collection.objects.filter(slug__in=wanted)})
    by_pk = {c.pk: c for c in known.values()}
    for node in list(known.values()):
        if node.parent_id in by_pk:
            node.parent = by_pk[node.parent_id]
