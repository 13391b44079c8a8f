from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Body, Gender, Nominee, PersonnelPlan


class PlanForm(forms.ModelForm):
    class Meta:
        model = PersonnelPlan
        fields = ["executive_seats", "standing_seats", "deputy_seats", "inspection_seats", "delegation_seats",
                  "secretary_elected_directly", "planning_reviewed", "planning_added"]


class NomineeForm(forms.Form):
    """A nominee's data, typed by the secretary; saved by the services (encrypted)."""

    full_name = forms.CharField(label=_("full name"), max_length=120)
    date_of_birth = forms.DateField(label=_("date of birth"), help_text=_("dd/mm/yyyy"))
    gender = forms.ChoiceField(label=_("gender"), choices=Gender.choices)
    ethnicity = forms.CharField(label=_("ethnicity"), max_length=60, initial="Kinh")
    education = forms.CharField(label=_("education"), max_length=120, required=False)
    political_theory = forms.CharField(label=_("political theory level"), max_length=60, required=False)
    current_position = forms.CharField(label=_("current position"), max_length=250, required=False)
    renominated = forms.BooleanField(label=_("re-nominated"), required=False)
    bodies = forms.MultipleChoiceField(label=_("proposed for"), choices=Body.choices,
                                       widget=forms.CheckboxSelectMultiple)

    @classmethod
    def for_nominee(cls, nominee: Nominee, **kwargs) -> NomineeForm:
        return cls(initial={name: getattr(nominee, name) for name in cls.base_fields}, **kwargs)

    def preview(self, plan) -> Nominee:
        """An unsaved nominee with the typed data, for the live checks."""
        return Nominee(plan=plan, **self.cleaned_data)


class AcknowledgeForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=4000)


class ResultsForm(forms.Form):
    """Who was elected to each body: for each nominee and each body they were proposed for,
    elected or not, votes and round; valid ballots per body."""

    def __init__(self, *args, plan, nominees, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.rows = []
        existing = {(e.nominee_id, e.body): e for e in plan.elections.all()}
        ballots = {e.body: e.ballots for e in existing.values()}
        self.bodies = []
        for body, seats in plan.seats().items():
            if not seats:
                continue
            name = f"ballots_{body}"
            self.fields[name] = forms.IntegerField(label=_("valid ballots"), min_value=0, required=False,
                                                   initial=ballots.get(body))
            entries = []
            for n in nominees:
                if body not in n.bodies:
                    continue
                e = existing.get((n.pk, body))
                prefix = f"e_{n.pk}_{body}"
                self.fields[f"{prefix}_elected"] = forms.BooleanField(label=_("elected"), required=False,
                                                                      initial=e is not None)
                self.fields[f"{prefix}_votes"] = forms.IntegerField(label=_("votes"), min_value=0, required=False,
                                                                    initial=e.votes if e else None)
                self.fields[f"{prefix}_round"] = forms.IntegerField(label=_("round"), min_value=1, initial=e.round if e else 1,
                                                                    required=False)
                entries.append((n, prefix))
            self.bodies.append((body, Body(body).label, seats, name, entries))

    def layout(self):
        """The bound fields by body, for the template."""
        return [
            {"body": body, "label": label, "seats": seats, "ballots": self[name],
             "rows": [{"nominee": n, "elected": self[f"{p}_elected"], "votes": self[f"{p}_votes"],
                       "round": self[f"{p}_round"]} for n, p in entries]}
            for body, label, seats, name, entries in self.bodies
        ]

    def clean(self):
        cleaned = super().clean()
        self._elected = self._collect()
        return cleaned

    def elected(self):
        return self._elected

    def _collect(self):
        from .services import Elected

        out = []
        for body, _label, _seats, ballots_name, entries in self.bodies:
            ballots = self.cleaned_data.get(ballots_name)
            for n, prefix in entries:
                if not self.cleaned_data.get(f"{prefix}_elected"):
                    continue
                votes = self.cleaned_data.get(f"{prefix}_votes")
                if votes is None or not ballots:
                    raise forms.ValidationError(_("Enter the votes and the valid ballots of everyone elected."))
                out.append(Elected(nominee_id=n.pk, body=body, votes=votes, ballots=ballots,
                                   round=self.cleaned_data.get(f"{prefix}_round") or 1))
        return out
