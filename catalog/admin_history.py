"""
Change history in the admin: who changed a record, when, which fields from what to what, and
"revert" (put an old version back).

Built on django-simple-history's own hooks in ``SimpleHistoryAdmin``, so the library's
history page and revert form stay what they are:

- ``get_historical_record_context_helper`` formats each change: choice labels instead of
  stored values, names instead of ids, subjects and collections as "added …; removed …", and
  long texts (a transcript) as an excerpt around the first difference with its length;
- ``render_history_view`` adds the rows of ``history_related`` (a document's people and
  custody chain) to the page, and names who made each change: the user, or the import batch
  that the change reason names ("import batch 12: letters.csv");
- ``get_form`` gives the revert form the *current* record filled in with the old version's
  values, so that it passes the same guards as the change form: a field the user may not
  edit (a document's status without the publish permission, its record ID, its publication
  date) keeps its current value, and ``DocumentAdmin.save_model`` compares the status with
  the one stored.  Subjects and collections come back from the version too.

Models without ``HistoricalRecords`` (subjects, rights statements) keep Django's own history
page (the admin log).
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from os.path import commonprefix

from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

# A change reason written by the import service: "import batch 12: letters.csv".
IMPORT_REASON = re.compile(r"^import batch (?P<batch>\d+)\b:?\s*(?P<name>.*)$", re.IGNORECASE)

# Values longer than this are shown as an excerpt around their first difference.
LONG_VALUE = 120
EXCERPT_BEFORE = 30


def has_history(model):
    """Whether ``model`` has ``HistoricalRecords`` (and so the history page and revert)."""
    return hasattr(model._meta, "simple_history_manager_attribute")


def shown_value(model_field, value):
    """A stored value as an archivist reads it: choice labels, yes/no, a dash for empty."""
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def shortened(text, start):
    """``text`` cut to an excerpt from ``start``, with its length when it was cut."""
    if len(text) <= LONG_VALUE:
        return text
    begin = max(start - EXCERPT_BEFORE, 0)
    excerpt = text[begin : begin + LONG_VALUE]
    prefix = "…" if begin else ""
    suffix = "…" if begin + LONG_VALUE < len(text) else ""
    return f"{prefix}{excerpt}{suffix} ({len(text):,} characters)"


class ChangeFormatter(HistoricalRecordContextHelper):
    """
    Formats one version's changes for the history page: ``{"field", "old", "new"}`` for a
    field, ``{"field", "added", "removed"}`` for subjects and collections.
    """

    def context_for_delta_changes(self, delta):
        return [self.describe(change) for change in delta.changes]

    def describe(self, change):
        model_field = self.model._meta.get_field(change.field)
        label = capfirst(model_field.verbose_name)
        if model_field.many_to_many:
            target = get_m2m_reverse_field_name(model_field)
            old = {row[target] for row in change.old}
            new = {row[target] for row in change.new}
            return {
                "field": label,
                "added": sorted(map(str, new - old)),
                "removed": sorted(map(str, old - new)),
            }
        old, new = shown_value(model_field, change.old), shown_value(model_field, change.new)
        start = len(commonprefix([old, new]))
        return {"field": label, "old": shortened(old, start), "new": shortened(new, start)}

    def summary(self, delta):
        """The changes as one line of text: "role: Author → Mentioned; note: — → x"."""
        parts = []
        for change in self.context_for_delta_changes(delta):
            if "added" in change:
                moved = [f"added {', '.join(change['added'])}"] if change["added"] else []
                moved += [f"removed {', '.join(change['removed'])}"] if change["removed"] else []
                parts.append(f"{change['field'].lower()}: {'; '.join(moved)}")
            else:
                parts.append(f"{change['field'].lower()}: {change['old']} → {change['new']}")
        return "; ".join(parts)


@dataclass
class HistoryRow:
    """One line of the history page: a version of the record or a change to a related one."""

    record: object
    date: datetime
    kind: str
    who: SafeString
    reason: str
    version_url: str = ""
    changes: list = field(default_factory=list)
    note: str = ""


def revert_form(form_class, version):
    """
    ``form_class`` bound to the record as it is now, its fields filled in with ``version``'s
    values (subjects and collections included).  A field the form does not have, because it
    is read-only for this user or derived, keeps its current value: a revert changes no more
    than the change form could.  A deleted record is put back as the version had it.
    """

    class RevertForm(form_class):
        reverted_from = version

        def __init__(self, *args, instance=None, initial=None, **kwargs):
            model = type(instance)
            plain = [name for name in self.base_fields if name not in m2m_names]
            values = model_to_dict(instance, fields=plain)
            for name in m2m_names & set(self.base_fields):
                rows = getattr(version, name).all()
                target = model._meta.get_field(name)
                attname = f"{get_m2m_reverse_field_name(target)}_id"
                values[name] = [getattr(row, attname) for row in rows]
            current = model._default_manager.filter(pk=instance.pk).first()
            super().__init__(
                *args, instance=current or instance, initial={**values, **(initial or {})}, **kwargs
            )

    m2m_names = {f.name for f in version._history_m2m_fields}
    RevertForm.__name__ = form_class.__name__
    return RevertForm


class CatalogHistoryAdmin(SimpleHistoryAdmin):
    """
    ``SimpleHistoryAdmin`` for the catalogue: readable changes, related histories and a
    revert that keeps the change form's guards.

    ``history_related`` maps reverse accessors of child records that have their own history
    to the label their changes carry on this record's page, e.g.
    ``{"person_links": "People"}``: "People: added Joseph Stalin (mentioned)".
    """

    object_history_list_template = "admin/catalog/history/object_history_list.html"
    history_related = {}

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if not has_history(model):
            self.object_history_template = None  # Django's own page, for the admin log

    def get_urls(self):
        if not has_history(self.model):
            return admin.ModelAdmin.get_urls(self)
        return super().get_urls()

    def history_view(self, request, object_id, extra_context=None):
        """The version list; Django's admin log for models without recorded history."""
        if not has_history(self.model):
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A version, with its revert button; reverting needs the change permission."""
        if request.method == "POST" and not self.has_change_history_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        version = getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        return form if version is None else revert_form(form, version)

    def save_model(self, request, obj, form, change):
        if hasattr(form, "reverted_from"):
            obj._change_reason = revert_reason(form.reverted_from)
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request, form, formsets, add=False):
        """The admin log's line for a revert (the form compares with the old version)."""
        if hasattr(form, "reverted_from"):
            return revert_reason(form.reverted_from)
        return super().construct_change_message(request, form, formsets, add)

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangeFormatter(self.model, historical_record)

    def render_history_view(self, request, template, context, **kwargs):
        if "page_obj" in context:
            context["history_rows"] = self.history_rows(request, context["page_obj"])
        return super().render_history_view(request, template, context, **kwargs)

    # The rows of the history page ----------------------------------------------------------

    def history_rows(self, request, page_obj):
        """This page's versions and, between the same dates, changes to related records."""
        versions = list(page_obj.object_list)
        newer_page_starts = None
        if page_obj.has_previous():
            newer_page_starts = page_obj.paginator.object_list[page_obj.start_index() - 2]
        if versions and page_obj.has_next():
            # The library diffs within the page; the oldest row here needs the next page's first.
            older = page_obj.paginator.object_list[page_obj.end_index()]
            self.set_history_delta_changes(request, [versions[-1], older])
        rows = [self.version_row(version) for version in versions]
        since = versions[-1].history_date if versions and page_obj.has_next() else None
        until = newer_page_starts.history_date if newer_page_starts else None
        object_id = getattr(versions[0], self.opts.pk.attname) if versions else None
        for accessor, label in self.history_related.items():
            rows += self.related_rows(accessor, label, object_id, since, until)
        rows.sort(key=lambda row: row.date, reverse=True)
        return rows

    def version_row(self, version):
        row = HistoryRow(
            record=version,
            date=version.history_date,
            kind=version.get_history_type_display(),
            who=changed_by(version),
            reason=version.history_change_reason or "",
            version_url=reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
                "_simple_history",
                args=[getattr(version, self.opts.pk.attname), version.pk],
            ),
            changes=getattr(version, "history_delta_changes", []),
        )
        if version.history_type == "+":
            row.note = "First recorded version."
        return row

    def related_rows(self, accessor, label, object_id, since, until):
        """Changes to the children behind ``accessor``, each diffed with its own previous."""
        relation = self.model._meta.get_field(accessor)
        child = relation.related_model
        records = (
            child.history.filter(**{relation.field.attname: object_id})
            .select_related("history_user")
            ._select_related_history_tracked_objs()
            .order_by("history_date", "history_id")
        )
        previous_of = {}
        rows = []
        for record in records:
            previous = previous_of.get(record.id)
            previous_of[record.id] = record
            if (since and record.history_date < since) or (until and record.history_date >= until):
                continue
            name = describe_child(record)
            if record.history_type == "+":
                text = f"added {name}"
            elif record.history_type == "-":
                text = f"removed {name}"
            elif previous is None:
                text = f"changed {name}"
            else:
                delta = record.diff_against(previous, foreign_keys_are_objs=True)
                if not delta.changes:
                    continue
                text = f"{name}: {ChangeFormatter(child, record).summary(delta)}"
            rows.append(
                HistoryRow(
                    record=record,
                    date=record.history_date,
                    kind=record.get_history_type_display(),
                    who=changed_by(record),
                    reason=record.history_change_reason or "",
                    note=f"{label}: {text}",
                )
            )
        return rows


