"""
Downloads of many documents in the import format (:mod:`catalog.interchange`), so that what
is exported can be loaded back with the importer.

``/documents/export.csv`` and ``/documents/export.jsonl`` take the document list's query
string: the same gate (``Document.objects.published()``), the same FilterSet, built the same
way (:class:`~catalog.views.documents.DocumentListView` is the base class), and the same order.
An invalid filter is a 400 naming the problem, in plain text.

The response streams: the documents are read ``EXPORT_CHUNK_SIZE`` at a time with
``iterator(chunk_size=…)``, each chunk with its own prefetches, and written out as they come,
so memory stays flat however many documents match, and the first bytes leave at once.  The
admin's export of everything (drafts included) reuses :func:`export_response`.
"""

import io
from dataclasses import dataclass

from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from .. import interchange
from ..models import Document
from .documents import DocumentListView

#: Documents read from the database (and written out) at a time.
EXPORT_CHUNK_SIZE = 500


@dataclass(frozen=True)
class ExportFormat:
    """A download format: its media type and the interchange writer for it."""

    content_type: str
    write: object  # write(rows, out, *, columns), from catalog.interchange


FORMATS = {
    "csv": ExportFormat("text/csv; charset=utf-8", interchange.write_csv),
    "jsonl": ExportFormat("application/jsonl; charset=utf-8", interchange.write_jsonl),
}


def get_format(name):
    """The export format called ``name`` (``csv`` or ``jsonl``); any other is a 404."""
    try:
        return FORMATS[name]
    except KeyError:
        raise Http404("No such export format.") from None


def _chunks(queryset, size):
    """``queryset``'s documents, read ``size`` at a time, as lists (prefetches per chunk)."""
    chunk = []
    for document in queryset.iterator(chunk_size=size):
        chunk.append(document)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def stream_rows(
    queryset, export_format, *, columns=interchange.PUBLIC_COLUMNS, chunk_size=EXPORT_CHUNK_SIZE
):
    """
    The text of ``queryset`` written in ``export_format`` with ``columns``, in pieces of one
    chunk of documents each.  The writer is called once per chunk; a CSV header line it
    writes again after the first chunk is left out, so the result is one file with one header.
    """
    header = None
    for number, chunk in enumerate(_chunks(queryset, chunk_size)):
        out = io.StringIO()
        rows = [interchange.document_row(document) for document in chunk]
        export_format.write(rows, out, columns=columns)
        text = out.getvalue()
        if export_format.write is interchange.write_csv:
            if number == 0:
                header = _csv_header(export_format, columns)
            elif header and text.startswith(header):
                text = text[len(header) :]
        yield text
    if header is None and export_format.write is interchange.write_csv:
        # No documents: the file is still a CSV with its header.
        yield _csv_header(export_format, columns)


def _csv_header(export_format, columns):
    """The header line the CSV writer writes for no rows."""
    out = io.StringIO()
    export_format.write([], out, columns=columns)
    return out.getvalue()


def export_filename(extension, *, prefix="documents"):
    """``documents-2026-11-27.csv``: what was exported and on which (local) day."""
    return f"{prefix}-{timezone.localdate():%Y-%m-%d}.{extension}"


def export_response(queryset, extension, *, prefix="documents", staff=False):
    """
    A streamed attachment of ``queryset`` (already gated, filtered and ordered) in the format
    named by ``extension``, with the interchange module's prefetches added.  Only ``staff``
    exports (the admin's) carry the staff-only columns (``interchange.STAFF_COLUMNS``).
    """
    export_format = get_format(extension)
    queryset = interchange.export_queryset(queryset)
    columns = interchange.COLUMNS if staff else interchange.PUBLIC_COLUMNS
    response = StreamingHttpResponse(
        stream_rows(queryset, export_format, columns=columns),
        content_type=export_format.content_type,
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=export_filename(extension, prefix=prefix)
    )
    return response


class DocumentExportView(DocumentListView):
    """
    The document list's documents (published only; filtered, searched and sorted by the same
    query string) as a CSV or JSON Lines download in the import format.
    """

    def get_queryset(self):
        # The list's gate without its list-row shape: the export reads every column.
        return Document.objects.published()

    def get(self, request, *args, **kwargs):
        get_format(kwargs["format"])
        self.filterset = self.get_filterset(self.get_filterset_class())
        queryset = self.filterset.qs if self.filterset.is_valid() else None
        # A search with nothing to search for is found while filtering (see DocumentFilter).
        if queryset is None or self.filterset.form.errors:
            return self.bad_request()
        return export_response(queryset, kwargs["format"])

    def bad_request(self):
        """A 400 in plain text: what is wrong with each filter, as the list page says it."""
        lines = ["These filters need correcting before the documents can be exported:", ""]
        lines += [f"- {error['label']}: {error['message']}" for error in self.filter_errors()]
        return HttpResponseBadRequest(
            "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
        )
