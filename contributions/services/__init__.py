"""Every write of contributions, one module per part of the work:

- `marketplace`: needs, offers, standing offers, members' choices (skills,
  pseudonym, alerts);
- `record`: hours logged, confirmed or refused, reviewed by a steward;
- `rebates`: credits used on dues, recorded with the treasury;
- `ledger`: the one path into the time ledger (accounts, transfers, chain).

Shared checks are in `_common`, the rules of who may act in
`contributions.permissions`, row locks in `contributions.locks`. Callers
import from here (`from contributions import services`).
"""

from contributions.services.ledger import account_of, balance_of, community_account
from contributions.services.marketplace import (
    accept_offer,
    ask_standing_offer,
    close_need,
    decline_offer,
    mark_alerts_read,
    offer_help,
    post_need,
    post_standing_offer,
    update_profile,
    withdraw_offer,
    withdraw_standing_offer,
)
from contributions.services.rebates import (
    claim_rebate,
    record_dues_with_rebate,
    withdraw_rebate_claim,
)
from contributions.services.record import (
    confirm_contribution,
    decide_review,
    log_hours,
    refuse_contribution,
    request_review,
)

__all__ = [
    "accept_offer",
    "account_of",
    "ask_standing_offer",
    "balance_of",
    "claim_rebate",
    "close_need",
    "community_account",
    "confirm_contribution",
    "decide_review",
    "decline_offer",
    "log_hours",
    "mark_alerts_read",
    "offer_help",
    "post_need",
    "post_standing_offer",
    "record_dues_with_rebate",
    "refuse_contribution",
    "request_review",
    "update_profile",
    "withdraw_offer",
    "withdraw_rebate_claim",
    "withdraw_standing_offer",
]
