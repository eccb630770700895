"""Every change to proposals and ballots, one module per part of the work:

- `drafting`: drafts, edits kept as revisions, co-authors;
- `lifecycle`: submitting, withdrawing, and the steps taken on time;
- `enactment`: applying a passed proposal's changes;
- `ballots`: casting, receipts, the running tally;
- `notifications`: in-app notices, emails, the daily digest;
- `commitment`: what a vote commits to, recomputable offline.

Callers import from here (`from proposals import services`); the modules
import each other only in that order (notifications and commitment first).
"""

from proposals.locks import lock_proposal
from proposals.services.ballots import (
    CastResult,
    cast_vote,
    ineligibility_reason,
    receipt_code,
    receipt_hash,
)
from proposals.services.commitment import electorate_commitment, text_digest
from proposals.services.drafting import create_draft, invite_coauthor, update_proposal
from proposals.services.enactment import enact_proposal
from proposals.services.lifecycle import (
    advance_proposal,
    governance_tick,
    recount,
    submit_proposal,
    withdraw_proposal,
)
from proposals.services.notifications import (
    coauthors,
    mark_notifications_read,
    send_daily_digest,
)

__all__ = [
    "CastResult",
    "advance_proposal",
    "cast_vote",
    "coauthors",
    "create_draft",
    "electorate_commitment",
    "enact_proposal",
    "governance_tick",
    "ineligibility_reason",
    "invite_coauthor",
    "lock_proposal",
    "mark_notifications_read",
    "receipt_code",
    "receipt_hash",
    "recount",
    "send_daily_digest",
    "submit_proposal",
    "text_digest",
    "update_proposal",
    "withdraw_proposal",
]
