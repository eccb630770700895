"""Auditors' attestations of a verified ledger head
(`treasury.services.attestations`)."""

from __future__ import annotations

import datetime as dt

import pytest

from governance.models import JournalEntry
from kernel.errors import InvalidInput, NotAllowed
from tests.treasury.factories import IncomeFactory
from tests.treasury.helpers import today
from treasury import selectors, services


def test_auditor_attests_verified_head_and_it_is_journaled(community):
    IncomeFactory(actor=community["bob"], amount_cents=1_000)
    seq, head = selectors.ledger_head()
    attestation = services.attest_audit(
        actor=community["ada"],
        period_start=dt.date(2025, 1, 1),
        period_end=today(),
        ledger_head_seq=seq,
        ledger_head_hash=head,
        statement="The books are in order.",
    )
    entry = JournalEntry.objects.get(kind="audit.attested")
    assert attestation.journal_seq == entry.seq
    assert entry.payload["ledger_head_hash"] == head
    assert entry.actor == "ada"


def test_attestation_of_unknown_head_or_by_non_auditor_is_refused(community):
    IncomeFactory(actor=community["bob"], amount_cents=1_000)
    seq, head = selectors.ledger_head()
    kwargs = dict(period_start=dt.date(2025, 1, 1), period_end=today(), statement="OK")
    with pytest.raises(InvalidInput, match="no entry"):
        services.attest_audit(
            actor=community["ada"], ledger_head_seq=seq, ledger_head_hash="0" * 64, **kwargs
        )
    with pytest.raises(NotAllowed):
        services.attest_audit(
            actor=community["bob"], ledger_head_seq=seq, ledger_head_hash=head, **kwargs
        )
    assert not JournalEntry.objects.filter(kind="audit.attested").exists()
