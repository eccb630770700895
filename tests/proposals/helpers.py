"""Take proposals through real votes with a controlled clock.

Every state is reached through the services, at the moments it would have
been: time moves with time-machine, and the database guards read the same
clock (`GUARD_CLOCK = "application"` in the test settings). A vote is held
in the past, so that discussion, notice, voting and the timelock have all
elapsed by the present, then enacted now.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from governance.models import DecisionClass
from governance.selectors import current_parameters
from proposals import services
from proposals.models import Proposal

MINUTE = timedelta(minutes=1)


def lifecycle_days(entrenched: bool) -> int:
    p = current_parameters()
    return (
        p.discussion_days + (p.notice_days if entrenched else 0) + p.voting_days + p.timelock_days
    )


def draft(author, *, kind="motion", title="A proposal", body="Why and what.", **contents):
    from tests.proposals.factories import ProposalFactory

    return ProposalFactory(author=author, kind=kind, title=title, body=body, **contents)


def submit(proposal: Proposal) -> Proposal:
    """Open a draft for discussion now."""
    return services.submit_proposal(proposal_id=proposal.pk, actor=proposal.author)


def _days_to_voting(proposal: Proposal) -> int:
    from proposals.decision import required_decision_class

    amendments = list(proposal.amendments.values("article_slug", "new_class"))
    required = required_decision_class(kind=proposal.kind, amendments=amendments)
    entrenched = required == DecisionClass.ENTRENCHED
    p = current_parameters()
    return p.discussion_days + (p.notice_days if entrenched else 0)


def voting_now(author, **fields) -> Proposal:
    """A proposal drafted with ``fields`` whose vote is open now: submitted
    just long enough ago for discussion (and notice) to be over."""
    proposal = draft(author, **fields)
    start = timezone.now() - timedelta(days=_days_to_voting(proposal)) - MINUTE
    with time_machine.travel(start, tick=False):
        submit(proposal)
    return services.advance_proposal(proposal_id=proposal.pk)


def change_rules(author, voters, **changes) -> Proposal:
    """Amend the decision rules by a legal-structure vote of ``voters``."""
    from governance.parameters import PARAMETERS_ARTICLE

    rules = {**current_parameters().to_json(), **changes}
    proposal = draft(
        author,
        kind="amendment",
        title="Change the decision rules",
        amendments=[
            {
                "article_slug": PARAMETERS_ARTICLE,
                "new_title": "Decision rules",
                "new_class": "entrenched",
                "new_parameters": rules,
            }
        ],
    )
    return hold_vote(proposal, yes=voters)


def hold_vote(
    proposal: Proposal,
    *,
    yes=(),
    no=(),
    abstain=(),
    enact: bool = True,
) -> Proposal:
    """Submit a draft in the past, open voting on time, cast the given ballots,
    close the vote, and (if it passed and `enact`) enact it now."""
    entrenched_guess = proposal.kind == "amendment"
    start = timezone.now() - timedelta(days=lifecycle_days(entrenched_guess) + 2)
    with time_machine.travel(start, tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=proposal.author)
    proposal.refresh_from_db()
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
        for choice, voters in (("yes", yes), ("no", no), ("abstain", abstain)):
            for voter in voters:
                services.cast_vote(proposal_id=proposal.pk, voter=voter, choice=choice)
    with time_machine.travel(proposal.voting_closes_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
    if enact:
        services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    return proposal


def pass_proposal(author, voters, *, kind="motion", enact=True, **fields) -> Proposal:
    """A proposal of any kind that every voter approves."""
    proposal = draft(author, kind=kind, **fields)
    return hold_vote(proposal, yes=voters, enact=enact)


def amend(author, voters, *, slug, text, title=None, new_class=None, enact=True, **fields):
    """A bylaw amendment of one article, passed by all voters and enacted."""
    from governance.selectors import current_version

    current = current_version(slug)
    amendment = {
        "article_slug": slug,
        "new_title": title or (current.title if current else slug.title()),
        "new_class": new_class or (current.article_class if current else "ordinary"),
        "new_text": text,
    }
    return pass_proposal(
        author,
        voters,
        kind="amendment",
        title=fields.pop("proposal_title", f"Amend {slug}"),
        amendments=[amendment],
        enact=enact,
        **fields,
    )


def pass_budget(author, voters, *, lines, enact=True) -> Proposal:
    """lines: [{"purpose": ..., "amount_cents": ..., "fund": "general"}]"""
    return pass_proposal(
        author, voters, kind="budget", title="Budget", budget_items=lines, enact=enact
    )
