"""Document list and record page (placeholder)."""

from django.views.generic import TemplateView

DocumentListView = DocumentRedirectView = DocumentDetailView = TemplateView
