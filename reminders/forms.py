from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationPreference, ReminderPolicy

CHANNEL_FIELDS = ["email_enabled", "inapp_enabled"]
# Which optional reminders concern which users, by the power of a role that brings them
# (accounts.access.POWERS): a secretary gets the reminders of their unit, a provincial
# viewer the weekly digest, someone holding both hats both; an admin sees every choice.
REASON_POWERS = {"due_soon": "unit_reminders", "overdue": "unit_reminders", "weekly_digest": "weekly_digest"}
ALL_REASON_FIELDS = ["due_soon", "overdue", "weekly_digest"]


def reason_fields_for(user) -> list[str]:
    scope = user.scope
    if scope.is_admin:
        return list(ALL_REASON_FIELDS)
    return [name for name in ALL_REASON_FIELDS if getattr(scope.powers, REASON_POWERS[name])]


class NotificationPreferenceForm(forms.ModelForm):
    """The user's choices of reminders. Escalations are not in the form: they always
    reach the user, on every channel."""

    class Meta:
        model = NotificationPreference
        fields = [*CHANNEL_FIELDS, *ALL_REASON_FIELDS]
        help_texts = {
            "email_enabled": _("Reminders sent to your email address."),
            "inapp_enabled": _("Reminders in the portal's notification centre (the bell at the top)."),
            "due_soon": _("Before a milestone of your unit is due."),
            "overdue": _("The day after a milestone of your unit was due, if it is not done."),
            "weekly_digest": _("Once a week: the units in your scope with overdue milestones."),
        }

    def __init__(self, *args, user, days_before=None, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = set(CHANNEL_FIELDS) | set(reason_fields_for(user))
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        if "due_soon" in self.fields and days_before:
            self.fields["due_soon"].help_text = _(
                "%(days)s days before a milestone of your unit is due."
            ) % {"days": ", ".join(str(d) for d in days_before)}

    @property
    def channel_fields(self):
        return [self[name] for name in CHANNEL_FIELDS if name in self.fields]

    @property
    def reason_fields(self):
        return [self[name] for name in ALL_REASON_FIELDS if name in self.fields]


class DaysField(forms.CharField):
    """Whole numbers of days written "7, 3, 1", kept as a list of ints."""

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, (list, tuple)):
            return list(value)
        parts = [p.strip() for p in str(value).replace(";", ",").split(",") if p.strip()]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of days separated by commas, e.g. 7, 3, 1.")) from None


class ReminderPolicyForm(forms.ModelForm):
    days_before = DaysField(
        label=_("days before the due date"), required=False,
        help_text=_("Whole numbers separated by commas, e.g. 7, 3, 1."),
    )

    class Meta:
        model = ReminderPolicy
        fields = "__all__"
