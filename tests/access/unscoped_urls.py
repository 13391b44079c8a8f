"""The project's URLs plus one view without a scope check, for the sweep's meta-test
(tests/access/test_authorization.py): `units/<pk>/leak/` shows any unit's name to anyone
and renames it on POST. The portal never routes here."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from committees.models import Unit
from committees.services import unit_update


def unit_leak(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)  # the bug: Unit.objects, not .visible_to(request.user)
    if request.method == "POST":
        unit_update(unit=unit, name=f"{unit.name} (renamed)", level=unit.level, kind=unit.kind,
                    is_active=unit.is_active)
    return HttpResponse(unit.name)


urlpatterns = [
    path("", include("congress_portal.urls")),
    path("units/<int:pk>/leak/", unit_leak, name="unit_leak"),
]
