"""Needs and offers, the contribution record and the time ledger.

- A `Need` is a call for contribution, posted by a member for themself or,
  on the authority of an enacted proposal or a voted budget line, for the
  community (then a role it names receives the work; paid from the line if
  it carries an hourly pay).
- An `Offer` answers a need; a `StandingOffer` says what a member can give,
  and asking for it opens a need with an offer the giver accepts.
- A `Contribution` is time logged against an accepted offer, confirmed (or
  refused, then reviewed by a steward) by the need's beneficiary.
- The time ledger is double-entry in hundredths of a credit: a confirmed
  contribution posts a `TimeTransfer` (a draft with its `TimePosting`s, then
  posted, like a treasury transaction) and appends its `TimeEntry` to the
  "time" hash chain. Accounts are named by a stable reference, never by a
  person's name, so a member may appear as "a member" and the chain still
  verifies.

The database guards (`contributions/triggers/`) hold every table whose rows
move credits, money or the record to the rules.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kernel.models import ChainedEntry
from members.roles import APPOINTED_ROLES
from treasury.models import CompactJSONEncoder

MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 20_000
MAX_NOTE_CHARS = 1_000
MAX_REASON_CHARS = 500
MINUTES_PER_DAY = 24 * 60
COMMUNITY_REFERENCE = "community"
BENEFICIARY_ROLES = [(role.value, role.label) for role in APPOINTED_ROLES]


class Skill(models.Model):
    """A tag for what a need wants and a member can give ("bookkeeping")."""

    slug = models.SlugField(max_length=48, unique=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """A member's choices here: their skills, whether they appear publicly as
    "a member", whether needs matching their skills are announced to them."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contribution_profile"
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="profiles")
    is_pseudonymous = models.BooleanField(default=False)
    notify_matching_needs = models.BooleanField(default=True)
    updated_at = models.DateTimeField()


class NeedState(models.TextChoices):
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class StandingOffer(models.Model):
    """What a member can give, that others may ask for directly."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="standing_offers"
    )
    title = models.CharField(max_length=MAX_TITLE_CHARS)
    description = models.TextField(max_length=MAX_DESCRIPTION_CHARS, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="standing_offers")
    availability = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["is_active", "id"])]

    def __str__(self) -> str:
        return self.title


class Need(models.Model):
    State = NeedState

    title = models.CharField(max_length=MAX_TITLE_CHARS)
    description = models.TextField(max_length=MAX_DESCRIPTION_CHARS)
    skills = models.ManyToManyField(Skill, blank=True, related_name="needs")
    people_needed = models.PositiveIntegerField(default=1)
    estimated_minutes = models.PositiveIntegerField()
    place = models.CharField(max_length=200, blank=True)
    is_online = models.BooleanField(default=False)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    deadline = models.DateField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="needs_posted"
    )
    # A community need names its authority and the role that receives the work.
    is_community = models.BooleanField(default=False)
    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    budget_line = models.ForeignKey(
        "treasury.BudgetLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    beneficiary_role = models.CharField(max_length=16, choices=BENEFICIARY_ROLES, blank=True)
    hourly_pay_cents = models.BigIntegerField(default=0)
    standing_offer = models.ForeignKey(
        StandingOffer, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    state = models.CharField(max_length=16, choices=NeedState.choices, default=NeedState.OPEN)
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["state", "id"]),
            models.Index(fields=["changed_at"]),
            models.Index(fields=["posted_by", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=NeedState.values), name="contributions_need_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(people_needed__gte=1, people_needed__lte=1000),
                name="contributions_need_people_needed_range",
            ),
            models.CheckConstraint(
                condition=Q(estimated_minutes__gte=1), name="contributions_need_estimate_positive"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="contributions_need_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(hourly_pay_cents__gte=0), name="contributions_need_pay_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        is_community=False,
                        proposal__isnull=True,
                        budget_line__isnull=True,
                        beneficiary_role="",
                        hourly_pay_cents=0,
                    )
                    | (
                        Q(
                            is_community=True,
                            beneficiary_role__in=[r for r, _l in BENEFICIARY_ROLES],
                        )
                        & (Q(proposal__isnull=False) | Q(budget_line__isnull=False))
                        & (Q(hourly_pay_cents=0) | Q(budget_line__isnull=False))
                    )
                ),
                name="contributions_need_authority",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_paid(self) -> bool:
        return self.hourly_pay_cents > 0


class OfferState(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    REQUESTED = "requested", _("Asked for")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_OFFER_STATES = (OfferState.PENDING, OfferState.REQUESTED, OfferState.ACCEPTED)


class Offer(models.Model):
    """A member's answer to a need ("I can do 3 hours on Saturday"). The need's
    beneficiary accepts or declines it; an offer `requested` through a
    standing offer is accepted or declined by the giver."""

    State = OfferState

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="offers")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offers_made"
    )
    message = models.CharField(max_length=MAX_NOTE_CHARS, blank=True)
    state = models.CharField(max_length=16, choices=OfferState.choices)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=OfferState.values), name="contributions_offer_state_valid"
            ),
            models.UniqueConstraint(
                fields=["need", "member"],
                condition=Q(state__in=[s.value for s in ACTIVE_OFFER_STATES]),
                name="contributions_offer_one_active_per_member",
            ),
        ]


class ContributionState(models.TextChoices):
    LOGGED = "logged", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")
    UNDER_REVIEW = "under_review", _("Under review by a steward")
    REFUSAL_UPHELD = "refusal_upheld", _("Refusal upheld")


class Contribution(models.Model):
    """Time given against an accepted offer, as the contributor logged it.

    Each step is written once and stays on the row, public: the confirmation
    (by the beneficiary, or a steward on review), the refusal and its reason,
    the request for review, the steward's decision and its reason."""

    State = ContributionState

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="contributions")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="contributions")
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contributions_given"
    )
    minutes = models.PositiveIntegerField()
    worked_on = models.DateField()
    note = models.CharField(max_length=MAX_NOTE_CHARS, blank=True)
    state = models.CharField(
        max_length=16, choices=ContributionState.choices, default=ContributionState.LOGGED
    )
    logged_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refused_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(max_length=MAX_REASON_CHARS, blank=True)
    review_requested_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.CharField(max_length=MAX_REASON_CHARS, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["contributor", "worked_on"]),
            models.Index(fields=["state", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ContributionState.values),
                name="contributions_contribution_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MINUTES_PER_DAY),
                name="contributions_contribution_minutes_in_a_day",
            ),
            models.CheckConstraint(
                condition=~Q(confirmed_by=F("contributor"))
                & ~Q(refused_by=F("contributor"))
                & ~Q(reviewed_by=F("contributor")),
                name="contributions_contribution_nobody_decides_own",
            ),
        ]


