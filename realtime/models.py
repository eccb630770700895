"""Live debates: one per proposal, arguments with threaded replies, their edit
history, flags, the open moderation record and the numbered event log that
websocket clients catch up from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_BODY_BYTES = 10 * 1024
MAX_REASON_CHARS = 500


class Stance(models.TextChoices):
    PRO = "pro", _("For")
    CONTRA = "contra", _("Against")
    QUESTION = "question", _("Question")
    REPLY = "reply", _("Reply")


TOP_LEVEL_STANCES = (Stance.PRO, Stance.CONTRA, Stance.QUESTION)


class Debate(models.Model):
    """The debate of one proposal, created on first use. Its row is the lock
    that numbers events: `last_seq` is the sequence number of the newest event."""

    proposal = models.OneToOneField(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="debate"
    )
    last_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Debate on proposal #{self.proposal_id}"


class Argument(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden by a steward")
        UNDER_REVIEW = "under_review", _("Hidden, review requested")
        HIDE_CONFIRMED = "hide_confirmed", _("Hidden, confirmed on review")

    debate = models.ForeignKey(Debate, on_delete=models.PROTECT, related_name="arguments")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="debate_arguments"
    )
    stance = models.CharField(max_length=16, choices=Stance.choices)
    # Markdown as written, and the sanitized HTML rendered from it when saved.
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    revision_count = models.PositiveIntegerField(default=1)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VISIBLE)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.CharField(max_length=MAX_REASON_CHARS, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["author", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(parent__isnull=True) & Q(stance__in=["pro", "contra", "question"]))
                | (Q(parent__isnull=False) & Q(stance="reply")),
                name="realtime_argument_stance_fits_thread",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["visible", "hidden", "under_review", "hide_confirmed"]),
                name="realtime_argument_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="visible")
                | (Q(hidden_by__isnull=False, hidden_at__isnull=False) & ~Q(hidden_reason="")),
                name="realtime_argument_hidden_has_public_reason",
            ),
            models.CheckConstraint(condition=~Q(body=""), name="realtime_argument_body_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Argument #{self.pk} by {self.author}"

    @property
    def is_hidden(self) -> bool:
        return self.status != self.Status.VISIBLE


class ArgumentRevision(models.Model):
    """Every text an argument has had, first one included. Append-only."""

    argument = models.ForeignKey(Argument, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["argument", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["argument", "number"], name="realtime_argumentrevision_unique_number"
            )
        ]


class Flag(models.Model):
    """A member asks stewards to look at an argument (once per member)."""

    argument = models.ForeignKey(Argument, on_delete=models.PROTECT, related_name="flags")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=MAX_REASON_CHARS, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["argument", "member"], name="realtime_flag_once_per_member"
            )
        ]


class ModerationAction(models.Model):
    """The public moderation log. Append-only; each row is also journaled."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        REVIEW_REQUESTED = "review_requested", _("Review requested")
        RESTORED = "restored", _("Restored")
        CONFIRMED = "confirmed", _("Hiding confirmed")

    argument = models.ForeignKey(
        Argument, on_delete=models.PROTECT, related_name="moderation_actions"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.CharField(max_length=MAX_REASON_CHARS, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["hidden", "review_requested", "restored", "confirmed"]),
                name="realtime_moderationaction_action_valid",
            ),
        ]


class DebateEvent(models.Model):
    """Every event of a debate, numbered without gaps, stored before it is
    broadcast, so a client that reconnects can ask for what it missed."""

    debate = models.ForeignKey(Debate, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["debate", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["debate", "seq"], name="realtime_debateevent_unique_seq"
            )
        ]


class Presence(models.Model):
    """One open websocket connection to a debate. Rows of connections that died
    without closing (a killed server) stop counting once `seen_at` is stale."""

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="presences")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel_name = models.CharField(max_length=200, unique=True)
    connected_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["debate", "seen_at"]),
            models.Index(fields=["member", "seen_at"]),
        ]
