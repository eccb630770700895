"""Proposals, their revisions and contents, electorate rolls and ballots."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from governance.models import ArticleClass, DecisionClass
from kernel import dates
from members.roles import APPOINTED_ROLES

MAX_BODY_CHARS = 100_000
MAX_TITLE_CHARS = 200


class Kind(models.TextChoices):
    MOTION = "motion", _("Motion")
    AMENDMENT = "amendment", _("Bylaw amendment")
    BUDGET = "budget", _("Budget")
    APPOINTMENT = "appointment", _("Appointment")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DISCUSSION = "discussion", _("Discussion")
    NOTICE = "notice", _("Notice")
    VOTING = "voting", _("Voting")
    PASSED = "passed", _("Passed (awaiting enactment)")
    REJECTED = "rejected", _("Rejected")
    FAILED_QUORUM = "failed_quorum", _("Failed quorum")
    ENACTED = "enacted", _("Enacted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Choice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")


class Proposal(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=MAX_TITLE_CHARS)
    body = models.TextField(max_length=MAX_BODY_CHARS)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    decision_class = models.CharField(
        max_length=16, choices=DecisionClass.choices, default=DecisionClass.ORDINARY
    )
    # The governance parameters in force at submission, frozen for this decision.
    rules = models.JSONField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    discussion_ends_at = models.DateTimeField(null=True, blank=True)
    notice_ends_at = models.DateTimeField(null=True, blank=True)
    voting_opens_at = models.DateTimeField(null=True, blank=True)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    enactable_at = models.DateTimeField(null=True, blank=True)
    enacted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    # Running tally, kept incrementally by cast_vote; `recount` proves it.
    yes_count = models.PositiveIntegerField(default=0)
    no_count = models.PositiveIntegerField(default=0)
    abstain_count = models.PositiveIntegerField(default=0)
    electorate_size = models.PositiveIntegerField(null=True, blank=True)
    # sha256 of the frozen text, options, window and roll, journaled at opening.
    commitment = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "voting_closes_at"]),
            models.Index(fields=["kind", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in State]),
                name="proposals_proposal_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in Kind]), name="proposals_proposal_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "withdrawn"])
                | Q(submitted_at__isnull=False, rules__isnull=False),
                name="proposals_proposal_submitted_has_rules",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["passed", "enacted"]) | Q(enactable_at__isnull=False),
                name="proposals_proposal_passed_has_timelock",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_entrenched(self) -> bool:
        return self.decision_class == DecisionClass.ENTRENCHED

    @property
    def ballots_cast(self) -> int:
        return self.yes_count + self.no_count + self.abstain_count

    def authorizes_appointment(self, *, member, role: str, action: str) -> bool:
        """Whether this proposal may now appoint (``action="grant"``) or remove
        ``member`` as ``role``: it is a passed appointment whose timelock is
        over and it contains exactly that change. The members services ask
        this before granting or ending a role; the database asks the same
        (`proposals/triggers.py`)."""
        return (
            self.kind == Kind.APPOINTMENT
            and self.state == State.PASSED
            and self.enactable_at is not None
            and self.enactable_at <= timezone.now()
            and self.appointments.filter(member=member, role=role, action=action).exists()
        )


class ProposalRevision(models.Model):
    """Every saved text of a proposal, so edits during discussion show as diffs."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=MAX_TITLE_CHARS)
    body = models.TextField(max_length=MAX_BODY_CHARS)
    # Amendments, budget lines and appointments as they stood, for the diff.
    contents = models.JSONField(default=dict)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="proposals_revision_unique_number"
            )
        ]


class Amendment(models.Model):
    """New title, class and text (or parameters) for one bylaw article."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="amendments")
    article_slug = models.SlugField(max_length=64)
    new_title = models.CharField(max_length=200)
    new_class = models.CharField(max_length=16, choices=ArticleClass.choices)
    new_text = models.TextField(max_length=MAX_BODY_CHARS)
    new_parameters = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "article_slug"], name="proposals_amendment_one_per_article"
            )
        ]


class BudgetItem(models.Model):
    """A line of a budget proposal; enacted into a treasury budget line."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_items")
    purpose = models.CharField(max_length=200)
    amount_cents = models.BigIntegerField()
    fund = models.SlugField(max_length=64, default="general")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="proposals_budgetitem_amount_positive"
            )
        ]


class Appointment(models.Model):
    """Grant or remove one community role, as decided by an appointment proposal."""

    class Action(models.TextChoices):
        GRANT = "grant", _("Appoint")
        REMOVE = "remove", _("Remove")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="appointments")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=[(r.value, r.label) for r in APPOINTED_ROLES])
    action = models.CharField(max_length=8, choices=Action.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member", "role"], name="proposals_appointment_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in APPOINTED_ROLES]),
                name="proposals_appointment_role_appointed",
            ),
            models.CheckConstraint(
                condition=Q(action__in=["grant", "remove"]),
                name="proposals_appointment_action_valid",
            ),
        ]


class ElectorateEntry(models.Model):
    """The roll frozen when voting opened: only these members may vote."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="electorate")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"], name="proposals_electorate_unique_member"
            )
        ]


class Ballot(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ballots"
    )
    choice = models.CharField(max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField()
    changed_at = models.DateTimeField()
    # sha256 of the voter's receipt code; published with the choice for secret ballots.
    receipt_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "voter"], name="proposals_ballot_one_per_member"
            ),
            models.CheckConstraint(
                condition=Q(choice__in=["yes", "no", "abstain"]),
                name="proposals_ballot_choice_valid",
            ),
        ]
        indexes = [models.Index(fields=["proposal", "choice"])]


class Notification(models.Model):
    """Stored by kind and facts, shown in the reader's language: the
    transition that notifies may run in anybody's request, or in no request
    at all. ``message`` keeps the text in the site's language (emails, and
    notifications written before kinds existed)."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Legal-structure change announced")
        VOTING_OPEN = "voting_open", _("Voting open")
        STATE_CHANGED = "state_changed", _("Your proposal changed state")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+", null=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    @property
    def text(self) -> str:
        """The notification in the active language."""
        return notification_text(self.kind, self.facts) or self.message


def notification_text(kind: str, facts: dict) -> str | None:
    if "date" in facts:  # stored as ISO 8601, shown the reader's way
        facts = {**facts, "date": dates.day(date.fromisoformat(facts["date"]))}
    if kind == Notification.Kind.NOTICE:
        return str(
            _("Legal-structure change announced: “%(title)s”. Voting opens on %(date)s.") % facts
        )
    if kind == Notification.Kind.VOTING_OPEN:
        return str(_("Voting is open on “%(title)s” until %(date)s.") % facts)
    if kind == Notification.Kind.STATE_CHANGED:
        return str(
            _("Your proposal “%(title)s” is now: %(state)s.")
            % {"title": facts["title"], "state": State(facts["state"]).label}
        )
    return None


class ProposalUserObjectPermission(UserObjectPermissionBase):
    """Per-proposal permissions (co-authors get `change_proposal`), with a real
    foreign key so permission checks are indexed joins."""

    content_object = models.ForeignKey(Proposal, on_delete=models.CASCADE)
