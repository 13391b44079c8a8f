"""The admin shows working groups and their history; it does not write them. Groups are
managed on the portal's pages (workgroups.views), whose services keep the members' access
in step with their assignments: a change made here would skip that."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assignment, FollowUp, FollowUpAttachment, GroupMember, GroupUnit, SubTeam, WorkingGroup


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    fields = ["full_name", "position", "role", "sub_team", "user", "joined_on", "left_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WorkingGroup)
class WorkingGroupAdmin(ReadOnlyAdmin):
    list_display = ["name", "number", "unit", "term", "decision_number", "decision_date", "status"]
    list_filter = ["status", "term"]
    search_fields = ["name", "decision_number", "unit__name"]
    list_select_related = ["unit", "term"]
    inlines = [GroupMemberInline]


@admin.register(GroupUnit)
class GroupUnitAdmin(ReadOnlyAdmin):
    list_display = ["group", "unit", "started_on", "ended_on"]
    list_select_related = ["group", "unit"]


@admin.register(SubTeam)
class SubTeamAdmin(ReadOnlyAdmin):
    list_display = ["name", "group", "order"]
    list_select_related = ["group"]


@admin.register(GroupMember)
class GroupMemberAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "position", "role", "group", "user", "joined_on", "left_on"]
    list_filter = ["role"]
    search_fields = ["full_name", "user__username"]
    list_select_related = ["group", "user"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["member", "unit", "started_on", "ended_on"]
    search_fields = ["member__full_name", "unit__name", "unit__code"]
    list_select_related = ["member", "unit"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["happened_on", "kind", "unit", "member"]
    list_filter = ["kind"]
    list_select_related = ["unit", "member"]


@admin.register(FollowUpAttachment)
class FollowUpAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "follow_up"]
    fields = ["original_name", "follow_up"]  # the file itself only through the scoped view
