"""Home, people, collections, archives and date browse (placeholder)."""

from django.views.generic import TemplateView

HomeView = PersonListView = PersonDetailView = CollectionListView = TemplateView
CollectionDetailView = RepositoryListView = RepositoryDetailView = TemplateView
DateBrowseView = DecadeView = YearView = MonthView = TemplateView
