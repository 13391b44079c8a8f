from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from committees.models import Level

from . import services
from .models import Congress, LevelDeadline, Milestone, PlanSource, PlanStep, Subcommittee, SubcommitteeMember, Term


class LevelDeadlineInline(admin.TabularInline):
    model = LevelDeadline
    extra = 0


class PlanStepForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("levels"), choices=Level.choices, widget=forms.CheckboxSelectMultiple
    )
    remove_done = forms.BooleanField(
        label=_("also remove done milestones"), required=False,
        help_text=_("Needed to take levels off a step, or to delete it, when congresses have already done it."),
    )

    class Meta:
        model = PlanStep
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        # Asked before saving (the instance is still as in the database here), so that a
        # refusal shows on the field instead of failing inside the save.
        if self.instance.pk is not None and not self.errors:
            data = {k: cleaned[k] for k in services.STEP_FIELDS if k in cleaned and k in self.changed_data}
            errors = services.plan_step_update_errors(
                step=self.instance, data=data, allow_done=cleaned.get("remove_done", False))
            for name, message in errors.items():
                self.add_error(name, message)
        return cleaned


class PlanStepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        # A deleted form's own errors are ignored by the formset, so the refusal to delete
        # a step with done milestones (unconfirmed) is raised here.
        for form in self.deleted_forms:
            if form.instance.pk is None:
                continue
            allow = bool(getattr(form, "cleaned_data", {}).get("remove_done"))
            if error := services.plan_step_remove_error(step=form.instance, allow_done=allow):
                raise forms.ValidationError(error)


class PlanStepInline(admin.TabularInline):
    """The plan's steps. Saving goes through the plan services (TermAdmin.save_formset), so
    the congresses already opened follow: milestones added, rescheduled or removed, with
    the roll-ups."""

    model = PlanStep
    form = PlanStepForm
    formset = PlanStepFormSet
    extra = 0
    fields = ["order", "code", "title", "levels", "due_rule", "offset_days", "due_date", "effect", "remove_done"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The admin refuses to delete a row that protected rows point to, and milestones
        # protect their step; plan_step_remove deletes them with the step (asking for a
        # confirmation when some are done, PlanStepFormSet.clean), so that check goes.
        # The form class is made afresh by each call: changing it touches no other.
        formset.form.hand_clean_DELETE = lambda form: None
        return formset


class TermForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("levels"), choices=Level.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("The levels whose congresses this term covers; none chosen means every level."),
    )

    class Meta:
        model = Term
        fields = "__all__"


