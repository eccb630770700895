"""Read-only admin: every write to a debate goes through `realtime.services`
(moderation is journaled there), so the admin only shows the record."""

from django.contrib import admin

from kernel.admin import ReadOnlyAdmin
from realtime.models import Argument, DebateEvent, Flag, ModerationAction


@admin.register(Argument)
class ArgumentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "debate", "author", "stance", "status", "created_at")
    list_filter = ("status", "stance")
    list_select_related = ("debate", "author")
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


@admin.register(DebateEvent)
class DebateEventAdmin(ReadOnlyAdmin):
    list_display = ("debate", "seq", "type", "created_at")
    list_filter = ("type",)
