"""The contribution record: hours logged, confirmed or refused, reviewed.

Rules enforced here (and again by the database guards):

- the contributor of an accepted offer logs hours on a need that is not
  cancelled: whole minutes, more than zero, at most 24 hours in one day
  counting everything they logged for that day, on a day that has come;
- the need's beneficiary confirms or refuses them (never their own); a
  confirmation posts the transfer the bylaws give: credits issued by the
  community within its monthly cap, credits moved from the beneficiary
  (never below the floor), or, for a need paid from a budget line, an
  expense recorded through the treasury's own rules and no credits;
- the contributor may take a refusal to review; a steward who is neither
  the contributor nor the one who refused then confirms it or upholds the
  refusal with a public reason, journaled like moderation.

Hours are confirmed once: the contribution is locked (`contributions.locks`)
and the database accepts one transfer per contribution.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions import permissions
from contributions.errors import (
    AlreadyDecided,
    BelowFloor,
    InvalidHours,
    InvalidReason,
    IssuanceCapReached,
    Missing,
    NeedClosed,
    NotBeneficiary,
    NotContributor,
    NotSteward,
    OwnContribution,
)
from contributions.locks import lock_accounts, lock_contribution, lock_need, lock_offer
from contributions.models import (
    MAX_NOTE_CHARS,
    MAX_REASON_CHARS,
    MINUTES_PER_DAY,
    Contribution,
    ContributionState,
    NeedState,
    Offer,
    OfferState,
    TransferKind,
)
from contributions.parameters import credits_for, shown_hundredths
from contributions.selectors import public_label
from contributions.services import ledger
from contributions.services._common import clean_text, require_member, rules
from governance import journal
from kernel.errors import InvalidInput
from kernel.ids import as_id
from treasury import services as treasury
from treasury.models import PaymentMethod

COUNTED = (ContributionState.LOGGED, ContributionState.CONFIRMED, ContributionState.UNDER_REVIEW)


def check_minutes(minutes) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidHours(_("Give the time as a whole number of minutes."))
    if minutes <= 0:
        raise InvalidHours(_("The time given must be more than zero."))
    if minutes > MINUTES_PER_DAY:
        raise InvalidHours(_("Nobody gives more than 24 hours in a day."))
    return minutes


@transaction.atomic
def log_hours(*, actor, offer_id, minutes, worked_on, note: str = "") -> Contribution:
    """The contributor of an accepted offer logs the time they gave."""
    require_member(actor)
    minutes = check_minutes(minutes)
    if not isinstance(worked_on, dt.date) or isinstance(worked_on, dt.datetime):
        raise InvalidHours(_("Give the day the work was done."))
    if worked_on > timezone.now().date():
        raise InvalidHours(_("Hours are logged once given, not for a day still to come."))
    note = clean_text(
        note, field=_("note"), limit=MAX_NOTE_CHARS, required=False, error=InvalidHours
    )
    known = Offer.objects.filter(pk=as_id(offer_id)).values_list("need_id", flat=True).first()
    if known is None:
        raise Missing(_("There is no such offer."))
    need = lock_need(known)
    offer = lock_offer(offer_id)
    if offer.member_id != actor.pk:
        raise NotContributor(_("Only the member whose offer was accepted logs its hours."))
    if offer.state != OfferState.ACCEPTED:
        raise NeedClosed(_("Hours are logged against an accepted offer."))
    if need.state == NeedState.CANCELLED:
        raise NeedClosed(_("This need was cancelled: no more hours are logged on it."))
    that_day = (
        Contribution.objects.filter(
            contributor=actor, worked_on=worked_on, state__in=COUNTED
        ).aggregate(total=Sum("minutes"))["total"]
        or 0
    )
    if that_day + minutes > MINUTES_PER_DAY:
        raise InvalidHours(
            _("With these, you would have logged more than 24 hours on %(day)s.")
            % {"day": worked_on.isoformat()}
        )
    return Contribution.objects.create(
        offer=offer,
        need=need,
        contributor=actor,
        minutes=minutes,
        worked_on=worked_on,
        note=note,
        logged_at=timezone.now(),
    )


def _decidable(contribution_id, actor, *, state=ContributionState.LOGGED) -> Contribution:
    contribution = lock_contribution(contribution_id)
    if contribution.contributor_id == getattr(actor, "pk", None):
        raise OwnContribution(_("Nobody confirms or refuses their own hours."))
    if contribution.state != state:
        if contribution.state == ContributionState.CONFIRMED:
            raise AlreadyDecided(_("These hours have already been confirmed."))
        raise AlreadyDecided(
            _("These hours are %(state)s.") % {"state": contribution.get_state_display().lower()}
        )
    return contribution


@transaction.atomic
def confirm_contribution(*, actor, contribution_id, method: str = PaymentMethod.BANK):
    """The beneficiary confirms hours given for them: the time ledger (and,
    for paid work, the treasury) records them as the bylaws say."""
    require_member(actor)
    contribution = _decidable(contribution_id, actor)
    if not permissions.is_beneficiary(actor, contribution.need):
        raise NotBeneficiary(_("Only the need's beneficiary confirms the hours given for it."))
    _settle(contribution, authorized_by=actor, method=method)
    contribution.state = ContributionState.CONFIRMED
    contribution.confirmed_by = actor
    contribution.confirmed_at = timezone.now()
    contribution.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    return contribution


def _pay(contribution: Contribution) -> int:
    """Cents for paid work: the need's hourly pay, rounded half up to the cent."""
    return (2 * contribution.minutes * contribution.need.hourly_pay_cents + 60) // 120


