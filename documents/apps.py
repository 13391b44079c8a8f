from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import progress  # noqa: F401  (registers what this app counts)
        from .search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="documents.sqlite_fold")
