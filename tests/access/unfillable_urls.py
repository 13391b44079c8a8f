"""The project's URLs plus a pattern whose parameter no rule of the sweep can fill, for the
sweep's meta-test: a new kind of object must be given to the sweep (or PUBLIC), not skipped."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path


def widget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


urlpatterns = [
    path("", include("congress_portal.urls")),
    path("widgets/<int:pk>/", widget_detail, name="widget_detail"),
]
