"""Who may do what in a debate: the one place that says it."""

from __future__ import annotations

from members.roles import Role
from members.selectors import has_role
from proposals.phases import phase_of


def can_moderate(person) -> bool:
    """Stewards in good standing hide, review, restore and confirm."""
    return has_role(person, Role.STEWARD)


def is_open_for_posting(proposal) -> bool:
    """A debate takes messages while its proposal's phase is debated (the
    database guard asks the same)."""
    return phase_of(proposal).is_debatable
