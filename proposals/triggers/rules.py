"""What the proposal guards say, in SQL: the messages, the state lists and
the rules shared by several guards (the decision class a proposal
requires and the outcome of a vote, each tested equal to its Python twin
in tests/kernel/test_guards.py; who is eligible; when a proposal is
enactable)."""

from __future__ import annotations

from governance.models import ArticleClass, DecisionClass
from governance.parameters import PARAMETERS_ARTICLE
from kernel.guards import Dialect, Sql, literal
from members.models import Membership
from proposals.models import Kind, State
from proposals.phases import EDITABLE_STATES, OUTCOMES


def states_sql(states) -> str:
    return ", ".join(literal(s) for s in states)


EDITABLE = states_sql(EDITABLE_STATES)
OUTCOME_STATES = states_sql(OUTCOMES)
ENTRENCHED = literal(DecisionClass.ENTRENCHED)
ENTRENCHED_ARTICLE = literal(ArticleClass.ENTRENCHED)

MSG_INSERT = "bylaw guard: a proposal is created as a draft, now, by a member in good standing"
MSG_IMMUTABLE = "bylaw guard: a proposal's kind, author and creation date never change"
MSG_EDGE = "bylaw guard: a proposal moves only along the steps of the decision process"
MSG_FROZEN_TEXT = "bylaw guard: the text is frozen once discussion is over"
MSG_FROZEN = "bylaw guard: the rules and schedule of a submitted proposal are frozen"
MSG_SUBMIT = (
    "bylaw guard: a proposal is submitted now, under the decision rules in force, in the class "
    "its contents require, on the schedule those rules give"
)
MSG_EARLY = "bylaw guard: a phase ends only when its time is over"
MSG_NOTICE = "bylaw guard: legal-structure changes, and only they, go through notice"
MSG_ROLL = (
    "bylaw guard: voting opens with a roll of exactly the members eligible then, committed to"
)
MSG_CLOSE = (
    "bylaw guard: a vote closes after its window, with counts equal to the ballots and the "
    "outcome its frozen rule gives on the roll's size"
)
MSG_TIMELOCK = "bylaw guard: the timelock is the frozen rules' timelock after the close"
MSG_ENACT = (
    "bylaw guard: a proposal is enacted after its timelock, now, with every change it "
    "contains written"
)
MSG_WITHDRAW = "bylaw guard: a proposal is withdrawn now, before voting opens"
MSG_DATES = "bylaw guard: each date of a proposal is written only by its own step"
MSG_TALLY = "bylaw guard: the tally moves only while voting is open; a decided tally is final"
MSG_TALLY_STEP = "bylaw guard: a running tally moves by one ballot at a time"
MSG_TEXT_REVISION = (
    "bylaw guard: the text changes only together with a new revision holding it, numbered next"
)
MSG_DELETE = "bylaw guard: a submitted proposal cannot be deleted"
MSG_CONTENTS = "bylaw guard: the contents of a proposal are frozen once discussion is over"
MSG_REVISION = "bylaw guard: revisions are kept in order and never changed"
MSG_COAUTHOR = (
    "bylaw guard: co-authors are members in good standing invited while the text can change"
)
MSG_BALLOT = (
    "bylaw guard: ballots are cast only while voting is open, by the electorate in good "
    "standing, now"
)
MSG_BALLOT_CHANGE = (
    "bylaw guard: a ballot changes only its choice, while voting is open, by its voter in good "
    "standing, now"
)
MSG_BALLOT_DELETE = "bylaw guard: ballots cannot be deleted"
MSG_ROLL_FROZEN = "bylaw guard: an electorate roll is frozen once voting opens"
MSG_VERSION = (
    "bylaw guard: the enacting proposal has not passed, is not an amendment, or its "
    "timelock has not expired"
)
MSG_MISMATCH = "bylaw guard: the version differs from what the enacting proposal amends"
MSG_CLASS = (
    "bylaw guard: an entrenched article or the decision rules change only by a "
    "legal-structure decision"
)
MSG_ARTICLE = "bylaw guard: a new article is created only by enacting a passed amendment"
MSG_BUDGET_LINE = (
    "bylaw guard: budget lines are opened only by enacting a passed budget proposal, exactly "
    "as voted"
)
MSG_ROLE_GRANT = "bylaw guard: a role is granted only by the enacted appointment it names, once"
MSG_ROLE_REVOKE = "bylaw guard: a role is removed only by the enacted appointment it names, once"
MSG_REPLAY = "bylaw guard: a decision writes each change it contains once"

# --- SQL that states the rules ---------------------------------------------------------------


