from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'congresses'
    verbose_name = _("Congresses")

    def ready(self) -> None:
        from . import progress  # noqa: F401  (registers what this app counts)
