from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from committees.models import Level

from . import services
from .models import Congress, LevelDeadline, Milestone, PlanStep, Term


class LevelDeadlineInline(admin.TabularInline):
    model = LevelDeadline
    extra = 0


class PlanStepForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("levels"), choices=Level.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = PlanStep
        fields = "__all__"


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    form = PlanStepForm
    extra = 0
    fields = ["order", "code", "title", "levels", "due_rule", "offset_days", "due_date", "effect"]


class TermForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("levels"), choices=Level.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("The levels whose congresses this term covers; none chosen means every level."),
    )

    class Meta:
        model = Term
        fields = "__all__"


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    form = TermForm
    list_display = ["name", "start_year", "end_year", "is_current", "levels"]
    filter_horizontal = ["guiding_documents"]
    inlines = [LevelDeadlineInline, PlanStepInline]


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
