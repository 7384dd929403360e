"""
Admin actions that ask before they act: publish, unpublish, add to a collection and set the
rights statement on the document list; merge on the people list.

Each follows Django's own ``delete_selected``: the changelist's POST returns a confirmation
page (a ``TemplateResponse``) listing what the action will touch; that page posts the same
selection back with ``post=yes`` (and any choice it asks for), and only then does the action
call its function in :mod:`catalog.services`, which does the writing in one transaction and
records the user in the change history.  Going back from the page changes nothing.

Who may use which action is declared with ``permissions`` (so the admin offers each only to
those allowed and ignores a forged POST of it) and checked again by the services.  Django
allows an action when the user has *any* of its ``permissions``, so merging, which needs both
change and delete, asks for ``"merge"``: ``PersonAdmin.has_merge_permission``.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from . import services
from .models import Collection, Document, RightsStatement

#: The confirmation page names this many documents, then says how many more there are.
PREVIEW_COUNT = 20
#: The most people merged in one go: a merge preview of a whole "select all" helps no one.
MERGE_LIMIT = 20

DOCUMENT_TEMPLATE = "admin/catalog/document/action_confirmation.html"
MERGE_TEMPLATE = "admin/catalog/person/merge_confirmation.html"


def _confirmed(request) -> bool:
    """Whether this POST comes from the confirmation page rather than the changelist."""
    return request.POST.get("post") == "yes"


def _page_context(modeladmin, request, *, title, action):
    """What every confirmation page needs to look native and post the selection back."""
    return {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": modeladmin.model._meta,
        "media": modeladmin.media,
        "action_name": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        # The selection as the changelist posted it; with "select all" the filters in the
        # page's query string pick the same rows again on the second POST.
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across") == "1",
        "changelist_url": reverse(
            f"admin:{modeladmin.opts.app_label}_{modeladmin.opts.model_name}_changelist"
        ),
    }


def _count_message(count, singular, plural):
    return ngettext(singular, plural, count) % {"count": count}


# Documents ----------------------------------------------------------------------------------


class CollectionChoiceForm(forms.Form):
    """The collection to add documents to, searched as in the document form."""

    # A required autocomplete <select> starts with no <option>, which HTML does not allow;
    # the form checks the choice itself.
    use_required_attribute = False

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # Built here: the autocomplete widget needs the admin site.
        self.fields["collection"] = forms.ModelChoiceField(
            queryset=Collection.objects.all(),
            widget=AutocompleteSelect(Document._meta.get_field("collections"), admin_site),
            help_text="The documents stay in the collections they are in already.",
        )


class RightsChoiceForm(forms.Form):
    """The rights statement to give documents."""

    rights = forms.ModelChoiceField(
        label="Rights statement",
        queryset=RightsStatement.objects.all(),
        help_text="Replaces each document's rights statement; their rights notes are kept.",
    )


def _confirm_documents(modeladmin, request, queryset, *, action, title, question, button, **extra):
    """
    The confirmation page for a document action: how many documents, the first
    ``PREVIEW_COUNT`` titles linked to their records, and ``extra`` (a ``note``; a ``form``
    shown under ``form_heading``).
    """
    total = queryset.count()
    preview = list(queryset.select_related(None).only("pk", "title", "status")[:PREVIEW_COUNT])
    context = {
        **_page_context(modeladmin, request, title=title, action=action),
        "question": question,
        "button": button,
        "total": total,
        "preview": preview,
        "more": total - len(preview),
        "form": None,
        "form_heading": "",
        "note": "",
        **extra,
    }
    if context["form"] is not None:
        context["media"] = context["media"] + context["form"].media
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, DOCUMENT_TEMPLATE, context)


def _left_alone(queryset, *, published):
    """
    How many of the selected documents are already published (or, if not, drafts), by
    status: a published record closed by an embargo is published, only not yet public.
    """
    count = queryset.filter(status=Document.Status.PUBLISHED).count()
    return count if published else queryset.count() - count


@admin.action(description="Publish selected documents", permissions=["publish"])
def publish_selected(modeladmin, request, queryset):
    """Publish the selection, after a page listing it; only for those who may publish."""
    if not _confirmed(request):
        already = _left_alone(queryset, published=True)
        return _confirm_documents(
            modeladmin,
            request,
            queryset,
            action="publish_selected",
            title="Publish documents",
            question="Publish these documents on the public site?",
            button="Yes, publish them",
            note=(
                _count_message(
                    already,
                    "%(count)d of them is published already and stays as it is.",
                    "%(count)d of them are published already and stay as they are.",
                )
                if already
                else ""
            ),
        )
    selected = queryset.count()
    changed = services.publish_documents(documents=queryset, user=request.user)
    message = _count_message(
        changed, "Published %(count)d document.", "Published %(count)d documents."
    )
    if selected > changed:
        message += f" {selected - changed} already published."
    modeladmin.message_user(request, message, messages.SUCCESS)
    return None


@admin.action(description="Unpublish (return to draft)", permissions=["publish"])
def unpublish_selected(modeladmin, request, queryset):
    """Return the selection to draft, after a page listing it; only for those who may publish."""
    if not _confirmed(request):
        already = _left_alone(queryset, published=False)
        return _confirm_documents(
            modeladmin,
            request,
            queryset,
            action="unpublish_selected",
            title="Unpublish documents",
            question="Take these documents off the public site and return them to draft?",
            button="Yes, return them to draft",
            note=(
                _count_message(
                    already,
                    "%(count)d of them is a draft already and stays as it is.",
                    "%(count)d of them are drafts already and stay as they are.",
                )
                if already
                else ""
            ),
        )
    selected = queryset.count()
    changed = services.unpublish_documents(documents=queryset, user=request.user)
    message = _count_message(
        changed,
        "Returned %(count)d document to draft.",
        "Returned %(count)d documents to draft.",
    )
    if selected > changed:
        message += f" {selected - changed} were drafts already."
    modeladmin.message_user(request, message, messages.SUCCESS)
    return None


@admin.action(description="Add to a collection…", permissions=["change"])
def add_to_collection(modeladmin, request, queryset):
    """Add the selection to a collection chosen on the confirmation page."""
    form = CollectionChoiceForm(
        request.POST if _confirmed(request) else None, admin_site=modeladmin.admin_site
    )
    if form.is_bound and form.is_valid():
        collection = form.cleaned_data["collection"]
        selected = queryset.count()
        changed = services.add_to_collection(queryset, collection, user=request.user)
        message = _count_message(
            changed, "Added %(count)d document to “{}”.", "Added %(count)d documents to “{}”."
        )
        if selected > changed:
            message += " " + _count_message(
                selected - changed, "%(count)d was in it already.", "%(count)d were in it already."
            )
        modeladmin.message_user(request, format_html(message, collection), messages.SUCCESS)
        return None
    return _confirm_documents(
        modeladmin,
        request,
        queryset,
        action="add_to_collection",
        title="Add documents to a collection",
        question="Which collection should these documents be added to?",
        button="Add them",
        form=form,
        form_heading="The collection",
    )


@admin.action(description="Set the rights statement…", permissions=["change"])
def set_rights(modeladmin, request, queryset):
    """Give the selection a rights statement chosen on the confirmation page."""
    form = RightsChoiceForm(request.POST if _confirmed(request) else None)
    if form.is_bound and form.is_valid():
        rights = form.cleaned_data["rights"]
        selected = queryset.count()
        changed = services.set_rights(queryset, rights, user=request.user)
        message = _count_message(
            changed,
            "Set the rights statement of %(count)d document to “{}”.",
            "Set the rights statement of %(count)d documents to “{}”.",
        )
        if selected > changed:
            message += f" {selected - changed} had it already."
        modeladmin.message_user(request, format_html(message, rights), messages.SUCCESS)
        return None
    return _confirm_documents(
        modeladmin,
        request,
        queryset,
        action="set_rights",
        title="Set the rights statement",
        question="Which rights statement should these documents carry?",
        button="Set it",
        form=form,
        form_heading="The rights statement",
    )


# People -------------------------------------------------------------------------------------


class MergeForm(forms.Form):
    """The record to keep, among the selected people."""

    survivor = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = people


def _merge_candidates(people):
    """Each selected person with what the page shows about them and their plan if kept."""
    candidates = []
    for person in people:
        links = person.document_links.all()
        candidates.append(
            {
                "person": person,
                "links": len(links),
                "documents": len({link.document_id for link in links}),
                "names": [person.display_name, *person.alternate_name_list],
                "authorities": [authority.uri for authority in person.authorities.all()],
                "plan": services.plan_merge(person, [p for p in people if p.pk != person.pk]),
            }
        )
    return candidates


@admin.action(description="Merge selected people…", permissions=["merge"])
def merge_people(modeladmin, request, queryset):
    """
    Merge the selected people into the one chosen on the confirmation page, which shows each
    of them (documents, names, authority links) and what keeping each would do.
    """
    if not services.can_merge_people(request.user):
        modeladmin.message_user(
            request,
            "Merging people needs permission to change and to delete people.",
            messages.ERROR,
        )
        return None
    total = queryset.count()
    if total < 2:
        modeladmin.message_user(request, "Select at least two people to merge.", messages.WARNING)
        return None
    if total > MERGE_LIMIT:
        modeladmin.message_user(
            request,
            f"Select at most {MERGE_LIMIT} people to merge at a time ({total} were selected).",
            messages.WARNING,
        )
        return None

    people = list(queryset.prefetch_related("document_links", "authorities", "redirects"))
    # Most document links first (then the admin's order): the default record to keep.
    default = max(people, key=lambda person: len(person.document_links.all()))
    form = MergeForm(
        request.POST if _confirmed(request) else None,
        people=queryset.model.objects.filter(pk__in=[person.pk for person in people]),
        initial={"survivor": default.pk},
    )
    if form.is_bound and form.is_valid():
        survivor = form.cleaned_data["survivor"]
        others = [person for person in people if person.pk != survivor.pk]
        plan = services.merge_people(survivor, others, user=request.user)
        names = ", ".join(f"“{other.display_name}”" for other in plan.others)
        summary = "; ".join(
            [
                _count_message(
                    plan.links_moved,
                    "%(count)d document link moved",
                    "%(count)d document links moved",
                ),
                _count_message(
                    plan.duplicates_dropped,
                    "%(count)d duplicate dropped",
                    "%(count)d duplicates dropped",
                ),
                _count_message(
                    len(plan.names_added), "%(count)d name added", "%(count)d names added"
                ),
                _count_message(
                    len(plan.authorities_moved),
                    "%(count)d authority link moved",
                    "%(count)d authority links moved",
                ),
            ]
        )
        modeladmin.log_change(
            request, plan.survivor, f"Merged {names} into this record: {summary}."
        )
        modeladmin.message_user(
            request,
            format_html(
                'Merged {} into <a href="{}">{}</a>: {}.',
                names,
                reverse("admin:catalog_person_change", args=[plan.survivor.pk]),
                plan.survivor,
                summary,
            ),
            messages.SUCCESS,
        )
        return None

    chosen = str(form["survivor"].value() or default.pk)
    context = {
        **_page_context(modeladmin, request, title="Merge people", action="merge_people"),
        "form": form,
        "candidates": _merge_candidates(people),
        "chosen": chosen,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, MERGE_TEMPLATE, context)
