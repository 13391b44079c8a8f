from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .services import MAX_EXPIRY_DAYS


class ApiTokenForm(forms.Form):
    """A new token: its name, its life (API_TOKEN_DEFAULT_DAYS when left empty) and the
    user's password again, so that a session left open on a shared computer cannot mint a
    key that outlives it (issue 15, point 9)."""

    name = forms.CharField(
        label=_("name"), max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. weekly report script"), "autocomplete": "off"}),
    )
    expires_in_days = forms.IntegerField(
        label=_("expires after (days)"), required=False, min_value=1, max_value=MAX_EXPIRY_DAYS,
        help_text=lazy(lambda: gettext("From 1 to 365 days; left empty, %(days)d days.")
                       % {"days": settings.API_TOKEN_DEFAULT_DAYS}, str)(),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("your password"), strip=False,
        help_text=_("Type your password again to create a token."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."), code="password_incorrect")
        return password


class OTPTokenForm(forms.Form):
    """The six digits of the authenticator app (accounts.views.otp_setup, otp_verify)."""

    token = forms.CharField(
        label=_("code from the app"), min_length=6, max_length=8, strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "pattern": "[0-9]*", "autofocus": True}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not (token.isascii() and token.isdecimal()):
            raise forms.ValidationError(_("Type the digits the app shows."), code="not_digits")
        return token


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
