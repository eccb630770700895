"""Who may do what with a proposal: the one place that says it.

Only explicit grants count: the author, and the co-authors the author
invited (a django-guardian object permission, through `members.permissions`).
Being a superuser or holding Django's model-wide permissions gives nothing.
What each phase allows is in `proposals.phases`.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from members.permissions import has_object_role
from members.selectors import is_member
from proposals.errors import NotAnAuthor, TextFrozen
from proposals.models import Proposal, State
from proposals.phases import phase_of

CHANGE_PERMISSION = "change_proposal"


def is_author(person, proposal: Proposal) -> bool:
    """The author, or a co-author the author invited (in good standing)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    if proposal.author_id == person.pk:
        return True
    return has_object_role(person, f"proposals.{CHANGE_PERMISSION}", proposal)


def can_view(person, proposal: Proposal) -> bool:
    """Everyone reads a submitted proposal; a draft only its authors."""
    return proposal.state != State.DRAFT or is_author(person, proposal)


def visible_to(proposals: QuerySet[Proposal], person) -> QuerySet[Proposal]:
    """The same rule as `can_view`, over many proposals."""
    if person is None or not getattr(person, "is_authenticated", False):
        return proposals.exclude(state=State.DRAFT)
    mine = Q(author=person)
    if is_member(person):  # a co-author's grant counts only in good standing
        mine |= Q(
            proposaluserobjectpermission__user=person,
            proposaluserobjectpermission__permission__codename=CHANGE_PERMISSION,
        )
    mine = Proposal.objects.filter(mine).values("pk")
    return proposals.filter(~Q(state=State.DRAFT) | Q(pk__in=mine))


def require_editable(person, proposal: Proposal) -> None:
    """Only its authors edit a proposal, and only while its phase allows it."""
    if not is_author(person, proposal):
        raise NotAnAuthor(_("Only the authors of a proposal can edit it."))
    if not phase_of(proposal).is_editable:
        raise TextFrozen(
            _("The text is frozen: the proposal is in %(state)s.")
            % {"state": proposal.get_state_display()}
        )
