"""Public pages, one module per area: documents (list, record), citations (downloads), browse
(people, collections, archives, dates, home)."""

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
from .citations import DocumentCitationView  # noqa: F401
from .documents import DocumentDetailView, DocumentListView, DocumentRedirectView  # noqa: F401
from .exports import DocumentExportView  # noqa: F401
