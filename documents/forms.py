from django import forms
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from congresses.forms import DateInput

from core import files
from .models import DocumentKind


def _file_help():
    return _("Word, PDF, Excel, OpenDocument or a picture; at most %(size)s.") % {
        "size": filesizeformat(files.max_bytes())}


class DocumentCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("title"), max_length=500, required=False,
                            help_text=_("Leave empty to use the kind's name."))


class VersionForm(forms.Form):
    file = forms.FileField(label=_("file"), help_text=_file_help)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class StepForm(forms.Form):
    step = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("done", "done"), ("reopen", "reopen")], widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("done on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class RoundForm(forms.Form):
    subordinates = forms.BooleanField(label=_("All subordinate units"), required=False, initial=True)
    superior = forms.BooleanField(label=_("The superior"), required=False)
    people = forms.CharField(label=_("Named people"), required=False,
                             help_text=_("User names, separated by commas."))
    deadline = forms.DateField(label=_("comments due by"), widget=DateInput())
    message = forms.CharField(label=_("message to the recipients"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean_people(self):
        names = [n.strip() for n in self.cleaned_data["people"].split(",") if n.strip()]
        users = list(get_user_model().objects.filter(username__in=names, is_active=True))
        missing = sorted(set(names) - {u.username for u in users})
        if missing:
            raise forms.ValidationError(_("No active user is called: %(names)s") % {"names": ", ".join(missing)})
        return users


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("comments"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    file = forms.FileField(label=_("file"), required=False, help_text=_file_help)
    no_comment = forms.BooleanField(label=_("We have no comment"), required=False)


class PublicCommentForm(forms.Form):
    count = forms.IntegerField(label=_("number of comments"), min_value=1)
    source = forms.CharField(label=_("source"), max_length=255)
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    synthesis_note = forms.CharField(label=_("synthesis"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    synthesis_file = forms.FileField(label=_("synthesis of the comments"), required=False, help_text=_file_help)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=[("approve", _("Approve")), ("return", _("Return with comments"))])
    comments = forms.CharField(label=_("the superior's comments"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
