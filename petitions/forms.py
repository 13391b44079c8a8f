from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import scope_for
from committees.models import Unit
from congresses.forms import DateInput
from personnel.models import Nominee

from .models import DeadlineRule, PetitionChannel, PetitionKind, PetitionStatus
from .services import MAX_EXTENSION_DAYS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def nominees_of(unit: Unit | None):
    """The nominees a petition about `unit` may concern: those of its personnel plans."""
    if unit is None:
        return Nominee.objects.none()
    return Nominee.objects.filter(plan__congress__unit=unit).select_related("plan__congress__unit")


class NomineeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Nominee) -> str:
        # Shown to petition handlers only (the form is behind can_handle_petition).
        return f"{obj.full_name} — {obj.plan.congress.unit.name}"


class PetitionForm(forms.Form):
    """Register a petition. The sender's fields are stored encrypted, apart from the case.

    A handler of more than SELECT_LIMIT units chooses the unit by searching for it (the
    unit picker, `unit_picker`); a list would be every unit of a province, or of the
    country for an administrator. The nominees offered are those of the chosen unit's
    personnel plans only (`chosen_unit`; the page asks for them again when the unit
    changes), never every nominee the user could reach."""

    SELECT_LIMIT = 200

    received_on = forms.DateField(label=_("received on"), widget=DateInput())
    channel = forms.ChoiceField(label=_("channel"), choices=PetitionChannel.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=PetitionKind.choices)
    unit = forms.ModelChoiceField(label=_("concerned unit"), queryset=Unit.objects.none())
    about_personnel = forms.BooleanField(
        label=_("about congress personnel"), required=False,
        help_text=_("Ticked by itself when a nominee is chosen."))
    nominee = NomineeChoice(label=_("nominee concerned"), queryset=Nominee.objects.none(), required=False)
    summary = forms.CharField(label=_("summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    anonymous = forms.BooleanField(label=_("anonymous"), required=False)
    sender_name = forms.CharField(label=_("sender's name"), max_length=200, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "off"}))
    sender_contact = forms.CharField(label=_("sender's telephone or email"), max_length=200, required=False,
                                     widget=forms.TextInput(attrs={"autocomplete": "off"}))
    sender_address = forms.CharField(label=_("sender's address"), max_length=400, required=False,
                                     widget=forms.TextInput(attrs={"autocomplete": "off"}))
    handler = forms.ModelChoiceField(label=_("assigned handler"), queryset=None, required=False)
    attachments = MultipleFileField(label=_("attachments"), required=False,
                                    help_text=_("The letter and its enclosures: .pdf, .docx, .doc, .odt, .xlsx, "
                                                "or a photo."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.access import roles_with
        from accounts.models import Grant, User

        scope = scope_for(user)
        units = Unit.objects.filter(scope.petitions_q("path"), is_active=True).order_by("path")
        self.fields["unit"].queryset = units
        self.unit_picker = units[: self.SELECT_LIMIT + 1].count() > self.SELECT_LIMIT
        raw = self.data.get("unit") if self.is_bound else self.initial.get("unit")
        self.chosen_unit = units.filter(pk=raw).first() if str(raw or "").isdecimal() else None
        self.chosen_units = [self.chosen_unit] if self.chosen_unit else []
        self.fields["nominee"].queryset = nominees_of(self.chosen_unit)
        self.fields["nominee"].widget.attrs["data-url"] = reverse("petitions:nominee_options", args=[0])
        handlers = Grant.objects.filter(role__in=roles_with("handles_petitions"),
                                        unit__in=Unit.objects.filter(scope.petitions_q("path"))).values("user_id")
        self.fields["handler"].queryset = User.objects.filter(pk__in=handlers, is_active=True).order_by("full_name")


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("assigned handler"), queryset=None)

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["handler"].queryset = User.objects.filter(pk__in=[u.pk for u in handlers])


CLASSIFY_CHOICES = [(PetitionStatus.ACCEPTED, _("Accept for handling")),
                    (PetitionStatus.TRANSFERRED, _("Transfer to the competent body")),
                    (PetitionStatus.FILED, _("Keep for reference"))]


class ClassifyForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=CLASSIFY_CHOICES, widget=forms.RadioSelect)
    transferred_to = forms.CharField(label=_("transferred to"), max_length=250, required=False,
                                     help_text=_("For a transfer: the body that receives the petition."))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConcludeForm(forms.Form):
    conclusion = forms.CharField(label=_("conclusion"), widget=forms.Textarea(attrs={"rows": 5}))
    conclusion_file = forms.FileField(label=_("conclusion file"), required=False)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("days added"), min_value=1, max_value=MAX_EXTENSION_DAYS,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("attachments"))


class DeadlinesForm(forms.Form):
    """Days to classify and to resolve, one pair per kind."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import deadline_days

        for kind, label in PetitionKind.choices:
            classify, resolve = deadline_days(kind)
            self.fields[f"{kind}_classify"] = forms.IntegerField(
                label=_("%(kind)s: days to classify") % {"kind": label}, min_value=1, max_value=365,
                initial=classify, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
            self.fields[f"{kind}_resolve"] = forms.IntegerField(
                label=_("%(kind)s: days to resolve") % {"kind": label}, min_value=1, max_value=365,
                initial=resolve, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def rows(self) -> dict[str, tuple[int, int]]:
        return {kind: (self.cleaned_data[f"{kind}_classify"], self.cleaned_data[f"{kind}_resolve"])
                for kind in PetitionKind.values}


__all__ = ["AssignForm", "AttachmentForm", "ClassifyForm", "ConcludeForm", "DeadlineRule", "DeadlinesForm",
           "ExtendForm", "NoteForm", "PetitionForm"]
