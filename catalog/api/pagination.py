"""Page-number pagination for every API list: ``count``, ``next``, ``previous``, ``results``."""

from rest_framework.pagination import PageNumberPagination


class CataloguePagination(PageNumberPagination):
    """
    ``?page=2``, and ``?page_size=`` up to ``max_page_size``; the default page size is the
    HTML lists' (``REST_FRAMEWORK["PAGE_SIZE"]``), so page *n* holds the same records in both.
    A page that is not a number or out of range is a 404, as on the HTML list.
    """

    page_size_query_param = "page_size"
    max_page_size = 100
