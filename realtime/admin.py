"""Read-only admin of the streams' stored events: they are written only by
`realtime.events.publish`, and the database refuses any change to them."""

from django.contrib import admin

from kernel.admin import ReadOnlyAdmin
from realtime.models import StreamEvent


@admin.register(StreamEvent)
class StreamEventAdmin(ReadOnlyAdmin):
    list_display = ("stream", "seq", "type", "created_at")
    list_filter = ("type",)
    list_select_related = ("stream",)
