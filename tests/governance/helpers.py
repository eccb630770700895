"""What the governance attack tests share: the entrenched article they aim at,
a snapshot of the bylaws to compare, raw SQL, and removing the triggers as
the database owner could."""

from __future__ import annotations

from django.db import connection

from governance import selectors
from governance.models import BylawArticle, BylawVersion, JournalEntry
from kernel import guards

TARGET = "legal-form"  # an entrenched article of the default charter


def snapshot(slug: str = TARGET) -> dict:
    version = selectors.current_version(slug)
    return {
        "versions": BylawVersion.objects.filter(article__slug=slug).count(),
        "all_versions": BylawVersion.objects.count(),
        "articles": BylawArticle.objects.count(),
        "text": version.text,
        "title": version.title,
        "class": version.article_class,
    }


def refused_entries(actor) -> list[dict]:
    return [
        e.payload
        for e in JournalEntry.objects.filter(kind="guard.refused", actor=actor.get_username())
    ]


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class triggers_removed:
    """What a database owner can do: drop the guard. Reinstalled afterwards."""

    def __enter__(self):
        guards.uninstall(connection)

    def __exit__(self, *exc):
        guards.install(connection)
