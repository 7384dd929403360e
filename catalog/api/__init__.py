"""
The read-only JSON API under ``/api/`` (Django REST framework, schema by drf-spectacular).

It publishes what the public pages publish and nothing else: every view starts at a
``published()`` gate (:mod:`catalog.querysets`), the document list is filtered by the HTML
list's own :class:`~catalog.filters.DocumentFilter`, and counts count published documents
only.  See docs/api.md.
"""
