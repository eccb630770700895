"""The governance record in the admin: visible, never editable.

Nobody, superusers included, adds, changes or deletes bylaws or journal
entries here: bylaws change only by enactment of a passed proposal, and the
journal is append-only. A POST to an add, change or delete view (or to the
list) is refused with 403 and journaled as a refused attempt."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from governance import services
from governance.models import BylawArticle, BylawVersion, JournalEntry
from kernel.models import ChainHead

REFUSED = gettext_lazy(
    "The governance record is read-only in the admin: bylaws change only by enactment of a "
    "passed proposal, and the journal is append-only."
)


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    actions = None  # no bulk delete

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _refuse_post(self, request, object_id=None):
        if request.method != "POST":
            return
        target = f"{self.opts.label_lower}:{object_id if object_id is not None else 'new'}"
        services.record_guard_attempt(
            actor=request.user,
            path="admin",
            target=target,
            reason=f"POST {request.path}: {REFUSED}",
        )
        raise PermissionDenied(str(REFUSED))

    def add_view(self, request, form_url="", extra_context=None):
        self._refuse_post(request)
        return super().add_view(request, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._refuse_post(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._refuse_post(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        self._refuse_post(request, "list")
        return super().changelist_view(request, extra_context)


class BylawVersionInline(admin.TabularInline):
    model = BylawVersion
    fields = ["number", "title", "article_class", "enacted_by", "enacted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
