from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"

    def ready(self) -> None:
        # With the embedded filesystem broker, a web process may enqueue a task (an import)
        # before any worker has created the queue folders.
        from congress_portal.celery import ensure_broker_folders

        ensure_broker_folders()
