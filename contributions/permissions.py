"""Who may do what in the contribution economy: the one place that says it.

- Any member in good standing posts needs and standing offers, offers help,
  and logs the hours they gave.
- A need's *beneficiary* accepts or declines offers and confirms or refuses
  hours: the member who posted it, or for a community need any member in
  good standing who holds the role it names. Nobody decides on their own
  offer or their own hours.
- A community need is posted by a holder of the role it names; a paid one
  (drawing on a budget line) by a treasurer, who records its payments.
- Stewards review refused confirmations, in the open.
- Treasurers record dues that use a rebate.

Services, views and the database guards (`contributions/triggers/`) take
their role lists from here.
"""

from __future__ import annotations

from members.roles import Role
from members.selectors import has_role, is_member
from treasury.permissions import RECORDS_MONEY, can_decide_expenses

REVIEWS_REFUSALS = (Role.STEWARD,)
PAYS_CONTRIBUTIONS = Role.TREASURER
RECORDS_DUES = RECORDS_MONEY


def can_take_part(person, *, standing: dict | None = None) -> bool:
    """A member in good standing; `standing` is the standing already read
    (`members.selectors.standing_summary`), when the caller has it."""
    if standing is not None:
        return bool(standing["is_member"])
    return is_member(person)


def is_beneficiary(person, need) -> bool:
    """Whether ``person`` receives ``need``'s work (and so decides on it)."""
    if not is_member(person):
        return False
    if need.is_community:
        return has_role(person, need.beneficiary_role)
    return person.pk == need.posted_by_id


def decides_offer(person, offer) -> bool:
    """The beneficiary decides an offer; the giver decides what was asked of
    them through their standing offer."""
    if offer.state == offer.State.REQUESTED:
        return is_member(person) and person.pk == offer.member_id
    return person.pk != offer.member_id and is_beneficiary(person, offer.need)


def can_review(person, *, roles: list[str] | None = None) -> bool:
    """A steward; `roles` are the person's powers already read, when known."""
    if roles is not None:
        return any(role in roles for role in REVIEWS_REFUSALS)
    return any(has_role(person, role) for role in REVIEWS_REFUSALS)


def records_dues(person) -> bool:
    return any(has_role(person, role) for role in RECORDS_DUES)


def approves_payments(person, need) -> bool:
    """Who gives the second approval to paid work above the threshold: the
    treasury's rule (four eyes), asked only of paid needs."""
    return need.is_paid and can_decide_expenses(person)
