"""What debates put on the dashboard (members/dashboard.py): replies to my
messages in the last weeks. Reads only, one query."""

from __future__ import annotations

from datetime import timedelta

from debates.models import Argument
from members.dashboard import Section

RECENT = timedelta(days=30)
SHOWN = 5


def replies_to_me(*, person, now, standing=None) -> dict | None:
    replies = list(
        Argument.objects.filter(
            parent__author=person,
            created_at__gte=now - RECENT,
            status=Argument.Status.VISIBLE,
        )
        .exclude(author=person)
        .select_related("author", "proposal")
        .only(
            "id",
            "created_at",
            "proposal__id",
            "proposal__title",
            "author__username",
            "author__display_name",
        )
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    return {"replies": replies} if replies else None


SECTION = Section("debates.replies", "debates/dashboard/replies.html", replies_to_me, order=30)
