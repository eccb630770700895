"""What proposals put on the dashboard (members/dashboard.py): votes waiting
for me, ballots I can still change, legal-structure changes in notice, what
is being decided, and the latest decisions enacted. Reads only."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery

from members.dashboard import MEMBERS, VISITORS, Section
from proposals.models import Ballot, ElectorateEntry, Proposal, State

SHOWN = 5


def my_votes(*, person, now, standing=None) -> dict | None:
    """Votes open on my roll: those I have not cast, and those I may still
    change (one query)."""
    mine = Ballot.objects.filter(proposal=OuterRef("pk"), voter=person).values("choice")[:1]
    rows = list(
        Proposal.objects.filter(
            state=State.VOTING,
            voting_closes_at__gt=now,
            pk__in=ElectorateEntry.objects.filter(member=person).values("proposal_id"),
        )
        .annotate(my_choice=Subquery(mine))
        .only("id", "title", "voting_closes_at")
        .order_by("voting_closes_at", "pk")[:50]
    )
    if not rows:
        return None
    to_cast = [p for p in rows if p.my_choice is None]
    return {
        "to_cast": to_cast[:SHOWN],
        "to_cast_count": len(to_cast),
        "cast": [p for p in rows if p.my_choice][:SHOWN],
    }


def decisions(*, person, now, standing=None) -> dict | None:
    """Changes to the legal structure in notice (every member is told before
    those votes open) and the latest decisions enacted, in one query."""
    latest = Proposal.objects.filter(state=State.ENACTED).order_by("-enacted_at", "-pk")
    rows = list(
        Proposal.objects.filter(
            Q(state=State.NOTICE) | Q(pk__in=Subquery(latest.values("pk")[:SHOWN]))
        )
        .only("id", "title", "kind", "state", "voting_opens_at", "enacted_at")
        .order_by("voting_opens_at", "pk")
    )
    notices = [p for p in rows if p.state == State.NOTICE][:SHOWN]
    enacted = sorted(
        (p for p in rows if p.state == State.ENACTED),
        key=lambda p: (p.enacted_at, p.pk),
        reverse=True,
    )
    if not notices and not enacted:
        return None
    return {"notices": notices, "enacted": enacted}


def being_decided(*, person, now, standing=None) -> dict | None:
    """For visitors: what is open now, by phase, with the next deadlines (one query)."""
    open_now = list(
        Proposal.objects.filter(state__in=(State.DISCUSSION, State.NOTICE, State.VOTING))
        .only("id", "title", "state", "discussion_ends_at", "voting_opens_at", "voting_closes_at")
        .order_by("voting_closes_at", "pk")[: SHOWN * 2]
    )
    return {"open_now": open_now} if open_now else None


SECTIONS = (
    Section("proposals.my_votes", "proposals/dashboard/my_votes.html", my_votes, order=10),
    Section(
        "proposals.decisions",
        "proposals/dashboard/decisions.html",
        decisions,
        audiences=(MEMBERS, VISITORS),
        order=20,
    ),
    Section(
        "proposals.being_decided",
        "proposals/dashboard/being_decided.html",
        being_decided,
        audiences=(VISITORS,),
        order=10,
    ),
)
