"""Settings for a developer's machine and the run command (`make run`)."""

from .base import *  # noqa: F401,F403
from .base import INSTALLED_APPS, derived_field_key, env

# Development data (demo loader, benchmark tree and commands): never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "devdata"]

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="local-insecure-key-do-not-use-in-production")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[derived_field_key(SECRET_KEY)])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "0.0.0.0"])
# Serve static files from the app folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
