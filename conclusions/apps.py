from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConclusionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conclusions"
    verbose_name = _("Conclusions and tasks")

    def ready(self) -> None:
        from briefings import hooks as briefing_hooks

        from .briefing_pack import last_conclusion_section

        # The quarterly briefing pack opens with the last conclusion and its tasks' states.
        briefing_hooks.register_pack_section(last_conclusion_section, first=True)
