from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'committees'
    verbose_name = _("Party organisations")

    def ready(self) -> None:
        from . import progress  # noqa: F401  (registers what this app counts)
