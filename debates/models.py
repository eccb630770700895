"""The live debate of each proposal: arguments for and against, questions and
threaded replies, their edit history, flags and the open moderation record.
Its events travel through the realtime transport (the stream of the
proposal's page, `proposal.<id>`)."""

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


class Argument(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden by a steward")
        UNDER_REVIEW = "under_review", _("Hidden, review requested")
        HIDE_CONFIRMED = "hide_confirmed", _("Hidden, confirmed on review")

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.PROTECT, related_name="arguments"
    )
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
        indexes = [
            models.Index(fields=["author", "created_at"], name="debates_arg_author_created"),
            models.Index(fields=["proposal", "created_at"], name="debates_arg_proposal_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(parent__isnull=True) & Q(stance__in=["pro", "contra", "question"]))
                | (Q(parent__isnull=False) & Q(stance="reply")),
                name="debates_argument_stance_fits_thread",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["visible", "hidden", "under_review", "hide_confirmed"]),
                name="debates_argument_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="visible")
                | (Q(hidden_by__isnull=False, hidden_at__isnull=False) & ~Q(hidden_reason="")),
                name="debates_argument_hidden_has_public_reason",
            ),
            models.CheckConstraint(condition=~Q(body=""), name="debates_argument_body_not_empty"),
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
                fields=["argument", "number"], name="debates_argumentrevision_unique_number"
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
                fields=["argument", "member"], name="debates_flag_once_per_member"
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
                name="debates_moderationaction_action_valid",
            ),
        ]
