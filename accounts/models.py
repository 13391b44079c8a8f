"""Users of the portal and their role (DOMAIN.md "Who uses the portal")."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GrantRole(models.TextChoices):
    """The hats a user can wear on a unit (DOMAIN.md "Who uses the portal"). What each one
    lets its holder do is written once, in `accounts.access.POWERS`."""

    VIEWER = "viewer", _("Provincial viewer")
    SECRETARY = "secretary", _("Committee secretary")
    # Given and taken away only by the working-group services (workgroups.services): a
    # user holds it on a unit exactly while they have an active assignment to follow it.
    FOLLOWS = "follows", _("Working-group member")
    # The inspection committee (or internal affairs board) of a superior: handles the
    # petitions about the unit and its subtree and reads the senders' identity
    # (DOMAIN.md "Petition"). Given by administrators in the user admin.
    HANDLES_PETITIONS = "petitions", _("Petition handler")
    # A member of the standing committee in charge of a subordinate unit ("Ủy viên Ban
    # Thường vụ phụ trách huyện", seed 002), given by administrators.
    IN_CHARGE = "in_charge", _("Standing committee member in charge")
    # Given and taken away only by the conclusions services (conclusions.services): a user
    # holds it on a unit exactly while they are a member of one of the unit's bodies
    # (boards, office, front), whose tasks they then answer.
    BODY_MEMBER = "body_member", _("Member of a board")
    ADMIN = "admin", _("Administrator")


# The name the code used before grants; the values are the same.
Role = GrantRole


class User(AbstractUser):
    """A person who signs in. What they may read and change is not on this row: it is the
    sum of their grants (`Grant`), worked out by `accounts.access` only."""

    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="", db_default="",
        help_text=_("The language of the portal's pages and emails for this user, whatever the browser says; "
                    "empty until they choose: Vietnamese."),
    )
    grants_version = models.CharField(
        _("grants version"), max_length=32, blank=True, default="", editable=False,
        help_text=_("Replaced whenever the user's grants change: the key of their cached scope."),
    )
    unread_notifications = models.PositiveIntegerField(
        _("unread notifications"), default=0, editable=False,
        help_text=_("Kept by the reminders app, so the bell in the header costs no query."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.get_username()

    @property
    def scope(self):
        """What the user may read and edit (accounts.access.Scope), once per request."""
        from .access import scope_for

        return scope_for(self)

    @property
    def is_portal_admin(self) -> bool:
        return self.scope.is_admin


class Grant(models.Model):
    """One hat a user wears: a role on a unit ("secretary of Đảng bộ xã An Phú", "viewer of
    Đảng bộ Khối các cơ quan tỉnh"), or the administrator role, which has no unit. A user
    may hold several. Written only by `accounts.services` (grant_add, grant_remove …),
    which keep the user's cached scope current."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="grants", on_delete=models.CASCADE,
    )
    role = models.CharField(_("role"), max_length=16, choices=GrantRole.choices)
    unit = models.ForeignKey(
        "committees.Unit",
        verbose_name=_("unit"),
        related_name="grants",
        # A unit that people hold roles on keeps its history: remove the grants first.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The unit the role applies to (with its whole subtree for reading); empty for an administrator."),
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("granted by"), related_name="+", on_delete=models.SET_NULL, null=True, blank=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["user", "role", "unit"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role=GrantRole.ADMIN) | models.Q(unit__isnull=False),
                name="grant_unit_required_unless_admin",
                violation_error_message=_("Choose the unit this role applies to."),
            ),
            models.CheckConstraint(
                condition=~models.Q(role=GrantRole.ADMIN) | models.Q(unit__isnull=True),
                name="grant_admin_has_no_unit",
                violation_error_message=_("An administrator reads and edits every unit: leave the unit empty."),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"], name="grant_unique_user_role_unit",
                violation_error_message=_("The user already holds this role on this unit."),
            ),
            # NULLs are distinct in a unique index, so the constraint above does not stop a
            # second admin grant (unit NULL); this one does, on every database.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(role=GrantRole.ADMIN), name="grant_one_admin_per_user",
                violation_error_message=_("The user is already an administrator."),
            ),
        ]
        indexes = [
            # The reminder scan finds the recipients of a unit by (role, unit): the
            # secretaries of a unit, of its parent (reminders.scan, accounts.access.sql_holders).
            models.Index(fields=["role", "unit"], name="grant_role_unit_idx"),
        ]

    def __str__(self) -> str:
        if self.unit_id is None:
            return f"{self.user}: {self.get_role_display()}"
        return f"{self.user}: {self.get_role_display()} — {self.unit}"


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
