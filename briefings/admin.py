from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Proposal, QuarterlyReport, QuarterSnapshot


class ReadOnly:
    """Reports and answers are written through the pages (briefings.services)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("unit", "year", "quarter", "status", "submitted_at")
    list_filter = ("year", "quarter", "status")
    search_fields = ("unit__name", "unit__code")
    raw_id_fields = ("unit",)


@admin.register(Proposal)
class ProposalAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("report", "theme", "status", "answered_at")
    list_filter = ("status", "theme")


@admin.register(QuarterSnapshot)
class QuarterSnapshotAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("year", "quarter", "taken_at", "rows")
