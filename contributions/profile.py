"""What contributions put on a member's profile (members/profiles.py): what
they gave and received, in hours and credits, and their time balance, with a
link to their account in the public time ledger. Hidden for a member with no
time account yet. Three queries."""

from __future__ import annotations

from django.db.models import Count, Sum

from contributions import selectors
from contributions.models import TimeTransfer, TransferKind
from members.dashboard import Section


def _totals(transfers) -> dict:
    totals = transfers.aggregate(minutes=Sum("minutes"), credits=Sum("credits"), count=Count("pk"))
    return {key: value or 0 for key, value in totals.items()}


def given_and_received(*, person, viewer) -> dict | None:
    account, balance = selectors.account_and_balance(person)
    if account is None:
        return None
    posted = TimeTransfer.objects.filter(status=TimeTransfer.Status.POSTED)
    return {
        "account": account,
        "balance": balance,
        # Hours they gave: every confirmed contribution of theirs.
        "given": _totals(posted.filter(contribution__contributor=person)),
        # Hours they received: exchanges on needs they posted (community
        # needs are received by the community, not by the role holder).
        "received": _totals(
            posted.filter(kind=TransferKind.EXCHANGED, contribution__need__posted_by=person)
        ),
    }


SECTION = Section(
    "contributions.given_and_received",
    "contributions/profile.html",
    given_and_received,
    order=40,
)
