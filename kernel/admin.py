"""Admin mixins: governance, standing, money and moderation records are shown
in the admin and never written there.

Nobody, superusers included, adds, changes or deletes them through the
admin: they change only through their services (and the database guards
refuse any other write). A POST to an add, change, delete or list view is
refused with 403; `refused` lets an app record the attempt.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

REFUSED = gettext_lazy(
    "This record is read-only in the admin: it changes only through the community's process."
)


class ReadOnlyAdmin(admin.ModelAdmin):
    actions = None  # no bulk delete
    refusal = REFUSED

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def refused(self, request, target: str) -> None:
        """Called before a refused POST; apps may journal the attempt."""

    def _refuse_post(self, request, object_id=None):
        if request.method != "POST":
            return
        target = f"{self.opts.label_lower}:{object_id if object_id is not None else 'new'}"
        self.refused(request, target)
        raise PermissionDenied(str(self.refusal))

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


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
