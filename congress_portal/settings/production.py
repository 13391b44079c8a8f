"""Production settings: PostgreSQL, Redis, SMTP, HTTPS behind a proxy.

Refuses to start without SECRET_KEY; `manage.py check --deploy` passes with no warning.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters in production."
    )

# The personnel plans' encrypted fields (personnel.fields): never derived from SECRET_KEY
# here, so that a leaked SECRET_KEY does not also open the nominees' data.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must be set in production: Fernet keys, comma-separated "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )

# HTTPS. Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# /healthz is probed over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# The benchmarks (`manage.py bench_dashboard`, `bench_reminders`) measure the production
# settings too; their app (devdata) is added only when PORTAL_BENCHMARKS is set, which a
# deployment never does. They work in a database of their own (`<NAME>_bench`).
if env.bool("PORTAL_BENCHMARKS", default=False):
    from .base import INSTALLED_APPS

    INSTALLED_APPS = [*INSTALLED_APPS, "devdata"]
# The language switcher's cookie too (core.views.set_language, accounts.views.profile).
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Administrators give a second factor (TOTP) after their password (accounts/otp.py).
PORTAL_REQUIRE_ADMIN_OTP = env.bool("PORTAL_REQUIRE_ADMIN_OTP", default=True)
