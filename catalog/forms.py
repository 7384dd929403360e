"""
Forms and formsets for the archivists' admin.

- ``DocumentAdminForm``: reads the EDTF date as a form field (so an invalid date is one clear
  error on the field) and refuses a status change by anyone who may not publish.
- ``PersonAuthorityForm``: normalises authority URIs before the unique check, so the same
  authority in another spelling is a form error naming the person who already holds it.
- ``PositionedInlineFormSet``: rows of an ordered inline (custody chain, people) may leave
  their position blank to go after the others, may swap positions, and may not share one.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max

from . import dates
from .authorities import normalize_authority_uri
from .models import Document, PersonAuthority


def https_formfield(db_field, **kwargs):
    """Form fields for model fields, with a scheme-less URL read as https (Django 6 default)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class DocumentAdminForm(forms.ModelForm):
    """The admin's document form; ``may_publish`` is set per request by ``DocumentAdmin``."""

    may_publish = False

    class Meta:
        model = Document
        formfield_callback = https_formfield
        fields = [
            "record_id",
            "source_identifier",
            "title",
            "doc_type",
            "language",
            "date_edtf",
            "date_text",
            "summary",
            "transcript",
            "subjects",
            "repository",
            "collections",
            "container",
            "source_note",
            "origin_url",
            "rights",
            "rights_note",
            "status",
            "embargo_until",
            "embargo_reason",
            "original_uploaded",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The status as stored (or the default for a new record), before the POST touches it.
        self.stored_status = self.instance.status

    def clean_date_edtf(self):
        """
        Validate the date here rather than only in the model, so that an invalid date is one
        error on the field (with what is wrong and valid examples) and the instance keeps its
        last valid date while the form is shown again.
        """
        return dates.parse(self.cleaned_data["date_edtf"]).edtf

    def clean(self):
        cleaned_data = super().clean()
        status = cleaned_data.get("status")
        if status is not None and status != self.stored_status and not self.may_publish:
            self.add_error(
                "status",
                ValidationError(
                    "Only editors may publish a document or return it to draft; "
                    "leave the status as it is and ask an editor.",
                    code="publish_permission",
                ),
            )
        return cleaned_data


class PersonAuthorityForm(forms.ModelForm):
    """An authority link, compared with the others in its normal form."""

    class Meta:
        model = PersonAuthority
        formfield_callback = https_formfield
        fields = ["uri"]

    def clean_uri(self):
        uri = normalize_authority_uri(self.cleaned_data["uri"])
        holder = (
            PersonAuthority.objects.filter(uri=uri)
            .exclude(pk=self.instance.pk)
            .select_related("person")
            .first()
        )
        if holder is not None and holder.person_id == self.instance.person_id:
            raise ValidationError(
                "This person is already linked to %(uri)s.",
                code="authority_repeated",
                params={"uri": uri},
            )
        if holder is not None:
            raise ValidationError(
                "%(uri)s is already linked to %(person)s; one authority record belongs to "
                "one person. If they are the same person, merge the two records.",
                code="authority_taken",
                params={"uri": uri, "person": holder.person},
            )
        return uri


class PositionedInlineFormSet(forms.BaseInlineFormSet):
    """
    An inline whose rows have a ``position``.

    A blank position puts the row after the others, in the order the rows are shown.  Two
    rows may not share a position.  When saved, rows that move are first parked beyond every
    position in use, so that swapping two rows never trips the database's unique constraint
    half-way.
    """

    position_field = "position"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get(self.position_field)
        if field is not None:
            field.required = False
            field.initial = None
            field.help_text = "Leave blank to put it after the others."
            if form.instance.pk is None:
                form.initial.pop(self.position_field, None)

    def _kept_forms(self):
        """Forms that will be saved or stay as they are (filled in and not deleted)."""
        return [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not self._should_delete_form(form)
        ]

    def clean(self):
        if any(self.errors):
            return super().clean()
        rows = self._kept_forms()
        taken = {}
        for form in rows:
            position = form.cleaned_data.get(self.position_field)
            if position is None:
                continue
            if position in taken:
                form.add_error(
                    self.position_field,
                    ValidationError(
                        "Row %(other)s already has position %(position)s; give each row its "
                        "own position, or leave it blank to put the row last.",
                        code="position_taken",
                        params={"other": taken[position], "position": position},
                    ),
                )
            else:
                taken[position] = self.forms.index(form) + 1
        if any(self.errors):
            return None
        following = max(taken, default=-1) + 1
        for form in rows:
            if form.cleaned_data.get(self.position_field) is None:
                form.cleaned_data[self.position_field] = following
                setattr(form.instance, self.position_field, following)
                following += 1
        return super().clean()

    def save_existing_objects(self, commit=True):
        if commit and self.instance.pk is not None:
            self._park_moving_rows()
        return super().save_existing_objects(commit)

    def _park_moving_rows(self):
        """Move rows that change position (or go) beyond every position old or new."""
        moving = [
            form.instance.pk
            for form in self.initial_forms
            if self.position_field in form.changed_data or self._should_delete_form(form)
        ]
        if not moving:
            return
        manager = self.model._default_manager
        stored = manager.filter(**{self.fk.name: self.instance}).aggregate(
            last=Max(self.position_field)
        )["last"]
        wanted = [form.cleaned_data.get(self.position_field) for form in self._kept_forms()]
        ceiling = max([p for p in [stored, *wanted] if p is not None], default=0)
        for offset, pk in enumerate(moving, start=1):
            manager.filter(pk=pk).update(**{self.position_field: ceiling + offset})
