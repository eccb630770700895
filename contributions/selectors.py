"""Reads of the marketplace, the contribution record and the time ledger.

Pages read in a fixed number of queries whatever the size of the record
(tests/contributions/test_selectors.py holds the budgets): lists are keyset
pages, and the aggregates of the public page (hours by month and by skill,
the most-wanted skills) are computed once per time-ledger head and state of
the needs, then served from the cache.

Names: a member who chose a pseudonym appears as "a member" on everything
public (the contributions page, the ledger, exports, live events); members
signed in see each other's names where they arrange work together.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from contributions.models import (
    Contribution,
    ContributionState,
    Need,
    NeedState,
    Offer,
    OfferState,
    Profile,
    RebateClaim,
    RebateState,
    Skill,
    SkillAlert,
    StandingOffer,
    TimeAccount,
    TimeEntry,
    TimePosting,
    TimeTransfer,
    TransferKind,
)
from contributions.parameters import hundredths
from kernel.chains import head_of
from kernel.money import shown_decimal
from members.selectors import active_roles, is_member

A_MEMBER = gettext_lazy("a member")
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
EXPORT_CHUNK = 5000
CSV_HEADER = "seq,at,kind,actor,transfer,minutes,hours,credits,from,to,hash\r\n"


# --- names ------------------------------------------------------------------------------------


def is_pseudonymous(member) -> bool:
    try:
        return member.contribution_profile.is_pseudonymous
    except ObjectDoesNotExist:
        return False


def public_name(member) -> str:
    """The name everyone may read: "a member" for those who chose it."""
    return str(A_MEMBER) if is_pseudonymous(member) else member.public_name


def public_label(member) -> str:
    """A public name that still tells two pseudonymous members apart."""
    if not is_pseudonymous(member):
        return member.public_name
    account = TimeAccount.objects.filter(member=member).values_list("reference", flat=True).first()
    return f"{A_MEMBER} ({account})" if account else str(A_MEMBER)


def shown_name(member, viewer) -> str:
    """Members in good standing see each other's names; visitors see public ones."""
    return member.public_name if _sees_names(viewer) else public_name(member)


def _sees_names(viewer) -> bool:
    # A page or a list names many people for one viewer: their standing is
    # read once and kept on the viewer object, which lives as long as the
    # request (as Django keeps a user's permissions in `_perm_cache`).
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    known = getattr(viewer, "_contributions_sees_names", None)
    if known is None:
        known = is_member(viewer)
        viewer._contributions_sees_names = known
    return known


# --- the marketplace --------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedFilters:
    state: str = NeedState.OPEN  # "" for every state
    skill: str = ""
    place: str = ""  # part of the place, or "online"
    matches: bool = False  # only needs matching the viewer's skills
    query: str = ""


@dataclass
class NeedPage:
    needs: list[Need]
    next_before: int | None
    accepted: dict[int, int] = field(default_factory=dict)


def needs_queryset(filters: NeedFilters, viewer=None) -> QuerySet[Need]:
    needs = Need.objects.select_related("posted_by__contribution_profile").order_by("-pk")
    if filters.state:
        needs = needs.filter(state=filters.state)
    if filters.skill:
        needs = needs.filter(skills__slug=filters.skill)
    if filters.place:
        if filters.place.strip().lower() == "online":
            needs = needs.filter(is_online=True)
        else:
            needs = needs.filter(place__icontains=filters.place.strip())
    if filters.query:
        needs = needs.filter(
            Q(title__icontains=filters.query) | Q(description__icontains=filters.query)
        )
    if filters.matches:
        if not getattr(viewer, "is_authenticated", False):
            return needs.none()
        mine = Skill.objects.filter(profiles__member=viewer).values("pk")
        needs = needs.filter(
            Exists(Need.skills.through.objects.filter(need_id=OuterRef("pk"), skill_id__in=mine))
        )
    return needs


