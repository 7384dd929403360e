"""Public pages, one module per area: documents (list, record), browse (people, collections,
archives, dates, home)."""

from .browse import (  # noqa: F401
    CollectionDetailView,
    CollectionListView,
    DateBrowseView,
    DecadeView,
    HomeView,
    MonthView,
    PersonDetailView,
    PersonListView,
    RepositoryDetailView,
    RepositoryListView,
    YearView,
)
from .documents import DocumentDetailView, DocumentListView, DocumentRedirectView  # noqa: F401
