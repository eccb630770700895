"""Reads of proposals, ballots and results.

Reads only. Pages and the API apply any transition that is due before they
read (`proposals.scheduler.apply_due_transitions`), so nobody reads a stale
state."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.decisions import Outcome, decide_for
from governance.models import ArticleClass, DecisionClass
from governance.parameters import BallotSecrecy
from kernel.errors import NotFound
from proposals.models import (
    Ballot,
    ElectorateEntry,
    Kind,
    Notification,
    Proposal,
    State,
)
from proposals.permissions import visible_to
from proposals.phases import DECIDED_STATES, tally_is_public


def proposal_detail(proposal_id) -> Proposal:
    """A proposal with its author and contents, or NotFound. Reads only: due
    transitions are applied before a page or API answer by
    `proposals.scheduler.apply_due_transitions`."""
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound(_("There is no proposal #%(id)s.") % {"id": proposal_id}) from None
    proposal = (
        Proposal.objects.select_related("author")
        .prefetch_related("amendments", "budget_items", "appointments__member")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise NotFound(_("There is no proposal #%(id)s.") % {"id": proposal_id})
    return proposal


def proposal_list(
    *, state: str = "", kind: str = "", query: str = "", viewer=None
) -> QuerySet[Proposal]:
    """Proposals the viewer may see (drafts only by their authors and
    co-authors), filtered, newest first."""
    proposals = visible_to(Proposal.objects.select_related("author"), viewer)
    if state in State.values:
        proposals = proposals.filter(state=state)
    if kind in Kind.values:
        proposals = proposals.filter(kind=kind)
    if query:
        proposals = proposals.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return proposals.order_by("-created_at", "-pk")


def outcome_of(proposal: Proposal) -> Outcome | None:
    """The outcome so far (during voting) or final, with its explanation."""
    if proposal.state not in (State.VOTING, *DECIDED_STATES) or not proposal.rules:
        return None
    return decide_for(
        rules_json=proposal.rules,
        decision_class=proposal.decision_class,
        yes=proposal.yes_count,
        no=proposal.no_count,
        abstain=proposal.abstain_count,
        electorate=proposal.electorate_size or 0,
    )


def results(proposal: Proposal) -> dict:
    """Public results: counts, turnout against quorum, threshold and outcome."""
    visible = tally_is_public(proposal)
    outcome = outcome_of(proposal) if visible else None
    rule = (proposal.rules or {}).get("rules", {}).get(proposal.decision_class, {})
    return {
        "proposal": proposal.pk,
        "state": proposal.state,
        "decision_class": proposal.decision_class,
        "final": proposal.state in DECIDED_STATES,
        "visible": visible,
        "yes": proposal.yes_count if visible else None,
        "no": proposal.no_count if visible else None,
        "abstain": proposal.abstain_count if visible else None,
        "ballots": proposal.ballots_cast if visible else None,
        "electorate_size": proposal.electorate_size,
        "threshold": rule.get("threshold"),
        "threshold_inclusive": rule.get("threshold_inclusive"),
        "quorum": rule.get("quorum"),
        "outcome": outcome.state if (outcome and proposal.state in DECIDED_STATES) else None,
        "explanation": _explain(proposal, outcome),
        "commitment": proposal.commitment or None,
        "voting_opens_at": proposal.voting_opens_at,
        "voting_closes_at": proposal.voting_closes_at,
    }


def _explain(proposal: Proposal, outcome: Outcome | None) -> str | None:
    if outcome is None:
        return None
    if proposal.state == State.VOTING:
        return _("If voting closed now: %(explanation)s") % {"explanation": outcome.explanation}
    return outcome.explanation


@dataclass(frozen=True)
class VoterStatus:
    can_vote: bool
    reason: str | None
    ballot: Ballot | None
    receipt: str | None


def voter_status(proposal: Proposal, person) -> VoterStatus:
    from proposals.services import ineligibility_reason, receipt_code

    ballot = None
    receipt = None
    if person is not None and person.is_authenticated:
        ballot = Ballot.objects.filter(proposal=proposal, voter=person).first()
        if ballot:
            receipt = receipt_code(proposal_id=proposal.pk, voter_id=person.pk)
    if proposal.state != State.VOTING:
        return VoterStatus(False, None, ballot, receipt)
    reason = ineligibility_reason(proposal=proposal, person=person)
    return VoterStatus(reason is None, reason, ballot, receipt)


def published_ballots(proposal: Proposal) -> dict:
    """After the close: roll-call ballots by name, or secret ballots by receipt hash."""
    if proposal.state not in DECIDED_STATES:
        return {"secrecy": None, "ballots": []}
    secrecy = (proposal.rules or {}).get("ballot_secrecy", BallotSecrecy.ROLL_CALL)
    ballots = Ballot.objects.filter(proposal=proposal)
    if secrecy == BallotSecrecy.SECRET:
        rows = ballots.order_by("receipt_hash").values_list("receipt_hash", "choice")
        return {
            "secrecy": secrecy,
            "ballots": [{"receipt_sha256": h, "choice": c} for h, c in rows],
        }
    rows = ballots.order_by("voter__username").values_list("voter__username", "choice")
    return {"secrecy": secrecy, "ballots": [{"member": u, "choice": c} for u, c in rows]}


def electorate_roll(proposal: Proposal) -> list[str]:
    return list(
        ElectorateEntry.objects.filter(proposal=proposal)
        .order_by("member__username")
        .values_list("member__username", flat=True)
    )


def published_roll(proposal: Proposal) -> dict | None:
    """The roll frozen when voting opened, with everything needed to
    recompute the commitment journaled then (None before voting opens):

        sha256(canonical_json(header) + "\\n" + "\\n".join(members))

    The header is the one in the journal's ``proposal.voting_opened`` entry."""
    if not proposal.commitment:
        return None
    from governance.models import JournalEntry

    opened = (
        JournalEntry.objects.filter(kind="proposal.voting_opened", payload__proposal=proposal.pk)
        .values_list("seq", "payload")
        .first()
    )
    payload = opened[1] if opened else {}
    header_fields = (
        "proposal",
        "text_sha256",
        "options",
        "voting_opens_at",
        "voting_closes_at",
        "decision_class",
    )
    return {
        "proposal": proposal.pk,
        "commitment": proposal.commitment,
        "electorate_size": proposal.electorate_size,
        "journal_seq": opened[0] if opened else None,
        "header": {name: payload.get(name) for name in header_fields},
        "members": electorate_roll(proposal),
    }


