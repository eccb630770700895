"""The roll and the ballots: the roll frozen when voting opens; ballots only
from the roll, inside the window, written now, never deleted."""

from __future__ import annotations

from kernel.guards import Dialect, Guard, Rule, literal
from members.triggers import in_good_standing
from proposals.models import State
from proposals.triggers.rules import MSG_BALLOT, MSG_BALLOT_CHANGE, MSG_ROLL, eligible, states_sql

# --- the roll and the ballots ------------------------------------------------------------------


def _window(d: Dialect) -> str:
    """NEW (a ballot) is by a member on the roll of a vote open now, still in
    good standing (a member suspended since the opening does not vote)."""
    return (
        "(EXISTS (SELECT 1 FROM proposals_proposal bp JOIN proposals_electorateentry be "
        "ON be.proposal_id = bp.id WHERE bp.id = NEW.proposal_id "
        f"AND be.member_id = NEW.voter_id AND bp.state = {literal(State.VOTING)} "
        f"AND {d.has_passed('bp.voting_opens_at')} AND {d.is_pending('bp.voting_closes_at')}) "
        f"AND {in_good_standing('NEW.voter_id')})"
    )


def roll_and_ballot_guards() -> list[Guard]:
    def roll(d: Dialect) -> str:
        return (
            "NOT EXISTS (SELECT 1 FROM proposals_proposal rp "
            "JOIN members_membership rm ON rm.member_id = NEW.member_id "
            f"WHERE rp.id = NEW.proposal_id "
            f"AND rp.state IN ({states_sql([State.DISCUSSION, State.NOTICE])}) "
            f"AND {eligible(d, 'rm', 'rp')})"
        )

    return [
        Guard("proposals_electorateentry", "INSERT", (Rule(MSG_ROLL, roll),)),
        Guard(
            "proposals_ballot",
            "INSERT",
            (
                Rule(
                    MSG_BALLOT,
                    lambda d: (
                        f"NOT {_window(d)} OR {d.not_now('NEW.cast_at')} "
                        f"OR {d.distinct('NEW.changed_at', 'NEW.cast_at')}"
                    ),
                ),
            ),
        ),
        Guard(
            "proposals_ballot",
            "UPDATE",
            (
                Rule(
                    MSG_BALLOT_CHANGE,
                    lambda d: (
                        d.any_distinct(["proposal_id", "voter_id", "cast_at", "receipt_hash"])
                        + f" OR NOT {_window(d)} OR {d.not_now('NEW.changed_at')}"
                    ),
                ),
            ),
        ),
    ]
