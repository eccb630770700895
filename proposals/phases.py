"""The phases of a proposal: the one place that says, for each state, when it
ends on time, where it may go next and what it allows.

    draft → discussion → (notice, for legal-structure changes) → voting
          → passed / rejected / failed quorum → (timelock) → enacted
    draft, discussion or notice → withdrawn

Services, selectors, the realtime feed and the database guards
(`proposals/triggers.py`) all read this table, so "may I edit / withdraw /
vote / debate / see the tally now?" has one answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from proposals.models import Proposal, State


@dataclass(frozen=True)
class Phase:
    state: State
    # The proposal field holding the moment this phase ends on its own, if it does.
    deadline: str | None
    # The states it may move to (staying put is always allowed).
    next_states: tuple[State, ...]
    is_editable: bool = False  # authors may change the text and contents
    is_withdrawable: bool = False
    is_voting: bool = False
    is_debatable: bool = False  # the debate accepts new messages
    is_decided: bool = False  # the vote is over: the tally is final and public


PHASES: dict[State, Phase] = {
    State.DRAFT: Phase(
        State.DRAFT,
        None,
        (State.DISCUSSION, State.WITHDRAWN),
        is_editable=True,
        is_withdrawable=True,
        is_debatable=True,
    ),
    State.DISCUSSION: Phase(
        State.DISCUSSION,
        "discussion_ends_at",
        (State.NOTICE, State.VOTING, State.WITHDRAWN),
        is_editable=True,
        is_withdrawable=True,
        is_debatable=True,
    ),
    State.NOTICE: Phase(
        State.NOTICE,
        "notice_ends_at",
        (State.VOTING, State.WITHDRAWN),
        is_withdrawable=True,
        is_debatable=True,
    ),
    State.VOTING: Phase(
        State.VOTING,
        "voting_closes_at",
        (State.PASSED, State.REJECTED, State.FAILED_QUORUM),
        is_voting=True,
        is_debatable=True,
    ),
    State.PASSED: Phase(State.PASSED, "enactable_at", (State.ENACTED,), is_decided=True),
    State.REJECTED: Phase(State.REJECTED, None, (), is_decided=True),
    State.FAILED_QUORUM: Phase(State.FAILED_QUORUM, None, (), is_decided=True),
    State.ENACTED: Phase(State.ENACTED, None, (), is_decided=True),
    State.WITHDRAWN: Phase(State.WITHDRAWN, None, ()),
}

EDITABLE_STATES = tuple(s for s, p in PHASES.items() if p.is_editable)
WITHDRAWABLE_STATES = tuple(s for s, p in PHASES.items() if p.is_withdrawable)
DECIDED_STATES = tuple(s for s, p in PHASES.items() if p.is_decided)
OUTCOMES = PHASES[State.VOTING].next_states


def phase_of(proposal: Proposal) -> Phase:
    return PHASES[State(proposal.state)]


def deadline_of(proposal: Proposal):
    """When the current phase ends on its own (None if it does not)."""
    field = phase_of(proposal).deadline
    return getattr(proposal, field) if field else None


def is_due(proposal: Proposal, now) -> bool:
    """A transition is due: the current phase's deadline has come."""
    deadline = deadline_of(proposal)
    return deadline is not None and now >= deadline


def due_filter(now):
    """The same rule as `is_due`, as a query over many proposals."""
    condition = Q(pk__in=[])
    for state, phase in PHASES.items():
        if phase.deadline:
            condition |= Q(state=state, **{f"{phase.deadline}__lte": now})
    return condition


def tally_is_public(proposal: Proposal) -> bool:
    """Decided votes are public; a running tally only if the frozen rules say
    so; before voting there is no tally to show."""
    phase = phase_of(proposal)
    if phase.is_decided:
        return True
    if phase.is_voting:
        return bool((proposal.rules or {}).get("tally_visible_during_vote", True))
    return False


def transitions() -> list[tuple[State, State]]:
    """Every allowed (from, to) pair, staying put included (for the guards)."""
    pairs = []
    for state, phase in PHASES.items():
        pairs.append((state, state))
        pairs.extend((state, target) for target in phase.next_states)
    return pairs
