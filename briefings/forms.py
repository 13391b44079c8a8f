from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProposalStatus, Theme

ANSWER_CHOICES = [(s, label) for s, label in ProposalStatus.choices if s != ProposalStatus.OPEN]


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("Summary of the quarter"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("In the unit's own words: what was done this quarter."))


class RowForm(forms.Form):
    """A difficulty or a proposal: a theme and the text."""

    theme = forms.ChoiceField(label=_("Theme"), choices=[("", "—"), *Theme.choices])
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Answer"), choices=ANSWER_CHOICES, widget=forms.RadioSelect)
    answer = forms.CharField(label=_("Answer or reason"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Required when answered or not accepted (the reason)."))
    forwarded_to = forms.CharField(label=_("Forwarded to"), required=False, max_length=255,
                                   help_text=_("The board, office or unit that will act on it."))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why it is reopened"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class OpenReportForm(forms.Form):
    quarter = forms.ChoiceField(label=_("Quarter"))

    def __init__(self, *args, quarters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(q.key, q.label) for q in quarters]
