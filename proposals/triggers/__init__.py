"""The guard on the process that authorizes every change of the rules.

A bylaw version, a budget line or a role carries power only because a vote
authorized it. So the database checks the process, not only its results:

- **The state machine.** A proposal moves only along the edges of
  `proposals.phases`, each under its conditions: submitted now, under the
  decision rules in force and in the class its contents require, on the
  schedule those frozen rules give; out of discussion or notice only once
  that period is over, with a roll of exactly the members eligible then;
  closed only after its window, with counts equal to the ballots and the
  outcome its frozen rule gives on the roll's size; a timelock computed, not
  given; enacted only after it, with every change it contains written.
  Decided proposals never change.
- **Frozen contents.** Text, amendments, budget items and appointments change
  only in draft and discussion; co-authors join only then.
- **Ballots** only from the roll, inside the window, written now; never
  deleted.
- **Artifacts only from their authority.** A bylaw version, a new article, a
  budget line, a role granted or removed: each names a passed proposal whose
  timelock is over and which contains exactly that change.

Times come from the guard's clock (`kernel/clock.py`). Every message starts
with "bylaw guard:" so the IntegrityError names the guard.

One module per part: `rules` (messages and shared SQL), `proposal_row`,
`contents`, `ballots`, `artifacts`.
"""

from __future__ import annotations

from kernel.guards import TriggerSet
from proposals.triggers.artifacts import artifact_guards
from proposals.triggers.ballots import roll_and_ballot_guards
from proposals.triggers.contents import contents_guards
from proposals.triggers.proposal_row import proposal_guards
from proposals.triggers.rules import (
    MSG_BALLOT_DELETE,
    MSG_COAUTHOR,
    MSG_CONTENTS,
    MSG_DELETE,
    MSG_REVISION,
    MSG_ROLL_FROZEN,
    outcome,
    required_class,
)

__all__ = ["guards", "outcome", "required_class"]


def guards() -> TriggerSet:
    return TriggerSet(
        guards=(
            *proposal_guards(),
            *contents_guards(),
            *roll_and_ballot_guards(),
            *artifact_guards(),
        ),
        append_only={"proposals_electorateentry": MSG_ROLL_FROZEN},
        no_delete={"proposals_ballot": MSG_BALLOT_DELETE},
        no_truncate={
            "proposals_proposal": MSG_DELETE,
            "proposals_amendment": MSG_CONTENTS,
            "proposals_budgetitem": MSG_CONTENTS,
            "proposals_appointment": MSG_CONTENTS,
            "proposals_proposalrevision": MSG_REVISION,
            "proposals_proposaluserobjectpermission": MSG_COAUTHOR,
        },
    )
