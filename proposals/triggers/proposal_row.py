"""The proposal row: created a draft; moves only along the edges of
`proposals.phases`, each under its conditions; decided proposals never change."""

from __future__ import annotations

from governance.triggers import CURRENT_RULES
from kernel.guards import Dialect, Guard, Rule, literal
from members.triggers import in_good_standing
from proposals.models import Choice, State
from proposals.phases import transitions
from proposals.triggers.rules import (
    EDITABLE,
    ENTRENCHED,
    MSG_CLOSE,
    MSG_DATES,
    MSG_DELETE,
    MSG_EARLY,
    MSG_EDGE,
    MSG_ENACT,
    MSG_FROZEN,
    MSG_FROZEN_TEXT,
    MSG_IMMUTABLE,
    MSG_INSERT,
    MSG_NOTICE,
    MSG_ROLL,
    MSG_SUBMIT,
    MSG_TALLY,
    MSG_TALLY_STEP,
    MSG_TEXT_REVISION,
    MSG_TIMELOCK,
    MSG_WITHDRAW,
    OUTCOME_STATES,
    ballots_of,
    count_of,
    edge,
    eligible,
    outcome,
    required_class,
    states_sql,
)

# --- the proposal row ----------------------------------------------------------------------

IMMUTABLE = ("kind", "author_id", "created_at")
TEXT = ("title", "body", "revision")
SCHEDULE = (
    "decision_class",
    "rules",
    "submitted_at",
    "discussion_ends_at",
    "notice_ends_at",
    "voting_opens_at",
    "voting_closes_at",
)
COUNTS = ("yes_count", "no_count", "abstain_count")
STEP_COLUMNS = (
    "closed_at",
    "enactable_at",
    "enacted_at",
    "withdrawn_at",
    "electorate_size",
    "commitment",
)
ALL_BUT_COUNTS = (*IMMUTABLE, *TEXT, "state", *SCHEDULE, *STEP_COLUMNS)

SUBMITTING = edge(State.DRAFT, State.DISCUSSION)
LEAVING_DISCUSSION = (
    f"(OLD.state = {literal(State.DISCUSSION)} "
    f"AND NEW.state IN ({states_sql([State.NOTICE, State.VOTING])}))"
)
OPENING = (
    f"(OLD.state IN ({states_sql([State.DISCUSSION, State.NOTICE])}) "
    f"AND NEW.state = {literal(State.VOTING)})"
)
CLOSING = f"(OLD.state = {literal(State.VOTING)} AND NEW.state IN ({OUTCOME_STATES}))"
ENACTING = edge(State.PASSED, State.ENACTED)
WITHDRAWING = (
    f"(OLD.state <> {literal(State.WITHDRAWN)} AND NEW.state = {literal(State.WITHDRAWN)})"
)
IS_ENTRENCHED = f"(NEW.decision_class = {ENTRENCHED})"
NO_COUNTS = "(NEW.yes_count = 0 AND NEW.no_count = 0 AND NEW.abstain_count = 0)"


def _submit(d: Dialect) -> str:
    def after(later: str, earlier: str, rule: str) -> str:
        return d.differs_by_days(f"NEW.{later}", f"NEW.{earlier}", d.json_int("NEW.rules", rule))

    opens = d.distinct(
        "NEW.voting_opens_at", "COALESCE(NEW.notice_ends_at, NEW.discussion_ends_at)"
    )
    return (
        f"{SUBMITTING} AND ({d.not_now('NEW.submitted_at')} "
        f"OR {CURRENT_RULES} IS NULL OR NOT {d.json_equal('NEW.rules', CURRENT_RULES)} "
        f"OR NEW.decision_class <> {required_class(d)} "
        f"OR {after('discussion_ends_at', 'submitted_at', 'discussion_days')} "
        f"OR ({IS_ENTRENCHED} AND {after('notice_ends_at', 'discussion_ends_at', 'notice_days')}) "
        f"OR (NOT {IS_ENTRENCHED} AND NEW.notice_ends_at IS NOT NULL) "
        f"OR {opens} "
        f"OR {after('voting_closes_at', 'voting_opens_at', 'voting_days')} "
        f"OR NOT {NO_COUNTS})"
    )


