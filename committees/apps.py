from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'committees'

    def ready(self) -> None:
        from . import progress  # noqa: F401  (registers what this app counts)
