"""Bylaws, their append-only versions, and the hash-chained journal.

Rows of `BylawVersion` and `JournalEntry` are never updated or deleted:
database triggers (see migrations) reject it on SQLite and PostgreSQL, and
reject a new bylaw version unless a passed proposal enacts it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.models import ChainedEntry


class ArticleClass(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    ENTRENCHED = "entrenched", _("Entrenched")


class DecisionClass(models.TextChoices):
    """Which rule of the `decision-rules` article decides a proposal
    (`governance.parameters`): the class its changes require."""

    ORDINARY = "ordinary", _("Ordinary")
    BUDGET = "budget", _("Budget")
    ENTRENCHED = "entrenched", _("Legal-structure change")


class BylawArticle(models.Model):
    """A named article of the charter. Its title, class and text live on versions."""

    slug = models.SlugField(max_length=64, unique=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.slug


class BylawVersion(models.Model):
    """One enacted version of an article. Version 1 comes from the founding act;
    every later version from exactly one passed, enacted proposal."""

    article = models.ForeignKey(BylawArticle, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    article_class = models.CharField(max_length=16, choices=ArticleClass.choices)
    text = models.TextField()
    # Only the governance-parameters article carries machine-readable rules.
    parameters = models.JSONField(null=True, blank=True)
    enacted_by = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enacted_versions",
    )
    enacted_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="governance_bylawversion_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="governance_bylawversion_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(article_class__in=ArticleClass.values),
                name="governance_bylawversion_class_valid",
            ),
            models.CheckConstraint(
                condition=Q(number=1) | Q(enacted_by__isnull=False),
                name="governance_bylawversion_enacted_by_proposal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article.slug} v{self.number}"

    @property
    def is_entrenched(self) -> bool:
        return self.article_class == ArticleClass.ENTRENCHED


class JournalEntry(ChainedEntry):
    """The public governance journal: every governance event, in order."""

    chain_name = "governance"

    class Meta(ChainedEntry.Meta):
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        indexes = [models.Index(fields=["kind", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"
