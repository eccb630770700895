"""Credits as a rebate on dues, when the bylaws say so.

Rules enforced here (and again by the database guards):

- a member in good standing asks to use credits they have (never going below
  zero: a rebate is money the association forgoes) while the Contributions
  article makes credits a rebate on dues; they may withdraw the request
  until it is used;
- a treasurer records the member's dues using the request: the rebate is
  the credits times the bylaws' rate (rounded down to the cent), less than
  the dues, so part of them is paid in money; the dues are recorded in the
  treasury through its own service with the rebate written in the
  description, and the credits go back to the community account in the
  time ledger, in the same database transaction; each names the other.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions import permissions
from contributions.errors import AlreadyDecided, InvalidOffer, NotContributor, RebateRefused
from contributions.locks import lock_accounts, lock_claim
from contributions.models import RebateClaim, RebateState, TransferKind
from contributions.parameters import hundredths, rebate_cents, shown_hundredths
from contributions.services import ledger
from contributions.services._common import require_member, rules
from kernel.ids import as_number
from kernel.money import format_cents, record_cents
from treasury import services as treasury
from treasury.errors import NotTreasurer
from treasury.models import TransactionKind


def _credits(value) -> int:
    number = as_number(value, minimum=1, maximum=10**12) if not isinstance(value, str) else None
    if number is None:
        raise InvalidOffer(_("Give the credits to use, in hundredths, more than zero."))
    return number


@transaction.atomic
def claim_rebate(*, actor, credits) -> RebateClaim:
    """A member asks to use ``credits`` (hundredths) on their next dues."""
    require_member(actor)
    credits = _credits(credits)
    in_force = rules()
    if not in_force.dues_rebate:
        raise RebateRefused(_("Under the bylaws in force, credits are not a rebate on dues."))
    account = ledger.account_of(actor)
    lock_accounts([account.pk])
    pending = sum(
        RebateClaim.objects.filter(member=actor, state=RebateState.PENDING).values_list(
            "credits", flat=True
        )
    )
    balance = ledger.balance_of(account.pk)
    if pending + credits > balance:
        raise RebateRefused(
            _(
                "You have %(balance)s credits (%(pending)s already asked for); a rebate uses only "
                "credits you have."
            )
            % {"balance": shown_hundredths(balance), "pending": shown_hundredths(pending)}
        )
    return RebateClaim.objects.create(member=actor, credits=credits, created_at=timezone.now())


@transaction.atomic
def withdraw_rebate_claim(*, actor, claim_id) -> RebateClaim:
    claim = lock_claim(claim_id)
    if claim.member_id != getattr(actor, "pk", None):
        raise NotContributor(_("Only the member who asked withdraws the request."))
    if claim.state != RebateState.PENDING:
        raise AlreadyDecided(_("This request was already used or withdrawn."))
    claim.state = RebateState.WITHDRAWN
    claim.decided_at = timezone.now()
    claim.save(update_fields=["state", "decided_at"])
    return claim


@transaction.atomic
def record_dues_with_rebate(
    *,
    actor,
    claim_id,
    dues_cents: int,
    date: dt.date,
    method: str,
    external_reference: str = "",
):
    """The treasurer records a member's dues using their rebate request.
    Returns the treasury transaction; the claim names it and its transfer."""
    if not permissions.records_dues(actor):
        raise NotTreasurer(_("Only a treasurer records dues."))
    claim = lock_claim(claim_id)
    if claim.state != RebateState.PENDING:
        raise AlreadyDecided(_("This request was already used or withdrawn."))
    if claim.member_id == actor.pk:
        raise RebateRefused(_("Another treasurer records your own dues."))
    in_force = rules()
    if not in_force.dues_rebate:
        raise RebateRefused(_("Under the bylaws in force, credits are not a rebate on dues."))
    if isinstance(dues_cents, bool) or not isinstance(dues_cents, int) or dues_cents <= 0:
        raise RebateRefused(_("Give the full dues, more than zero."))
    rebate = rebate_cents(claim.credits, in_force.rebate_cents_per_credit)
    if rebate >= dues_cents:
        raise RebateRefused(
            _(
                "A rebate of %(rebate)s would cover the whole dues of %(dues)s; a rebate lowers "
                "dues, part of them is paid in money. Ask the member for fewer credits."
            )
            % {"rebate": format_cents(rebate), "dues": format_cents(dues_cents)}
        )
    member_account, community = ledger.account_of(claim.member), ledger.community_account()
    lock_accounts([member_account.pk, community.pk])
    balance = ledger.balance_of(member_account.pk)
    if balance < claim.credits:
        raise RebateRefused(
            _("The member has %(balance)s credits, fewer than the %(credits)s asked for.")
            % {"balance": shown_hundredths(balance), "credits": shown_hundredths(claim.credits)}
        )
    income = treasury.record_income(
        actor=actor,
        kind=TransactionKind.DUES,
        amount_cents=dues_cents - rebate,
        date=date,
        method=method,
        description=(
            f"Dues {record_cents(dues_cents)} less a rebate of {record_cents(rebate)} for "
            f"{hundredths(claim.credits)} credits (rebate request #{claim.pk}, time ledger)"
        ),
        external_reference=external_reference,
        counterparty=claim.member.get_username(),
        is_counterparty_public=False,
    )
    ledger.post_transfer(
        kind=TransferKind.REBATE,
        authorized_by=actor,
        lines=[(member_account, -claim.credits), (community, claim.credits)],
        references={
            "claim": claim.pk,
            "treasury_transaction": income.pk,
            "dues_cents": dues_cents,
            "rebate_cents": rebate,
            "rebate_cents_per_credit": in_force.rebate_cents_per_credit,
        },
        rebate=claim,
        credits=claim.credits,
    )
    claim.state = RebateState.USED
    claim.decided_at = timezone.now()
    claim.treasury_transaction = income
    claim.save(update_fields=["state", "decided_at", "treasury_transaction"])
    return income
