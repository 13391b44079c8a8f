from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .forms import ReminderPolicyForm
from .models import Delivery, DeliveryItem, NotificationPreference, Reason, ReminderPolicy, ReminderRun


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it, and it can be neither added nor deleted."""

    form = ReminderPolicyForm
    fieldsets = [
        (_("Before the due date"), {"fields": ["due_soon_enabled", "days_before"]}),
        (_("After the due date"), {"fields": ["overdue_enabled", "escalation_enabled", "escalate_after_days"]}),
        (_("Weekly digest"), {"fields": ["weekly_digest_enabled", "weekly_digest_weekday"]}),
        (None, {"fields": ["updated_at", "updated_by"]}),
    ]
    readonly_fields = ["updated_at", "updated_by"]

    def changelist_view(self, request, extra_context=None):
        policy = services.policy_get()
        return HttpResponseRedirect(reverse("admin:reminders_reminderpolicy_change", args=[policy.pk]))

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class DeliveryItemInline(admin.TabularInline):
    model = DeliveryItem
    extra = 0
    can_delete = False
    fields = ["reason", "unit", "milestone", "due_date", "overdue_count"]
    readonly_fields = fields
    ordering = ["reason", "due_date", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "milestone__step", "milestone__congress__unit")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReasonFilter(admin.SimpleListFilter):
    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return Reason.choices

    def queryset(self, request, queryset):
        if self.value() in Reason.values:
            return queryset.filter(Exists(DeliveryItem.objects.filter(delivery=OuterRef("pk"), reason=self.value())))
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every message the reminders wrote: who, which channel, its state, its error, its
    lines. Read-only; a failed or stuck email can be sent again."""

    list_display = ["day", "kind", "recipient", "channel", "state", "attempts", "item_count", "sent_at",
                    "read_at", "short_error"]
    list_filter = ["state", "channel", "kind", ReasonFilter, "day"]
    date_hierarchy = "day"
    search_fields = ["recipient__username", "recipient__email", "recipient__full_name"]
    list_select_related = ["recipient"]
    readonly_fields = ["run", "recipient", "channel", "kind", "day", "state", "attempts", "last_error",
                       "enqueued_at", "next_attempt_at", "sent_at", "read_at", "created_at"]
    fields = readonly_fields
    inlines = [DeliveryItemInline]
    actions = ["resend"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # A row is a record of what was sent: its page is read-only; the list keeps the
        # "resend" action, which goes through the service.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a sent row would let the next scan of the same day send it again.
        return False

    @admin.display(description=_("lines"), ordering="item_count")
    def item_count(self, obj) -> int:
        return obj.item_count

    @admin.display(description=_("last error"))
    def short_error(self, obj) -> str:
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description=_("Send the selected failed or stuck emails again"), permissions=["change"])
    def resend(self, request, queryset) -> None:
        ids, left = services.deliveries_resend(deliveries=queryset)
        if ids:
            self.message_user(request, ngettext("%(n)d email queued again.", "%(n)d emails queued again.",
                                                len(ids)) % {"n": len(ids)}, messages.SUCCESS)
        if left:
            self.message_user(request, ngettext(
                "%(n)d message left alone: only failed or pending emails are sent again, never a sent one.",
                "%(n)d messages left alone: only failed or pending emails are sent again, never a sent one.",
                left) % {"n": left}, messages.WARNING)


@admin.register(ReminderRun)
class ReminderRunAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "source", "started_at", "finished_at", "deliveries_created", "items_created"]
    list_filter = ["kind", "source"]
    date_hierarchy = "day"
    readonly_fields = ["kind", "day", "source", "started_at", "finished_at", "deliveries_created", "items_created"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled", "inapp_enabled", "due_soon", "overdue", "weekly_digest", "updated_at"]
    list_filter = ["email_enabled", "inapp_enabled", "due_soon", "overdue", "weekly_digest"]
    search_fields = ["user__username", "user__full_name", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