def frozen_rule(d: Dialect, row: str, *path) -> str:
    """A value of the proposal's frozen rule for its own decision class."""
    return d.json_int(f"{row}.rules", "rules", Sql(f"{row}.decision_class"), *path)


def required_class(d: Dialect) -> str:
    """The class NEW's contents require now. The same rule as
    `proposals.decision.required_decision_class` (a test holds them equal)."""
    touches_entrenched = (
        "EXISTS (SELECT 1 FROM proposals_amendment am WHERE am.proposal_id = NEW.id AND ("
        f"am.article_slug = {literal(PARAMETERS_ARTICLE)} "
        f"OR am.new_class = {ENTRENCHED_ARTICLE} OR "
        "(SELECT v.article_class FROM governance_bylawversion v "
        "JOIN governance_bylawarticle ar ON ar.id = v.article_id "
        f"WHERE ar.slug = am.article_slug ORDER BY v.number DESC LIMIT 1) = {ENTRENCHED_ARTICLE}))"
    )
    return (
        f"(CASE WHEN NEW.kind = {literal(Kind.BUDGET)} THEN {literal(DecisionClass.BUDGET)} "
        f"WHEN NEW.kind <> {literal(Kind.AMENDMENT)} THEN {literal(DecisionClass.ORDINARY)} "
        f"WHEN {touches_entrenched} THEN {ENTRENCHED} "
        f"ELSE {literal(DecisionClass.ORDINARY)} END)"
    )


def outcome(d: Dialect) -> str:
    """The outcome NEW's frozen rule gives for NEW's counts on NEW's roll size.
    The same rule as `governance.decisions.decide` (a test holds them equal)."""
    yes, no, abstain = "NEW.yes_count", "NEW.no_count", "NEW.abstain_count"
    electorate = "COALESCE(NEW.electorate_size, 0)"
    t_num, t_den = frozen_rule(d, "NEW", "threshold", 0), frozen_rule(d, "NEW", "threshold", 1)
    q_num, q_den = frozen_rule(d, "NEW", "quorum", 0), frozen_rule(d, "NEW", "quorum", 1)
    inclusive = d.json_true("NEW.rules", "rules", Sql("NEW.decision_class"), "threshold_inclusive")
    quorum_met = (
        f"({electorate} > 0 AND ({yes} + {no} + {abstain}) * {q_den} >= {q_num} * {electorate})"
    )
    share, needed = f"{yes} * {t_den}", f"{t_num} * ({yes} + {no})"
    threshold_met = (
        f"(({yes} + {no}) > 0 AND CASE WHEN {inclusive} THEN {share} >= {needed} "
        f"ELSE {share} > {needed} END)"
    )
    return (
        f"(CASE WHEN NOT {quorum_met} THEN {literal(State.FAILED_QUORUM)} "
        f"WHEN {threshold_met} THEN {literal(State.PASSED)} ELSE {literal(State.REJECTED)} END)"
    )


def eligible(d: Dialect, membership: str, proposal: str) -> str:
    """The membership row belongs on the proposal's roll: in good standing,
    admitted at least the frozen tenure before voting opens. The one
    definition: opening a vote builds the roll with it
    (`proposals.services.lifecycle`), and the guards check the roll by it."""
    tenure = d.json_int(f"{proposal}.rules", "min_tenure_days")
    cutoff = d.minus_days(f"{proposal}.voting_opens_at", tenure)
    tenured = d.at_or_before(f"{membership}.admitted_at", cutoff)
    return f"({membership}.status = {literal(Membership.Status.MEMBER)} AND {tenured})"


def enactable(d: Dialect, proposal: str, kind: str) -> str:
    """``proposal`` (an id) is a passed proposal of ``kind`` whose timelock is
    over: what it contains may be written now."""
    return (
        f"EXISTS (SELECT 1 FROM proposals_proposal ep WHERE ep.id = {proposal} "
        f"AND ep.state = {literal(State.PASSED)} AND ep.kind = {literal(kind)} "
        f"AND {d.has_passed('ep.enactable_at')})"
    )


def edge(old: State, new: State) -> str:
    return f"(OLD.state = {literal(old)} AND NEW.state = {literal(new)})"


def count_of(table: str, column: str) -> str:
    return f"(SELECT COUNT(*) FROM {table} WHERE {column} = NEW.id)"


def ballots_of(choice: str) -> str:
    return (
        "(SELECT COUNT(*) FROM proposals_ballot b WHERE b.proposal_id = NEW.id "
        f"AND b.choice = {literal(choice)})"
    )