class TermStartForm(forms.Form):
    """Start a term (`services.term_start`): its years, levels and where its plan comes from."""

    name = forms.CharField(label=_("name"), max_length=32, help_text=_("e.g. 2025–2030"))
    start_year = forms.IntegerField(label=_("first year"), min_value=1930, max_value=2200)
    end_year = forms.IntegerField(label=_("last year"), min_value=1930, max_value=2200)
    levels = forms.MultipleChoiceField(
        label=_("levels"), choices=Level.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("The levels this term covers; none chosen means every level. Sub-grassroots units may "
                    "have a shorter term of their own."),
    )
    plan = forms.ChoiceField(
        label=_("plan"), choices=PlanSource.choices, initial=PlanSource.DEFAULT, widget=forms.RadioSelect,
    )
    copy_from = forms.ModelChoiceField(
        label=_("term to copy"), queryset=Term.objects.order_by("-start_year", "-pk"), required=False,
        help_text=_("Its steps and level deadlines are copied; dates move by the difference of the first years."),
    )
    make_current = forms.BooleanField(
        label=_("make it the current term of its levels"), required=False, initial=True,
        help_text=_("A term current for the same levels stops being current for them."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].initial = self.fields["copy_from"].queryset.first()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("plan") != PlanSource.COPY:
            cleaned["copy_from"] = None  # the default choice of the select means nothing then
        return cleaned


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    form = TermForm
    list_display = ["name", "start_year", "end_year", "is_current", "levels"]
    filter_horizontal = ["guiding_documents"]
    inlines = [LevelDeadlineInline, PlanStepInline]
    actions = ["make_current"]

    def get_urls(self):
        start = path("start/", self.admin_site.admin_view(self.start_view), name="congresses_term_start")
        return [start, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        # A term starts through term_start, with its plan: the plain add form would give
        # it an empty one (issue 9, point 9).
        return redirect("admin:congresses_term_start")

    def start_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TermStartForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = services.term_start(
                    name=data["name"], start_year=data["start_year"], end_year=data["end_year"],
                    levels=data["levels"], plan=data["plan"], copy_from=data["copy_from"],
                    make_current=data["make_current"], user=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                term = result.term
                self.log_addition(request, term, [{"added": {}}])
                self.message_user(request, _(
                    "The term %(term)s has started: %(steps)d plan steps, %(deadlines)d level deadlines."
                ) % {"term": term.name, "steps": result.steps, "deadlines": result.deadlines}, messages.SUCCESS)
                self._say_replaced(request, term, result.no_longer_current)
                return redirect("admin:congresses_term_change", term.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Start a term"),
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/congresses/term/start.html", context)

    @admin.action(description=_("Make the selected term current for its levels"), permissions=["change"])
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one term to make current."), messages.ERROR)
            return
        term = queryset.get()
        replaced = services.term_make_current(term=term, user=request.user)
        self.message_user(request, _("%(term)s is now the current term of its levels.") % {"term": term.name},
                          messages.SUCCESS)
        self._say_replaced(request, term, replaced)

    def _say_replaced(self, request, term, replaced) -> None:
        for other in replaced:
            if other.is_current:
                message = _("%(other)s stays current for: %(levels)s.") % {
                    "other": other.name, "levels": ", ".join(str(Level(lv).label) for lv in other.covered_levels)}
            else:
                message = _("%(other)s is no longer a current term.") % {"other": other.name}
            self.message_user(request, message, messages.INFO)

    def save_formset(self, request, form, formset, change):
        if formset.model is not PlanStep:
            return super().save_formset(request, form, formset, change)
        # Through the plan services, so the congresses already opened follow the plan
        # (issue 9, point 10); removals first, so that a freed code can be reused.
        total = services.PlanChange()
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        deleted = set(map(id, formset.deleted_forms))
        for f in formset.initial_forms:
            allow = bool(f.cleaned_data.get("remove_done"))
            if id(f) in deleted:
                total.merge(services.plan_step_remove(step=f.instance, user=request.user, allow_done=allow))
                formset.deleted_objects.append(f.instance)
        for f in formset.initial_forms:
            data = {k: f.cleaned_data[k] for k in services.STEP_FIELDS if k in f.changed_data}
            if id(f) not in deleted and data:
                total.merge(services.plan_step_update(step=f.instance, user=request.user, data=data,
                                                      allow_done=bool(f.cleaned_data.get("remove_done"))))
                formset.changed_objects.append((f.instance, list(data)))
        for f in formset.extra_forms:
            if id(f) in deleted or not f.has_changed():
                continue
            data = {k: f.cleaned_data[k] for k in services.STEP_FIELDS if k in f.cleaned_data}
            result = services.plan_step_add(term=form.instance, user=request.user, **data)
            total.merge(result)
            formset.new_objects.append(result.step)
        if formset.new_objects or formset.changed_objects or formset.deleted_objects:
            self.message_user(request, ngettext(
                "The plan change reached %(congresses)d congress: %(created)d milestones added, "
                "%(rescheduled)d rescheduled, %(removed)d removed.",
                "The plan change reached %(congresses)d congresses: %(created)d milestones added, "
                "%(rescheduled)d rescheduled, %(removed)d removed.",
                total.congresses,
            ) % {"congresses": total.congresses, "created": total.created, "rescheduled": total.rescheduled,
                 "removed": total.removed}, messages.INFO)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    can_delete = False
    fields = ["step", "due_date", "status", "done_on", "evidence_number", "updated_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Congress)
class CongressAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "term", "planned_date", "registered_on", "held_on", "status", "is_pilot"]
    list_filter = ["term", "status", "is_pilot", "unit__level"]
    search_fields = ["unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "term"]
    readonly_fields = ["updated_by", "updated_at"]
    inlines = [MilestoneInline]

    def save_model(self, request, obj, form, change):
        # Go through the services so milestones, due dates and the history stay right.
        if not change:
            result = services.congress_create(
                unit=obj.unit, term=obj.term, user=request.user, planned_date=obj.planned_date,
                is_pilot=obj.is_pilot, ordinal=obj.ordinal, registered_on=obj.registered_on,
            )
            obj.pk = result.congress.pk
            rest = {k: form.cleaned_data[k] for k in services.CONGRESS_FIELDS
                    if k in form.cleaned_data and k not in {"planned_date", "is_pilot", "ordinal", "registered_on"}}
            result = services.congress_update(congress=result.congress, user=request.user, data=rest)
        else:
            data = {k: form.cleaned_data[k] for k in services.CONGRESS_FIELDS if k in form.cleaned_data}
            result = services.congress_update(congress=obj, user=request.user, data=data)
        for warning in result.warnings:
            self.message_user(request, warning, messages.WARNING)

    # Deletes go through the service too, so the roll-ups lose the congress's figures.
    def delete_model(self, request, obj):
        services.congress_delete(congress=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for congress in queryset:
            services.congress_delete(congress=congress, user=request.user)


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["congress", "step", "due_date", "status", "done_on"]
    list_filter = ["status", "step__term", "step"]
    search_fields = ["congress__unit__name", "evidence_number"]
    list_select_related = ["congress__unit", "step"]
    readonly_fields = ["congress", "step", "due_date", "updated_by", "updated_at"]
    fields = ["congress", "step", "due_date", "status", "done_on", "evidence_number", "evidence_file", "note",
              "updated_by", "updated_at"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        services.milestone_update(
            milestone=obj, user=request.user, status=obj.status, done_on=obj.done_on,
            evidence_number=obj.evidence_number,
            evidence_file=form.cleaned_data.get("evidence_file") if "evidence_file" in form.changed_data else None,
            note=obj.note,
        )

    def delete_model(self, request, obj):
        services.milestone_delete(milestone=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for milestone in queryset:
            services.milestone_delete(milestone=milestone, user=request.user)


class SubcommitteeMemberInline(admin.TabularInline):
    model = SubcommitteeMember
    fields = ["order", "role", "full_name", "position"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subcommittee)
class SubcommitteeAdmin(SimpleHistoryAdmin):
    """Subcommittees and their history, to read: they are entered on the congress's
    subcommittees page, whose services keep the count and the milestone."""

    list_display = ["__str__", "congress", "decision_number", "decision_date"]
    list_filter = ["kind"]
    search_fields = ["name", "decision_number", "congress__unit__name", "congress__unit__code"]
    list_select_related = ["congress__unit", "congress__term"]
    inlines = [SubcommitteeMemberInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