def timeline(proposal: Proposal) -> list[dict]:
    """States with their dates: done, current or upcoming."""
    now = timezone.now()
    steps: list[tuple[str, datetime | None]] = [(_("Drafted"), proposal.created_at)]
    if proposal.state == State.WITHDRAWN:
        if proposal.submitted_at:
            steps.append((_("Discussion opened"), proposal.submitted_at))
        steps.append((_("Withdrawn"), proposal.withdrawn_at))
        return [{"label": label, "at": at, "done": True} for label, at in steps]
    steps.append((_("Discussion opens"), proposal.submitted_at))
    if proposal.decision_class == DecisionClass.ENTRENCHED:
        steps.append((_("Notice: text frozen, every member told"), proposal.discussion_ends_at))
    steps.append((_("Voting opens"), proposal.voting_opens_at))
    steps.append((_("Voting closes"), proposal.voting_closes_at))
    if proposal.state in (State.REJECTED, State.FAILED_QUORUM):
        steps.append((proposal.get_state_display(), proposal.closed_at))
    else:
        steps.append((_("Enactment after the timelock"), proposal.enactable_at))
    return [{"label": label, "at": at, "done": at is not None and at <= now} for label, at in steps]


def revision_diff(proposal: Proposal, number: int) -> dict:
    revisions = {r.number: r for r in proposal.revisions.filter(number__in=[number - 1, number])}
    if number not in revisions:
        raise NotFound(_("This proposal has no revision %(n)s.") % {"n": number})
    new = revisions[number]
    old = revisions.get(number - 1)
    return {
        "old": old,
        "new": new,
        "title": diff_words(old.title if old else "", new.title),
        "body": diff_lines(old.body if old else "", new.body),
    }


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, line)] with op in {"equal", "insert", "delete"}, for <ins>/<del> rendering."""
    result = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        code, text = line[:2], line[2:]
        if code == "  ":
            result.append(("equal", text))
        elif code == "+ ":
            result.append(("insert", text))
        elif code == "- ":
            result.append(("delete", text))
    return result


def diff_words(old: str, new: str) -> list[tuple[str, str]]:
    old_words, new_words = old.split(), new.split()
    result = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            result.append(("equal", " ".join(old_words[a0:a1])))
        else:
            if a1 > a0:
                result.append(("delete", " ".join(old_words[a0:a1])))
            if b1 > b0:
                result.append(("insert", " ".join(new_words[b0:b1])))
    return result


def amendment_diffs(proposal: Proposal) -> list[dict]:
    """Each amended article: its text in force and the proposed text, as a diff."""
    from governance.selectors import current_version

    rows = []
    for amendment in proposal.amendments.all():
        current = current_version(amendment.article_slug)
        if proposal.state == State.ENACTED and amendment.article_slug:
            enacted = proposal.enacted_versions.filter(article__slug=amendment.article_slug).first()
            if enacted:
                current = enacted.article.versions.filter(number=enacted.number - 1).first()
        rows.append(
            {
                "amendment": amendment,
                "current": current,
                "is_entrenched": (current is not None and current.is_entrenched)
                or amendment.new_class == ArticleClass.ENTRENCHED,
                "class_changes": current is not None
                and current.article_class != amendment.new_class,
                "diff": diff_lines(current.text if current else "", amendment.new_text),
            }
        )
    return rows


def my_ballots(member) -> QuerySet[Ballot]:
    return Ballot.objects.filter(voter=member).select_related("proposal").order_by("-changed_at")


def notifications_for(member) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=member).select_related("proposal")


def unread_notification_count(member) -> int:
    if member is None or not member.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def member_data_for_export(*, member) -> dict:
    return {
        "proposals_authored": [
            {"id": p.pk, "title": p.title, "state": p.state, "created_at": p.created_at.isoformat()}
            for p in Proposal.objects.filter(author=member).order_by("pk")
        ],
        "ballots": [
            {
                "proposal": b.proposal_id,
                "choice": b.choice,
                "cast_at": b.cast_at.isoformat(),
                "changed_at": b.changed_at.isoformat(),
            }
            for b in Ballot.objects.filter(voter=member).order_by("proposal_id")
        ],
        "notifications": [
            {"message": n.text, "created_at": n.created_at.isoformat()}
            for n in Notification.objects.filter(recipient=member).order_by("pk")
        ],
    }
