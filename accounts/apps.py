from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'accounts'

    def ready(self) -> None:
        from committees.signals import tree_reshaped

        from . import access

        # Cached scopes hold unit paths: a move or an import makes them stale.
        tree_reshaped.connect(access.tree_changed, dispatch_uid="access_tree_changed")
