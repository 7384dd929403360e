"""Pagination shared by every paginated public list."""


class ElidedPageRangeMixin:
    """
    Adds ``page_range`` to a paginated view's context: the page numbers around the current one
    with ellipses, as ``templates/catalog/includes/_pagination.html`` draws them.
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is not None:
            context["page_range"] = page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            )
        return context
