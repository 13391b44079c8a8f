"""The admin shows cases for oversight, never their sender (no inline, no field): the
sender's identity is read on the case page by its handlers only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DeadlineRule, Petition


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "days_to_classify", "days_to_resolve", "updated_at"]
    readonly_fields = ["updated_by"]

    def save_model(self, request, obj, form, change):
        from . import services

        services.deadline_rules_update(user=request.user, rows={obj.kind: (obj.days_to_classify, obj.days_to_resolve)})


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    """Read-only: cases change through their workflow on the case page."""

    list_display = ["__str__", "kind", "unit", "status", "received_on", "due_on", "about_personnel"]
    list_filter = ["status", "kind", "about_personnel"]
    fields = ["received_on", "channel", "kind", "unit", "about_personnel", "anonymous", "status", "handler",
              "due_on", "classified_on", "transferred_to", "concluded_on", "closed_on"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