def revert_reason(version):
    """The change reason a revert records, naming the version put back."""
    when = date_format(timezone.localtime(version.history_date), "Y-m-d H:i:s")
    return f"Reverted to the version of {when}"


def describe_child(record):
    """A related record as its own ``__str__`` reads, from the history row (no queries)."""
    instance = record.instance
    for model_field in instance._meta.concrete_fields:
        if model_field.many_to_one:
            history_field = record._meta.get_field(model_field.name)
            if history_field.is_cached(record) and getattr(record, model_field.name) is not None:
                setattr(instance, model_field.name, getattr(record, model_field.name))
    try:
        return str(instance)
    except ObjectDoesNotExist:
        return f"{instance._meta.verbose_name} #{instance.pk} (since deleted)"


def changed_by(record):
    """
    Who made a change: the import batch its change reason names (with who ran it), or the
    user, or "—" for a change made outside the admin with no user (a script, the shell).
    """
    user = record.history_user
    match = IMPORT_REASON.match(record.history_change_reason or "")
    if match:
        try:
            url = reverse("admin:catalog_importbatch_change", args=[match["batch"]])
        except NoReverseMatch:
            url = ""
        batch = f"import batch {match['batch']}"
        shown = format_html('<a href="{}">{}</a>', url, batch) if url else batch
        if user is not None:
            return format_html("{} (run by {})", shown, user.get_username())
        return format_html("{}", shown)
    if user is not None:
        return format_html("{}", user.get_username())
    return mark_safe("—")
