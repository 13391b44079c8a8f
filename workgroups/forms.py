"""Forms of the working-group pages. They validate what the user typed; the services
validate the domain (a unit under the issuing unit, a member of the same group …)."""

from __future__ import annotations

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from committees.models import Unit
from congresses.forms import EVIDENCE_EXTENSIONS, DateInput
from core import files

from .models import FollowUpKind, GroupMember, MemberRole, SubTeam, WorkingGroup


def _units_under(superior: Unit, user):
    return Unit.objects.visible_to(user).under(superior, include_self=False)


class UnitsField(forms.ModelMultipleChoiceField):
    """Units chosen with the search-as-you-type picker (static/js/unit-picker.js): hidden
    inputs of ids, so the page never lists the whole tree."""

    widget = forms.MultipleHiddenInput


class GroupForm(forms.ModelForm):
    units = UnitsField(queryset=Unit.objects.none(), required=False, label=_("units followed"))
    sub_teams = forms.CharField(
        label=_("sub-teams"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. Documents; Personnel; Propaganda, logistics and service."),
    )

    class Meta:
        model = WorkingGroup
        fields = ["number", "name", "decision_number", "decision_date", "decision_file", "purpose"]
        widgets = {"decision_date": DateInput(), "purpose": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, superior: Unit, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units_under(superior, user)
        self.fields["decision_number"].widget.attrs["placeholder"] = _("e.g. 1668-QĐ/TU")

    @property
    def sub_team_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("sub_teams", "").splitlines() if line.strip()]


class SubTeamForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=255)


class MemberForm(forms.Form):
    username = forms.CharField(
        label=_("portal username"), required=False, max_length=150,
        help_text=_("Leave empty for a member who does not use the portal."),
    )
    full_name = forms.CharField(label=_("full name"), required=False, max_length=255)
    position = forms.CharField(label=_("position"), required=False, max_length=255)
    role = forms.ChoiceField(label=_("role in the group"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    sub_team = forms.ModelChoiceField(label=_("sub-team"), queryset=SubTeam.objects.none(), required=False)

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_team"].queryset = group.sub_teams.all()

    def clean_username(self) -> User | None:
        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        person = User.objects.filter(username=username, is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("No active portal user has this username."))
        return person

    def clean(self):
        data = super().clean()
        if not data.get("username") and not data.get("full_name", "").strip():
            raise forms.ValidationError(_("Give the member's name, or a portal username."))
        return data


class AssignmentForm(forms.Form):
    member = forms.ModelChoiceField(label=_("member"), queryset=GroupMember.objects.none())
    units = UnitsField(queryset=Unit.objects.none(), label=_("units"))

    def __init__(self, *args, group: WorkingGroup, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = group.members.active()
        self.fields["units"].queryset = _units_under(group.unit, user)


class MoveForm(forms.Form):
    to_member = forms.ModelChoiceField(label=_("move to"), queryset=GroupMember.objects.none())

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_member"].queryset = group.members.active()


class DissolveForm(forms.Form):
    decision_number = forms.CharField(label=_("dissolving decision number"), max_length=64)
    dissolved_on = forms.DateField(label=_("dissolved on"), widget=DateInput())


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        validators=[FileExtensionValidator(["csv", "xlsx"])],
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=FollowUpKind.choices)
    happened_on = forms.DateField(label=_("date"), widget=DateInput())
    text = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    files = MultipleFileField(
        label=_("attachments"), required=False, validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
        help_text=_("PDF, Word, Excel or pictures."),
    )

    def clean_files(self):
        uploads = self.cleaned_data.get("files") or []
        for upload in uploads:
            files.check_upload(upload)  # size, and content agreeing with the name
        return uploads
