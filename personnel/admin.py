"""The admin: composition targets (the defaults per level and each term's), and read-only
views of the plans, their transitions and the read log. Plans change only through the
portal's pages (services keep the roll-ups and the workflow); nominees are not listed here
at all, so no admin list shows a name."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CompositionTarget, PersonnelPlan, PlanRead, PlanTransition


@admin.register(CompositionTarget)
class CompositionTargetAdmin(admin.ModelAdmin):
    list_display = ["level", "term", "women_min_pct", "young_min_pct", "minority_min_pct", "new_min_pct",
                    "first_max_age", "renominated_max_age", "surplus_max_pct"]
    list_filter = ["level", "term"]


class ReadOnlyAdmin(admin.ModelAdmin):
    # The portal's administrators (the admin grant, accounts.access) read these without a
    # Django permission of their own: the read log is theirs to audit.
    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and (
            request.user.is_portal_admin or super().has_view_permission(request, obj))

    def has_module_permission(self, request):
        return self.has_view_permission(request) or super().has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonnelPlan)
class PersonnelPlanAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["congress", "status", "revision", "composition_met", "results_entered", "updated_at"]
    list_filter = ["status", "congress__term", "congress__unit__level"]
    list_select_related = ["congress__unit", "congress__term"]


@admin.register(PlanTransition)
class PlanTransitionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "revision", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    list_select_related = ["plan__congress__unit", "plan__congress__term", "by"]


@admin.register(PlanRead)
class PlanReadAdmin(ReadOnlyAdmin):
    """Who read which personnel plan, when, on which page (issue 13, point 7)."""

    list_display = ["at", "user", "plan", "page"]
    list_filter = ["page"]
    date_hierarchy = "at"
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user", "plan__congress__unit", "plan__congress__term"]
