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
"""

from __future__ import annotations

from governance.parameters import PARAMETERS_ARTICLE
from governance.triggers import CURRENT_RULES, FOUNDED
from kernel.guards import Dialect, Guard, Rule, Sql, TriggerSet, literal
from members.triggers import in_good_standing
from proposals.models import Choice, DecisionClass, Kind, State
from proposals.phases import EDITABLE_STATES, OUTCOMES, transitions


def _states(states) -> str:
    return ", ".join(literal(s) for s in states)


EDITABLE = _states(EDITABLE_STATES)
OUTCOME_STATES = _states(OUTCOMES)
ENTRENCHED = literal(DecisionClass.ENTRENCHED)

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
    `governance.services.required_decision_class` (a test holds them equal)."""
    touches_entrenched = (
        "EXISTS (SELECT 1 FROM proposals_amendment am WHERE am.proposal_id = NEW.id AND ("
        f"am.article_slug = {literal(PARAMETERS_ARTICLE)} OR am.new_class = 'entrenched' OR "
        "(SELECT v.article_class FROM governance_bylawversion v "
        "JOIN governance_bylawarticle ar ON ar.id = v.article_id "
        "WHERE ar.slug = am.article_slug ORDER BY v.number DESC LIMIT 1) = 'entrenched'))"
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
    admitted at least the frozen tenure before voting opens."""
    tenure = d.json_int(f"{proposal}.rules", "min_tenure_days")
    cutoff = d.minus_days(f"{proposal}.voting_opens_at", tenure)
    tenured = d.at_or_before(f"{membership}.admitted_at", cutoff)
    return f"({membership}.status = 'member' AND {tenured})"


def enactable(d: Dialect, proposal: str, kind: str) -> str:
    """``proposal`` (an id) is a passed proposal of ``kind`` whose timelock is
    over: what it contains may be written now."""
    return (
        f"EXISTS (SELECT 1 FROM proposals_proposal ep WHERE ep.id = {proposal} "
        f"AND ep.state = {literal(State.PASSED)} AND ep.kind = {literal(kind)} "
        f"AND {d.has_passed('ep.enactable_at')})"
    )


def _edge(old: State, new: State) -> str:
    return f"(OLD.state = {literal(old)} AND NEW.state = {literal(new)})"


def _count(table: str, column: str) -> str:
    return f"(SELECT COUNT(*) FROM {table} WHERE {column} = NEW.id)"


def _ballots(choice: str) -> str:
    return (
        "(SELECT COUNT(*) FROM proposals_ballot b WHERE b.proposal_id = NEW.id "
        f"AND b.choice = {literal(choice)})"
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

SUBMITTING = _edge(State.DRAFT, State.DISCUSSION)
LEAVING_DISCUSSION = (
    f"(OLD.state = {literal(State.DISCUSSION)} "
    f"AND NEW.state IN ({_states([State.NOTICE, State.VOTING])}))"
)
OPENING = (
    f"(OLD.state IN ({_states([State.DISCUSSION, State.NOTICE])}) "
    f"AND NEW.state = {literal(State.VOTING)})"
)
CLOSING = f"(OLD.state = {literal(State.VOTING)} AND NEW.state IN ({OUTCOME_STATES}))"
ENACTING = _edge(State.PASSED, State.ENACTED)
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
        f"OR NEW.yes_count <> {_ballots(Choice.YES)} OR NEW.no_count <> {_ballots(Choice.NO)} "
        f"OR NEW.abstain_count <> {_ballots(Choice.ABSTAIN)} "
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
    versions = _count("governance_bylawversion", "enacted_by_id")
    amendments = _count("proposals_amendment", "proposal_id")
    lines = _count("treasury_budgetline", "proposal_id")
    items = _count("proposals_budgetitem", "proposal_id")
    grants = _count("members_roleassignment", "granted_by_proposal_id")
    removals = _count("members_roleassignment", "revoked_by_proposal_id")
    appointments = _count("proposals_appointment", "proposal_id")
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


def _proposal_guards() -> list[Guard]:
    edges = " OR ".join(_edge(old, new) for old, new in transitions())
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
                        f"OR ({_edge(State.NOTICE, State.VOTING)} "
                        f"AND {d.not_yet('OLD.notice_ends_at')})"
                    ),
                ),
                Rule(
                    MSG_NOTICE,
                    f"({_edge(State.DISCUSSION, State.NOTICE)} AND NOT {IS_ENTRENCHED}) "
                    f"OR ({_edge(State.DISCUSSION, State.VOTING)} AND {IS_ENTRENCHED})",
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


# --- what a proposal contains ----------------------------------------------------------------


def _state_of(row: str, column: str = "proposal_id") -> str:
    return f"(SELECT cp.state FROM proposals_proposal cp WHERE cp.id = {row}.{column})"


def _contents_guards() -> list[Guard]:
    guards = []
    for table in ("proposals_amendment", "proposals_budgetitem", "proposals_appointment"):
        guards += [
            Guard(
                table, "INSERT", (Rule(MSG_CONTENTS, f"{_state_of('NEW')} NOT IN ({EDITABLE})"),)
            ),
            Guard(
                table,
                "UPDATE",
                (
                    Rule(
                        MSG_CONTENTS,
                        "NEW.proposal_id <> OLD.proposal_id "
                        f"OR {_state_of('NEW')} NOT IN ({EDITABLE})",
                    ),
                ),
            ),
            Guard(
                table, "DELETE", (Rule(MSG_CONTENTS, f"{_state_of('OLD')} NOT IN ({EDITABLE})"),)
            ),
        ]
    next_number = (
        "(SELECT COALESCE(MAX(pr.number), 0) + 1 FROM proposals_proposalrevision pr "
        "WHERE pr.proposal_id = NEW.proposal_id)"
    )
    guards += [
        Guard(
            "proposals_proposalrevision",
            "INSERT",
            (
                Rule(
                    MSG_REVISION,
                    f"{_state_of('NEW')} NOT IN ({EDITABLE}) OR NEW.number <> {next_number}",
                ),
            ),
        ),
        Guard("proposals_proposalrevision", "UPDATE", (Rule(MSG_REVISION, "TRUE"),)),
        # A draft may be deleted with its revisions; nothing else is.
        Guard(
            "proposals_proposalrevision",
            "DELETE",
            (Rule(MSG_REVISION, f"{_state_of('OLD')} <> 'draft'"),),
        ),
    ]
    change_proposal = (
        "(SELECT perm.id FROM auth_permission perm JOIN django_content_type ct "
        "ON ct.id = perm.content_type_id WHERE ct.app_label = 'proposals' "
        "AND ct.model = 'proposal' AND perm.codename = 'change_proposal')"
    )
    coauthor_table = "proposals_proposaluserobjectpermission"
    guards += [
        Guard(
            coauthor_table,
            "INSERT",
            (
                Rule(
                    MSG_COAUTHOR,
                    lambda d: (
                        f"{d.distinct('NEW.permission_id', change_proposal)} "
                        "OR NOT EXISTS (SELECT 1 FROM proposals_proposal cp "
                        f"WHERE cp.id = NEW.content_object_id AND cp.state IN ({EDITABLE}) "
                        f"AND cp.author_id <> NEW.user_id) OR NOT {in_good_standing('NEW.user_id')}"
                    ),
                ),
            ),
        ),
        Guard(coauthor_table, "UPDATE", (Rule(MSG_COAUTHOR, "TRUE"),)),
        Guard(
            coauthor_table,
            "DELETE",
            (Rule(MSG_COAUTHOR, f"{_state_of('OLD', 'content_object_id')} <> 'draft'"),),
        ),
    ]
    return guards


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


def _roll_and_ballot_guards() -> list[Guard]:
    def roll(d: Dialect) -> str:
        return (
            "NOT EXISTS (SELECT 1 FROM proposals_proposal rp "
            "JOIN members_membership rm ON rm.member_id = NEW.member_id "
            f"WHERE rp.id = NEW.proposal_id "
            f"AND rp.state IN ({_states([State.DISCUSSION, State.NOTICE])}) "
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


# --- artifacts: rows of other apps that exist only by enactment --------------------------------


def _version_rules() -> tuple[Rule, ...]:
    same_parameters = lambda d: f"NOT {d.distinct('a.new_parameters', 'NEW.parameters')}"  # noqa: E731
    return (
        Rule(
            MSG_VERSION,
            lambda d: (
                "NEW.enacted_by_id IS NOT NULL AND NOT "
                + enactable(d, "NEW.enacted_by_id", Kind.AMENDMENT)
            ),
        ),
        Rule(
            MSG_MISMATCH,
            lambda d: (
                "NEW.enacted_by_id IS NOT NULL AND NOT EXISTS (SELECT 1 "
                "FROM proposals_amendment a "
                "JOIN governance_bylawarticle ar ON ar.slug = a.article_slug "
                "WHERE a.proposal_id = NEW.enacted_by_id AND ar.id = NEW.article_id "
                "AND a.new_text = NEW.text AND a.new_title = NEW.title "
                f"AND a.new_class = NEW.article_class AND {same_parameters(d)})"
            ),
        ),
        Rule(
            MSG_REPLAY,
            "NEW.enacted_by_id IS NOT NULL AND EXISTS (SELECT 1 FROM governance_bylawversion rv "
            "WHERE rv.enacted_by_id = NEW.enacted_by_id AND rv.article_id = NEW.article_id)",
        ),
        Rule(
            MSG_CLASS,
            "NEW.enacted_by_id IS NOT NULL "
            "AND (SELECT vp.decision_class FROM proposals_proposal vp "
            f"WHERE vp.id = NEW.enacted_by_id) <> {ENTRENCHED} "
            "AND (NEW.article_class = 'entrenched' OR NEW.parameters IS NOT NULL "
            "OR COALESCE((SELECT cv.article_class FROM governance_bylawversion cv "
            "WHERE cv.article_id = NEW.article_id ORDER BY cv.number DESC LIMIT 1), "
            "'ordinary') = 'entrenched')",
        ),
    )


def _appointment(proposal: str, action: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM proposals_appointment ap WHERE ap.proposal_id = {proposal} "
        "AND ap.member_id = NEW.member_id AND ap.role = NEW.role "
        f"AND ap.action = {literal(action)})"
    )


def _artifact_guards() -> list[Guard]:
    return [
        Guard("governance_bylawversion", "INSERT", _version_rules(), name="authority"),
        Guard(
            "governance_bylawarticle",
            "INSERT",
            (
                Rule(
                    MSG_ARTICLE,
                    lambda d: (
                        f"{FOUNDED} AND NOT EXISTS (SELECT 1 FROM proposals_amendment a "
                        "WHERE a.article_slug = NEW.slug "
                        f"AND {enactable(d, 'a.proposal_id', Kind.AMENDMENT)})"
                    ),
                ),
            ),
            name="authority",
        ),
        Guard(
            "treasury_budgetline",
            "INSERT",
            (
                Rule(
                    MSG_BUDGET_LINE,
                    lambda d: (
                        f"NOT {enactable(d, 'NEW.proposal_id', Kind.BUDGET)} "
                        "OR NOT EXISTS (SELECT 1 FROM proposals_budgetitem bi "
                        "JOIN treasury_fund bf ON bf.slug = bi.fund "
                        "WHERE bi.id = NEW.budget_item_id AND bi.proposal_id = NEW.proposal_id "
                        "AND bi.amount_cents = NEW.amount_cents "
                        "AND bi.purpose = NEW.purpose AND bf.id = NEW.fund_id) "
                        f"OR {d.not_now('NEW.opened_at')}"
                    ),
                ),
            ),
            name="authority",
        ),
        Guard(
            "members_roleassignment",
            "INSERT",
            (
                Rule(
                    MSG_ROLE_GRANT,
                    lambda d: (
                        "NEW.granted_by_proposal_id IS NOT NULL AND (NOT "
                        f"{enactable(d, 'NEW.granted_by_proposal_id', Kind.APPOINTMENT)} "
                        f"OR NOT {_appointment('NEW.granted_by_proposal_id', 'grant')} "
                        "OR EXISTS (SELECT 1 FROM members_roleassignment rg "
                        "WHERE rg.granted_by_proposal_id = NEW.granted_by_proposal_id "
                        "AND rg.member_id = NEW.member_id AND rg.role = NEW.role))"
                    ),
                ),
            ),
            name="authority",
        ),
        Guard(
            "members_roleassignment",
            "UPDATE",
            (
                Rule(
                    MSG_ROLE_REVOKE,
                    lambda d: (
                        "NEW.revoked_by_proposal_id IS NOT NULL "
                        "AND OLD.revoked_by_proposal_id IS NULL AND (NOT "
                        f"{enactable(d, 'NEW.revoked_by_proposal_id', Kind.APPOINTMENT)} "
                        f"OR NOT {_appointment('NEW.revoked_by_proposal_id', 'remove')} "
                        "OR EXISTS (SELECT 1 FROM members_roleassignment rr "
                        "WHERE rr.revoked_by_proposal_id = NEW.revoked_by_proposal_id "
                        "AND rr.member_id = NEW.member_id AND rr.role = NEW.role))"
                    ),
                ),
            ),
            name="authority",
        ),
    ]


def guards() -> TriggerSet:
    return TriggerSet(
        guards=(
            *_proposal_guards(),
            *_contents_guards(),
            *_roll_and_ballot_guards(),
            *_artifact_guards(),
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
