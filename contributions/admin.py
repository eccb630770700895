"""Read-only admin for contributions: needs, offers, hours and the time
ledger change only through their services, and the database guards refuse
any other write (tests/guards/test_contributions.py)."""

from django.contrib import admin

from contributions.models import (
    Contribution,
    Need,
    Offer,
    RebateClaim,
    StandingOffer,
    TimeAccount,
    TimeEntry,
    TimePosting,
    TimeTransfer,
)
from kernel.admin import ReadOnlyAdmin, ReadOnlyInline


class TimePostingInline(ReadOnlyInline):
    model = TimePosting
    fields = ("account", "amount")
    readonly_fields = fields


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ("pk", "title", "state", "is_community", "posted_by", "created_at")
    list_filter = ("state", "is_community")
    search_fields = ("title",)


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ("pk", "need", "member", "state", "created_at")
    list_filter = ("state",)


@admin.register(StandingOffer)
class StandingOfferAdmin(ReadOnlyAdmin):
    list_display = ("pk", "title", "member", "is_active")


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "need", "contributor", "minutes", "worked_on", "state")
    list_filter = ("state",)


@admin.register(TimeAccount)
class TimeAccountAdmin(ReadOnlyAdmin):
    list_display = ("reference", "member", "is_community", "created_at")


@admin.register(TimeTransfer)
class TimeTransferAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "status", "minutes", "credits", "month", "authorized_by")
    list_filter = ("kind", "status")
    inlines = [TimePostingInline]


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "kind", "actor", "hash")


@admin.register(RebateClaim)
class RebateClaimAdmin(ReadOnlyAdmin):
    list_display = ("pk", "member", "credits", "state", "created_at")