def needs_page(
    *, filters: NeedFilters, viewer=None, before: int | None = None, limit: int = PAGE_SIZE
) -> NeedPage:
    """One page of needs, newest first, after the keyset ``before`` (3 queries)."""
    needs = needs_queryset(filters, viewer)
    if before:
        needs = needs.filter(pk__lt=before)
    rows = list(needs.prefetch_related("skills")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    counts = accepted_counts(rows)
    for need in rows:
        need.accepted_count = counts.get(need.pk, 0)
    return NeedPage(rows, rows[-1].pk if more and rows else None, counts)


def accepted_counts(needs) -> dict[int, int]:
    ids = [need.pk for need in needs]
    if not ids:
        return {}
    return dict(
        Offer.objects.filter(need_id__in=ids, state=OfferState.ACCEPTED)
        .values_list("need_id")
        .annotate(n=Count("pk"))
        .values_list("need_id", "n")
    )


def need_detail(pk: int) -> Need | None:
    return (
        Need.objects.select_related(
            "posted_by__contribution_profile", "proposal", "budget_line", "standing_offer__member"
        )
        .prefetch_related("skills")
        .filter(pk=pk)
        .first()
    )


def offers_of(need: Need) -> list[Offer]:
    return list(
        need.offers.select_related("member__contribution_profile", "decided_by").order_by("pk")
    )


def contributions_of(need: Need) -> list[Contribution]:
    return list(
        need.contributions.select_related(
            "contributor__contribution_profile",
            "confirmed_by",
            "refused_by",
            "reviewed_by",
            "transfer__entry",
            "transfer__expense",
        ).order_by("pk")
    )


def active_standing_offers() -> QuerySet[StandingOffer]:
    """Standing offers not withdrawn, newest first, with what their pages
    and the API show (a fixed number of queries for any page of them)."""
    return (
        StandingOffer.objects.filter(is_active=True)
        .select_related("member__contribution_profile")
        .prefetch_related("skills")
        .order_by("-pk")
    )


def standing_offers(*, limit: int = PAGE_SIZE, member=None) -> list[StandingOffer]:
    offers = active_standing_offers()
    if member is not None:
        offers = offers.filter(member=member)
    return list(offers[:limit])


def standing_offer(pk: int) -> StandingOffer | None:
    return (
        StandingOffer.objects.select_related("member__contribution_profile")
        .prefetch_related("skills")
        .filter(pk=pk)
        .first()
    )


def skill_choices(limit: int = 60) -> list[Skill]:
    """The skills most wanted by open needs, for the filter (cached with the stats)."""
    wanted = {row["slug"] for row in public_stats()["wanted"][:limit]}
    return list(Skill.objects.filter(slug__in=wanted).order_by("name"))


def alerts_for(member, *, limit: int = 10) -> list[SkillAlert]:
    return list(
        SkillAlert.objects.filter(recipient=member, read_at__isnull=True)
        .select_related("need")
        .order_by("-created_at", "-pk")[:limit]
    )


def alerts_since(member, since) -> list[SkillAlert]:
    """For the daily digest: alerts of the last day (unless the member opted out)."""
    return list(
        SkillAlert.objects.filter(
            recipient=member,
            created_at__gte=since,
            recipient__contribution_profile__notify_matching_needs=True,
        )
        .select_related("need")
        .order_by("created_at", "pk")[:50]
    )


def profile_of(member) -> Profile | None:
    return Profile.objects.filter(member=member).first()


def profile_skills(member) -> list[Skill]:
    return list(Skill.objects.filter(profiles__member=member).order_by("name"))


# --- work waiting for someone -----------------------------------------------------------------


def awaiting_confirmation(
    member, *, roles: list[str] | None = None, limit: int = 50
) -> list[Contribution]:
    """Hours logged on needs this member receives (their own; community
    needs of a role they hold). `roles`: the member's powers, when the
    caller already read them."""
    if roles is None:
        roles = active_roles(member)
    return list(
        Contribution.objects.filter(state=ContributionState.LOGGED)
        .filter(
            Q(need__is_community=False, need__posted_by=member)
            | Q(need__is_community=True, need__beneficiary_role__in=roles)
        )
        .exclude(contributor=member)
        .select_related("need", "contributor__contribution_profile")
        .order_by("pk")[:limit]
    )


def under_review() -> list[Contribution]:
    return list(
        Contribution.objects.filter(state=ContributionState.UNDER_REVIEW)
        .select_related("need", "contributor", "refused_by")
        .order_by("review_requested_at", "pk")
    )


def pending_claims() -> list[RebateClaim]:
    return list(
        RebateClaim.objects.filter(state=RebateState.PENDING)
        .select_related("member")
        .order_by("created_at", "pk")
    )


def claims_of(member) -> list[RebateClaim]:
    return list(RebateClaim.objects.filter(member=member).order_by("-pk")[:20])


# --- the time ledger --------------------------------------------------------------------------


def time_head() -> tuple[int, str]:
    return head_of(TimeEntry.chain_name)


def account_by_reference(reference: str) -> TimeAccount | None:
    return (
        TimeAccount.objects.select_related("member__contribution_profile")
        .filter(reference=reference)
        .first()
    )


def account_for_member(member) -> TimeAccount | None:
    if not getattr(member, "is_authenticated", False):
        return None
    return TimeAccount.objects.filter(member=member).first()


def account_and_balance(member) -> tuple[TimeAccount | None, int]:
    """A member's time account and its balance in credits, in one query."""
    if not getattr(member, "is_authenticated", False):
        return None, 0
    posted = Q(postings__transfer__status=TimeTransfer.Status.POSTED)
    account = (
        TimeAccount.objects.filter(member=member)
        .annotate(posted_balance=Sum("postings__amount", filter=posted))
        .first()
    )
    if account is None:
        return None, 0
    return account, account.posted_balance or 0


def balance(account: TimeAccount | None) -> int:
    if account is None:
        return 0
    total = TimePosting.objects.filter(
        account=account, transfer__status=TimeTransfer.Status.POSTED
    ).aggregate(total=Sum("amount"))["total"]
    return total or 0


def account_summary(account: TimeAccount) -> dict:
    """Balance, what the account's member gave and received (4 queries)."""
    given = TimeTransfer.objects.filter(
        status=TimeTransfer.Status.POSTED, contribution__contributor_id=account.member_id
    ).aggregate(minutes=Sum("minutes"), credits=Sum("credits"), count=Count("pk"))
    received = TimeTransfer.objects.filter(
        status=TimeTransfer.Status.POSTED,
        kind=TransferKind.EXCHANGED,
        contribution__need__posted_by_id=account.member_id,
    ).aggregate(minutes=Sum("minutes"), credits=Sum("credits"), count=Count("pk"))
    entries = list(
        TimeEntry.objects.filter(transfer__postings__account=account).order_by("-seq")[:20]
    )
    return {
        "account": account,
        "balance": balance(account),
        "given_minutes": given["minutes"] or 0,
        "given_credits": given["credits"] or 0,
        "given_count": given["count"],
        "received_minutes": received["minutes"] or 0,
        "received_credits": received["credits"] or 0,
        "received_count": received["count"],
        "entries": entries,
    }


def recent_entries(limit: int = 20) -> list[TimeEntry]:
    return list(TimeEntry.objects.order_by("-seq")[:limit])


def public_accounts() -> list[dict]:
    """Each account's reference and the name it may be shown under (null
    for the community and for members who chose a pseudonym)."""
    rows = []
    for account in TimeAccount.objects.select_related("member__contribution_profile").order_by(
        "pk"
    ):
        name = None
        if account.member is not None and not is_pseudonymous(account.member):
            name = account.member.public_name
        rows.append({"reference": account.reference, "name": name})
    return rows


def _compact(payload) -> str:
    if isinstance(payload, str):
        if "\n" not in payload and ": " not in payload and ", " not in payload:
            return payload
        payload = json.loads(payload)  # PostgreSQL's jsonb text has spaces
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def _csv(value) -> str:
    value = "" if value is None else str(value)
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def hours(minutes: int) -> str:
    """Minutes as decimal hours, two places, rounded half up: 90 → "1.50"
    (the API and the exports)."""
    hundredths_of_hour = (minutes * 100 * 2 + 60) // 120
    return f"{hundredths_of_hour // 100}.{hundredths_of_hour % 100:02d}"


def shown_hours(minutes: int) -> str:
    """Hours as the reader writes decimals: 90 → "1,50" in French."""
    return shown_decimal(hours(minutes))


def _csv_row(seq, at, kind, actor, payload, digest) -> str:
    data = json.loads(payload) if isinstance(payload, str) else payload
    postings = data.get("postings") or []
    source = next((p["account"] for p in postings if p["amount"] < 0), "")
    target = next((p["account"] for p in postings if p["amount"] > 0), "")
    credits = sum(p["amount"] for p in postings if p["amount"] > 0)
    minutes = data.get("minutes", 0)
    return (
        f"{seq},{_csv(at)},{_csv(kind)},{_csv(actor)},{data.get('transfer', '')},{minutes},"
        f"{hours(minutes)},{hundredths(credits)},{_csv(source)},{_csv(target)},{digest}\r\n"
    )


def export_chunk(*, after: int, through: int, fmt: str) -> tuple[str, int]:
    """Time entries with after < seq <= through, as JSON lines (the chain's
    own format, for chain.py) or CSV rows (one per entry, hours as decimals).
    Payloads stream as stored."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq, at, kind, actor, payload, prev, hash FROM contributions_timeentry "
            "WHERE seq > %s AND seq <= %s ORDER BY seq LIMIT %s",
            [after, through, EXPORT_CHUNK],
        )
        rows = cursor.fetchall()
    if not rows:
        return "", after
    if fmt == "jsonl":
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        text = "".join(
            f'{{"seq":{s},"at":{dumps(at)},"kind":{dumps(k)},"actor":{dumps(a)},'
            f'"payload":{_compact(p)},"prev":"{pv}","hash":"{h}"}}\n'
            for s, at, k, a, p, pv, h in rows
        )
    else:
        text = "".join(_csv_row(s, at, k, a, p, h) for s, at, k, a, p, _pv, h in rows)
    return text, rows[-1][0]


def export_lines(*, fmt: str, through: int) -> Iterator[str]:
    if fmt == "csv":
        yield CSV_HEADER
    after = 0
    while True:
        text, after = export_chunk(after=after, through=through, fmt=fmt)
        if not text:
            return
        yield text


# --- the public page --------------------------------------------------------------------------


def _needs_version() -> str:
    latest = Need.objects.aggregate(latest=Max("changed_at"))["latest"]
    return latest.isoformat() if latest else "-"


def public_stats() -> dict:
    """Hours confirmed by month and by skill, and the skills open needs want
    most: computed once per time-ledger head and state of the needs (2
    queries when cached)."""
    seq, digest = time_head()
    key = f"contributions:stats:{seq}:{digest[:16]}:{_needs_version()}"
    return cache.get_or_set(key, _compute_stats, timeout=3600)


def _compute_stats() -> dict:
    earned = TimeTransfer.objects.filter(
        status=TimeTransfer.Status.POSTED, contribution__isnull=False
    )
    months = list(
        earned.values("month").annotate(minutes=Sum("minutes"), count=Count("pk")).order_by("month")
    )
    by_skill = list(
        earned.filter(contribution__need__skills__isnull=False)
        .values("contribution__need__skills__slug", "contribution__need__skills__name")
        .annotate(minutes=Sum("minutes"))
        .order_by("-minutes")[:15]
    )
    wanted = list(
        Need.skills.through.objects.filter(need__state=NeedState.OPEN)
        .values("skill__slug", "skill__name")
        .annotate(needs=Count("need_id"))
        .order_by("-needs", "skill__slug")[:60]
    )
    totals = earned.aggregate(minutes=Sum("minutes"), count=Count("pk"))
    return {
        "months": [
            {"month": row["month"], "minutes": row["minutes"], "count": row["count"]}
            for row in months
        ],
        "skills": [
            {
                "slug": row["contribution__need__skills__slug"],
                "name": row["contribution__need__skills__name"],
                "minutes": row["minutes"],
            }
            for row in by_skill
        ],
        "wanted": [
            {"slug": row["skill__slug"], "name": row["skill__name"], "needs": row["needs"]}
            for row in wanted
        ],
        "total_minutes": totals["minutes"] or 0,
        "total_count": totals["count"],
        "open_needs": Need.objects.filter(state=NeedState.OPEN).count(),
    }
