"""Budget lines, from governance: the treasury's side of a budget proposal.

Rules enforced here: a budget proposal names at least one line, each with a
purpose (at most 200 characters), a positive amount in whole cents and an
existing fund (`validate_budget_items`, before the proposal is submitted).
When the proposal is enacted, each item opens exactly one budget line and one
expense account named after it, and the opening is journaled with the
amounts as voted (`open_budget_lines_for`). The database checks that only an
enacted budget opens lines, exactly as voted (`proposals/triggers.py`).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import journal
from kernel.errors import InvalidInput
from kernel.money import currency
from treasury.chart_of_accounts import GENERAL_FUND_SLUG, budget_line_account_code
from treasury.models import Account, AccountType, BudgetLine, Fund
from treasury.services._common import guard_error, is_amount


def validate_budget_items(items: list[dict]) -> list[dict]:
    """Check budget items before a proposal is submitted and return them
    cleaned: [{"purpose": str, "amount_cents": int, "fund": slug}]."""
    if not items:
        raise InvalidInput(_("A budget proposal needs at least one budget line."))
    known = set(Fund.objects.values_list("slug", flat=True)) | {GENERAL_FUND_SLUG}
    cleaned = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(
                _("Budget line %(n)d is not a line (purpose, amount, fund).") % {"n": number}
            )
        purpose = str(item.get("purpose") or "").strip()
        if not purpose:
            raise InvalidInput(_("Budget line %(n)d: say what the money is for.") % {"n": number})
        if len(purpose) > 200:
            raise InvalidInput(
                _("Budget line %(n)d: the purpose is longer than 200 characters.") % {"n": number}
            )
        amount = item.get("amount_cents")
        if isinstance(amount, str) and amount.strip().isdigit():
            amount = int(amount.strip())
        if not is_amount(amount) or amount <= 0:
            raise InvalidInput(
                _("Budget line %(n)d: the amount must be greater than zero.") % {"n": number}
            )
        fund = str(item.get("fund") or GENERAL_FUND_SLUG).strip()
        if fund not in known:
            raise InvalidInput(
                _("Budget line %(n)d: there is no fund “%(fund)s” (funds: %(funds)s).")
                % {"n": number, "fund": fund, "funds": ", ".join(sorted(known))}
            )
        cleaned.append({"purpose": purpose, "amount_cents": amount, "fund": fund})
    return cleaned


def open_budget_lines_for(*, proposal) -> list[BudgetLine]:
    """Called by `proposals.services.enact_proposal` inside its transaction:
    one budget line and one expense account per budget item."""
    items = list(proposal.budget_items.order_by("pk"))
    funds = {f.slug: f for f in Fund.objects.filter(slug__in=[i.fund for i in items])}
    for item in items:
        if item.fund not in funds:
            raise InvalidInput(
                _("Budget line “%(purpose)s” names the fund “%(fund)s”, which does not exist.")
                % {"purpose": item.purpose, "fund": item.fund}
            )
    now = timezone.now()
    lines = []
    try:
        with transaction.atomic():
            for item in items:
                line = BudgetLine.objects.create(
                    proposal=proposal,
                    budget_item=item,
                    purpose=item.purpose,
                    fund=funds[item.fund],
                    amount_cents=item.amount_cents,
                    opened_at=now,
                )
                Account.objects.create(
                    code=budget_line_account_code(line.pk),
                    name=item.purpose[:200],
                    type=AccountType.EXPENSE,
                    budget_line=line,
                )
                lines.append(line)
    except IntegrityError as exc:
        raise guard_error(exc) from exc
    journal.record(
        kind="budget.lines_opened",
        actor="",
        payload={
            "proposal": proposal.pk,
            "currency": currency(),
            "lines": [
                {
                    "budget_line": line.pk,
                    "purpose": line.purpose,
                    "fund": line.fund.slug,
                    "amount": line.amount_cents,
                    "account": budget_line_account_code(line.pk),
                }
                for line in lines
            ],
        },
    )
    return lines


# ---------------------------------------------------------------------------
# Auditors
# ---------------------------------------------------------------------------
