"""The marketplace: needs, offers, standing offers, and members' choices.

Rules enforced here (and again by the database guards where rows carry power):

- any member in good standing posts a need for themself; a community need is
  posted by a holder of the role that will receive the work, on the
  authority of an enacted proposal or a voted budget line, and one that pays
  from the line is posted by a treasurer while the line still has the money
  its estimate needs;
- a need has a title, a description (safe Markdown), a place or "online", a
  time window that ends in the future, people needed and an estimate, and
  moves from open to filled, done or cancelled;
- members offer help on open needs, never on their own; the beneficiary
  accepts or declines each offer once, and a need is filled when it has
  accepted as many people as it needs;
- a standing offer can be asked for directly: that opens a need of the
  person asking, with an offer the giver accepts or declines;
- members whose skills match a new need are told, unless they opted out.

Each change of the marketplace is published into its live stream.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contributions import broadcasts, permissions
from contributions.errors import (
    AlreadyDecided,
    InvalidNeed,
    InvalidOffer,
    NeedClosed,
    NoAuthority,
    NoMoneyLeft,
    NotBeneficiary,
    NotContributor,
    OwnNeed,
)
from contributions.locks import lock_need, lock_offer, lock_standing_offer
from contributions.models import (
    BENEFICIARY_ROLES,
    MAX_DESCRIPTION_CHARS,
    MAX_NOTE_CHARS,
    MAX_TITLE_CHARS,
    Need,
    NeedState,
    Offer,
    OfferState,
    Profile,
    SkillAlert,
    StandingOffer,
)
from contributions.services._common import clean_text, require_member, skills_named
from kernel.ids import as_id, as_number
from kernel.money import format_cents
from members.models import Membership
from members.roles import Role
from members.selectors import has_role
from proposals.models import Proposal, State
from treasury.selectors import budget_line_status

MAX_PEOPLE = 1000
MAX_ESTIMATE_MINUTES = 1000 * 60
MAX_HOURLY_PAY_CENTS = 100_000_00


def _whole(value, *, field: str, low: int, high: int) -> int:
    number = as_number(value, minimum=low, maximum=high) if not isinstance(value, str) else None
    if number is None:
        raise InvalidNeed(
            _("“%(field)s” must be a whole number from %(low)s to %(high)s.")
            % {"field": field, "low": low, "high": high}
        )
    return number


def _moment(value, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise InvalidNeed(_("Give the %(field)s as a date and time.") % {"field": field})
    return value


def _authority(actor, *, role, proposal_id, budget_line_id, hourly_pay_cents):
    """A community need's authority, checked: what it draws on and who posts it."""
    if role not in [r for r, _label in BENEFICIARY_ROLES]:
        raise InvalidNeed(_("A community need names the role that receives the work."))
    proposal = line = None
    if proposal_id is not None:
        proposal = Proposal.objects.filter(pk=as_id(proposal_id)).first()
        if proposal is None or proposal.state != State.ENACTED:
            raise NoAuthority(_("A community need draws on an enacted proposal."))
    if budget_line_id is not None:
        line = budget_line_status(as_id(budget_line_id) or 0)
        if line is None:
            raise NoAuthority(_("There is no such budget line."))
    if proposal is None and line is None:
        raise NoAuthority(
            _("A community need names the enacted proposal or the budget line it draws on.")
        )
    if hourly_pay_cents:
        if line is None:
            raise InvalidNeed(_("Paid work draws on a budget line."))
        if role != Role.TREASURER:
            raise InvalidNeed(_("Paid work is received, confirmed and paid by the treasurers."))
    if not has_role(actor, role):
        raise NoAuthority(_("A community need is posted by a holder of the role that receives it."))
    return proposal, line