def _statement(contribution: Contribution, amount: int, authorized_by) -> SimpleUploadedFile:
    """The receipt of paid work: what was done and confirmed, naming the
    contributor by their ledger reference (the public record never needs more)."""
    contributor = ledger.account_of(contribution.contributor).reference
    text = (
        f"Statement of paid contribution #{contribution.pk}\n"
        f"Need #{contribution.need_id}: {contribution.need.title}\n"
        f"Contributor (time ledger account): {contributor}\n"
        f"Worked on: {contribution.worked_on.isoformat()}\n"
        f"Time: {contribution.minutes} minutes\n"
        f"Hourly pay: {contribution.need.hourly_pay_cents} cents\n"
        f"Amount: {amount} cents\n"
        f"Confirmed by: {ledger.account_of(authorized_by).reference} at "
        f"{timezone.now().isoformat()}\n"
    )
    return SimpleUploadedFile(
        f"contribution-{contribution.pk}.txt", text.encode("utf-8"), content_type="text/plain"
    )


def _settle(contribution: Contribution, *, authorized_by, method: str, reviewed: bool = False):
    """Post what confirming these hours moves: credits, or a paid expense."""
    need = contribution.need
    references = {
        "contribution": contribution.pk,
        "need": need.pk,
        "worked_on": contribution.worked_on.isoformat(),
        "contributor": ledger.account_of(contribution.contributor).reference,
    }
    if reviewed:
        references["reviewed"] = True
    if need.is_paid:
        amount = _pay(contribution)
        expense = treasury.record_expense(
            actor=authorized_by,
            budget_line_id=need.budget_line_id,
            amount_cents=amount,
            date=timezone.now().date(),
            description=(
                f"Paid contribution #{contribution.pk} on need #{need.pk} "
                f"({contribution.minutes} min, time ledger)"
            ),
            payee=public_label(contribution.contributor),
            method=method,
            receipt_file=_statement(contribution, amount, authorized_by),
        )
        references.update(
            {"expense": expense.pk, "budget_line": need.budget_line_id, "amount_cents": amount}
        )
        return ledger.post_transfer(
            kind=TransferKind.PAID,
            authorized_by=authorized_by,
            lines=[],
            references=references,
            contribution=contribution,
            expense=expense,
            minutes=contribution.minutes,
        )
    in_force = rules()
    credits = credits_for(contribution.minutes, in_force.credit_hundredths_per_hour)
    receiver = ledger.account_of(contribution.contributor)
    if need.is_community:
        source, kind = ledger.community_account(), TransferKind.ISSUED
    else:
        source, kind = ledger.account_of(need.posted_by), TransferKind.EXCHANGED
    lock_accounts([source.pk, receiver.pk])
    if kind == TransferKind.ISSUED:
        month = ledger.month_of(timezone.now())
        issued = ledger.issued_in(month)
        if issued + credits > in_force.monthly_cap_hundredths:
            raise IssuanceCapReached(
                _(
                    "The community may issue %(cap)s credits a month under the bylaws; %(issued)s "
                    "are issued this month, and these hours would earn %(credits)s."
                )
                % {
                    "cap": shown_hundredths(in_force.monthly_cap_hundredths),
                    "issued": shown_hundredths(issued),
                    "credits": shown_hundredths(credits),
                }
            )
    else:
        balance = ledger.balance_of(source.pk)
        if balance - credits < in_force.floor:
            raise BelowFloor(
                _(
                    "These hours are worth %(credits)s credits, which would take the beneficiary's "
                    "balance of %(balance)s below %(floor)s, the lowest the bylaws allow."
                )
                % {
                    "credits": shown_hundredths(credits),
                    "balance": shown_hundredths(balance),
                    "floor": shown_hundredths(in_force.floor),
                }
            )
    references["beneficiary"] = source.reference
    return ledger.post_transfer(
        kind=kind,
        authorized_by=authorized_by,
        lines=[(source, -credits), (receiver, credits)],
        references=references,
        contribution=contribution,
        minutes=contribution.minutes,
        rate=in_force.credit_hundredths_per_hour,
        credits=credits,
    )


