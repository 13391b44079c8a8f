from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkgroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workgroups"
    verbose_name = _("Working groups")

    def ready(self) -> None:
        from . import progress  # noqa: F401  (registers what this app counts)
