"""Reads of proposals, ballots and results."""

from __future__ import annotations


def member_data_for_export(*, member) -> dict:
    from proposals.models import Ballot, Notification, Proposal

    return {
        "proposals_authored": [
            {"id": p.pk, "title": p.title, "state": p.state, "created_at": p.created_at.isoformat()}
            for p in Proposal.objects.filter(author=member).order_by("pk")
        ],
        "ballots": [
            {
                "proposal": b.proposal_id,
                "choice": b.choice,
                "cast_at": b.cast_at.isoformat(),
                "changed_at": b.changed_at.isoformat(),
            }
            for b in Ballot.objects.filter(voter=member).order_by("proposal_id")
        ],
        "notifications": [
            {"message": n.message, "created_at": n.created_at.isoformat()}
            for n in Notification.objects.filter(recipient=member).order_by("pk")
        ],
    }
