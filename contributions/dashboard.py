"""What contributions put on a member's dashboard (members/dashboard.py):
their balance, new needs matching their skills, what waits for their answer
(offers on needs they receive, requests on their standing offers, hours to
confirm) and, for stewards, refusals to review. Hidden when there is nothing."""

from __future__ import annotations

from django.db.models import CharField, Q, Value

from contributions import permissions, selectors
from contributions.models import Contribution, ContributionState, Offer, OfferState
from members.dashboard import MEMBERS, Section

SHOWN = 5

OFFER = "offer"
HOURS = "hours"


def _receives(person, roles) -> Q:
    """Needs this person receives: their own, and community needs of a role
    they hold (`permissions.is_beneficiary`, as a filter)."""
    return Q(need__is_community=False, need__posted_by=person) | Q(
        need__is_community=True, need__beneficiary_role__in=roles
    )


def waiting_for_answer(person, *, roles, limit: int = SHOWN) -> list[dict]:
    """Offers and hours waiting for this person's answer, oldest first, in one
    query: offers on needs they receive, what was asked of them through their
    standing offers, and hours logged on needs they receive. Nobody answers
    their own offer or confirms their own hours."""
    offers = (
        Offer.objects.filter(
            (Q(state=OfferState.PENDING) & _receives(person, roles) & ~Q(member=person))
            | Q(state=OfferState.REQUESTED, member=person)
        )
        .annotate(what=Value(OFFER, output_field=CharField()))
        .values_list("what", "pk", "need_id", "need__title", "created_at")
        .order_by()  # the union is ordered as a whole
    )
    hours = (
        Contribution.objects.filter(state=ContributionState.LOGGED)
        .filter(_receives(person, roles))
        .exclude(contributor=person)
        .annotate(what=Value(HOURS, output_field=CharField()))
        .values_list("what", "pk", "need_id", "need__title", "logged_at")
        .order_by()
    )
    rows = offers.union(hours, all=True).order_by("created_at", "pk")[:limit]
    return [
        {"what": what, "pk": pk, "need_id": need_id, "need_title": title}
        for what, pk, need_id, title, _at in rows
    ]


def for_member(*, person, now, standing=None) -> dict | None:
    """Three queries (four for a steward): the standing the dashboard read
    says whether the person takes part and which roles they hold."""
    if standing is None:
        return None
    if not permissions.can_take_part(person, standing=standing):
        return None
    roles = standing["roles"]
    account, balance = selectors.account_and_balance(person)
    alerts = selectors.alerts_for(person, limit=SHOWN)
    waiting = waiting_for_answer(person, roles=roles)
    reviews = []
    if permissions.can_review(person, roles=roles):
        reviews = selectors.under_review()[:SHOWN]
    if not (alerts or waiting or reviews or account):
        return None
    return {"balance": balance, "alerts": alerts, "waiting": waiting, "reviews": reviews}


SECTION = Section(
    "contributions.mine",
    "contributions/dashboard.html",
    for_member,
    audiences=(MEMBERS,),
    order=40,
)
