"""Users of the portal and their role (DOMAIN.md "Who uses the portal")."""

from django.contrib.auth.models import AbstractUser
from django.db import models
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
