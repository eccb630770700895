"""Domain errors of contributions (see `kernel.errors`): each refusal has its
code, the same in the API, on the pages and in websocket error frames."""

from kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound


class NotAMember(NotAllowed):
    code = "not_a_member"


class NotBeneficiary(NotAllowed):
    """Only the need's beneficiary (its poster, or for a community need a
    holder of the role it names) accepts offers and confirms hours."""

    code = "not_beneficiary"


class OwnNeed(NotAllowed):
    code = "own_need"


class OwnContribution(NotAllowed):
    code = "own_contribution"


class NotSteward(NotAllowed):
    code = "not_steward"


class NotContributor(NotAllowed):
    code = "not_contributor"


class NoAuthority(NotAllowed):
    """A community need without the enacted proposal or budget line it names,
    or posted by someone who does not hold the role that receives the work."""

    code = "no_authority"


class InvalidNeed(InvalidInput):
    code = "invalid_need"


class InvalidOffer(InvalidInput):
    code = "invalid_offer"


class InvalidHours(InvalidInput):
    """Zero, negative, not whole minutes, or more than 24 hours in a day."""

    code = "invalid_hours"


class InvalidReason(InvalidInput):
    code = "reason_required"


class NeedClosed(Conflict):
    code = "need_closed"


class AlreadyDecided(Conflict):
    code = "already_decided"


class BelowFloor(Conflict):
    """The exchange would take a balance below the bylaws' floor."""

    code = "below_floor"


class IssuanceCapReached(Conflict):
    code = "issuance_cap"


class NoMoneyLeft(Conflict):
    """A paid need whose budget line has no money left."""

    code = "over_budget"


class RebateRefused(Conflict):
    code = "rebate_refused"


class RulesUnreadable(Conflict):
    """The Contributions article holds values nobody can read: nothing is
    valued until a passed amendment fixes it."""

    code = "rules_unreadable"


class TimeLedgerGuard(Conflict):
    """The database's time-ledger guard refused a write."""

    code = "time_ledger_guard"


class Missing(NotFound):
    code = "not_found"