@transaction.atomic
def post_need(
    *,
    actor,
    title,
    description,
    skills=(),
    people_needed=1,
    estimated_minutes,
    place="",
    is_online=False,
    starts_at,
    ends_at,
    deadline=None,
    is_community=False,
    beneficiary_role="",
    proposal_id=None,
    budget_line_id=None,
    hourly_pay_cents=0,
    standing_offer=None,
) -> Need:
    """A member posts a call for contribution (see the module's rules)."""
    require_member(actor)
    title = clean_text(title, field=_("title"), limit=MAX_TITLE_CHARS)
    description = clean_text(description, field=_("description"), limit=MAX_DESCRIPTION_CHARS)
    place = clean_text(place, field=_("place"), limit=200, required=False)
    if not isinstance(is_online, bool):
        raise InvalidNeed(_("Say whether the work is online."))
    if not place and not is_online:
        raise InvalidNeed(_("Say where the work happens, or that it is online."))
    people = _whole(people_needed, field=_("people needed"), low=1, high=MAX_PEOPLE)
    minutes = _whole(estimated_minutes, field=_("estimated time"), low=1, high=MAX_ESTIMATE_MINUTES)
    pay = _whole(hourly_pay_cents or 0, field=_("hourly pay"), low=0, high=MAX_HOURLY_PAY_CENTS)
    starts_at, ends_at = _moment(starts_at, _("start")), _moment(ends_at, _("end"))
    now = timezone.now()
    if ends_at <= starts_at:
        raise InvalidNeed(_("The time window ends after it starts."))
    if ends_at <= now:
        raise InvalidNeed(_("The time window must end in the future."))
    if deadline is not None:
        if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
            raise InvalidNeed(_("Give the deadline as a day."))
        if deadline < now.date() or deadline > ends_at.date():
            raise InvalidNeed(_("The deadline falls between today and the end of the window."))
    proposal = line = None
    if is_community:
        proposal, line = _authority(
            actor,
            role=beneficiary_role,
            proposal_id=proposal_id,
            budget_line_id=budget_line_id,
            hourly_pay_cents=pay,
        )
        if pay:
            cost = -(-pay * minutes * people // 60)
            if line.remaining_cents < cost:
                raise NoMoneyLeft(
                    _("“%(line)s” has %(left)s left; this need's estimate would cost %(cost)s.")
                    % {
                        "line": line.line.purpose,
                        "left": format_cents(max(line.remaining_cents, 0)),
                        "cost": format_cents(cost),
                    }
                )
    elif beneficiary_role or proposal_id or budget_line_id or pay:
        raise InvalidNeed(_("Only a community need names a role, an authority or a pay."))
    wanted = skills_named(list(skills) if not isinstance(skills, str) else skills)
    need = Need.objects.create(
        title=title,
        description=description,
        people_needed=people,
        estimated_minutes=minutes,
        place=place,
        is_online=is_online,
        starts_at=starts_at,
        ends_at=ends_at,
        deadline=deadline,
        posted_by=actor,
        is_community=bool(is_community),
        proposal=proposal,
        budget_line=line.line if line else None,
        beneficiary_role=beneficiary_role if is_community else "",
        hourly_pay_cents=pay,
        standing_offer=standing_offer,
        created_at=now,
        changed_at=now,
    )
    need.skills.set(wanted)
    _alert_matching_members(need, wanted)
    broadcasts.need_posted(need, skills=wanted)
    return need


def _alert_matching_members(need: Need, skills) -> None:
    """Tell members with a matching skill, unless they opted out."""
    if not skills:
        return
    recipients = (
        Profile.objects.filter(
            skills__in=skills,
            notify_matching_needs=True,
            member__membership__status=Membership.Status.MEMBER,
        )
        .exclude(member_id=need.posted_by_id)
        .values_list("member_id", flat=True)
        .distinct()
    )
    now = timezone.now()
    SkillAlert.objects.bulk_create(
        [SkillAlert(recipient_id=pk, need=need, created_at=now) for pk in recipients],
        ignore_conflicts=True,
    )


def _set_state(need: Need, state: str) -> None:
    need.state = state
    need.changed_at = timezone.now()
    need.save(update_fields=["state", "changed_at"])
    broadcasts.need_changed(need)


@transaction.atomic
def close_need(*, actor, need_id, state: str) -> Need:
    """The beneficiary marks an open or filled need done, or cancels it."""
    require_member(actor)
    if state not in (NeedState.DONE, NeedState.CANCELLED):
        raise InvalidNeed(_("A need is closed as done or cancelled."))
    need = lock_need(need_id)
    if not permissions.is_beneficiary(actor, need):
        raise NotBeneficiary(_("Only the need's beneficiary closes it."))
    if need.state not in (NeedState.OPEN, NeedState.FILLED):
        raise NeedClosed(_("This need is already closed."))
    _set_state(need, state)
    return need


@transaction.atomic
def offer_help(*, actor, need_id, message="") -> Offer:
    """A member offers to help on an open need that is not theirs."""
    require_member(actor)
    message = clean_text(
        message, field=_("message"), limit=MAX_NOTE_CHARS, required=False, error=InvalidOffer
    )
    need = lock_need(need_id)
    if need.posted_by_id == actor.pk:
        raise OwnNeed(_("You cannot offer help on your own need."))
    if need.state != NeedState.OPEN:
        raise NeedClosed(_("This need no longer takes offers."))
    if Offer.objects.filter(need=need, member=actor, state__in=_ACTIVE).exists():
        raise AlreadyDecided(_("You have already offered help on this need."))
    offer = Offer.objects.create(
        need=need,
        member=actor,
        message=message,
        state=OfferState.PENDING,
        created_at=timezone.now(),
    )
    broadcasts.need_changed(need)
    return offer


_ACTIVE = (OfferState.PENDING, OfferState.REQUESTED, OfferState.ACCEPTED)


def _decide(actor, offer_id, *, accept: bool) -> Offer:
    require_member(actor)
    known = Offer.objects.filter(pk=as_id(offer_id)).values_list("need_id", flat=True).first()
    if known is None:
        lock_offer(offer_id)  # says "no such offer"
    need = lock_need(known)
    offer = lock_offer(offer_id)
    if offer.state not in (OfferState.PENDING, OfferState.REQUESTED):
        raise AlreadyDecided(_("This offer has already been answered."))
    if not permissions.decides_offer(actor, offer):
        if offer.member_id == actor.pk:
            raise OwnNeed(_("Nobody accepts their own offer."))
        raise NotBeneficiary(_("Only the need's beneficiary answers offers of help."))
    if accept and need.state != NeedState.OPEN:
        raise NeedClosed(_("This need no longer takes offers."))
    offer.state = OfferState.ACCEPTED if accept else OfferState.DECLINED
    offer.decided_at, offer.decided_by = timezone.now(), actor
    offer.save(update_fields=["state", "decided_at", "decided_by"])
    accepted = need.offers.filter(state=OfferState.ACCEPTED).count()
    if accept and accepted >= need.people_needed:
        _set_state(need, NeedState.FILLED)
    else:
        broadcasts.need_changed(need)
    return offer


@transaction.atomic
def accept_offer(*, actor, offer_id) -> Offer:
    """The beneficiary accepts an offer (the giver, one asked of them)."""
    return _decide(actor, offer_id, accept=True)


@transaction.atomic
def decline_offer(*, actor, offer_id) -> Offer:
    return _decide(actor, offer_id, accept=False)


@transaction.atomic
def withdraw_offer(*, actor, offer_id) -> Offer:
    """The giver withdraws an offer that was not answered yet."""
    require_member(actor)
    offer = lock_offer(offer_id)
    if offer.member_id != actor.pk:
        raise NotContributor(_("Only the member who offered withdraws the offer."))
    if offer.state not in (OfferState.PENDING, OfferState.REQUESTED):
        raise AlreadyDecided(_("This offer has already been answered."))
    offer.state = OfferState.WITHDRAWN
    offer.decided_at, offer.decided_by = timezone.now(), actor
    offer.save(update_fields=["state", "decided_at", "decided_by"])
    return offer


@transaction.atomic
def post_standing_offer(
    *, actor, title, description="", skills=(), availability=""
) -> StandingOffer:
    """A member says what they can give ("bookkeeping, 4 h a month")."""
    require_member(actor)
    offer = StandingOffer.objects.create(
        member=actor,
        title=clean_text(title, field=_("title"), limit=MAX_TITLE_CHARS, error=InvalidOffer),
        description=clean_text(
            description,
            field=_("description"),
            required=False,
            limit=MAX_DESCRIPTION_CHARS,
            error=InvalidOffer,
        ),
        availability=clean_text(
            availability, field=_("availability"), limit=200, required=False, error=InvalidOffer
        ),
        created_at=timezone.now(),
    )
    wanted = skills_named(list(skills) if not isinstance(skills, str) else skills)
    offer.skills.set(wanted)
    broadcasts.standing_offer_posted(offer, skills=wanted)
    return offer


@transaction.atomic
def withdraw_standing_offer(*, actor, standing_offer_id) -> StandingOffer:
    offer = lock_standing_offer(standing_offer_id)
    if offer.member_id != getattr(actor, "pk", None):
        raise NotContributor(_("Only the member who made a standing offer withdraws it."))
    if not offer.is_active:
        raise AlreadyDecided(_("This standing offer was already withdrawn."))
    offer.is_active = False
    offer.withdrawn_at = timezone.now()
    offer.save(update_fields=["is_active", "withdrawn_at"])
    broadcasts.standing_offer_withdrawn(offer)
    return offer


@transaction.atomic
def ask_standing_offer(
    *,
    actor,
    standing_offer_id,
    message,
    estimated_minutes,
    starts_at,
    ends_at,
    place="",
    is_online=False,
) -> Offer:
    """Ask a member for what they offer: a need of the one asking, with an
    offer the giver then accepts or declines."""
    require_member(actor)
    standing = lock_standing_offer(standing_offer_id)
    if standing.member_id == actor.pk:
        raise OwnNeed(_("You cannot ask for your own standing offer."))
    if not standing.is_active:
        raise NeedClosed(_("This standing offer was withdrawn."))
    need = post_need(
        actor=actor,
        title=standing.title,
        description=message,
        skills=[s.name for s in standing.skills.all()],
        estimated_minutes=estimated_minutes,
        place=place,
        is_online=is_online,
        starts_at=starts_at,
        ends_at=ends_at,
        standing_offer=standing,
    )
    return Offer.objects.create(
        need=need, member=standing.member, state=OfferState.REQUESTED, created_at=timezone.now()
    )


@transaction.atomic
def update_profile(*, actor, skills=None, is_pseudonymous=None, notify_matching_needs=None):
    """A member's skills, their pseudonym choice and their alerts choice."""
    require_member(actor)
    profile, _created = Profile.objects.select_for_update().get_or_create(
        member=actor, defaults={"updated_at": timezone.now()}
    )
    for name, value in (
        ("is_pseudonymous", is_pseudonymous),
        ("notify_matching_needs", notify_matching_needs),
    ):
        if value is not None:
            if not isinstance(value, bool):
                raise InvalidNeed(_("Say yes or no."))
            setattr(profile, name, value)
    profile.updated_at = timezone.now()
    profile.save()
    if skills is not None:
        profile.skills.set(skills_named(skills))
    return profile


@transaction.atomic
def mark_alerts_read(*, actor) -> int:
    return SkillAlert.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
