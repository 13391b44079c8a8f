from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils import translation
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


class LanguageForm(forms.Form):
    """The profile's language choice, kept on the user (accounts.services.user_set_language)."""

    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES,
        help_text=_("The portal's pages and the emails it sends you are in this language."),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's, with the email in the account holder's language (their choice, else
    Vietnamese), not in the language of whoever typed the address."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        with translation.override(context["user"].language or settings.LANGUAGE_CODE):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)
