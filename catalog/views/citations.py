"""
Citation downloads for a record: ``/documents/<record id>/<slug>/cite.<format>`` with format
``json`` (CSL-JSON), ``ris`` or ``bib`` (BibTeX), each an attachment named
``record-<record id>.<format>``.

The same gate, preview and query shape as the record page (it subclasses
:class:`~catalog.views.documents.DocumentDetailView`): a draft is a 404 for the public and an
uncached download for staff who may change documents; any other slug answers 301.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

from .. import citations
from .documents import DocumentDetailView, attach_ancestors


@dataclass(frozen=True)
class CitationFormat:
    """A download: its media type and how a document (read at a permalink) is written in it."""

    content_type: str
    render: Callable


def _csl_json(document, url):
    return json.dumps([citations.csl_json(document, url)], ensure_ascii=False, indent=2) + "\n"


FORMATS = {
    "json": CitationFormat("application/vnd.citationstyles.csl+json", _csl_json),
    "ris": CitationFormat("application/x-research-info-systems; charset=utf-8", citations.ris),
    "bib": CitationFormat("application/x-bibtex; charset=utf-8", citations.bibtex),
}


class DocumentCitationView(DocumentDetailView):
    """One record's citation as a CSL-JSON, RIS or BibTeX file; an unknown format is a 404."""

    def get(self, request, *args, **kwargs):
        citation_format = FORMATS.get(kwargs["format"])
        if citation_format is None:
            raise Http404("No such citation format.")
        document = self.object = self.get_object()
        if kwargs["slug"] != document.slug:
            url = reverse("catalog:document-cite", kwargs={**kwargs, "slug": document.slug})
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
        # As on the record page: the whole collection chain, for the collection titles.
        attach_ancestors(list(document.collections.all()))
        permalink = request.build_absolute_uri(document.get_absolute_url())
        response = HttpResponse(
            citation_format.render(document, permalink), content_type=citation_format.content_type
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"record-{document.record_id}.{kwargs['format']}"
        )
        if not document.is_published():
            add_never_cache_headers(response)
        return response
