"""Forms of the conclusion pages. They check what the user typed; the services check the
domain (a body of the unit, a unit below it, a due date after the meeting …)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from congresses.forms import DateInput

from . import selectors
from .models import BodyKind, ConcernKind, MeetingKind

# Empty task rows a conclusion's page offers: enough for a briefing without JavaScript;
# static/js/task-rows.js adds more.
TASK_ROWS = 6


class BodyForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=BodyKind.choices)
    name = forms.CharField(label=_("name"), max_length=255, help_text=_("e.g. Ban Tổ chức Tỉnh ủy"))
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


class MemberForm(forms.Form):
    username = forms.CharField(label=_("portal username"), max_length=150)

    def clean_username(self) -> User:
        name = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(_("No portal user has this username."))
        return user


class ConclusionForm(forms.Form):
    kind = forms.ChoiceField(label=_("meeting"), choices=MeetingKind.choices, initial=MeetingKind.BRIEFING)
    held_on = forms.DateField(label=_("held on"), widget=DateInput())
    year = forms.IntegerField(label=_("year of the briefing"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("quarter of the briefing"), required=False, coerce=int,
                                     empty_value=None, choices=[("", "—")] + [(q, str(q)) for q in range(1, 5)])
    chair_name = forms.CharField(label=_("chair"), max_length=255, required=False,
                                 help_text=_("e.g. đồng chí Lê Quang Huy, Phó Bí thư Tỉnh ủy"))
    chair_username = forms.CharField(
        label=_("chair's portal username"), max_length=150, required=False,
        help_text=_("When the chair uses the portal, overdue tasks are escalated to them once."))
    text = forms.CharField(label=_("conclusion"), widget=forms.Textarea(attrs={"rows": 8}))

    def clean_chair_username(self) -> User | None:
        name = self.cleaned_data["chair_username"].strip()
        if not name:
            return None
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No portal user has this username."))
        return user


class TaskForm(forms.Form):
    """One task row. A row left empty is ignored."""

    responsible = forms.ChoiceField(label=_("responsible"), required=False)
    what = forms.CharField(label=_("what is to be done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("due date"), required=False, widget=DateInput())
    next_quarter = forms.BooleanField(label=_("next quarter"), required=False)
    concerns = forms.ChoiceField(label=_("concerns"), required=False, choices=ConcernKind.choices)
    concerns_unit = forms.TypedChoiceField(label=_("unit concerned"), required=False, coerce=int, empty_value=None)
    concerns_document = forms.TypedChoiceField(label=_("document concerned"), required=False, coerce=int,
                                               empty_value=None)

    def __init__(self, *args, unit, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [("", "—")] + choices["responsible"]
        self.fields["concerns_unit"].choices = [("", "—")] + choices["units"]
        self.fields["concerns_document"].choices = [("", "—")] + choices["documents"]

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("what", "").strip() and not data.get("responsible")

    def clean(self):
        data = super().clean()
        if self.is_blank:
            return data
        if not data.get("what", "").strip():
            self.add_error("what", _("Say what is to be done."))
        if not data.get("responsible"):
            self.add_error("responsible", _("Choose who is responsible."))
        return data


class BaseTaskFormSet(forms.BaseFormSet):
    def __init__(self, *args, unit, **kwargs):
        self.unit = unit
        self.choices = {
            "responsible": selectors.responsible_choices(unit),
            "units": selectors.concern_unit_choices(unit),
            "documents": selectors.document_choices(),
        }
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "unit": self.unit, "choices": self.choices}


TaskFormSet = forms.formset_factory(TaskForm, formset=BaseTaskFormSet, extra=TASK_ROWS, max_num=60, absolute_max=60,
                                    validate_max=True)


class ReportForm(forms.Form):
    text = forms.CharField(label=_("progress report"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("evidence (optional)"), required=False)


class CloseForm(forms.Form):
    text = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}))
    done_on = forms.DateField(label=_("done on"), required=False, widget=DateInput())
    evidence = forms.FileField(label=_("evidence"), required=False)


class CarryOverForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
