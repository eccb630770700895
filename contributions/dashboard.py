"""What contributions put on a member's dashboard (members/dashboard.py):
their balance, new needs matching their skills, hours waiting for them to
confirm and, for stewards, refusals to review. Hidden when there is nothing."""

from __future__ import annotations

from contributions import permissions, selectors
from members.dashboard import MEMBERS, Section


def for_member(*, person, now, standing=None) -> dict | None:
    """Three queries (four for a steward): the standing the dashboard read
    says whether the person takes part and which roles they hold."""
    if standing is None:
        return None
    if not permissions.can_take_part(person, standing=standing):
        return None
    roles = standing["roles"]
    account, balance = selectors.account_and_balance(person)
    alerts = selectors.alerts_for(person, limit=5)
    waiting = selectors.awaiting_confirmation(person, roles=roles, limit=5)
    reviews = selectors.under_review()[:5] if permissions.can_review(person, roles=roles) else []
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
