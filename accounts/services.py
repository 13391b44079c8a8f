"""Writes to accounts: personal API tokens and grants. Views and admin actions call these;
they never save an ApiToken or a Grant themselves."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access
from .models import ApiToken, Grant, User

# Every key starts with this, so a leaked key is easy to recognise (secret scanners, logs)
# and a header that is not one of ours is refused without a query.
TOKEN_PREFIX = "cdh_"
PREFIX_SHOWN = 8  # characters of the key kept in clear to tell the user's tokens apart
MAX_EXPIRY_DAYS = 365


def hash_key(plaintext: str) -> str:
    """SHA-256 in hex. A plain hash (not a slow password hash) is enough: the key has
    256 random bits, so it cannot be guessed from its hash, and it must be checked on
    every request."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user` and return it with its key in clear. The key is not
    stored and cannot be shown again: the caller shows it once.

    1. draw the key (`cdh_` + 32 random bytes, URL-safe base64);
    2. store its hash and its first characters;
    3. expire it `expires_in_days` from now (1–365), by default API_TOKEN_DEFAULT_DAYS (90):
       every token expires (issue 15, point 9).

    The tokens page asks for the password again before it calls this (ApiTokenForm).
    """
    if expires_in_days is None:
        expires_in_days = settings.API_TOKEN_DEFAULT_DAYS
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ValidationError(
            {"expires_in_days": _("Choose between 1 and %(max)d days.") % {"max": MAX_EXPIRY_DAYS}}
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        key_hash=hash_key(plaintext),
        prefix=plaintext[:PREFIX_SHOWN],
        expires_at=timezone.now() + dt.timedelta(days=expires_in_days),
    )
    token.full_clean()
    token.save()
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token for good; revoking it again changes nothing (the first date stays)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of `user`: their password changed or their account was
    deactivated (accounts.signals), so scripts holding a key made under the old password
    stop at once. Returns how many were revoked."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Second factor: TOTP devices (accounts/otp.py) ---------------------------------------------


@transaction.atomic
def otp_device_pending(*, user: User):
    """The user's device being enrolled (unconfirmed), created with a fresh random key on
    first call; the enrolment page shows its key until a code confirms it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@transaction.atomic
def otp_device_confirm(*, device, token: str) -> bool:
    """Confirm an enrolled device with a code it produced (django-otp checks it, with its
    throttling of wrong codes). On success the device is the user's second factor and any
    other device of theirs is removed: one authenticator per person."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    return True


# --- Grants: who wears which hat (accounts.models.Grant, accounts.access) ----------------------


def _clean_grant(grant: Grant) -> None:
    grant.full_clean(exclude=["created_by"])


@transaction.atomic
def grant_add(*, user: User, role: str, unit=None, by: User | None = None) -> Grant:
    """Give `user` the `role` on `unit` (no unit for the administrator role).

    1. validate (unit required unless admin, none for admin, not held already);
    2. write the grant;
    3. replace the user's grants version in the same transaction, so their cached scope
       (accounts.access) is unreachable from the commit on: the next request sees it.
    """
    grant = Grant(user=user, role=role, unit=unit, created_by=by)
    _clean_grant(grant)
    grant.save()
    access.grants_changed(user)
    return grant


@transaction.atomic
def grant_change(*, grant: Grant, role: str, unit=None) -> Grant:
    """Change a grant's role or unit (the user admin's inline edits a row in place)."""
    grant.role, grant.unit = role, unit
    _clean_grant(grant)
    grant.save(update_fields=["role", "unit"])
    access.grants_changed(grant.user)
    return grant


@transaction.atomic
def grant_remove(*, grant: Grant) -> None:
    """Take a hat away; a user left without grants sees nothing (the "no scope" page)."""
    user = grant.user
    Grant.objects.filter(pk=grant.pk).delete()
    access.grants_changed(user)



@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Keep `language` as the user's choice: their pages (core.middleware) and their
    emails (reminders.emails) follow it from the next request on."""
    if user.language == language:
        return user
    user.language = language
    user.full_clean(validate_unique=False, validate_constraints=False, exclude=["password"])
    user.save(update_fields=["language"])
    return user
