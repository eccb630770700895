"""Auditors' attestations: an auditor's published statement about the ledger
up to a head they verified with `chain.py verify`.

Rules enforced here: only an auditor attests; the period is given and ends
no earlier than it starts; the statement is not empty; the head (sequence
number and hash) is an entry of the ledger. The attestation is journaled
with the statement's sha256, and never changes (the ledger guard).
"""

from __future__ import annotations

import hashlib
from datetime import date as date_type

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import journal
from kernel.errors import InvalidInput, NotAllowed
from treasury import permissions
from treasury.models import AuditAttestation, LedgerEntry
from treasury.services._common import is_amount

LEDGER_CHAIN = LedgerEntry.chain_name


@transaction.atomic
def attest_audit(
    *,
    actor,
    period_start: date_type,
    period_end: date_type,
    ledger_head_seq: int,
    ledger_head_hash: str,
    statement: str,
) -> AuditAttestation:
    """Publish an auditor's statement about the ledger up to a verified head."""
    if not permissions.is_auditor(actor):
        raise NotAllowed(_("Only an auditor can attest the ledger."))
    if not isinstance(period_start, date_type) or not isinstance(period_end, date_type):
        raise InvalidInput(_("Give the first and last day of the audited period."))
    if period_end < period_start:
        raise InvalidInput(_("The period ends before it starts."))
    statement = (statement or "").strip()
    if not statement:
        raise InvalidInput(_("Write the statement you attest."))
    ledger_head_hash = (ledger_head_hash or "").strip().lower()
    if (
        not is_amount(ledger_head_seq)
        or not LedgerEntry.objects.filter(seq=ledger_head_seq, hash=ledger_head_hash).exists()
    ):
        raise InvalidInput(
            _(
                "The ledger has no entry with this sequence number and hash: check the "
                "head that the ledger's verification printed."
            )
        )
    entry = journal.record(
        kind="audit.attested",
        actor=actor,
        payload={
            "chain": LEDGER_CHAIN,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "ledger_head_seq": ledger_head_seq,
            "ledger_head_hash": ledger_head_hash,
            "statement_sha256": hashlib.sha256(statement.encode("utf-8")).hexdigest(),
        },
    )
    return AuditAttestation.objects.create(
        auditor=actor,
        period_start=period_start,
        period_end=period_end,
        ledger_head_seq=ledger_head_seq,
        ledger_head_hash=ledger_head_hash,
        statement=statement[:5000],
        attested_at=timezone.now(),
        journal_seq=entry.seq,
    )