def _open(d: Dialect) -> str:
    on_roll = "(SELECT COUNT(*) FROM proposals_electorateentry r WHERE r.proposal_id = NEW.id)"
    eligible_count = (
        f"(SELECT COUNT(*) FROM members_membership em WHERE {eligible(d, 'em', 'NEW')})"
    )
    ineligible_on_roll = (
        "EXISTS (SELECT 1 FROM proposals_electorateentry r2 "
        "JOIN members_membership rm ON rm.member_id = r2.member_id "
        f"WHERE r2.proposal_id = NEW.id AND NOT COALESCE({eligible(d, 'rm', 'NEW')}, FALSE))"
    )
    return (
        f"{OPENING} AND (NEW.electorate_size IS NULL OR NEW.electorate_size <> {on_roll} "
        f"OR {on_roll} <> {eligible_count} OR {ineligible_on_roll} "
        f"OR LENGTH(NEW.commitment) <> 64 OR NOT {NO_COUNTS})"
    )


def _close(d: Dialect) -> str:
    return (
        f"{CLOSING} AND ({d.not_yet('OLD.voting_closes_at')} "
        f"OR NEW.yes_count <> {ballots_of(Choice.YES)} OR NEW.no_count <> {ballots_of(Choice.NO)} "
        f"OR NEW.abstain_count <> {ballots_of(Choice.ABSTAIN)} "
        f"OR {d.distinct('NEW.closed_at', 'NEW.voting_closes_at')} "
        f"OR NEW.state <> {outcome(d)})"
    )


def _timelock(d: Dialect) -> str:
    timelock = d.json_int("NEW.rules", "timelock_days")
    passed = literal(State.PASSED)
    return (
        f"{CLOSING} AND ((NEW.state = {passed} AND "
        f"{d.differs_by_days('NEW.enactable_at', 'NEW.closed_at', timelock)}) "
        f"OR (NEW.state <> {passed} AND NEW.enactable_at IS NOT NULL))"
    )


def _enact(d: Dialect) -> str:
    versions = count_of("governance_bylawversion", "enacted_by_id")
    amendments = count_of("proposals_amendment", "proposal_id")
    lines = count_of("treasury_budgetline", "proposal_id")
    items = count_of("proposals_budgetitem", "proposal_id")
    grants = count_of("members_roleassignment", "granted_by_proposal_id")
    removals = count_of("members_roleassignment", "revoked_by_proposal_id")
    appointments = count_of("proposals_appointment", "proposal_id")
    return (
        f"{ENACTING} AND ({d.not_yet('OLD.enactable_at')} OR {d.not_now('NEW.enacted_at')} "
        f"OR {versions} <> {amendments} OR {lines} <> {items} "
        f"OR {grants} + {removals} <> {appointments})"
    )


def _dates(d: Dialect) -> str:
    def only_in(column: str, step: str) -> str:
        return f"({d.distinct(f'NEW.{column}', f'OLD.{column}')} AND NOT {step})"

    return " OR ".join(
        [
            only_in("withdrawn_at", WITHDRAWING),
            only_in("electorate_size", OPENING),
            only_in("commitment", OPENING),
            only_in("closed_at", CLOSING),
            only_in("enactable_at", CLOSING),
            only_in("enacted_at", ENACTING),
        ]
    )


