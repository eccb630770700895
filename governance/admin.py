"""The governance record in the admin: visible, never editable.

Nobody, superusers included, adds, changes or deletes bylaws or journal
entries here: bylaws change only by enactment of a passed proposal, and the
journal is append-only. A POST to an add, change or delete view (or to the
list) is refused with 403 and journaled as a refused attempt."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from governance import services
from governance.models import BylawArticle, BylawVersion, JournalEntry
from kernel.admin import ReadOnlyAdmin, ReadOnlyInline
from kernel.models import ChainHead

REFUSED = gettext_lazy(
    "The governance record is read-only in the admin: bylaws change only by enactment of a "
    "passed proposal, and the journal is append-only."
)


class ReadOnlyRecordAdmin(ReadOnlyAdmin):
    refusal = REFUSED

    def refused(self, request, target: str) -> None:
        services.record_guard_attempt(
            actor=request.user,
            path="admin",
            target=target,
            reason=f"POST {request.path}: {REFUSED}",
        )


class BylawVersionInline(ReadOnlyInline):
    model = BylawVersion
    fields = ["number", "title", "article_class", "enacted_by", "enacted_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(BylawArticle)
class BylawArticleAdmin(ReadOnlyRecordAdmin):
    list_display = ["slug", "position"]
    search_fields = ["slug"]
    inlines = [BylawVersionInline]


@admin.register(BylawVersion)
class BylawVersionAdmin(ReadOnlyRecordAdmin):
    list_display = ["article", "number", "title", "article_class", "enacted_by", "enacted_at"]
    list_filter = ["article_class"]
    search_fields = ["article__slug", "title"]
    list_select_related = ["article", "enacted_by"]


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyRecordAdmin):
    list_display = ["seq", "at", "kind", "actor", "hash"]
    list_filter = ["kind"]
    search_fields = ["kind", "actor", "hash"]


@admin.register(ChainHead)
class ChainHeadAdmin(ReadOnlyRecordAdmin):
    list_display = ["name", "seq", "hash"]
