from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    """Maintained roll-ups: the machinery (progress.rollups) and the registry through which
    each domain app declares what it counts (progress.registry). It owns no table: each app
    keeps its own count tables and registers them."""

    name = "progress"
    verbose_name = _("Progress")
