from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "briefings"
    verbose_name = _("Quarterly briefings")

    def ready(self) -> None:
        from . import tasks  # noqa: F401 — beat's task is known to every process that schedules it
