"""Admin for accounts. Standing and roles are never edited here: they change
only through governance (founding act, enacted proposals) and the membership
services, so that every change is journaled. The admin shows them read-only,
and profile edits go through `services.update_profile`."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from kernel.admin import ReadOnlyAdmin, ReadOnlyInline
from members import services
from members.models import Member, Membership, RoleAssignment

# An API token lets whoever holds it vote as its owner: tokens are made only
# by their owner (the token endpoint), never for someone else in the admin.
# Groups carry no power in Commons (roles are `RoleAssignment`s), so they are
# not offered either.
for model in (TokenProxy, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class MembershipInline(ReadOnlyInline):
    template = "admin/edit_inline/stacked.html"
    model = Membership
    max_num = 0
    fields = [
        "status",
        "applied_at",
        "admitted_at",
        "suspended_at",
        "suspension_reason",
        "left_at",
    ]
    readonly_fields = fields


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["username", "display_name", "email", "standing", "is_staff", "date_joined"]
    list_select_related = ["membership"]
    list_filter = ["membership__status", "is_staff"]
    search_fields = ["username", "display_name", "email"]
    ordering = ["username"]
    inlines = [MembershipInline]
    # Only the profile is editable; everything that gives power is read-only.
    fieldsets = [
        (None, {"fields": ["username", "email"]}),
        (_("Profile"), {"fields": ["display_name", "bio"]}),
        (
            _("Access (read-only: roles change only through governance)"),
            {"fields": ["is_active", "is_staff", "is_superuser", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = [
        "username",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
        "user_permissions",
        "last_login",
        "date_joined",
    ]

    @admin.display(description=_("standing"), ordering="membership__status")
    def standing(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.get_status_display() if membership else "—"

    def has_add_permission(self, request):
        # Accounts are created by signing up, which also opens the application.
        return False

    def has_delete_permission(self, request, obj=None):
        # Role history and the journal refer to people; a person leaves instead.
        return False

    def save_model(self, request, obj, form, change):
        services.update_profile(
            member=obj,
            display_name=form.cleaned_data.get("display_name", ""),
            bio=form.cleaned_data.get("bio", ""),
        )


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["member", "status", "applied_at", "admitted_at", "suspended_at", "left_at"]
    list_filter = ["status"]
    list_select_related = ["member"]
    search_fields = ["member__username", "member__display_name"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["member", "role", "granted_at", "granted_by", "revoked_at", "revoked_by"]
    list_filter = ["role"]
    list_select_related = ["member", "granted_by", "revoked_by"]
    search_fields = ["member__username"]
