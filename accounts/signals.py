"""A user's API tokens die with their password (issue 15, point 9).

Whatever changes a password — the password change page, a reset by email, the admin's
"set password", `manage.py changepassword`, a script calling set_password() and save() —
or deactivates an account ends up saving the user row, so the rule is kept here, on the
save, rather than in each of those paths: the stored password hash or is_active is compared
with the row before the save, and on a change every live token of the user is revoked in
the same transaction.

A save that names its fields (`update_fields`) without the password or is_active (the last
login, the language) costs no extra query.
"""

from __future__ import annotations

from django.db import transaction

_WATCHED = {"password", "is_active"}
_CHANGED = "_accounts_revoke_tokens"


def remember_credentials(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save: note whether this save changes the password hash or deactivates."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _WATCHED & set(update_fields):
        return
    old = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    changed = old["password"] != instance.password or (old["is_active"] and not instance.is_active)
    setattr(instance, _CHANGED, changed)


def revoke_tokens(sender, instance, created=False, raw=False, **kwargs) -> None:
    """post_save: revoke the tokens when remember_credentials saw a change."""
    if raw or created or not getattr(instance, _CHANGED, False):
        return
    setattr(instance, _CHANGED, False)
    from .services import api_tokens_revoke_all

    with transaction.atomic():
        api_tokens_revoke_all(user=instance)
