"""
Imports in the admin: load a file of documents, see what it would do, confirm, and undo.

The ImportBatch admin's add page is the "Import documents" page.  A file (CSV or JSON Lines,
in the format :mod:`catalog.interchange` writes) is checked by ``importing.prepare`` and
shown as a preview: how many documents it creates, updates and leaves unchanged, and every
row error (the first ``ERRORS_SHOWN`` on the page, all of them as a CSV download).  Nothing is
written until the archivist confirms; ``importing.apply`` then writes the batch in one
transaction, and "Undo this batch" (``importing.undo``) takes it back.

Between preview and confirmation the upload waits in ``settings.IMPORT_UPLOAD_DIR`` (the
system's temporary directory by default) under a random name that only the uploader's session
knows: the client sends the token, never a path, and the file is deleted once applied or
cancelled.  Uploads left behind for more than ``UPLOAD_MAX_AGE`` are removed at the next upload.

Who may do what: importing needs ``catalog.add_document`` and ``catalog.change_document``, and
a file with published rows needs ``catalog.publish_document`` too; undoing needs
``catalog.delete_document`` and ``catalog.change_document``.  Batches are otherwise read-only.

The admin's export of documents (drafts included) lives here as well, as
``admin:catalog_document_export``: it takes the Document changelist's query string and streams
what that changelist shows.
"""

import datetime
import re
import secrets
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import ngettext

from . import importing, interchange
from .models import Document, ImportBatch
from .views.exports import export_response, get_format

IMPORT_PERMISSIONS = ("catalog.add_document", "catalog.change_document")
UNDO_PERMISSIONS = ("catalog.delete_document", "catalog.change_document")
EXPORT_PERMISSION = "catalog.view_document"
#: Row errors listed on the preview page; the CSV download has them all.
ERRORS_SHOWN = 200
#: Documents a batch's page lists (with links) before saying how many more there are.
ITEMS_SHOWN = 100
#: Uploads never confirmed or cancelled are deleted after this long.
UPLOAD_MAX_AGE = datetime.timedelta(days=1)
SESSION_KEY = "catalog_imports"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
#: The reason ``importing`` gives a row that would publish, for someone who may not.
PUBLISH_REFUSED = "only editors may publish or unpublish documents"
MAPPING_LABELS = {
    "default": "Default: the catalogue's own export format",
    "corpus": "Corpus: FRUS and Moritz records (JSON Lines)",
}


def can_import(user):
    """Whether ``user`` may import documents (add and change them)."""
    return bool(user and user.is_active and user.has_perms(IMPORT_PERMISSIONS))


def can_undo(user):
    """Whether ``user`` may undo a batch (which deletes what it created)."""
    return bool(user and user.is_active and user.has_perms(UNDO_PERMISSIONS))


class ImportForm(forms.Form):
    """The "Import documents" page: a file and how to read it."""

    file = forms.FileField(
        label="File",
        help_text="A CSV (.csv) or JSON Lines (.jsonl) file, one document a row, in the "
        "format the catalogue exports. Nothing is saved until you confirm the preview.",
    )
    mapping = forms.ChoiceField(
        label="Columns",
        choices=[(name, MAPPING_LABELS.get(name, name)) for name in interchange.MAPPINGS],
        initial="default",
        help_text="How the file's columns or keys are read.",
    )
    update = forms.BooleanField(
        label="Update existing documents",
        required=False,
        help_text="A row whose source identifier (or, without one, record ID) is already in "
        "the catalogue replaces that document's fields. Unticked, such a row is an error "
        "if it differs from the document.",
    )
    batch_name = forms.CharField(
        label="Batch name",
        required=False,
        max_length=200,
        help_text='A name to find this import by later, e.g. "FRUS 1944 volume IV". Optional.',
    )


