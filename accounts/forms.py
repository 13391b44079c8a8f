from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_EXPIRY_DAYS


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("name"), max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. weekly report script"), "autocomplete": "off"}),
    )
    expires_in_days = forms.IntegerField(
        label=_("expires after (days)"), required=False, min_value=1, max_value=MAX_EXPIRY_DAYS,
        help_text=_("From 1 to 365 days; leave empty for a token that does not expire."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