def _reason(reason) -> str:
    try:
        return clean_text(reason, field=_("reason"), limit=MAX_REASON_CHARS, error=InvalidReason)
    except InvalidInput as error:
        raise InvalidReason(error.message) from None


@transaction.atomic
def refuse_contribution(*, actor, contribution_id, reason) -> Contribution:
    """The beneficiary refuses hours, with a reason the contributor sees."""
    require_member(actor)
    reason = _reason(reason)
    contribution = _decidable(contribution_id, actor)
    if not permissions.is_beneficiary(actor, contribution.need):
        raise NotBeneficiary(_("Only the need's beneficiary refuses the hours given for it."))
    contribution.state = ContributionState.REFUSED
    contribution.refused_by = actor
    contribution.refused_at = timezone.now()
    contribution.refusal_reason = reason
    contribution.save(update_fields=["state", "refused_by", "refused_at", "refusal_reason"])
    return contribution


@transaction.atomic
def request_review(*, actor, contribution_id) -> Contribution:
    """The contributor asks a steward to review a refusal, once."""
    require_member(actor)
    contribution = lock_contribution(contribution_id)
    if contribution.contributor_id != actor.pk:
        raise NotContributor(_("Only the contributor asks for a review of their hours."))
    if contribution.state != ContributionState.REFUSED:
        raise AlreadyDecided(_("Only refused hours can be reviewed, once."))
    contribution.state = ContributionState.UNDER_REVIEW
    contribution.review_requested_at = timezone.now()
    contribution.save(update_fields=["state", "review_requested_at"])
    return contribution


@transaction.atomic
def decide_review(*, actor, contribution_id, confirm: bool, reason="", method=PaymentMethod.BANK):
    """A steward who is neither the contributor nor the one who refused
    confirms the hours (posting them as a confirmation would) or upholds the
    refusal with a public reason. Either way it is journaled."""
    if not permissions.can_review(actor):
        raise NotSteward(_("Only a steward reviews a refused confirmation."))
    reason = _reason(reason) if not confirm else (reason or "").strip()[:MAX_REASON_CHARS]
    contribution = _decidable(contribution_id, actor, state=ContributionState.UNDER_REVIEW)
    if contribution.refused_by_id == actor.pk:
        raise NotSteward(_("Another steward reviews a refusal: you refused these hours."))
    now = timezone.now()
    if confirm:
        _settle(contribution, authorized_by=actor, method=method, reviewed=True)
        contribution.state = ContributionState.CONFIRMED
        contribution.confirmed_by, contribution.confirmed_at = actor, now
    else:
        contribution.state = ContributionState.REFUSAL_UPHELD
    contribution.reviewed_by, contribution.reviewed_at = actor, now
    contribution.review_reason = reason
    contribution.save(
        update_fields=[
            "state",
            "confirmed_by",
            "confirmed_at",
            "reviewed_by",
            "reviewed_at",
            "review_reason",
        ]
    )
    journal.record(
        kind="contribution.reviewed",
        actor=actor,
        payload={
            "contribution": contribution.pk,
            "need": contribution.need_id,
            "outcome": "confirmed" if confirm else "refusal_upheld",
            "reason": reason,
        },
    )
    return contribution
