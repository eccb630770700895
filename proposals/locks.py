"""Locking proposals: the one helper every read-then-write of a proposal uses."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kernel.errors import NotFound
from proposals.models import Proposal


def lock_proposal(proposal_id: int) -> Proposal:
    """The one place proposals are locked for read-then-write."""
    try:
        return Proposal.objects.select_for_update(of=("self",)).get(pk=proposal_id)
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("There is no proposal #%(id)s.") % {"id": proposal_id}) from None
