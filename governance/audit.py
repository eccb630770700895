"""What the audit recomputes for governance: the journal and the bylaws.

- ``journal``: the journal verifies with `kernel/chain.py` (against a
  saved head, if given) and the stored head names its last entry.
- ``bylaws``: every bylaw version is attested by the journal (the genesis, or
  a ``bylaw.version_created`` entry with the same article, number, title,
  class, parameters and text digest), and every attested version exists.
"""

from __future__ import annotations

import hashlib

from governance import selectors
from governance.models import BylawVersion, JournalEntry
from kernel import chain
from kernel.audit import Audit, check


def journal_events(*kinds: str):
    """The journal's entries of these kinds, in order (streamed)."""
    return (
        JournalEntry.objects.filter(kind__in=kinds)
        .order_by("seq")
        .values_list("seq", "at", "kind", "actor", "payload")
        .iterator(chunk_size=2000)
    )


def genesis_payload() -> dict:
    entry = JournalEntry.objects.filter(seq=1, kind="genesis").values_list("payload", flat=True)
    return entry.first() or {}


@check("journal")
def verify_journal(audit: Audit) -> None:
    head = selectors.journal_head()
    expect = audit.expect_heads.get("governance")
    result = chain.verify_lines(selectors.journal_export_lines(), expect_head=expect)
    if not result.ok:
        audit.report("journal", result.describe())
        return
    if head != (result.head_seq, result.head_hash):
        audit.report(
            "journal head",
            f"the stored head {head[0]}:{head[1]} does not name the last entry "
            f"{result.head_seq}:{result.head_hash}",
        )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@check("bylaws")
def verify_bylaws(audit: Audit) -> None:
    attested: dict[tuple[str, int], dict] = {}
    for article in genesis_payload().get("charter", []):
        attested[(article["slug"], 1)] = {**article, "proposal": None}
    for _seq, _at, _kind, _actor, payload in journal_events("bylaw.version_created"):
        attested[(payload["article"], payload["version"])] = payload
    seen = set()
    for version in BylawVersion.objects.select_related("article").order_by("article_id", "number"):
        key = (version.article.slug, version.number)
        seen.add(key)
        record = attested.get(key)
        subject = f"bylaw {key[0]} v{key[1]}"
        if record is None:
            audit.report(subject, "no journal entry enacts this version")
            continue
        expected = (
            record.get("title"),
            record.get("class"),
            record.get("text_sha256"),
            record.get("parameters"),
            record.get("proposal"),
        )
        actual = (
            version.title,
            version.article_class,
            _digest(version.text),
            version.parameters,
            version.enacted_by_id,
        )
        if expected != actual:
            audit.report(subject, "differs from the version the journal records")
    for key in sorted(set(attested) - seen):
        audit.report(f"bylaw {key[0]} v{key[1]}", "journaled but missing from the database")
