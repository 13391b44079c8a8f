"""The project's URLs plus views that fail in each way, for tests/core/test_error_pages.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import include, path


def forbidden(request):
    raise PermissionDenied


def bad(request):
    raise SuspiciousOperation("tampered")


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("", include("congress_portal.urls")),
    path("test-errors/403/", forbidden),
    path("test-errors/400/", bad),
    path("test-errors/500/", broken),
]
