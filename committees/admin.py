from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "kind", "parent", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "code", "kind"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth", "created_at", "updated_at"]
    list_select_related = ["parent"]
    fieldsets = [
        (None, {"fields": ["code", "name", "level", "kind", "parent", "is_active"]}),
        (_("Tree"), {"fields": ["path", "depth", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def save_model(self, request, obj, form, change):
        # The path and depth depend on the parent: the services keep them consistent.
        if not change:
            created = services.unit_create(
                code=obj.code, name=obj.name, level=obj.level, kind=obj.kind, parent=obj.parent,
                is_active=obj.is_active,
            )
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
            return
        if "parent" in form.changed_data:
            services.unit_move(unit=obj, new_parent=obj.parent)
        services.unit_update(unit=obj, name=obj.name, level=obj.level, kind=obj.kind, is_active=obj.is_active)

    # A delete goes through the service, so the roll-ups lose the unit; subordinates
    # before their superiors when several are deleted at once.
    def delete_model(self, request, obj):
        services.unit_delete(unit=obj)

    def delete_queryset(self, request, queryset):
        for unit in queryset.order_by("-depth"):
            services.unit_delete(unit=unit)
