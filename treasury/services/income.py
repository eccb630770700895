"""Money coming in: donations, dues, grants, crowdfunding and patronage.

Rules enforced here: only a treasurer records income; the amount is a
positive whole number of cents; it arrives by bank, cash or payment processor
into an existing fund; a platform fee withheld from it is zero or more, less
than the income, and posted as its own entry naming that income. A donor's
name is public only if they agreed (otherwise the ledger says "anonymous").
"""

from __future__ import annotations

from datetime import date as date_type

from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import InvalidInput
from treasury.chart_of_accounts import (
    FEE_ACCOUNT,
    GENERAL_FUND_SLUG,
    INCOME_ACCOUNTS,
    METHOD_ACCOUNTS,
)
from treasury.models import INCOME_KINDS, Transaction, TransactionKind
from treasury.services._common import fund_named, is_amount, require_treasurer
from treasury.services.posting import post, post_transaction


@transaction.atomic
def record_income(
    *,
    actor,
    kind: str,
    amount_cents: int,
    date: date_type,
    method: str,
    description: str = "",
    external_reference: str = "",
    counterparty: str = "",
    is_counterparty_public: bool = False,
    fund: str = GENERAL_FUND_SLUG,
    fee_cents: int = 0,
) -> Transaction:
    """A donation, dues, a grant, crowdfunding or patronage. A platform fee
    withheld from it is posted as its own expense entry right after."""
    require_treasurer(actor)
    if kind not in INCOME_KINDS:
        raise InvalidInput(_("Unknown kind of income: %(kind)s.") % {"kind": kind})
    if not is_amount(amount_cents) or amount_cents <= 0:
        raise InvalidInput(_("The amount must be greater than zero."))
    if not is_amount(fee_cents) or fee_cents < 0 or fee_cents >= amount_cents:
        raise InvalidInput(_("The fee must be zero or more, and less than the amount."))
    if method not in METHOD_ACCOUNTS:
        raise InvalidInput(_("Choose how the money arrived (bank, cash or payment processor)."))
    fund_named(fund)
    labels = dict(TransactionKind.choices)
    shown = counterparty if is_counterparty_public and counterparty else ""
    description = (description or "").strip() or (f"{labels[kind]}{' – ' + shown if shown else ''}")
    asset = METHOD_ACCOUNTS[method]
    income = post_transaction(
        actor=actor,
        date=date,
        description=str(description),
        kind=kind,
        method=method,
        external_reference=external_reference,
        counterparty=counterparty,
        is_counterparty_public=is_counterparty_public,
        postings=[
            {"account": asset, "fund": fund, "amount": amount_cents},
            {"account": INCOME_ACCOUNTS[kind], "fund": fund, "amount": -amount_cents},
        ],
    )
    if fee_cents:
        post(
            actor=actor,
            date=date,
            description=f"Platform fee on transaction #{income.pk}",
            kind=TransactionKind.FEE,
            method=method,
            fee_of=income,
            postings=[
                {"account": FEE_ACCOUNT, "fund": fund, "amount": fee_cents},
                {"account": asset, "fund": fund, "amount": -fee_cents},
            ],
        )
    return income
