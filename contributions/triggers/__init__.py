"""The contributions guards: the marketplace, the record of hours and the
time ledger hold to their rules below the application (`kernel/guards.py`).

- Needs are posted open, now, by members in good standing; a community need
  by a holder of the role that receives it, on an enacted proposal or a
  voted budget line; only its state changes afterwards, along its edges.
- Offers are made on open needs by others than the poster; each is answered
  once, by the beneficiary (the giver, for one asked of them).
- Hours are logged against an accepted offer, at most 24 a day, never
  changed; confirmed or refused by the beneficiary (never the contributor)
  and reviewed at the contributor's request by another steward, each step
  once; confirmed only together with their posted transfer.
- The time ledger: accounts, postings and entries are append-only; a
  transfer is posted once, whole, on its authority, within the floor and the
  cap (`ledger.py`). Entries are also chained and guarded by the kernel.
- Rebate requests are made while the bylaws allow them and used once, with
  their transfer and the dues they lowered.

`rules.py` holds the messages and the SQL the guards share.
"""

from __future__ import annotations

from contributions.triggers.ledger import ledger_guards
from contributions.triggers.record import record_guards
from contributions.triggers.rules import (
    MSG_ACCOUNT_FROZEN,
    MSG_CLAIM_DELETE,
    MSG_HOURS_DELETE,
    MSG_NEED_DELETE,
    MSG_OFFER_DELETE,
    MSG_POSTINGS_FROZEN,
    MSG_TRANSFER_DELETE,
)
from kernel.guards import TriggerSet


def guards() -> TriggerSet:
    return TriggerSet(
        guards=(*record_guards(), *ledger_guards()),
        append_only={
            "contributions_timeaccount": MSG_ACCOUNT_FROZEN,
            "contributions_timeposting": MSG_POSTINGS_FROZEN,
        },
        no_delete={
            "contributions_need": MSG_NEED_DELETE,
            "contributions_offer": MSG_OFFER_DELETE,
            "contributions_contribution": MSG_HOURS_DELETE,
            "contributions_timetransfer": MSG_TRANSFER_DELETE,
            "contributions_rebateclaim": MSG_CLAIM_DELETE,
        },
    )
