"""Settings shared by every environment.

Everything that differs between a laptop and production comes from the environment
(12-factor, as in cookiecutter-django):

- ``DATABASE_URL``: PostgreSQL in production (``postgres://user:pass@host:5432/db``);
  defaults to an embedded SQLite file so the portal runs anywhere.
- ``REDIS_URL``: Celery broker and cache (``redis://host:6379/0``); without it Celery uses
  kombu's ``filesystem://`` transport, a broker that needs no server.
- ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``EMAIL_URL``, ``DEFAULT_FROM_EMAIL``.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "core.apps.AxesConfig",  # django-axes, with a name for the admin index
    # A second factor (TOTP) for administrators (issue 15, point 10; accounts/otp.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "accounts",
    "committees",
    "congresses",
    "documents",
    "progress",
    "dashboards",
    "reminders",
    "workgroups",
    "personnel",
    "petitions",
    "conclusions",
    "briefings",
]

MIDDLEWARE = [
    # First: a body larger than PORTAL_MAX_REQUEST_BYTES is refused from its Content-Length,
    # before anything reads it (issue 15, point 7).
    "core.middleware.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy, Permissions-Policy, and no-store on pages that show data.
    "core.middleware.SecurityHeadersMiddleware",
    # Compresses pages (and, before WhiteNoise, static files served from the finders). BREACH
    # needs a secret repeated in a compressed body next to text the attacker controls: the
    # only secret the pages carry is the CSRF token, which Django masks with a fresh random
    # pad on every response (so it never repeats), and GZipMiddleware also pads each
    # compressed body with random bytes (Django 4.2's "heal the breach" mitigation). The
    # session cookie is in a header, which gzip does not touch. Issue 10, point 9.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Idle timeout and absolute lifetime of a session (issue 15, point 8).
    "core.middleware.SessionLifetimeMiddleware",
    # request.user.is_verified(); AdminOTPMiddleware sends an administrator who has not
    # given their second factor to enrol or verify (accounts/otp.py).
    "django_otp.middleware.OTPMiddleware",
    "accounts.otp.AdminOTPMiddleware",
    # The user's language, else the switcher's cookie, else Vietnamese; never the browser's
    # Accept-Language (issue 10). After authentication, which it reads.
    "core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware last: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "congress_portal.urls"
WSGI_APPLICATION = "congress_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.portal",
                "reminders.context_processors.notifications",
            ],
        },
    },
    # The dashboards' cached body and child rows (templates/jinja2/, core/jinja.py): Jinja
    # renders them about twice as fast as DTL (issue 15). Second, so that every other
    # render() and get_template() still finds the DTL templates first. Django's backend sets
    # auto_reload to DEBUG (read when the engine starts, after local.py's override).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "core.jinja.environment",
            "autoescape": True,
            "keep_trailing_newline": True,
        },
    },
]

# Database: one URL. SQLite is the embedded default; PostgreSQL is the production path.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# PostgreSQL: the dashboard's hot queries are prepared on the server once per connection
# (core.sql). 0 behind a pooler that hands one client several server sessions (PgBouncer
# in transaction mode), where a statement prepared on one session is unknown on the next.
PORTAL_PREPARED_STATEMENTS = env.bool("PORTAL_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"].setdefault("options", " ".join([
            # The portal's queries are short: PostgreSQL's JIT spent 1.2 s compiling a
            # 0.4 s sort of the national unit list. Off unless PG_JIT=on.
            f"-c jit={env.str('PG_JIT', default='off')}",
            # The prepared queries are planned once (core.sql); only they read this.
            *(["-c plan_cache_mode=force_generic_plan"] if PORTAL_PREPARED_STATEMENTS else []),
        ]))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # At least 12 characters (issue 15, point 8).
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The proxies in front of the portal (addresses or CIDR blocks, comma-separated). A request
# from one of them is attributed to the rightmost address of X-Forwarded-For that is not a
# trusted proxy; from anywhere else, X-Forwarded-For is ignored (core/proxy.py).
PORTAL_TRUSTED_PROXIES = env.list("PORTAL_TRUSTED_PROXIES", default=[])

# django-axes: lock the (username, IP) pair, so an attacker elsewhere cannot lock out a real
# user; five failures, one hour. The IP is the client's, not the proxy's (core.proxy).
AXES_CLIENT_IP_CALLABLE = "core.proxy.client_ip"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Internationalisation: Vietnamese first, English complete. Dates are dd/mm/yyyy in both
# (see congress_portal/formats/).
LANGUAGE_CODE = "vi"
# The product's one name, on every page, email and the admin: "Cổng Đại hội" (templates
# spell it {% translate "Congress portal" context "product name" %}).
PORTAL_NAME = pgettext_lazy("product name", "Congress portal")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["congress_portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root by WhiteNoise: /favicon.ico, which browsers and crawlers
# ask for whatever the page's <link rel="icon"> says.
WHITENOISE_ROOT = BASE_DIR / "public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded evidence is confidential to the unit's scope: it is never served from a public
# URL, only through a view that checks the scope (congresses.views.milestone_evidence).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Uploaded files above 2.5 MB go to a temporary file, not memory; a form's fields other
# than files may hold 2.5 MB and 1,000 fields at most (Django's defaults, stated).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2621440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# A request body larger than this is refused (413) from its Content-Length before it is
# read (core.middleware.RequestSizeMiddleware): the largest upload plus room for the form.
PORTAL_MAX_REQUEST_BYTES = env.int(
    "PORTAL_MAX_REQUEST_BYTES", default=max(EVIDENCE_MAX_BYTES, IMPORT_MAX_BYTES) + 1024 * 1024
)
# An .xlsx import is refused before openpyxl opens it when it would unpack to more than this
# or declares more rows (committees.importing, core.files.check_xlsx): a 1.5 MB file can
# hold 500,000 rows, which kept a worker busy for 49 s and grew it to 406 MB.
IMPORT_XLSX_MAX_UNPACKED_BYTES = env.int("IMPORT_XLSX_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)

# Sessions are read from the cache (Redis in production) and written through to the
# database: a page costs no session query, and a cache flush logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# A signed-in session ends after PORTAL_SESSION_IDLE_MINUTES without a request and
# PORTAL_SESSION_MAX_HOURS after signing in, however busy: a working day
# (core.middleware.SessionLifetimeMiddleware, stamped at sign-in). The cookie lives as long.
PORTAL_SESSION_IDLE_MINUTES = env.int("PORTAL_SESSION_IDLE_MINUTES", default=60)
PORTAL_SESSION_MAX_HOURS = env.int("PORTAL_SESSION_MAX_HOURS", default=10)
SESSION_COOKIE_AGE = PORTAL_SESSION_MAX_HOURS * 3600

# Headers of every answer (core.middleware.SecurityHeadersMiddleware): no inline script or
# style anywhere (templates load static/js and static/css), nothing from another origin.
PORTAL_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PORTAL_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), interest-cohort=()"
)

# A second factor (TOTP, django-otp) for administrators (accounts/otp.py): required when
# true; the production settings turn it on.
PORTAL_REQUIRE_ADMIN_OTP = env.bool("PORTAL_REQUIRE_ADMIN_OTP", default=False)
# The name the authenticator app shows next to the code.
OTP_TOTP_ISSUER = env.str("PORTAL_OTP_ISSUER", default="Cổng Đại hội")

# Personal API tokens expire after this many days unless their owner chooses fewer.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)

# Email: SMTP in production through EMAIL_URL (smtp+tls://user:pass@host:587); the console
# backend otherwise.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng Đại hội <noreply@localhost>")
# Seconds before an SMTP connection or command gives up: a reminder send holds its row
# locked while it talks to the server (reminders.services.deliveries_send).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The address of the portal as users reach it: links in emails are absolute.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://localhost:8000").rstrip("/")

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport, which needs
# no server (see ../README.md "Configuration").
REDIS_URL = env.str("REDIS_URL", default="")


def cache_prefix(database: dict) -> str:
    """The default of PORTAL_CACHE_PREFIX: the database's host, port and name, so that two
    portals sharing one Redis (a staging and a production, two provinces) never read each
    other's cached pages or scopes, while every process of one portal shares its cache."""
    import hashlib

    where = f"{database.get('HOST', '')}:{database.get('PORT', '')}/{database.get('NAME', '')}"
    return "portal-" + hashlib.sha256(where.encode()).hexdigest()[:10]