class TimeAccount(models.Model):
    """An account of the time ledger: the community's, or one member's, named
    in the chain by `reference` (random, stable, never a name)."""

    reference = models.CharField(max_length=32, unique=True)
    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="time_account",
    )
    is_community = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(is_community=True, member__isnull=True, reference=COMMUNITY_REFERENCE)
                | Q(is_community=False, member__isnull=False),
                name="contributions_timeaccount_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class TransferKind(models.TextChoices):
    ISSUED = "issued", _("Credits issued for a community need")
    EXCHANGED = "exchanged", _("Exchange between members")
    PAID = "paid", _("Paid from a budget line")
    REBATE = "rebate", _("Rebate on dues")


class TransferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


class RebateState(models.TextChoices):
    PENDING = "pending", _("Waiting for the treasurer")
    USED = "used", _("Used on dues")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RebateClaim(models.Model):
    """A member's request to use credits on their next dues; the treasurer
    uses it when recording the dues, in one transaction with the ledger."""

    State = RebateState

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rebate_claims"
    )
    credits = models.BigIntegerField()
    state = models.CharField(
        max_length=16, choices=RebateState.choices, default=RebateState.PENDING
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    treasury_transaction = models.OneToOneField(
        "treasury.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rebate_claim",
    )

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(credits__gt=0), name="contributions_rebateclaim_credits_positive"
            ),
            models.CheckConstraint(
                condition=Q(state__in=RebateState.values),
                name="contributions_rebateclaim_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state=RebateState.USED) | Q(treasury_transaction__isnull=False),
                name="contributions_rebateclaim_used_has_dues",
            ),
        ]


class TimeTransfer(models.Model):
    """One movement of the time ledger, written as a draft with its postings
    and then posted (the database checks it then), on the authority of a
    confirmed contribution or a rebate claim."""

    Kind = TransferKind
    Status = TransferStatus

    kind = models.CharField(max_length=16, choices=TransferKind.choices)
    status = models.CharField(
        max_length=8, choices=TransferStatus.choices, default=TransferStatus.DRAFT
    )
    contribution = models.OneToOneField(
        Contribution, on_delete=models.PROTECT, null=True, blank=True, related_name="transfer"
    )
    rebate = models.OneToOneField(
        RebateClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="transfer"
    )
    expense = models.OneToOneField(
        "treasury.Expense",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="time_transfer",
    )
    minutes = models.PositiveIntegerField(default=0)
    rate = models.PositiveIntegerField(default=0)  # hundredths of a credit an hour, when earned
    credits = models.BigIntegerField(default=0)  # hundredths of a credit moved
    month = models.CharField(max_length=7)  # "2025-03": the UTC month of posted_at
    authorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["kind", "month", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TransferKind.values), name="contributions_transfer_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TransferStatus.values),
                name="contributions_transfer_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=TransferKind.REBATE, rebate__isnull=False, contribution__isnull=True)
                    | (
                        ~Q(kind=TransferKind.REBATE)
                        & Q(rebate__isnull=True, contribution__isnull=False)
                    )
                ),
                name="contributions_transfer_one_authority",
            ),
            models.CheckConstraint(
                condition=Q(credits__gte=0), name="contributions_transfer_credits_not_negative"
            ),
        ]


class TimePosting(models.Model):
    """One line of a transfer: hundredths of a credit on an account (into it
    positive, out of it negative)."""

    transfer = models.ForeignKey(TimeTransfer, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(TimeAccount, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["account", "transfer"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0), name="contributions_timeposting_amount_nonzero"
            ),
            models.UniqueConstraint(
                fields=["transfer", "account"], name="contributions_timeposting_one_per_account"
            ),
        ]


class TimeEntry(ChainedEntry):
    """A posted transfer's entry in the time chain (`kernel/chain.py`)."""

    chain_name = "time"

    # Stored compact, so the export streams the stored text (as the ledger's).
    payload = models.JSONField(encoder=CompactJSONEncoder)
    transfer = models.OneToOneField(TimeTransfer, on_delete=models.PROTECT, related_name="entry")

    class Meta(ChainedEntry.Meta):
        verbose_name = _("time ledger entry")
        verbose_name_plural = _("time ledger entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"


class SkillAlert(models.Model):
    """An in-app notice that a need matching the member's skills was posted
    (also listed in their daily digest); members can turn them off."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_alerts"
    )
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "need"], name="contributions_skillalert_once_per_need"
            )
        ]
