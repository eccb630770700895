"""Read-only admin: every write to a debate goes through `debates.services`
(moderation is journaled there), so the admin only shows the record."""

from django.contrib import admin

from debates.models import Argument, Flag, ModerationAction
from kernel.admin import ReadOnlyAdmin


@admin.register(Argument)
class ArgumentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "proposal", "author", "stance", "status", "created_at")
    list_filter = ("status", "stance")
    list_select_related = ("proposal", "author")
    search_fields = ("body", "author__username")


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "argument", "reason")
    list_filter = ("action",)
    list_select_related = ("actor", "argument")


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "member", "argument", "reason")
    list_select_related = ("member", "argument")