# Every cache key starts with this (CACHES KEY_PREFIX): one per deployment.
PORTAL_CACHE_PREFIX = env.str("PORTAL_CACHE_PREFIX", default="") or cache_prefix(DATABASES["default"])
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Longer than any task runs, so acks_late tasks are not redelivered while running.
    # An unacknowledged task (its worker died) goes back to the queue after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",  # Django's, cheaper per call (core/cache.py)
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": PORTAL_CACHE_PREFIX,
        }
    }
else:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # A file cache, shared by the web server and the worker processes (progress of imports).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": PORTAL_CACHE_PREFIX,
        }
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {}

# Deadline reminders (reminders/): beat runs the scans at these local times
# (CELERY_TIMEZONE); nothing is ever scheduled days ahead. The weekly digest task runs
# daily and sends only on the weekday of the reminder policy (admin-editable).
REMINDERS_SCAN_AT = env.str("REMINDERS_SCAN_AT", default="06:30")
REMINDERS_DIGEST_AT = env.str("REMINDERS_DIGEST_AT", default="07:00")
REMINDERS_BATCH_SIZE = env.int("REMINDERS_BATCH_SIZE", default=100)  # deliveries per send task
REMINDERS_MAX_ATTEMPTS = env.int("REMINDERS_MAX_ATTEMPTS", default=6)  # sends of one email before giving up
REMINDERS_RETRY_BACKOFF = env.int("REMINDERS_RETRY_BACKOFF", default=60)  # seconds, doubled per retry
REMINDERS_RETRY_BACKOFF_MAX = env.int("REMINDERS_RETRY_BACKOFF_MAX", default=1800)
# A queued email still pending (its task lost) or a retry overdue by this long is queued again.
REMINDERS_REQUEUE_AFTER_MINUTES = env.int("REMINDERS_REQUEUE_AFTER_MINUTES", default=60)


