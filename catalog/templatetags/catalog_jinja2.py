"""
``{% jinja2 "<name>" key=value … %}``: a Jinja2 template from ``templates/jinja2/`` (the
``jinja2`` engine in ``settings.TEMPLATES``) drawn inside a page of the Django template
language, with only the values given.

For the parts of a page drawn many times over (a list's 25 rows, a few hundred facet values),
where Jinja2 takes half the time the template language does (docs/performance.md); the rest
of every page stays in the template language.
"""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(name="jinja2")
def render_jinja2(name, **values):
    """The template ``name`` drawn with ``values`` (Jinja2 escapes them, as Django does)."""
    return mark_safe(get_template(name, using="jinja2").render(values))
