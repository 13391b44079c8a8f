from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevdataConfig(AppConfig):
    """Development data: the demo province, the national benchmark tree and the benchmark
    commands. Installed by the local and test settings only; production carries none of it."""

    name = "devdata"
    verbose_name = _("Development data")
