from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonnelConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "personnel"
    verbose_name = _("Personnel plans")

    def ready(self) -> None:
        from . import progress  # noqa: F401 — registers the counter
