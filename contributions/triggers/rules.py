"""What the contributions guards say, and the SQL they share: the bylaws'
Contributions article in force, who receives a need's work, a balance."""

from __future__ import annotations

from contributions import parameters
from contributions.models import ContributionState, NeedState, OfferState, TransferStatus
from kernel.guards import Dialect, literal
from members.roles import Role
from members.triggers import in_good_standing

RECORD = "contributions guard:"
LEDGER = "time ledger guard:"

MSG_NEED_POSTED = f"{RECORD} a need is posted open, now, by a member in good standing"
MSG_NEED_AUTHORITY = (
    f"{RECORD} a community need is posted by a holder of the role that receives it, on the "
    "authority of an enacted proposal or a voted budget line; paid work draws on a budget line "
    "and is received by the treasurers"
)
MSG_NEED_REQUEST = (
    f"{RECORD} a need opened on a standing offer belongs to someone else than the giver, while "
    "the offer stands"
)
MSG_NEED_FROZEN = f"{RECORD} only a need's state changes, now, and a closed need never changes"
MSG_NEED_EDGE = (
    f"{RECORD} a need moves from open to filled, done or cancelled, and filled to done or cancelled"
)
MSG_NEED_FILLED = f"{RECORD} a need is filled when it has accepted as many people as it needs"
MSG_NEED_DELETE = f"{RECORD} needs are never deleted"
MSG_OFFER_MADE = (
    f"{RECORD} an offer is made now, on an open need, by a member in good standing who did not "
    "post it"
)
MSG_OFFER_ASKED = f"{RECORD} an offer is asked only of the giver of the standing offer"
MSG_OFFER_FROZEN = f"{RECORD} an offer's need, member, message and date never change"
MSG_OFFER_ANSWER = (
    f"{RECORD} an offer is answered once, now: accepted or declined by the need's beneficiary "
    "(by the giver when it was asked of them), or withdrawn by its giver"
)
MSG_OFFER_DELETE = f"{RECORD} offers are never deleted"
MSG_LOGGED = (
    f"{RECORD} hours are logged now, by the contributor of an accepted offer of the need, on a "
    "need that is not cancelled, for a day that has come"
)
MSG_DAY = f"{RECORD} nobody logs more than 24 hours in a day"
MSG_HOURS_FROZEN = f"{RECORD} logged hours never change: their offer, time, day and note"
MSG_STEP = (
    f"{RECORD} logged hours are confirmed or refused by the need's beneficiary (never the "
    "contributor), a refusal is reviewed at the contributor's request by another steward, "
    "each step once, now, with its reason"
)
MSG_CONFIRMED_POSTED = f"{RECORD} hours are confirmed together with their posted transfer"
MSG_HOURS_DELETE = f"{RECORD} logged hours are never deleted"

MSG_ACCOUNT = (
    f"{LEDGER} an account is the community's or one member's, opened now, named by a reference"
)
MSG_ACCOUNT_FROZEN = f"{LEDGER} accounts never change and are never deleted"
MSG_TRANSFER_DRAFT = (
    f"{LEDGER} a transfer is written as a draft, now, in its month, by a member in good standing"
)
MSG_POSTED_IMMUTABLE = f"{LEDGER} a posted transfer never changes"
MSG_DRAFT_ONLY_POSTS = f"{LEDGER} a draft transfer changes only by being posted"
MSG_UNBALANCED = (
    f"{LEDGER} a transfer moves credits with two postings that sum to zero (none for paid work)"
)
MSG_AUTHORITY = (
    f"{LEDGER} credits move only for hours confirmed by the need's beneficiary (or a reviewing "
    "steward), never the contributor, from the community for a community need and from the "
    "beneficiary for a member's, at the bylaws' rate"
)
MSG_PAID = (
    f"{LEDGER} paid work moves no credits and names its expense on the need's budget line, of "
    "the need's hourly pay"
)
MSG_FLOOR = f"{LEDGER} an exchange cannot take a balance below the bylaws' floor"
MSG_CAP = f"{LEDGER} the community cannot issue beyond the bylaws' monthly issuance cap"
MSG_REBATE = (
    f"{LEDGER} a rebate uses a pending request, while the bylaws allow rebates, moves the "
    "credits it asks for from the member, who keeps at least zero, to the community, and is "
    "recorded by another member who is a treasurer"
)
MSG_TRANSFER_DELETE = f"{LEDGER} transfers are never deleted"
MSG_POSTING_CLOSED = f"{LEDGER} postings are added only to a draft transfer"
MSG_POSTINGS_FROZEN = f"{LEDGER} postings never change"
MSG_ENTRY = f"{LEDGER} only a posted transfer enters the time chain, once, as itself"
MSG_CLAIM = (
    f"{LEDGER} a rebate request is made now, by a member in good standing, while the bylaws "
    "allow rebates"
)
MSG_CLAIM_STEP = (
    f"{LEDGER} a rebate request is withdrawn, or used with its posted transfer and the dues it "
    "lowered, once, now"
)
MSG_CLAIM_DELETE = f"{LEDGER} rebate requests are never deleted"