def _at(value: str, name: str) -> dict:
    hour, _sep, minute = value.partition(":")
    if not (hour.isdecimal() and minute.isdecimal() and int(hour) < 24 and int(minute) < 60):
        raise ValueError(f"{name} must be HH:MM, e.g. 06:30 (got {value!r})")
    return {"hour": int(hour), "minute": int(minute)}


CELERY_BEAT_SCHEDULE.update({
    "reminders-daily-scan": {
        "task": "reminders.daily_scan",
        "schedule": crontab(**_at(REMINDERS_SCAN_AT, "REMINDERS_SCAN_AT")),
    },
    "reminders-weekly-digest": {
        "task": "reminders.weekly_digest",
        "schedule": crontab(**_at(REMINDERS_DIGEST_AT, "REMINDERS_DIGEST_AT")),
    },
    "reminders-sweep": {"task": "reminders.sweep", "schedule": crontab(minute="*/10")},
    # Quarterly briefings: the quarter-end snapshot of the roll-ups, taken by the first run
    # after a quarter ends (the others find it taken), before the reminder scan.
    "briefings-quarter-snapshot": {"task": "briefings.snapshot_previous_quarter",
                                   "schedule": crontab(hour=0, minute=30)},
})

# Quarterly reports (briefings/) are due this many days before the quarter's last day
# (negative: after it); reminders follow the reminder policy's days before and the first
# overdue day.
BRIEFINGS_REPORT_DUE_DAYS_BEFORE_END = env.int("BRIEFINGS_REPORT_DUE_DAYS_BEFORE_END", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True


# Keys of the personnel plans' fields encrypted at rest (personnel.fields), Fernet keys
# separated by commas: the first encrypts, every one decrypts, so a key is rotated by
# putting a new one first and re-saving the rows (MultiFernet). Production requires them
# (settings.production); local and test settings derive one from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])


def derived_field_key(secret: str) -> str:
    """A Fernet key derived from SECRET_KEY, for development and tests only: data encrypted
    with it is only as safe as SECRET_KEY, and changing SECRET_KEY makes it unreadable."""
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(f"field-encryption:{secret}".encode()).digest()).decode()

# The deployed release (e.g. the commit), part of the cached dashboard bodies' keys
# (dashboards.cache.release); empty: a digest of the templates, computed at start-up.
PORTAL_RELEASE = env.str("PORTAL_RELEASE", default="")

# Petitions (issue 14): a congress within this many days with an open petition about its
# personnel is red ("resolved before the congress", petitions.rules).
PETITION_RED_DAYS = env.int("PETITION_RED_DAYS", default=30)
