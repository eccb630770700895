"""Enacting a passed proposal: the only place bylaw versions, budget lines
and role changes are written on a vote's authority."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import journal
from governance.errors import GuardViolation, NotEnactable
from governance.services import enact_article_version
from kernel import dates
from members.services import grant_role, revoke_role
from proposals.decision import required_decision_class
from proposals.locks import lock_proposal
from proposals.models import (
    Appointment,
    DecisionClass,
    Kind,
    Proposal,
    State,
)
from proposals.services.commitment import electorate_commitment, roll_usernames
from treasury.services import open_budget_lines_for

logger = logging.getLogger(__name__)


@transaction.atomic
def enact_proposal(*, proposal_id: int) -> Proposal:
    """Apply a passed proposal once its timelock has expired.

    Bylaw versions, budget lines and role changes are written here and nowhere
    else, each by its own app's service on this proposal's authority. What is
    enacted must be what was voted on: the contents and roll must still give
    the commitment journaled when voting opened. And the proposal must have
    passed under the class its changes require *now* (if an article became
    entrenched meanwhile, an ordinary decision no longer suffices)."""
    proposal = lock_proposal(proposal_id)
    if proposal.state != State.PASSED:
        raise NotEnactable(
            _("Only a passed proposal can be enacted; this one is %(state)s.")
            % {"state": proposal.get_state_display()}
        )
    now = timezone.now()
    if proposal.enactable_at > now:
        raise NotEnactable(
            _("The timelock runs until %(when)s.") % {"when": dates.moment(proposal.enactable_at)}
        )
    if electorate_commitment(proposal, roll_usernames(proposal)) != proposal.commitment:
        raise GuardViolation(
            _(
                "What this proposal would enact is not what was voted on: its contents or roll "
                "no longer match the commitment journaled when voting opened."
            )
        )
    amendments = list(proposal.amendments.order_by("pk"))
    required = required_decision_class(
        kind=proposal.kind,
        amendments=[{"article_slug": a.article_slug, "new_class": a.new_class} for a in amendments],
    )
    if required == DecisionClass.ENTRENCHED and proposal.decision_class != DecisionClass.ENTRENCHED:
        raise GuardViolation(
            _("This change touches an entrenched article and needs a legal-structure decision.")
        )
    created = [
        enact_article_version(
            proposal=proposal,
            slug=a.article_slug,
            title=a.new_title,
            article_class=a.new_class,
            text=a.new_text,
            parameters=a.new_parameters,
        )
        for a in amendments
    ]
    if proposal.kind == Kind.BUDGET:
        open_budget_lines_for(proposal=proposal)
    for appointment in proposal.appointments.select_related("member").order_by("pk"):
        change = grant_role if appointment.action == Appointment.Action.GRANT else revoke_role
        verb = "appointed" if appointment.action == Appointment.Action.GRANT else "removed"
        change(
            member=appointment.member,
            role=appointment.role,
            reason=f"{verb} by proposal #{proposal.pk}",
            proposal=proposal,
        )
    proposal.state = State.ENACTED
    proposal.enacted_at = now
    proposal.save(update_fields=["state", "enacted_at"])
    journal.record(
        kind="proposal.enacted",
        actor="",
        payload={
            "proposal": proposal.pk,
            "versions": [f"{v.article.slug}@{v.number}" for v in created],
        },
    )
    return proposal