class ConfirmForm(forms.Form):
    """The preview's confirmation: whether to import the valid rows and leave out the rest."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    skip_invalid = forms.BooleanField(
        label="Skip the rows with errors and import the others",
        required=False,
    )


# Uploads waiting between preview and confirmation --------------------------------------------


def upload_dir():
    """Where uploads wait for confirmation: ``settings.IMPORT_UPLOAD_DIR`` or the temp dir."""
    directory = Path(getattr(settings, "IMPORT_UPLOAD_DIR", None) or tempfile.gettempdir())
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _upload_path(token):
    return upload_dir() / f"catalog-import-{token}.upload"


def keep_upload(request, uploaded, options):
    """
    Save ``uploaded`` under a new random token, remember it (with ``options``) in the session
    and return the token.  Stale uploads from earlier sessions are removed first.
    """
    remove_stale_uploads()
    token = secrets.token_urlsafe(24)
    with _upload_path(token).open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"file_name": uploaded.name, **options}
    request.session[SESSION_KEY] = pending
    return token


def pending_upload(request, token):
    """The options stored for ``token`` in this session (None if it is not this session's)."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    upload = request.session.get(SESSION_KEY, {}).get(token)
    if upload is None or not _upload_path(token).exists():
        return None
    return upload


def drop_upload(request, token):
    """Forget ``token`` and delete its file."""
    pending = request.session.get(SESSION_KEY, {})
    if pending.pop(token, None) is not None:
        request.session[SESSION_KEY] = pending
    _upload_path(token).unlink(missing_ok=True)


def remove_stale_uploads():
    """Delete uploads older than ``UPLOAD_MAX_AGE`` (abandoned previews)."""
    cutoff = time.time() - UPLOAD_MAX_AGE.total_seconds()
    for stale in upload_dir().glob("catalog-import-*.upload"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink(missing_ok=True)
        except OSError:
            pass


@contextmanager
def prepared_upload(token, upload, user):
    """
    ``importing.prepare`` on a waiting upload, with the options it was sent with; the file
    stays open inside the ``with`` block, since ``importing.apply`` reads it again.
    """
    with _upload_path(token).open("rb") as fileobj:
        yield importing.prepare(
            fileobj,
            file_name=upload["file_name"],
            mapping=upload["mapping"],
            update=upload["update"],
            user=user,
        )


# The admin ----------------------------------------------------------------------------------


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Imports of documents from files: run, reviewed and undone here; otherwise read-only."""

    list_display = (
        "__str__",
        "file_name",
        "created_by",
        "created",
        "rows",
        "created_count",
        "updated_count",
        "unchanged_count",
        "skipped_count",
        "status",
    )
    list_display_links = ("__str__",)
    list_filter = ("status", "file_format", "created")
    search_fields = ("name", "file_name", "created_by__username")
    search_help_text = "Searches batch names, file names and who ran the import."
    list_select_related = ("created_by", "undone_by")
    date_hierarchy = "created"
    fieldsets = (
        (None, {"fields": ("name", "file_name", "file_format", "created_by", "created")}),
        (
            "Rows",
            {
                "fields": (
                    "rows",
                    ("created_count", "updated_count", "unchanged_count", "skipped_count"),
                )
            },
        ),
        ("Status", {"fields": ("status", "undone_at", "undone_by")}),
        ("Documents", {"fields": ("documents",)}),
    )
    readonly_fields = (
        "name",
        "file_name",
        "file_format",
        "created_by",
        "created",
        "rows",
        "created_count",
        "updated_count",
        "unchanged_count",
        "skipped_count",
        "status",
        "undone_at",
        "undone_by",
        "documents",
    )

    class Media:
        # As every catalogue admin page (CatalogModelAdmin): underlined breadcrumb links.
        css = {"all": ["css/admin.css"]}

    # Permissions: derived from the document permissions, which the staff groups hold.

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_import(request.user) or request.user.has_perm("catalog.view_importbatch")

    def has_add_permission(self, request):
        return can_import(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_undo_permission(self, request, obj=None):
        return can_undo(request.user) and (obj is None or obj.status == ImportBatch.Status.APPLIED)

    @admin.display(description="documents")
    def documents(self, obj):
        """What the batch did, document by document (the first ``ITEMS_SHOWN``)."""
        items = list(obj.items.select_related("document")[: ITEMS_SHOWN + 1])
        if not items:
            return "—"
        rows = format_html_join(
            "",
            "<li>{}: {}</li>",
            (
                (
                    item.get_action_display().capitalize(),
                    _document_link(item),
                )
                for item in items[:ITEMS_SHOWN]
            ),
        )
        more = obj.items.count() - ITEMS_SHOWN if len(items) > ITEMS_SHOWN else 0
        tail = format_html("<p>… and {} more.</p>", more) if more else ""
        return format_html('<ul class="import-items">{}</ul>{}', rows, tail)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "preview/<str:token>/",
                wrap(self.preview_view),
                name=f"{prefix}_preview",
            ),
            path(
                "preview/<str:token>/errors.csv",
                wrap(self.errors_view),
                name=f"{prefix}_errors",
            ),
            path("<path:object_id>/undo/", wrap(self.undo_view), name=f"{prefix}_undo"),
            path(
                "export.<str:format>",
                wrap(self.export_view),
                name="catalog_document_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_export": request.user.has_perm(EXPORT_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "may_undo": batch is not None and self.has_undo_permission(request, batch),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # Import: upload → preview → confirm ----------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        """The "Import documents" page: upload a file; it is checked, not yet imported."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            token = keep_upload(
                request,
                form.cleaned_data["file"],
                {
                    "mapping": form.cleaned_data["mapping"],
                    "update": form.cleaned_data["update"],
                    "batch_name": form.cleaned_data["batch_name"],
                },
            )
            return HttpResponseRedirect(self._url("preview", token))
        return self._render(
            request,
            "admin/catalog/importbatch/import_form.html",
            title="Import documents",
            form=form,
            **(extra_context or {}),
        )

    def preview_view(self, request, token):
        """What the upload would do; on POST, do it (or cancel)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        upload = pending_upload(request, token)
        if upload is None:
            return self._upload_gone(request)
        if request.method == "POST" and "cancel" in request.POST:
            drop_upload(request, token)
            self.message_user(request, "Import cancelled; nothing was saved.", messages.INFO)
            return HttpResponseRedirect(reverse("admin:catalog_importbatch_add"))
        form = ConfirmForm(request.POST or None)
        with prepared_upload(token, upload, request.user) as plan:
            if request.method == "POST" and form.is_valid():
                batch = self._apply(request, plan, upload, form.cleaned_data["skip_invalid"])
                if batch is not None:
                    drop_upload(request, token)
                    self.message_user(request, _batch_summary(batch), messages.SUCCESS)
                    return HttpResponseRedirect(
                        reverse("admin:catalog_importbatch_change", args=[batch.pk])
                    )
        errors = plan.errors
        return self._render(
            request,
            "admin/catalog/importbatch/import_preview.html",
            title="Check the import",
            upload=upload,
            plan=plan,
            form=form,
            errors=errors[:ERRORS_SHOWN],
            error_count=len(errors),
            errors_hidden=max(len(errors) - ERRORS_SHOWN, 0),
            errors_url=self._url("errors", token),
            importable=len(plan.creates) + len(plan.updates),
            publish_refused=any(error.reason == PUBLISH_REFUSED for error in errors),
        )

    def _apply(self, request, plan, upload, skip_invalid):
        """``importing.apply``; the new batch, or None (with a message saying why not)."""
        if plan.errors and not skip_invalid and not plan.file_error:
            self.message_user(
                request,
                "The file has errors. Correct them and upload it again, or tick “Skip the "
                "rows with errors” to import the others.",
                messages.ERROR,
            )
            return None
        try:
            return importing.apply(
                plan,
                user=request.user,
                batch_name=upload.get("batch_name", ""),
                skip_invalid=skip_invalid,
            )
        except importing.ImportRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return None

    def errors_view(self, request, token):
        """Every row error of a waiting upload, as CSV."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        upload = pending_upload(request, token)
        if upload is None:
            return self._upload_gone(request)
        with prepared_upload(token, upload, request.user) as plan:
            response = HttpResponse(
                importing.errors_csv(plan.errors), content_type="text/csv; charset=utf-8"
            )
        stem = Path(upload["file_name"]).stem or "import"
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{stem}-errors.csv"
        )
        return response

    def _upload_gone(self, request):
        self.message_user(
            request,
            "That upload is no longer waiting (it was imported, cancelled or has expired). "
            "Upload the file again.",
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:catalog_importbatch_add"))

    # Undo ----------------------------------------------------------------------------------

    def undo_view(self, request, object_id):
        """
        A confirmation page; on POST, undo the batch and return to it.  When documents were
        changed after the import, the service refuses and the page asks again, offering to
        undo anyway (which throws those changes away).
        """
        batch = self.get_object(request, unquote(object_id))
        if batch is None:
            raise Http404("No such import batch.")
        if not can_undo(request.user):
            raise PermissionDenied
        batch_url = reverse("admin:catalog_importbatch_change", args=[batch.pk])
        if batch.status != ImportBatch.Status.APPLIED:
            self.message_user(request, "This batch has already been undone.", messages.WARNING)
            return HttpResponseRedirect(batch_url)
        refusal = ""
        if request.method == "POST":
            try:
                importing.undo(batch, user=request.user, force="force" in request.POST)
            except importing.ImportRefused as error:
                refusal = str(error)
            else:
                self.message_user(
                    request,
                    f"Undone: “{batch}”. The documents it created are deleted, and the "
                    "documents it updated are as they were before it.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(batch_url)
        return self._render(
            request,
            "admin/catalog/importbatch/undo_confirmation.html",
            title="Undo this import?",
            object=batch,
            batch_url=batch_url,
            refusal=refusal,
        )

    # Export --------------------------------------------------------------------------------

    def export_view(self, request, format):
        """
        Every document the Document changelist shows for this query string, drafts included,
        streamed in the import format.
        """
        get_format(format)
        document_admin = self.admin_site.get_model_admin(Document)
        if not document_admin.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = document_admin.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(
                "The document list's filters in this address are not valid.\n",
                content_type="text/plain; charset=utf-8",
            )
        queryset = changelist.get_queryset(request).defer(None)
        return export_response(queryset, format, prefix="catalogue", staff=True)

    # Helpers -------------------------------------------------------------------------------

    def _url(self, name, token):
        return reverse(f"admin:catalog_importbatch_{name}", args=[token])

    def _render(self, request, template, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "has_view_permission": self.has_view_permission(request),
            **context,
        }
        return TemplateResponse(request, template, context)


def _document_link(item):
    if item.document is None:
        return format_html("{} (since deleted)", item.source_identifier)
    url = reverse("admin:catalog_document_change", args=[item.document.pk])
    return format_html('<a href="{}">{}</a>', url, item.document)


def _batch_summary(batch):
    """ "Imported 12 documents from frus.jsonl: 10 new, 2 updated, 1 skipped.\""""
    parts = [f"{batch.created_count} new", f"{batch.updated_count} updated"]
    if batch.unchanged_count:
        parts.append(f"{batch.unchanged_count} unchanged")
    if batch.skipped_count:
        parts.append(f"{batch.skipped_count} skipped as invalid")
    written = batch.created_count + batch.updated_count
    head = ngettext(
        "Imported %(count)d document from %(file)s",
        "Imported %(count)d documents from %(file)s",
        written,
    ) % {"count": written, "file": batch.file_name}
    return f"{head}: {', '.join(parts)}."
