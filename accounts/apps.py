from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'accounts'
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from committees.signals import tree_reshaped

        from . import access

        # Cached scopes hold unit paths: a move or an import makes them stale.
        tree_reshaped.connect(access.tree_changed, dispatch_uid="access_tree_changed")

        from django.db.models.signals import post_save, pre_save

        from . import signals
        from .models import User

        pre_save.connect(signals.remember_credentials, sender=User, dispatch_uid="accounts_remember_credentials")
        post_save.connect(signals.revoke_tokens, sender=User, dispatch_uid="accounts_revoke_tokens")
