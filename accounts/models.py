"""Users of the portal and their role (DOMAIN.md "Who uses the portal")."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Provincial viewer")
    SECRETARY = "secretary", _("Committee secretary")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A person who signs in. Their `unit` is the root of what they may read: a provincial
    viewer reads that subtree; a secretary edits that unit's congress and reads its
    subtree; an admin reads and edits everything."""

    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    unit = models.ForeignKey(
        "committees.Unit",
        verbose_name=_("unit"),
        related_name="users",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The unit whose subtree the user reads; a secretary's own unit."),
    )
    unread_notifications = models.PositiveIntegerField(
        _("unread notifications"), default=0, editable=False,
        help_text=_("Kept by the reminders app, so the bell in the header costs no query."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="secretary") | models.Q(unit__isnull=False),
                name="user_secretary_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.get_username()

    @property
    def is_portal_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_secretary(self) -> bool:
        return self.role == Role.SECRETARY


class ApiTokenState(models.TextChoices):
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


class ApiToken(models.Model):
    """A personal key with which a user's scripts read the portal's JSON (docs/api.md)
    in that user's name and scope. Only a hash of the key is kept: the key itself is shown
    once, when it is created (accounts.services.api_token_create). A token only ever reads."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="api_tokens", on_delete=models.CASCADE,
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. the script that uses it."))
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False,
                                help_text=_("SHA-256 of the key, in hex; the key itself is not stored."))
    prefix = models.CharField(_("prefix"), max_length=8, editable=False,
                              help_text=_("The first characters of the key, to recognise it."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def state(self, now=None) -> str:
        if self.revoked_at is not None:
            return ApiTokenState.REVOKED
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return ApiTokenState.EXPIRED
        return ApiTokenState.ACTIVE

    def get_state_display(self) -> str:
        return ApiTokenState(self.state()).label

    @property
    def is_active(self) -> bool:
        return self.state() == ApiTokenState.ACTIVE
