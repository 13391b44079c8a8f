from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import ApiToken, Grant, GrantRole, User


class GrantForm(forms.ModelForm):
    """A grant as the admin edits it. The "follows" role is not offered: it is derived from
    a working-group member's assignments (workgroups.services keeps it, issue 11), and a
    grant given or taken here would outlive or precede them. A "follows" grant is shown
    read-only and cannot be removed here either: end the assignment instead."""

    class Meta:
        model = Grant
        fields = ["role", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_follows:
            for field in self.fields.values():
                field.disabled = True
        elif "role" in self.fields:
            # The board member role is derived too: conclusions.services keeps it with the
            # memberships of a unit's bodies.
            self.fields["role"].choices = [c for c in self.fields["role"].choices
                                           if c[0] not in (GrantRole.FOLLOWS, GrantRole.BODY_MEMBER)]

    @property
    def is_follows(self) -> bool:
        return self.instance.pk is not None and self.instance.role in (GrantRole.FOLLOWS, GrantRole.BODY_MEMBER)

    def clean(self):
        data = super().clean()
        if data.get("role") == GrantRole.BODY_MEMBER and not self.is_follows:
            self.add_error("role", _("The board member role comes from the board's members: add the user to "
                                     "the board instead."))
        if data.get("role") == GrantRole.FOLLOWS and not self.is_follows:
            self.add_error("role", _("The working-group member role comes from the member's assignments: "
                                     "assign the unit in the working group instead."))
        if self.is_follows and data.get("DELETE"):
            raise forms.ValidationError(_("This role comes from a working-group assignment: end the assignment "
                                          "in the working group instead."))
        return data


class GrantInline(admin.TabularInline):
    """The user's hats, edited on the user's page. Rows are written by the grant services
    (UserAdmin.save_formset), which keep the user's cached scope current."""

    model = Grant
    form = GrantForm
    fk_name = "user"
    extra = 0
    fields = ["role", "unit", "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    autocomplete_fields = ["unit"]
    verbose_name = _("role in the portal")
    verbose_name_plural = _("roles in the portal")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "roles", "email", "is_active"]
    list_filter = ["grants__role", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "grants__unit__name"]
    inlines = [GrantInline]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Portal"), {"fields": ["full_name"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Portal"), {"fields": ["full_name", "email"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("grants__unit")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return "; ".join(
            str(g.get_role_display()) + (f" — {g.unit}" if g.unit_id else "") for g in obj.grants.all()
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Grant:
            return super().save_formset(request, form, formset, change)
        # The grant services, not formset.save(): they validate and invalidate the
        # user's cached scope (accounts.access).
        user = form.instance
        added, changed, removed = [], [], []
        for grant_form in formset.deleted_forms:
            if grant_form.instance.pk is not None:
                services.grant_remove(grant=grant_form.instance)
                removed.append(grant_form.instance)
        for grant_form in formset.forms:
            if grant_form in formset.deleted_forms or not grant_form.has_changed():
                continue
            data = grant_form.cleaned_data
            if grant_form.instance.pk is None:
                added.append(services.grant_add(user=user, role=data["role"], unit=data.get("unit"), by=request.user))
            else:
                grant = services.grant_change(grant=grant_form.instance, role=data["role"], unit=data.get("unit"))
                changed.append((grant, grant_form.changed_data))
        # What the change message of the user's history lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = added, changed, removed


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    """Every grant, to answer "who is secretary of …, who reads …". Writes go through the
    grant services."""

    list_display = ["user", "role", "unit", "created_at", "created_by"]
    list_filter = ["role", "unit__level", "created_at"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit", "created_by"]
    form = GrantForm
    fields = ["user", "role", "unit", "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.grant_change(grant=obj, role=obj.role, unit=obj.unit)
        else:
            saved = services.grant_add(user=obj.user, role=obj.role, unit=obj.unit, by=request.user)
        obj.pk, obj.created_at, obj.created_by = saved.pk, saved.created_at, saved.created_by

    def has_delete_permission(self, request, obj=None) -> bool:
        # A "follows" grant ends with the assignment that gives it (GrantForm says why).
        if obj is not None and obj.role in (GrantRole.FOLLOWS, GrantRole.BODY_MEMBER):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.grant_remove(grant=obj)

    def delete_queryset(self, request, queryset):
        for grant in queryset.exclude(role__in=[GrantRole.FOLLOWS, GrantRole.BODY_MEMBER]).select_related("user"):
            services.grant_remove(grant=grant)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners (/account/tokens/), which is the only place the key
    is ever shown; here an admin sees who holds which token and can revoke it."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at", "state_display"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at", "expires_at"]
    search_fields = ["name", "prefix", "user__username", "user__full_name"]
    list_select_related = ["user"]
    fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        # Nobody could be shown the key of a token made here.
        return False

    @admin.display(description=_("state"))
    def state_display(self, obj: ApiToken) -> str:
        return obj.get_state_display()

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token)
            count += 1
        self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count})
