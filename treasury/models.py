"""The treasury: a double-entry ledger in integer minor units.

A `Transaction` has two or more `Posting`s summing to zero (debits positive,
credits negative). It is written as a draft with its postings and then marked
posted in the same database transaction; from then on it, its postings and its
`LedgerEntry` (its link in the ledger hash chain) are immutable. Database
triggers (`treasury/triggers.py`) enforce this on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kernel.models import ChainedEntry


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class Account(models.Model):
    """A ledger account, named by a code such as `assets:bank` or `income:dues`."""

    code = models.CharField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=8, choices=AccountType.choices)
    # Expense accounts opened for a voted budget line point to it.
    budget_line = models.OneToOneField(
        "treasury.BudgetLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
    )

    class Meta:
        ordering = ["type", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=AccountType.values),
                name="treasury_account_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(budget_line__isnull=True) | Q(type=AccountType.EXPENSE),
                name="treasury_account_budget_line_is_expense",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Fund(models.Model):
    """General money, or money restricted to one purpose (e.g. a grant)."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    is_restricted = models.BooleanField(default=False)
    purpose = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["is_restricted", "slug"]

    def __str__(self) -> str:
        return self.name


class BudgetLine(models.Model):
    """An allocation voted in an enacted budget proposal; expenses draw on it."""

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="budget_lines"
    )
    budget_item = models.OneToOneField(
        "proposals.BudgetItem", on_delete=models.PROTECT, related_name="budget_line"
    )
    purpose = models.CharField(max_length=200)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="budget_lines")
    amount_cents = models.BigIntegerField()
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="treasury_budgetline_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return self.purpose


class Receipt(models.Model):
    """A supporting document, stored with its sha256. Public unless withheld
    (with a public reason) because it holds personal data."""

    file = models.FileField(upload_to="receipts/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    is_public = models.BooleanField(default=True)
    withheld_reason = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(is_public=True) | ~Q(withheld_reason=""),
                name="treasury_receipt_withheld_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class TransactionKind(models.TextChoices):
    DONATION = "donation", _("Donation")
    DUES = "dues", _("Membership dues")
    GRANT = "grant", _("Grant")
    CROWDFUNDING = "crowdfunding", _("Crowdfunding")
    PATRONAGE = "patronage", _("Patronage")
    FEE = "fee", _("Platform fee")
    EXPENSE = "expense", _("Expense")
    TRANSFER = "transfer", _("Transfer between own accounts")
    REVERSAL = "reversal", _("Reversal")


INCOME_KINDS = (
    TransactionKind.DONATION,
    TransactionKind.DUES,
    TransactionKind.GRANT,
    TransactionKind.CROWDFUNDING,
    TransactionKind.PATRONAGE,
)


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CASH = "cash", _("Cash")
    PROCESSOR = "processor", _("Payment processor")


class TransactionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


class Transaction(models.Model):
    """One posted event of the ledger; immutable once posted."""

    Status = TransactionStatus

    date = models.DateField()
    description = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=TransactionKind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices, blank=True)
    external_reference = models.CharField(max_length=120, blank=True)
    # Name of the donor or payee; shown publicly only when `is_counterparty_public`.
    counterparty = models.CharField(max_length=200, blank=True)
    is_counterparty_public = models.BooleanField(default=False)
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treasury_transactions",
    )
    receipt = models.ForeignKey(
        Receipt, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    # A platform fee is withheld from one income: it names that income.
    fee_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="withheld_fee"
    )
    reason = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in TransactionKind]),
                name="treasury_transaction_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TransactionStatus.values),
                name="treasury_transaction_status_valid",
            ),
            models.UniqueConstraint(
                fields=["external_reference"],
                condition=~Q(external_reference=""),
                name="treasury_transaction_unique_external_reference",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("recorded_by")),
                name="treasury_transaction_no_self_approval",
            ),
            models.CheckConstraint(
                condition=~Q(kind=TransactionKind.REVERSAL) | Q(reverses__isnull=False),
                name="treasury_transaction_reversal_links_original",
            ),
            models.CheckConstraint(
                condition=~Q(kind=TransactionKind.FEE) | Q(fee_of__isnull=False),
                name="treasury_transaction_fee_names_its_income",
            ),
        ]
        indexes = [models.Index(fields=["kind", "date"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.description}"

    @property
    def public_counterparty(self) -> str:
        if not self.counterparty:
            return ""
        return self.counterparty if self.is_counterparty_public else str(_("anonymous"))


class Posting(models.Model):
    """One line of a transaction: an amount (debit > 0, credit < 0) on an
    account, within a fund."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="postings")
    amount_cents = models.BigIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount_cents=0), name="treasury_posting_amount_nonzero"
            )
        ]
        indexes = [models.Index(fields=["account", "fund"])]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount_cents}"


class CompactJSONEncoder(json.JSONEncoder):
    """Stores payloads as compact JSON, so exports can stream the stored text."""

    def __init__(self, **kwargs):
        kwargs["separators"] = (",", ":")
        kwargs["ensure_ascii"] = False
        super().__init__(**kwargs)


class LedgerEntry(ChainedEntry):
    """The transaction's entry in the ledger hash chain."""

    chain_name = "ledger"

    payload = models.JSONField(encoder=CompactJSONEncoder)

    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="ledger_entry"
    )

    class Meta(ChainedEntry.Meta):
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"


class ExpenseStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    POSTED = "posted", _("Posted")
    DECLINED = "declined", _("Declined")


class Expense(models.Model):
    """A spending request against a budget line. Above the bylaw threshold it
    waits for a second treasurer or steward; then it is posted."""

    Status = ExpenseStatus

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="expenses")
    amount_cents = models.BigIntegerField()
    date = models.DateField()
    description = models.CharField(max_length=300)
    payee = models.CharField(max_length=200)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="expenses")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="expense"
    )

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="treasury_expense_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("recorded_by")),
                name="treasury_expense_no_self_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status=ExpenseStatus.POSTED) | Q(transaction__isnull=False),
                name="treasury_expense_posted_has_transaction",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExpenseStatus.values),
                name="treasury_expense_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["budget_line", "status"])]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount_cents})"


class AuditAttestation(models.Model):
    """An auditor's published statement that the ledger up to a head checks out."""

    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    ledger_head_seq = models.PositiveBigIntegerField()
    ledger_head_hash = models.CharField(max_length=64)
    statement = models.TextField(max_length=5000)
    attested_at = models.DateTimeField()
    journal_seq = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["-attested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="treasury_auditattestation_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end} @ {self.ledger_head_seq}"
