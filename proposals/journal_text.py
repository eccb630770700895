"""How the journal entries of the decision process read on the journal page
(the registry is `governance/journal_text.py`).

`proposal_titles` loads the titles of every proposal a page of entries names
in one query; the debates app uses it too."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from governance.journal_text import Reading, Sentence, parse_moment, register
from governance.models import DecisionClass, JournalEntry
from kernel import dates
from proposals.models import Kind, Proposal, State


def _number(entry: JournalEntry) -> int | None:
    number = entry.payload.get("proposal") if isinstance(entry.payload, dict) else None
    return number if isinstance(number, int) else None


def proposal_titles(entries: Sequence[JournalEntry]) -> dict[int, str]:
    """The current title of each proposal these entries name (one query)."""
    numbers = {n for n in map(_number, entries) if n is not None}
    if not numbers:
        return {}
    return dict(Proposal.objects.filter(pk__in=numbers).values_list("pk", "title"))


def named(entry: JournalEntry, reading: Reading, *, title: str | None = None) -> str:
    """“Budget for the gathering” (#6), or #6 if the title is unknown."""
    number = _number(entry)
    title = title or reading.loaded(proposal_titles).get(number)
    if title:
        return _("“%(title)s” (#%(number)s)") % {"title": title, "number": number}
    return _("#%(number)s") % {"number": number}


def _sentence(entry: JournalEntry, text: str, *, anchor: str = "") -> Sentence:
    """The sentence, with a link to the proposal's page (at `anchor`)."""
    number = _number(entry)
    if number is None:
        return Sentence(text)
    return Sentence(
        text,
        link=reverse("proposals:detail", args=[number]) + anchor,
        link_text=_("Proposal #%(number)s") % {"number": number},
    )


def _moment(value: str | None) -> str:
    return dates.moment(parse_moment(value))


def _label(choices, value) -> str:
    try:
        return str(choices(value).label).lower()
    except ValueError:
        return str(value)


def _submitted(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    text = _(
        "%(who)s submitted the proposal %(proposal)s (%(kind)s). Voting is scheduled from "
        "%(opens)s to %(closes)s."
    ) % {
        "who": reading.person(entry.actor),
        "proposal": named(entry, reading, title=payload.get("title")),
        "kind": _label(Kind, payload.get("kind")),
        "opens": _moment(payload.get("voting_opens_at")),
        "closes": _moment(payload.get("voting_closes_at")),
    }
    if payload.get("decision_class") == DecisionClass.ENTRENCHED:
        text += " " + _("It changes the legal structure, so members get a notice period first.")
    return _sentence(entry, text)


def _revised(entry: JournalEntry, reading: Reading) -> Sentence:
    number, revision = _number(entry), entry.payload.get("revision")
    text = _(
        "%(who)s revised the proposal %(proposal)s during its discussion (revision %(revision)s)."
    ) % {
        "who": reading.person(entry.actor),
        "proposal": named(entry, reading),
        "revision": revision,
    }
    if number is None or not isinstance(revision, int):
        return _sentence(entry, text)
    return Sentence(
        text,
        link=reverse("proposals:revision", args=[number, revision]),
        link_text=_("Revision %(revision)s") % {"revision": revision},
    )


def _coauthor_invited(entry: JournalEntry, reading: Reading) -> Sentence:
    return _sentence(
        entry,
        _("%(who)s invited %(coauthor)s to co-author the proposal %(proposal)s.")
        % {
            "who": reading.person(entry.actor),
            "coauthor": reading.person(entry.payload.get("coauthor")),
            "proposal": named(entry, reading),
        },
    )


def _withdrawn(entry: JournalEntry, reading: Reading) -> Sentence:
    return _sentence(
        entry,
        _("%(who)s withdrew the proposal %(proposal)s.")
        % {"who": reading.person(entry.actor), "proposal": named(entry, reading)},
    )


def _notice(entry: JournalEntry, reading: Reading) -> Sentence:
    return _sentence(
        entry,
        _(
            "The legal-structure change %(proposal)s was announced to every member: its text "
            "is frozen, and voting opens on %(opens)s."
        )
        % {
            "proposal": named(entry, reading),
            "opens": _moment(entry.payload.get("voting_opens_at")),
        },
    )


def _voting_opened(entry: JournalEntry, reading: Reading) -> Sentence:
    size = entry.payload.get("electorate_size") or 0
    return _sentence(
        entry,
        ngettext(
            "Voting opened on the proposal %(proposal)s, with %(count)d member on the roll.",
            "Voting opened on the proposal %(proposal)s, with %(count)d members on the roll.",
            size,
        )
        % {"proposal": named(entry, reading), "count": size},
    )


def _counts(counts: dict) -> dict:
    return {key: counts.get(key, 0) for key in ("yes", "no", "abstain")}


def _tally_corrected(entry: JournalEntry, reading: Reading) -> Sentence:
    ballots = entry.payload.get("ballots") or {}
    return _sentence(
        entry,
        _(
            "The running tally of the proposal %(proposal)s was corrected to match its ballots: "
            "%(yes)d yes, %(no)d no, %(abstain)d abstain."
        )
        % {"proposal": named(entry, reading), **_counts(ballots)},
    )


def _closed(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    values = {
        "proposal": named(entry, reading),
        "electorate": payload.get("electorate_size") or 0,
        "enactable": _moment(payload.get("enactable_at")),
        **_counts(payload),
    }
    outcome = payload.get("outcome")
    if outcome == State.PASSED:
        text = _(
            "Voting closed on the proposal %(proposal)s: passed (%(yes)d yes, %(no)d no, "
            "%(abstain)d abstain; %(electorate)d members on the roll). It takes effect after "
            "its timelock, from %(enactable)s."
        )
    elif outcome == State.REJECTED:
        text = _(
            "Voting closed on the proposal %(proposal)s: rejected (%(yes)d yes, %(no)d no, "
            "%(abstain)d abstain; %(electorate)d members on the roll)."
        )
    else:
        text = _(
            "Voting closed on the proposal %(proposal)s: too few members voted for it to "
            "count (%(yes)d yes, %(no)d no, %(abstain)d abstain; %(electorate)d members on the "
            "roll)."
        )
    return _sentence(entry, text % values)


def _enacted(entry: JournalEntry, reading: Reading) -> Sentence:
    versions = entry.payload.get("versions") or []
    text = _("The proposal %(proposal)s was enacted: it has taken effect.") % {
        "proposal": named(entry, reading)
    }
    if versions:
        text += " " + ngettext(
            "%(count)d new article version is in force.",
            "%(count)d new article versions are in force.",
            len(versions),
        ) % {"count": len(versions)}
    return _sentence(entry, text)


_AT = "2026-03-01T10:00:00.000000Z"
_KINDS = {
    "proposal.submitted": (
        _submitted,
        gettext_lazy("Proposal submitted"),
        {
            "proposal": 6,
            "kind": "budget",
            "title": "Budget for the autumn gathering",
            "decision_class": "budget",
            "text_sha256": "0" * 64,
            "rules": {},
            "voting_opens_at": _AT,
            "voting_closes_at": "2026-03-15T10:00:00.000000Z",
            "coauthors": [],
        },
    ),
    "proposal.revised": (
        _revised,
        gettext_lazy("Proposal revised"),
        {"proposal": 6, "revision": 2, "text_sha256": "0" * 64},
    ),
    "proposal.coauthor_invited": (
        _coauthor_invited,
        gettext_lazy("Co-author invited"),
        {"proposal": 6, "coauthor": "erin"},
    ),
    "proposal.withdrawn": (_withdrawn, gettext_lazy("Proposal withdrawn"), {"proposal": 6}),
    "proposal.notice": (
        _notice,
        gettext_lazy("Legal-structure change announced"),
        {"proposal": 7, "text_sha256": "0" * 64, "voting_opens_at": _AT},
    ),
    "proposal.voting_opened": (
        _voting_opened,
        gettext_lazy("Voting opened"),
        {"proposal": 6, "commitment": "0" * 64, "electorate_size": 23, "voting_opens_at": _AT},
    ),
    "proposal.tally_corrected": (
        _tally_corrected,
        gettext_lazy("Running tally corrected"),
        {"proposal": 6, "running": {"yes": 3}, "ballots": {"yes": 2, "no": 0, "abstain": 1}},
    ),
    "proposal.closed": (
        _closed,
        gettext_lazy("Voting closed"),
        {
            "proposal": 6,
            "outcome": "passed",
            "yes": 11,
            "no": 1,
            "abstain": 2,
            "electorate_size": 23,
            "explanation": "",
            "enactable_at": _AT,
        },
    ),
    "proposal.enacted": (
        _enacted,
        gettext_lazy("Proposal enacted"),
        {"proposal": 2, "versions": ["dues@2"]},
    ),
}

# Steps the process takes on time, with no actor.
_BY_THE_SYSTEM = {
    "proposal.notice",
    "proposal.voting_opened",
    "proposal.tally_corrected",
    "proposal.closed",
    "proposal.enacted",
}

for _kind, (_describe, _kind_label, _example) in _KINDS.items():
    register(
        _kind,
        _describe,
        label=_kind_label,
        people=("coauthor",),
        load=proposal_titles,
        example=_example,
        example_actor="" if _kind in _BY_THE_SYSTEM else "bob",
    )
