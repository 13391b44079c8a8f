"""The URLconf of `manage.py bench_dashboard`: the project's URLs plus the benchmark's
floor, a bare view that renders N unit rows from one query through a minimal template
(no base.html, no translations, no user, no session access). The portal itself never
routes here; the benchmark switches to it with override_settings(ROOT_URLCONF=...)."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from committees.models import Unit

BARE_TEMPLATE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>rows</title></head><body>
<table><thead><tr><th>unit</th><th>code</th><th>level</th><th>kind</th><th>depth</th><th>path</th><th>active</th><th>changed</th></tr></thead>
<tbody>{% for u in units %}<tr><td><a href="{% url 'dashboards:unit_dashboard' u.pk %}">{{ u.name }}</a></td><td>{{ u.code }}</td><td>{{ u.level }}</td><td>{{ u.kind }}</td><td>{{ u.depth }}</td><td>{{ u.path }}</td><td>{{ u.is_active|yesno }}</td><td>{{ u.updated_at|date:"SHORT_DATE_FORMAT" }}</td></tr>
{% endfor %}</tbody></table></body></html>"""

_template = None


def bare_rows(request: HttpRequest, n: int) -> HttpResponse:
    """`n` units from one query, as many table rows (eight cells each, one link) as the
    dashboard it is compared with."""
    global _template
    if _template is None:  # compiled once, as the cached template loader does for files
        _template = engines["django"].from_string(BARE_TEMPLATE)
    units = list(Unit.objects.order_by("path")[:n])
    return HttpResponse(_template.render({"units": units}))


urlpatterns = [
    path("__bench__/rows/<int:n>/", bare_rows, name="bench_rows"),
    path("", include("congress_portal.urls")),
]
