from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from briefings import hooks as briefing_hooks
        from congresses import hooks as congress_hooks
        from personnel import hooks as personnel_hooks

        from . import progress  # noqa: F401 — registers the counter
        from . import rules
        from .pack import petition_counts_section

        personnel_hooks.register_approval_blocker(rules.open_personnel_petitions_block)
        congress_hooks.register_light_rule(rules.LIGHT_RULE)
        # The quarterly briefing pack: open, overdue and personnel petitions, counts only.
        briefing_hooks.register_pack_section(petition_counts_section)
