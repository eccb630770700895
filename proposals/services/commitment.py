"""What a vote commits to, recomputable by anyone: the digest of a
proposal's text and contents, and the commitment over that text, the
options, the window and the roll, journaled when voting opens and checked
again before enactment (docs/auditing.md, "Recompute a vote yourself")."""

from __future__ import annotations

import hashlib
from datetime import datetime

from governance import journal
from kernel.chain import canonical_json
from members.models import Member
from proposals.models import (
    Choice,
    ElectorateEntry,
    Proposal,
)


def chain_time(moment: datetime | None) -> str | None:
    return journal.chain_timestamp(moment) if moment else None


def text_digest(proposal: Proposal) -> str:
    contents = {
        "title": proposal.title,
        "body": proposal.body,
        "amendments": [
            {
                "article_slug": a.article_slug,
                "new_title": a.new_title,
                "new_class": a.new_class,
                "new_text": a.new_text,
                "new_parameters": a.new_parameters,
            }
            for a in proposal.amendments.order_by("article_slug")
        ],
        "budget_items": [
            {"purpose": b.purpose, "amount_cents": b.amount_cents, "fund": b.fund}
            for b in proposal.budget_items.order_by("pk")
        ],
        "appointments": [
            {"member": a.member.username, "role": a.role, "action": a.action}
            for a in proposal.appointments.select_related("member").order_by("pk")
        ],
    }
    return hashlib.sha256(canonical_json(contents)).hexdigest()


def electorate_commitment(proposal: Proposal, usernames) -> str:
    """sha256 over the frozen text, options, window and the roll (sorted usernames).

    Anyone holding the roll can recompute it:
    sha256(canonical_json(header) + b"\\n" + b"\\n".join(usernames))."""
    header = {
        "proposal": proposal.pk,
        "text_sha256": text_digest(proposal),
        "options": [c.value for c in Choice],
        "voting_opens_at": chain_time(proposal.voting_opens_at),
        "voting_closes_at": chain_time(proposal.voting_closes_at),
        "decision_class": proposal.decision_class,
    }
    digest = hashlib.sha256(canonical_json(header))
    for username in usernames:
        digest.update(b"\n" + username.encode("utf-8"))
    return digest.hexdigest()


def roll_usernames(proposal: Proposal):
    """The roll's usernames in commitment order, read in chunks."""
    return (
        Member.objects.filter(
            pk__in=ElectorateEntry.objects.filter(proposal=proposal).values("member_id")
        )
        .order_by("username")
        .values_list("username", flat=True)
        .iterator(chunk_size=5000)
    )
