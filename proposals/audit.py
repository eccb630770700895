"""What the audit recomputes for proposals: every step of every decision.

For each proposal past its draft, the journal must tell its story, and the
database must agree with it:

- submitted with the kind, class, rules and window the proposal holds;
- if it reached voting: its published roll is exactly the members the
  journal's own standing history makes eligible at that moment, the
  commitment journaled at opening is the one the roll and the contents give,
  and its size is the roll's;
- if it closed: the stored ballots recount to the journaled counts, and the
  outcome is what the journaled frozen rule gives on the roll's size;
- enacted, withdrawn or in notice only with the journal entry saying so;
- its co-authors are the ones journaled at submission or invited since.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from governance.decisions import decide_for
from governance.models import DecisionClass
from kernel.audit import Audit, check
from kernel.chains import chain_timestamp
from members.audit import replay_standings
from proposals.models import Ballot, ElectorateEntry, Proposal, State
from proposals.phases import DECIDED_STATES
from proposals.services import coauthors, electorate_commitment

STEPS = (
    "proposal.coauthor_invited",
    "proposal.submitted",
    "proposal.notice",
    "proposal.voting_opened",
    "proposal.closed",
    "proposal.enacted",
    "proposal.withdrawn",
)


def _roll(proposal_id: int) -> list[str]:
    return list(
        ElectorateEntry.objects.filter(proposal_id=proposal_id)
        .order_by("member__username")
        .values_list("member__username", flat=True)
    )


@check("proposals")
def verify_proposals(audit: Audit) -> None:
    story: dict[int, dict[str, dict]] = defaultdict(dict)
    invited: dict[int, set[str]] = defaultdict(set)
    roll_problems: dict[int, str] = {}

    def on_entry(seq, kind, payload, standings):
        if kind not in STEPS:
            return
        if kind == "proposal.coauthor_invited":
            invited[payload["proposal"]].add(payload["coauthor"])
            return
        story[payload["proposal"]][kind] = payload
        if kind == "proposal.voting_opened":
            # The roll, rebuilt from the journal as it stood at the opening.
            submitted = story[payload["proposal"]].get("proposal.submitted", {})
            tenure = (submitted.get("rules") or {}).get("min_tenure_days", 0)
            opens = payload["voting_opens_at"]
            cutoff = _shift(opens, -tenure)
            roll = _roll(payload["proposal"])
            outsiders = [u for u in roll if not standings.is_eligible(u, cutoff)]
            if outsiders:
                roll_problems[payload["proposal"]] = (
                    f"the roll names members who were not eligible: {', '.join(outsiders[:5])}"
                )
            elif len(roll) != standings.eligible_count(cutoff):
                roll_problems[payload["proposal"]] = (
                    f"the roll has {len(roll)} members; {standings.eligible_count(cutoff)} "
                    "were eligible"
                )

    replay_standings(on_entry=on_entry)
    known = set()
    for proposal in Proposal.objects.exclude(state=State.DRAFT).order_by("pk").iterator():
        known.add(proposal.pk)
        _verify(audit, proposal, story.get(proposal.pk, {}), roll_problems.get(proposal.pk))
        submitted = story.get(proposal.pk, {}).get("proposal.submitted")
        if submitted is not None:
            journaled = set(submitted.get("coauthors", [])) | invited[proposal.pk]
            extra = set(coauthors(proposal)) - journaled
            if extra:
                audit.report(
                    f"proposal #{proposal.pk}",
                    f"co-authors the journal never shows invited: {', '.join(sorted(extra))}",
                )
    for missing in sorted(set(story) - known):
        audit.report(f"proposal #{missing}", "journaled, but not in the database (or a draft)")


def _shift(iso: str, days: int) -> str:
    from datetime import datetime

    moment = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ") + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _verify(audit: Audit, proposal: Proposal, story: dict, roll_problem: str | None) -> None:
    subject = f"proposal #{proposal.pk}"
    submitted = story.get("proposal.submitted")
    if proposal.state == State.WITHDRAWN and proposal.submitted_at is None:
        return  # a withdrawn draft: never public
    if submitted is None:
        audit.report(subject, f"is {proposal.state}, but its submission is not journaled")
        return
    if (
        submitted.get("kind"),
        submitted.get("decision_class"),
        submitted.get("rules"),
        submitted.get("voting_opens_at"),
        submitted.get("voting_closes_at"),
    ) != (
        proposal.kind,
        proposal.decision_class,
        proposal.rules,
        chain_timestamp(proposal.voting_opens_at),
        chain_timestamp(proposal.voting_closes_at),
    ):
        audit.report(
            subject, "its kind, class, rules or window differ from its journaled submission"
        )
    if proposal.state == State.WITHDRAWN:
        if "proposal.withdrawn" not in story:
            audit.report(subject, "is withdrawn, but its withdrawal is not journaled")
        return
    if proposal.state == State.NOTICE and "proposal.notice" not in story:
        audit.report(subject, "is in notice, but the notice is not journaled")
    if proposal.state in (State.DRAFT, State.DISCUSSION, State.NOTICE):
        for later in ("proposal.voting_opened", "proposal.closed", "proposal.enacted"):
            if later in story:
                audit.report(subject, f"is {proposal.state}, but the journal has {later}")
        return
    _verify_opening(audit, subject, proposal, story, submitted, roll_problem)
    if proposal.state == State.VOTING:
        return
    _verify_close(audit, subject, proposal, story, submitted)
    if proposal.state == State.ENACTED and "proposal.enacted" not in story:
        audit.report(subject, "is enacted, but its enactment is not journaled")


def _verify_opening(audit, subject, proposal, story, submitted, roll_problem) -> None:
    opened = story.get("proposal.voting_opened")
    if opened is None:
        audit.report(subject, f"is {proposal.state}, but the opening of its vote is not journaled")
        return
    if (
        submitted.get("decision_class") == DecisionClass.ENTRENCHED
        and "proposal.notice" not in story
    ):
        audit.report(subject, "a legal-structure change reached voting without journaled notice")
    if roll_problem:
        audit.report(subject, roll_problem)
    roll = _roll(proposal.pk)
    if (opened.get("commitment"), opened.get("electorate_size")) != (
        proposal.commitment,
        proposal.electorate_size,
    ):
        audit.report(subject, "its commitment or electorate size differs from the journal")
    if electorate_commitment(proposal, roll) != opened.get("commitment"):
        audit.report(
            subject,
            "its roll and contents no longer give the commitment journaled when voting opened",
        )
    if len(roll) != opened.get("electorate_size"):
        audit.report(subject, "its published roll is not the size journaled at the opening")
    strangers = Ballot.objects.filter(proposal=proposal).exclude(
        voter_id__in=ElectorateEntry.objects.filter(proposal=proposal).values("member_id")
    )
    if strangers.exists():
        audit.report(subject, f"{strangers.count()} ballots come from outside the roll")


def _verify_close(audit, subject, proposal, story, submitted) -> None:
    closed = story.get("proposal.closed")
    if closed is None:
        audit.report(subject, f"is {proposal.state}, but the close of its vote is not journaled")
        return
    counts = Counter(Ballot.objects.filter(proposal=proposal).values_list("choice", flat=True))
    recount = {c: counts.get(c, 0) for c in ("yes", "no", "abstain")}
    journaled = {c: closed.get(c) for c in ("yes", "no", "abstain")}
    stored = {"yes": proposal.yes_count, "no": proposal.no_count, "abstain": proposal.abstain_count}
    if not recount == journaled == stored:
        audit.report(
            subject,
            f"ballots recount to {recount}; the journal says {journaled}; the proposal {stored}",
        )
    opened = story.get("proposal.voting_opened", {})
    outcome = decide_for(
        rules_json=submitted["rules"],
        decision_class=submitted["decision_class"],
        electorate=opened.get("electorate_size") or 0,
        **recount,
    )
    state = State.PASSED if proposal.state == State.ENACTED else proposal.state
    if outcome.state != state or closed.get("outcome") != outcome.state:
        audit.report(
            subject,
            f"the frozen rule gives {outcome.state} on the recount; the journal says "
            f"{closed.get('outcome')}, the database {proposal.state}",
        )
    if proposal.state in DECIDED_STATES and proposal.electorate_size != opened.get(
        "electorate_size"
    ):
        audit.report(subject, "its electorate size changed after the opening")
    if outcome.state == State.PASSED:
        timelock = submitted["rules"].get("timelock_days", 0)
        expected = _shift(submitted["voting_closes_at"], timelock)
        if closed.get("enactable_at") != expected or chain_timestamp(proposal.enactable_at) != (
            expected
        ):
            audit.report(subject, "its timelock is not the frozen rules' after the close")
