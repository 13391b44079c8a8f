from django import forms
from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core import files

from .models import (
    Congress,
    CongressStatus,
    Milestone,
    MilestoneStatus,
    SubcommitteeKind,
    SubcommitteeRole,
    future_error,
)

EVIDENCE_EXTENSIONS = ["pdf", "doc", "docx", "odt", "xls", "xlsx", "ods", "jpg", "jpeg", "png"]


class DateInput(forms.DateInput):
    """The browser's own date picker (issue 10, point 9): on a phone a calendar rather than
    a keyboard. Its value travels as yyyy-mm-dd whatever the language; the browser shows
    it in the user's locale (dd/mm/yyyy in Vietnamese), and the fields still accept a typed
    dd/mm/yyyy (DATE_INPUT_FORMATS) from a browser without a picker."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "date", **(attrs or {})}, format="%Y-%m-%d")


class MilestoneForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=MilestoneStatus.choices)
    done_on = forms.DateField(label=_("date done"), required=False, widget=DateInput())
    evidence_number = forms.CharField(
        label=_("document number"), max_length=64, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 05-KH/ĐU")}),
    )
    evidence_file = forms.FileField(
        label=_("evidence file"), required=False,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
        help_text=_("PDF, Word, Excel or a picture; at most %(size)s.")
        % {"size": filesizeformat(settings.EVIDENCE_MAX_BYTES)},
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            files.check_upload(upload)  # its size, and its content agreeing with its name
        return upload

    def clean_done_on(self):
        # Also in Milestone.clean (the services, the admin, the loaders); here so that the
        # form says it before anything is saved.
        done_on = self.cleaned_data.get("done_on")
        if error := future_error(done_on, str(Milestone._meta.get_field("done_on").verbose_name)):
            raise forms.ValidationError(error)
        return done_on

    def clean(self):
        data = super().clean()
        if data.get("status") == MilestoneStatus.DONE and not data.get("done_on"):
            self.add_error("done_on", _("Give the date the step was done."))
        return data


class CongressForm(forms.ModelForm):
    """A unit's own congress, as its secretary keeps it. Whether it is a pilot congress is
    the superior's choice (issue 9, point 11: `congresses.services.pilots_choose`, the
    superior unit's "pilot congresses" page) and not a field here; the admin can change it.
    The model's clean() holds the date rules (nothing done or held in the future, dates
    inside the term, registered before the congress date)."""

    class Meta:
        model = Congress
        fields = [
            "ordinal", "planned_date", "registered_on", "status", "held_on",
            "executive_seats_elected", "secretary_elected_directly", "secretary_vote_share", "note",
        ]
        widgets = {
            "planned_date": DateInput(), "registered_on": DateInput(), "held_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
            "secretary_elected_directly": forms.NullBooleanSelect(),
        }

    def clean(self):
        data = super().clean()
        if data.get("held_on") and data.get("status") == CongressStatus.PREPARING:
            data["status"] = CongressStatus.HELD
        return data


class PilotsForm(forms.Form):
    """The superior unit's choice of the subordinates that hold pilot congresses: one box
    per active direct subordinate (services.pilots_choose)."""

    pilots = forms.TypedMultipleChoiceField(
        label=_("pilot congresses"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilots"].choices = [(u.pk, u.name) for u in units]


class SubcommitteeForm(forms.Form):
    """A subcommittee with its decision and its people; the members one a line,
    "full name, position"."""

    kind = forms.ChoiceField(label=_("kind"), choices=SubcommitteeKind.choices)
    name = forms.CharField(label=_("name"), max_length=255, required=False,
                           help_text=_("For another subcommittee: its name."))
    decision_number = forms.CharField(label=_("decision number"), max_length=64,
                                      widget=forms.TextInput(attrs={"placeholder": _("e.g. 12-QĐ/ĐU")}))
    decision_date = forms.DateField(label=_("decision date"), widget=DateInput())
    head_name = forms.CharField(label=_("head of the subcommittee"), max_length=255)
    head_position = forms.CharField(label=_("head's position"), max_length=255, required=False)
    members = forms.CharField(
        label=_("members"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One member a line: full name, position."),
    )

    def clean_members(self) -> list:
        from .services import Person

        people = []
        for line in self.cleaned_data.get("members", "").splitlines():
            name, _sep, position = line.partition(",")
            if name.strip():
                people.append(Person(name.strip()[:255], position.strip()[:255]))
        return people

    @classmethod
    def initial_for(cls, subcommittee) -> dict:
        people = list(subcommittee.members.all())
        head = next((p for p in people if p.role == SubcommitteeRole.HEAD), None)
        return {
            "kind": subcommittee.kind, "name": subcommittee.name, "decision_number": subcommittee.decision_number,
            "decision_date": subcommittee.decision_date, "head_name": head.full_name if head else "",
            "head_position": head.position if head else "",
            "members": "\n".join(f"{p.full_name}, {p.position}" if p.position else p.full_name
                                 for p in people if p is not head),
        }

    def service_kwargs(self) -> dict:
        from .services import Person

        data = self.cleaned_data
        return {
            "kind": data["kind"], "name": data["name"], "decision_number": data["decision_number"],
            "decision_date": data["decision_date"], "head": Person(data["head_name"], data["head_position"]),
            "members": data["members"],
        }
