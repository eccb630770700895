"""Read-only admin for the treasury. Money is written only through the
treasurer pages (services); posted transactions are immutable, and the
database refuses any edit or deletion even if the admin tried."""

from django.contrib import admin

from kernel.admin import ReadOnlyAdmin, ReadOnlyInline
from treasury.models import (
    Account,
    AuditAttestation,
    BudgetLine,
    Expense,
    Fund,
    LedgerEntry,
    Posting,
    Receipt,
    Transaction,
)


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = ("account", "fund", "amount_cents")
    readonly_fields = fields


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "date", "kind", "description", "status", "recorded_by")
    list_filter = ("kind", "status")
    search_fields = ("description", "external_reference")
    inlines = [PostingInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "type", "budget_line")


@admin.register(Fund)
class FundAdmin(ReadOnlyAdmin):
    list_display = ("slug", "name", "is_restricted")


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ("pk", "purpose", "proposal", "fund", "amount_cents")


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdmin):
    list_display = ("pk", "description", "amount_cents", "status", "recorded_by", "decided_by")
    list_filter = ("status",)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("pk", "original_name", "sha256", "is_public")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "kind", "actor", "hash")


@admin.register(AuditAttestation)
class AuditAttestationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "auditor", "period_start", "period_end", "ledger_head_seq")
