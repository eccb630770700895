"""How the treasury's journal entries read on the journal page (the registry
is `governance/journal_text.py`). Amounts are written as the treasury's
pages write them (`treasury.money.format_cents`)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from governance.journal_text import Reading, Sentence, register
from governance.models import JournalEntry
from kernel import dates
from kernel.money import format_cents


def _amount(cents, currency: str) -> str:
    return f"{format_cents(int(cents), with_currency=False)} {currency}"


def _day(value: str | None) -> str:
    try:
        return dates.day(date.fromisoformat(value or ""))
    except ValueError:
        return value or ""


def _fund_created(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    values = {"who": reading.person(entry.actor), "name": payload.get("name", "")}
    if payload.get("restricted"):
        text = _(
            "%(who)s opened the restricted fund “%(name)s”, whose money is kept for one "
            "purpose: %(purpose)s"
        ) % {**values, "purpose": payload.get("purpose", "")}
    else:
        text = _("%(who)s opened the fund “%(name)s”.") % values
    return Sentence(text, link=reverse("treasury:overview"), link_text=_("The treasury"))


def _lines_opened(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    lines = payload.get("lines") or []
    currency = payload.get("currency", "")
    total = sum(int(line.get("amount", 0)) for line in lines)
    items = "; ".join(
        _("%(purpose)s: %(amount)s")
        % {"purpose": line.get("purpose", ""), "amount": _amount(line.get("amount", 0), currency)}
        for line in lines
    )
    text = ngettext(
        "The budget of proposal #%(proposal)s opened %(count)d line of %(total)s (%(items)s).",
        "The budget of proposal #%(proposal)s opened %(count)d lines totalling %(total)s "
        "(%(items)s).",
        len(lines),
    ) % {
        "proposal": payload.get("proposal"),
        "count": len(lines),
        "total": _amount(total, currency),
        "items": items,
    }
    number = payload.get("proposal")
    if not isinstance(number, int):
        return Sentence(text)
    return Sentence(
        text,
        link=reverse("proposals:detail", args=[number]),
        link_text=_("Proposal #%(number)s") % {"number": number},
    )


def _attested(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    return Sentence(
        _(
            "%(who)s, auditor, attested the ledger from %(start)s to %(end)s, up to ledger "
            "entry %(seq)s."
        )
        % {
            "who": reading.person(entry.actor),
            "start": _day(payload.get("period_start")),
            "end": _day(payload.get("period_end")),
            "seq": payload.get("ledger_head_seq"),
        },
        link=reverse("treasury:overview") + "#attestations",
        link_text=_("Audit attestations"),
    )


register(
    "treasury.fund_created",
    _fund_created,
    label=gettext_lazy("Fund opened"),
    example={
        "fund": "youth-fund",
        "name": "Youth fund grant",
        "restricted": True,
        "purpose": "Grant restricted to the youth cycling-hosts project.",
    },
    example_actor="bob",
)
register(
    "budget.lines_opened",
    _lines_opened,
    label=gettext_lazy("Budget lines opened"),
    example={
        "proposal": 1,
        "currency": "EUR",
        "lines": [
            {
                "budget_line": 1,
                "purpose": "Servers and hosting",
                "fund": "general",
                "amount": 600_000,
                "account": "5001",
            },
            {
                "budget_line": 2,
                "purpose": "Travel help",
                "fund": "general",
                "amount": 5_050,
                "account": "5002",
            },
        ],
    },
)
register(
    "audit.attested",
    _attested,
    label=gettext_lazy("Ledger attested by an auditor"),
    example={
        "chain": "ledger",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "ledger_head_seq": 120,
        "ledger_head_hash": "0" * 64,
        "statement_sha256": "0" * 64,
    },
    example_actor="ada",
)
