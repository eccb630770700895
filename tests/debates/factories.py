"""factory-boy factories for debates: messages are posted through the
service, by a member in good standing, on a proposal whose debate is open."""

from __future__ import annotations

import factory

from debates import services
from debates.models import Argument, Stance
from tests.factories import make_member
from tests.proposals.factories import ProposalFactory


class ArgumentFactory(factory.Factory):
    class Meta:
        model = Argument

    author = factory.LazyFunction(make_member)
    proposal = factory.SubFactory(ProposalFactory, phase="discussion")
    stance = Stance.PRO
    body = factory.Sequence(lambda n: f"Argument number {n}.")
    parent = None

    @classmethod
    def _create(cls, model_class, *, author, proposal, stance, body, parent):
        if parent is not None:
            stance = Stance.REPLY
        return services.post_argument(
            actor=author,
            proposal_id=proposal.pk,
            body=body,
            stance=stance,
            parent_id=parent.pk if parent is not None else None,
        )
