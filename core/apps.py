from axes import apps as axes_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True  # apps.py also holds AxesConfig
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # With the embedded filesystem broker, a web process may enqueue a task (an import)
        # before any worker has created the queue folders.
        from congress_portal.celery import ensure_broker_folders

        ensure_broker_folders()

        from django.contrib.auth.signals import user_logged_in

        from .middleware import on_login, stamp_login

        user_logged_in.connect(on_login, dispatch_uid="core_language_on_login")
        user_logged_in.connect(stamp_login, dispatch_uid="core_session_stamp_on_login")


class AxesConfig(axes_apps.AppConfig):
    """django-axes (sign-in throttling) under a name the admin index can show in the
    portal's language: axes gives its app no verbose_name, so the index said "AXES".
    INSTALLED_APPS names this class instead of "axes"; the label stays "axes"."""

    verbose_name = _("Login security")
