"""Pagination shared by every paginated public list, and the admin's capped count."""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class ElidedPageRangeMixin:
    """
    Adds ``page_range`` to a paginated view's context: the page numbers around the current one
    with ellipses, as ``templates/catalog/includes/_pagination.html`` draws them.
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is not None:
            context["page_range"] = self.elided_page_range(page)
        return context

    @staticmethod
    def elided_page_range(page):
        return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


class CappedCountPaginator(Paginator):
    """
    A paginator that never counts a whole large table: on PostgreSQL it counts up to ``cap``
    rows (``COUNT(*)`` over ``LIMIT cap + 1``) and, beyond that, takes the planner's row
    estimate (``EXPLAIN``), at least ``cap + 1``; ``estimated`` says which.  Elsewhere
    (SQLite) it counts exactly.  Used by the admin's document list (issue 7, item 4).
    """

    cap = 10_000
    estimated = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return super().count
        unordered = queryset.order_by()
        capped = unordered[: self.cap + 1].count()
        if capped <= self.cap:
            return capped
        self.estimated = True
        sql, params = unordered.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return max(self.cap + 1, int(plan[0]["Plan"]["Plan Rows"]))