def proposal_guards() -> list[Guard]:
    edges = " OR ".join(edge(old, new) for old, new in transitions())
    return [
        Guard(
            "proposals_proposal",
            "INSERT",
            (
                Rule(
                    MSG_INSERT,
                    lambda d: (
                        f"NEW.state <> {literal(State.DRAFT)} OR NEW.rules IS NOT NULL "
                        f"OR NOT {NO_COUNTS} OR NEW.commitment <> '' OR NEW.revision <> 1 "
                        + " ".join(
                            f"OR NEW.{c} IS NOT NULL" for c in SCHEDULE[2:] + STEP_COLUMNS[:5]
                        )
                        + f" OR {d.not_now('NEW.created_at')} "
                        f"OR NOT {in_good_standing('NEW.author_id')}"
                    ),
                ),
            ),
        ),
        # Every UPDATE that sets more than the counts: the decision process.
        Guard(
            "proposals_proposal",
            "UPDATE",
            (
                Rule(MSG_IMMUTABLE, lambda d: d.any_distinct(IMMUTABLE)),
                Rule(MSG_EDGE, f"NOT ({edges})"),
                Rule(
                    MSG_FROZEN_TEXT,
                    lambda d: f"OLD.state NOT IN ({EDITABLE}) AND {d.any_distinct(TEXT)}",
                ),
                Rule(
                    MSG_TEXT_REVISION,
                    lambda d: (
                        f"{d.any_distinct(TEXT)} AND (NEW.revision <> OLD.revision + 1 "
                        "OR NOT EXISTS (SELECT 1 FROM proposals_proposalrevision tr "
                        "WHERE tr.proposal_id = NEW.id AND tr.number = NEW.revision "
                        "AND tr.title = NEW.title AND tr.body = NEW.body))"
                    ),
                ),
                Rule(MSG_FROZEN, lambda d: f"NOT {SUBMITTING} AND {d.any_distinct(SCHEDULE)}"),
                Rule(MSG_SUBMIT, _submit),
                Rule(
                    MSG_EARLY,
                    lambda d: (
                        f"({LEAVING_DISCUSSION} AND {d.not_yet('OLD.discussion_ends_at')}) "
                        f"OR ({edge(State.NOTICE, State.VOTING)} "
                        f"AND {d.not_yet('OLD.notice_ends_at')})"
                    ),
                ),
                Rule(
                    MSG_NOTICE,
                    f"({edge(State.DISCUSSION, State.NOTICE)} AND NOT {IS_ENTRENCHED}) "
                    f"OR ({edge(State.DISCUSSION, State.VOTING)} AND {IS_ENTRENCHED})",
                ),
                Rule(MSG_ROLL, _open),
                Rule(MSG_CLOSE, _close),
                Rule(MSG_TIMELOCK, _timelock),
                Rule(MSG_ENACT, _enact),
                Rule(MSG_WITHDRAW, lambda d: f"{WITHDRAWING} AND {d.not_now('NEW.withdrawn_at')}"),
                Rule(MSG_DATES, _dates),
            ),
            name="process",
            columns=ALL_BUT_COUNTS,
        ),
        # A ballot moves the tally with an UPDATE that sets only the counts:
        # only this light guard runs on that hot path.
        Guard(
            "proposals_proposal",
            "UPDATE",
            (
                Rule(
                    MSG_TALLY,
                    lambda d: (
                        f"{d.any_distinct(COUNTS)} AND (OLD.state <> {literal(State.VOTING)} "
                        f"OR (NEW.state = {literal(State.VOTING)} "
                        f"AND NOT {d.is_pending('NEW.voting_closes_at')}))"
                    ),
                ),
                # A running tally moves as ballots do: one ballot added, or
                # one choice moved from one count to another.
                Rule(
                    MSG_TALLY_STEP,
                    f"NEW.state = {literal(State.VOTING)} AND ("
                    + " OR ".join(f"ABS(NEW.{c} - OLD.{c}) > 1" for c in COUNTS)
                    + " OR (NEW.yes_count + NEW.no_count + NEW.abstain_count) - "
                    "(OLD.yes_count + OLD.no_count + OLD.abstain_count) NOT IN (0, 1))",
                ),
            ),
            name="tally",
            columns=COUNTS,
        ),
        Guard("proposals_proposal", "DELETE", (Rule(MSG_DELETE, "OLD.state <> 'draft'"),)),
    ]
