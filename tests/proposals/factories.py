"""factory-boy factories for proposals. They go through the services, as the
database guards require: a proposal is drafted by its author, then taken to
the phase asked for (`phase="discussion"` submits it now; `phase="voting"`
submits it just long enough ago for its vote to be open now)."""

from __future__ import annotations

import factory

from proposals import services
from proposals.models import Kind, Proposal
from tests.factories import make_member


class ProposalFactory(factory.Factory):
    class Meta:
        model = Proposal

    author = factory.LazyFunction(make_member)
    kind = Kind.MOTION
    title = factory.Sequence(lambda n: f"Proposal {n}")
    body = "Why and what."
    phase = "draft"

    @classmethod
    def _create(cls, model_class, *, author, kind, title, body, phase, **contents):
        from tests.proposals.helpers import submit, voting_now

        if phase == "voting":
            return voting_now(author, kind=kind, title=title, body=body, **contents)
        proposal = services.create_draft(
            author=author, kind=kind, title=title, body=body, **contents
        )
        if phase == "discussion":
            proposal = submit(proposal)
        elif phase != "draft":
            raise ValueError(
                f"ProposalFactory takes proposals to draft, discussion or voting: {phase}"
            )
        return proposal
