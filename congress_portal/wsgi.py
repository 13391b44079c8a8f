"""
WSGI config for congress_portal project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'congress_portal.settings.production')

application = get_wsgi_application()


def _load_and_freeze() -> None:
    """Load what the first request would (the URLconf and the views it imports), then
    keep everything loaded out of the garbage collector's way (core.startup)."""
    from django.urls import get_resolver

    from core.startup import freeze_loaded_objects

    get_resolver().url_patterns  # noqa: B018  (imports every view module)
    freeze_loaded_objects()


_load_and_freeze()
