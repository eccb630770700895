"""Reads of the public governance record."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.models import BylawArticle, BylawVersion, ChainHead, JournalEntry
from governance.parameters import PARAMETERS_ARTICLE, GovernanceParameters


def current_versions() -> list[BylawVersion]:
    """The version in force of every article, in charter order (one query)."""
    latest: dict[int, BylawVersion] = {}
    for version in BylawVersion.objects.select_related("article", "enacted_by").order_by(
        "article__position", "article__slug", "number"
    ):
        latest[version.article_id] = version
    return list(latest.values())


def current_version(slug: str) -> BylawVersion | None:
    return (
        BylawVersion.objects.select_related("article", "enacted_by")
        .filter(article__slug=slug)
        .order_by("-number")
        .first()
    )


def article_history(slug: str) -> tuple[BylawArticle, list[BylawVersion]]:
    article = BylawArticle.objects.get(slug=slug)
    versions = list(article.versions.select_related("enacted_by").order_by("number"))
    return article, versions


def current_parameters() -> GovernanceParameters:
    """The decision rules in force (defaults before the community is founded)."""
    version = current_version(PARAMETERS_ARTICLE)
    if version is None or version.parameters is None:
        return GovernanceParameters()
    return GovernanceParameters.from_json(version.parameters)


def is_founded() -> bool:
    return JournalEntry.objects.exists()


def journal_head(chain_name: str = "governance") -> tuple[int, str]:
    head = ChainHead.objects.filter(name=chain_name).first()
    if head is None:
        from governance.chain import GENESIS_PREV

        return 0, GENESIS_PREV
    return head.seq, head.hash


def journal_entries(*, after: int = 0, kinds: list[str] | None = None) -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.filter(seq__gt=after).order_by("seq")
    if kinds:
        entries = entries.filter(kind__in=kinds)
    return entries


def community_name() -> str:
    genesis = JournalEntry.objects.filter(seq=1, kind="genesis").first()
    if genesis is None:
        from django.conf import settings

        return settings.COMMUNITY_NAME
    return genesis.payload.get("community", "Commons")
