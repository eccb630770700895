"""How the debates' moderation entries read on the journal page (the
registry is `governance/journal_text.py`). The services journal one kind per
moderation action, `moderation.<action>`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from debates.models import ModerationAction
from governance.journal_text import Reading, Sentence, register
from governance.models import JournalEntry
from proposals.journal_text import named, proposal_titles

Action = ModerationAction.Action


def _values(entry: JournalEntry, reading: Reading) -> dict:
    return {
        "steward": reading.person(entry.actor),
        "author": reading.person(entry.payload.get("author")),
        "proposal": named(entry, reading),
        "reason": entry.payload.get("reason", ""),
    }


def _sentence(entry: JournalEntry, text: str) -> Sentence:
    proposal, argument = entry.payload.get("proposal"), entry.payload.get("argument")
    if not isinstance(proposal, int) or not isinstance(argument, int):
        return Sentence(text)
    return Sentence(
        text,
        link=reverse("proposals:detail", args=[proposal]) + f"#argument-{argument}",
        link_text=_("The message"),
    )


def _hidden(entry: JournalEntry, reading: Reading) -> Sentence:
    return _sentence(
        entry,
        _(
            "%(steward)s hid a message by %(author)s in the debate on the proposal "
            "%(proposal)s. Reason given: %(reason)s"
        )
        % _values(entry, reading),
    )


def _review_requested(entry: JournalEntry, reading: Reading) -> Sentence:
    values = _values(entry, reading)
    text = (
        _(
            "%(author)s asked another steward to review the hiding of their message in the debate "
            "on the proposal %(proposal)s."
        )
        % values
    )
    if values["reason"]:
        text += " " + _("Their reason: %(reason)s") % values
    return _sentence(entry, text)


def _restored(entry: JournalEntry, reading: Reading) -> Sentence:
    return _sentence(
        entry,
        _(
            "%(steward)s reviewed the hiding and showed again the message by %(author)s in the "
            "debate on the proposal %(proposal)s. Reason given: %(reason)s"
        )
        % _values(entry, reading),
    )


def _confirmed(entry: JournalEntry, reading: Reading) -> Sentence:
    return _sentence(
        entry,
        _(
            "%(steward)s reviewed the hiding and confirmed it: the message by %(author)s in the "
            "debate on the proposal %(proposal)s stays hidden. Reason given: %(reason)s"
        )
        % _values(entry, reading),
    )


_EXAMPLE = {"proposal": 6, "argument": 41, "author": "frank", "reason": "A personal attack."}
_KINDS = {
    Action.HIDDEN: (_hidden, gettext_lazy("Debate message hidden"), "carol"),
    Action.REVIEW_REQUESTED: (
        _review_requested,
        gettext_lazy("Review of a hidden message asked"),
        "frank",
    ),
    Action.RESTORED: (_restored, gettext_lazy("Hidden message shown again"), "erin"),
    Action.CONFIRMED: (_confirmed, gettext_lazy("Hiding of a message confirmed"), "erin"),
}

for _action, (_describe, _label, _actor) in _KINDS.items():
    register(
        f"moderation.{_action.value}",
        _describe,
        label=_label,
        people=("author",),
        load=proposal_titles,
        example=_EXAMPLE,
        example_actor=_actor,
    )
