"""Reads of the public governance record."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from governance.models import ArticleClass, BylawArticle, BylawVersion, JournalEntry
from governance.parameters import (
    PARAMETERS_ARTICLE,
    GovernanceParameters,
    article_parameters,
    declared_articles,
)
from kernel.chains import head_of, reading_heads_once


def current_versions() -> list[BylawVersion]:
    """The version in force of every article, in charter order (one query)."""
    latest: dict[int, BylawVersion] = {}
    for version in BylawVersion.objects.select_related("article", "enacted_by").order_by(
        "article__position", "article__slug", "number"
    ):
        latest[version.article_id] = version
    return list(latest.values())


def articles_to_amend() -> list[BylawVersion]:
    """What an amendment may change: every article in force (one query), then
    each article an app declared (`parameters.register_article`) that the
    community has not adopted yet, as the version adopting it would start
    from. Those are not saved (their `number` is 0): an ordinary article
    with the declared title, written from the declared defaults, which are
    in force until the community adopts the article or other values."""
    versions = current_versions()
    adopted = {version.article.slug for version in versions}
    for declared in declared_articles():
        if declared.slug not in adopted:
            defaults = declared.defaults()
            versions.append(
                BylawVersion(
                    article=BylawArticle(slug=declared.slug),
                    number=0,
                    title=declared.title,
                    article_class=ArticleClass.ORDINARY,
                    text=declared.describe(defaults),
                    parameters=defaults,
                )
            )
    return versions


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
    """The decision rules in force (defaults before the community is founded).

    On read-only pages (`kernel.chains.heads_read_once`) they are cached
    under the journal head: only a journal entry changes them, and those
    pages read the head anyway (the footer shows it). Never while writing:
    a version read before its journal entry, then rolled back, would be
    cached under a head that does not include it."""
    key = None
    if reading_heads_once():
        seq, head_hash = journal_head()
        key = f"governance:parameters:{seq}:{head_hash}"
        cached = cache.get(key)
        if cached is not None:
            return GovernanceParameters.from_json(cached)
    version = current_version(PARAMETERS_ARTICLE)
    if version is None or version.parameters is None:
        return GovernanceParameters()
    if key is not None:
        cache.set(key, version.parameters, timeout=24 * 3600)
    return GovernanceParameters.from_json(version.parameters)


def values_in_force(slug: str) -> dict:
    """The parameters in force of an article that carries them (the decision
    rules, or an app's declared article), as JSON: what an amendment starts from."""
    if slug == PARAMETERS_ARTICLE:
        return current_parameters().to_json()
    return parameters_in_force(slug)


def parameters_in_force(slug: str) -> dict:
    """The parameters of a declared article (`parameters.register_article`)
    in force: its latest version's, validated again, or the declared
    defaults while the community has not adopted the article. A stored value
    that does not validate raises InvalidInput: a rule nobody can read
    applies nothing (the app refuses to act)."""
    declared = article_parameters(slug)
    if declared is None:
        raise LookupError(f"no article {slug!r} declares parameters")
    version = current_version(slug)
    if version is None or version.parameters is None:
        return declared.validate(declared.defaults())
    return declared.validate(version.parameters)


def is_founded() -> bool:
    return JournalEntry.objects.exists()


def journal_head() -> tuple[int, str]:
    return head_of(JournalEntry.chain_name)


def journal_entries(*, after: int = 0, kinds: list[str] | None = None) -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.filter(seq__gt=after).order_by("seq")
    if kinds:
        entries = entries.filter(kind__in=kinds)
    return entries


def community_name() -> str:
    """The name the founding act gave the community (every page shows it).
    The genesis entry never changes once written, so its name is cached."""
    name = cache.get(COMMUNITY_NAME_KEY)
    if name is not None:
        return name
    genesis = JournalEntry.objects.filter(seq=1, kind="genesis").first()
    if genesis is None:
        return settings.COMMUNITY_NAME  # not founded yet: nothing to cache
    name = genesis.payload.get("community", "Commons")
    cache.set(COMMUNITY_NAME_KEY, name, timeout=None)
    return name


COMMUNITY_NAME_KEY = "governance:community-name"


# --- Public record pages, API and audit (appended) -------------------------

EXPORT_CHUNK_SIZE = 2000
API_JOURNAL_PAGE_SIZE = 100


def export_line(entry: JournalEntry) -> str:
    """One entry as one compact JSON line, exactly as the public export writes it."""
    import json

    return json.dumps(entry.as_export(), separators=(",", ":"), ensure_ascii=False)


def journal_export_lines(*, through: int | None = None):
    """Every journal entry (up to seq `through`) as export lines, in seq order.

    Reads with a database iterator in chunks, so an export of any length uses
    little memory."""
    entries = JournalEntry.objects.order_by("seq")
    if through is not None:
        entries = entries.filter(seq__lte=through)
    for entry in entries.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield export_line(entry) + "\n"


def journal_kinds() -> list[str]:
    """The kinds of entries present in the journal, for filters."""
    return list(JournalEntry.objects.order_by("kind").values_list("kind", flat=True).distinct())


def journal_for_page(
    *, kind: str | None = None, until: int | None = None
) -> QuerySet[JournalEntry]:
    """Journal entries newest first, optionally of one kind and up to one seq."""
    entries = JournalEntry.objects.order_by("-seq")
    if kind:
        entries = entries.filter(kind=kind)
    if until is not None:
        entries = entries.filter(seq__lte=until)
    return entries


def recent_journal_entries(limit: int = 50) -> list[JournalEntry]:
    return list(JournalEntry.objects.order_by("-seq")[:limit])


def chain_head_for_last_entry() -> tuple[int, str] | None:
    """(seq, hash) of the last journal entry itself, independent of the head row."""
    last = JournalEntry.objects.order_by("-seq").only("seq", "hash").first()
    if last is None:
        return None
    return last.seq, last.hash


def journal_export_chunk(
    *, after: int, through: int, size: int = EXPORT_CHUNK_SIZE
) -> tuple[str, int]:
    """Export lines of the entries after seq `after` (keyset), at most `size`;
    returns the text and the last seq included."""
    entries = list(
        JournalEntry.objects.filter(seq__gt=after, seq__lte=through).order_by("seq")[:size]
    )
    if not entries:
        return "", after
    return "".join(export_line(e) + "\n" for e in entries), entries[-1].seq


# The journal kinds that change which bylaws are in force: the founding act
# adopts the charter, each enacted amendment journals its new versions.
BYLAW_CHANGES = ("genesis", "bylaw.version_created")


def bylaws_entry() -> int:
    """The journal entry that put the bylaws in force as they are now (the
    founding act or the latest new version); 0 before the founding act.

    One number names the whole set of versions in force, and anyone can
    rebuild that set from the journal up to this entry."""
    latest = (
        JournalEntry.objects.filter(kind__in=BYLAW_CHANGES)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return latest or 0
