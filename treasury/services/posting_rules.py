"""What a transaction may contain, checked before anything is written.

- Postings: two or more, each a non-zero whole number of cents on a known
  account and fund, summing to zero (debits positive, credits negative).
- Each kind of transaction touches only its accounts: income moves money from
  an income account into assets; a transfer moves it between asset accounts
  and keeps each fund's total; a platform fee names the income it was
  withheld from and is taken from that income's fund; an expense draws on
  its own budget line's account, from the fund the line was voted in.

The ledger guard (`treasury/triggers.py`) holds the same rules in the
database and the audit (`treasury/audit.py`) recomputes them from the ledger;
here they become clear errors.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kernel.errors import InvalidInput
from treasury.chart_of_accounts import FEE_ACCOUNT, GENERAL_FUND_SLUG
from treasury.errors import NoBudgetLine, Unbalanced, UnknownAccount
from treasury.models import (
    INCOME_KINDS,
    Account,
    AccountType,
    BudgetLine,
    Fund,
    Transaction,
    TransactionKind,
)
from treasury.services._common import is_amount

Lines = list[tuple[Account, Fund, int]]


def validated_postings(postings: list[dict]) -> Lines:
    """[{"account": code, "fund": slug, "amount": cents}] → (account, fund, cents),
    or the first problem as a domain error."""
    if not isinstance(postings, list) or len(postings) < 2:
        raise Unbalanced(_("A transaction needs at least two postings."))
    codes = {p.get("account") for p in postings if isinstance(p, dict)}
    slugs = {p.get("fund", GENERAL_FUND_SLUG) for p in postings if isinstance(p, dict)}
    accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
    funds = {f.slug: f for f in Fund.objects.filter(slug__in=slugs)}
    result = []
    for index, posting in enumerate(postings, start=1):
        if not isinstance(posting, dict):
            raise InvalidInput(_("Posting %(n)d is not an object.") % {"n": index})
        amount = posting.get("amount")
        if not is_amount(amount) or amount == 0:
            raise InvalidInput(
                _("Posting %(n)d: the amount must be a non-zero whole number of cents.")
                % {"n": index}
            )
        account = accounts.get(posting.get("account"))
        if account is None:
            raise UnknownAccount(
                _("Posting %(n)d: there is no account “%(account)s”.")
                % {"n": index, "account": posting.get("account")}
            )
        fund = funds.get(posting.get("fund", GENERAL_FUND_SLUG))
        if fund is None:
            raise InvalidInput(
                _("Posting %(n)d: there is no fund “%(fund)s”.")
                % {"n": index, "fund": posting.get("fund")},
                code="unknown_fund",
            )
        result.append((account, fund, amount))
    total = sum(amount for _a, _f, amount in result)
    if total != 0:
        raise Unbalanced(
            _("The postings do not balance: they sum to %(total)d cents instead of zero.")
            % {"total": total}
        )
    return result


def check_kind(
    kind: str,
    lines: Lines,
    *,
    budget_line: BudgetLine | None,
    fee_of: Transaction | None,
) -> None:
    """Which accounts and funds each kind of transaction may touch."""

    def only(allowed) -> bool:
        return all(allowed(account, amount) for account, _fund, amount in lines)

    if kind in INCOME_KINDS and not only(
        lambda a, amount: (
            (a.type == AccountType.ASSET and amount > 0)
            or (a.type == AccountType.INCOME and amount < 0)
        )
    ):
        raise InvalidInput(
            _("Income moves money from an income account into asset accounts only."),
            code="wrong_accounts",
        )
    if kind == TransactionKind.TRANSFER and not only(
        lambda a, _amount: a.type == AccountType.ASSET
    ):
        raise InvalidInput(
            _("A transfer moves money between asset accounts only."), code="wrong_accounts"
        )
    per_fund: dict[int, int] = {}
    for _account, fund, amount in lines:
        per_fund[fund.pk] = per_fund.get(fund.pk, 0) + amount
    if kind == TransactionKind.TRANSFER and any(per_fund.values()):
        raise InvalidInput(
            _("A transfer keeps money in its fund: restricted money is spent only as voted."),
            code="wrong_fund",
        )
    if (
        kind == TransactionKind.EXPENSE
        and budget_line is not None
        and set(per_fund) != {budget_line.fund_id}
    ):
        raise InvalidInput(
            _("An expense is paid from the fund its budget line was voted in."), code="wrong_fund"
        )
    if (
        kind == TransactionKind.FEE
        and fee_of is not None
        and not set(per_fund) <= set(fee_of.postings.values_list("fund_id", flat=True))
    ):
        raise InvalidInput(
            _("A platform fee is taken from the fund of the income it was withheld from."),
            code="wrong_fund",
        )
    if kind == TransactionKind.FEE and (
        fee_of is None
        or not only(
            lambda a, amount: (
                (a.code == FEE_ACCOUNT and amount > 0)
                or (a.type == AccountType.ASSET and amount < 0)
            )
        )
    ):
        raise InvalidInput(
            _(
                "A platform fee is recorded with the income it was withheld from. Any other "
                "spending is an expense against a voted budget line."
            ),
            code="wrong_accounts",
        )
    if kind == TransactionKind.EXPENSE and not only(
        lambda a, amount: (
            (budget_line is not None and a.budget_line_id == budget_line.pk)
            or (a.type == AccountType.ASSET and amount < 0)
        )
    ):
        raise NoBudgetLine(
            _("A budget line's account is spent only by an expense recorded against it.")
        )
