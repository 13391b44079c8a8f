"""Markup the Django templates share with the Jinja ones (core.jinja), each kept once:

- `{% progress done total %}`: the steps-done bar (core.markup.progress, also a Jinja global);
- `{% jinja "dashboards/includes/by_level.html" links=True %}`: a Jinja template included in
  a DTL page (the briefing, the quarterly pack), with the page's context flattened and the
  keyword arguments on top, like `{% include … with … %}`; the parts of the dashboard's body
  those pages also show are Jinja templates since the body is rendered by Jinja (issue 15).
"""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

from core.markup import progress as progress_markup

register = template.Library()


@register.simple_tag
def progress(done, total):
    return progress_markup(done, total)


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **extra):
    values = context.flatten()
    values.update(extra)
    return mark_safe(engines["jinja2"].get_template(template_name).render(values))  # noqa: S308 (Jinja autoescapes)
