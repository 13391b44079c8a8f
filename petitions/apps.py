from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from congresses import hooks as congress_hooks
        from personnel import hooks as personnel_hooks

        from . import progress  # noqa: F401 — registers the counter
        from . import rules

        personnel_hooks.register_approval_blocker(rules.open_personnel_petitions_block)
        congress_hooks.register_light_rule(rules.LIGHT_RULE)
