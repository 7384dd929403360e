"""Public pages (placeholder; replaced by the public-site work)."""

from django.views.generic import TemplateView

HomeView = DocumentListView = DocumentRedirectView = DocumentDetailView = TemplateView
PersonListView = PersonDetailView = CollectionListView = CollectionDetailView = TemplateView
RepositoryListView = RepositoryDetailView = DateBrowseView = DecadeView = TemplateView
YearView = MonthView = TemplateView
