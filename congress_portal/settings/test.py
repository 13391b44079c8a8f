"""Settings for the test suite: the embedded defaults unless DATABASE_URL/REDIS_URL are set."""

from .base import *  # noqa: F401,F403
from .base import INSTALLED_APPS, derived_field_key, env

# Development data (demo loader, benchmark tree and commands): never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "devdata"]

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[derived_field_key(SECRET_KEY)])
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# locmem for the unit tests; a worker started by the integration tests writes files instead.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default="")
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run tasks inline; the integration tests start a real worker and switch this off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
LANGUAGE_CODE = "vi"
# Each test process has its own cache, emptied before every test (tests/conftest.py): cached
# dashboards of one test's database must not leak into the next.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
# Tests travel in time (time-machine) with one signed-in client: sessions keep Django's two
# weeks and no working-day limit here; tests/core/test_security_headers.py sets the real ones.
SESSION_COOKIE_AGE = 14 * 24 * 3600
PORTAL_SESSION_MAX_HOURS = 24 * 365 * 100
PORTAL_SESSION_IDLE_MINUTES = 60 * 24 * 365 * 100