OPEN = literal(NeedState.OPEN)
FILLED = literal(NeedState.FILLED)
DONE = literal(NeedState.DONE)
CANCELLED = literal(NeedState.CANCELLED)
PENDING = literal(OfferState.PENDING)
REQUESTED = literal(OfferState.REQUESTED)
ACCEPTED = literal(OfferState.ACCEPTED)
DECLINED = literal(OfferState.DECLINED)
WITHDRAWN = literal(OfferState.WITHDRAWN)
LOGGED = literal(ContributionState.LOGGED)
CONFIRMED = literal(ContributionState.CONFIRMED)
REFUSED = literal(ContributionState.REFUSED)
UNDER_REVIEW = literal(ContributionState.UNDER_REVIEW)
UPHELD = literal(ContributionState.REFUSAL_UPHELD)
POSTED = literal(TransferStatus.POSTED)
DRAFT = literal(TransferStatus.DRAFT)
STEWARD = literal(Role.STEWARD)
TREASURER = literal(Role.TREASURER)

_RULES = (
    "(SELECT cv.parameters FROM governance_bylawversion cv "
    "JOIN governance_bylawarticle ca ON ca.id = cv.article_id "
    f"WHERE ca.slug = {literal(parameters.ARTICLE)} ORDER BY cv.number DESC LIMIT 1)"
)


def rule(d: Dialect, name: str) -> str:
    """SQL for one value of the Contributions article in force (its default
    before the community adopts the article)."""
    default = getattr(parameters.DEFAULTS, name)
    if isinstance(default, bool):
        return f"COALESCE({d.json_true(_RULES, name)}, {'TRUE' if default else 'FALSE'})"
    return f"COALESCE({d.json_int(_RULES, name)}, {default})"


def floor(d: Dialect) -> str:
    """The lowest balance others' work may take a member to."""
    return (
        f"(CASE WHEN {rule(d, 'below_zero_allowed')} "
        f"THEN {rule(d, 'lowest_balance_hundredths')} ELSE 0 END)"
    )


def credits_for(minutes: str, rate: str) -> str:
    """`contributions.parameters.credits_for`, in SQL (half up, whole numbers)."""
    return f"((2 * ({minutes}) * ({rate}) + 60) / 120)"


def holds_named_role(person: str, role: str) -> str:
    """``person`` holds the role named by the SQL expression ``role`` now,
    in good standing."""
    return (
        "EXISTS (SELECT 1 FROM members_roleassignment nr "
        "JOIN members_membership nm ON nm.member_id = nr.member_id "
        f"WHERE nr.member_id = {person} AND nr.role = {role} "
        "AND nr.revoked_at IS NULL AND nm.status = 'member')"
    )


def beneficiary(person: str, need: str) -> str:
    """``person`` receives the work of the need whose id is ``need``: its
    poster in good standing, or for a community need a holder of its role."""
    return (
        f"EXISTS (SELECT 1 FROM contributions_need bn WHERE bn.id = {need} AND CASE "
        f"WHEN bn.is_community THEN {holds_named_role(person, 'bn.beneficiary_role')} "
        f"ELSE (bn.posted_by_id = {person} AND {in_good_standing(person)}) END)"
    )


def balance_with(account: str, transfer: str) -> str:
    """An account's balance counting posted transfers and the one being posted."""
    return (
        "(SELECT COALESCE(SUM(bp.amount), 0) FROM contributions_timeposting bp "
        "JOIN contributions_timetransfer bt ON bt.id = bp.transfer_id "
        f"WHERE bp.account_id = {account} AND (bt.status = {POSTED} OR bt.id = {transfer}))"
    )


def month_of(d: Dialect, moment: str) -> str:
    """The UTC month ("2025-03") of a stored moment."""
    if d.vendor == "postgresql":
        return f"to_char({moment} AT TIME ZONE 'UTC', 'YYYY-MM')"
    return f"substr({moment}, 1, 7)"
