"""How contributions' journal entries read on the journal page (the registry
is `governance/journal_text.py`): a steward's review of refused hours."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.journal_text import Reading, Sentence, register
from governance.models import JournalEntry


def _reviewed(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    values = {
        "who": reading.person(entry.actor),
        "contribution": payload.get("contribution", "?"),
        "reason": payload.get("reason", ""),
    }
    if payload.get("outcome") == "confirmed":
        text = (
            _("%(who)s reviewed the refused hours #%(contribution)s and confirmed them.") % values
        )
    else:
        text = (
            _(
                "%(who)s reviewed the refused hours #%(contribution)s and upheld the refusal: "
                "%(reason)s"
            )
            % values
        )
    link = reverse("contributions:need", args=[payload["need"]]) if payload.get("need") else ""
    return Sentence(text, link=link, link_text=_("The need") if link else "")


register(
    "contribution.reviewed",
    _reviewed,
    label=gettext_lazy("Refused hours reviewed"),
    example={"contribution": 4, "need": 2, "outcome": "refusal_upheld", "reason": "Not done."},
    example_actor="carol",
)
