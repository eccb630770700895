"""Reads of debates: a proposal's threads, the public moderation log."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from debates.models import Argument, ArgumentRevision, Flag, ModerationAction
from proposals.broadcasts import stream_of
from realtime.selectors import last_seq


@dataclass
class Thread:
    argument: Argument
    replies: list[Argument] = field(default_factory=list)


@dataclass
class DebateView:
    proposal_id: int
    last_seq: int
    threads: list[Thread]
    counts: dict[str, int]


def debate_view(*, proposal_id: int, with_flags: bool = False) -> DebateView:
    """Every argument of a debate in threads, in a fixed number of queries,
    with the number of the page stream's newest event (the page follows the
    stream from there)."""
    arguments = (
        Argument.objects.filter(proposal_id=proposal_id)
        .select_related("author", "hidden_by")
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=ArgumentRevision.objects.order_by("-number"),
                to_attr="revision_list",
            )
        )
        .order_by("created_at", "pk")
    )
    if with_flags:
        arguments = arguments.annotate(flag_count=Count("flags"))
    threads: dict[int, Thread] = {}
    replies: list[Argument] = []
    for argument in arguments:
        if argument.parent_id is None:
            threads[argument.pk] = Thread(argument)
        else:
            replies.append(argument)
    for reply in replies:
        if reply.parent_id in threads:
            threads[reply.parent_id].replies.append(reply)
    counts = {"pro": 0, "contra": 0, "question": 0}
    for thread in threads.values():
        counts[thread.argument.stance] += 1
    return DebateView(proposal_id, last_seq(stream_of(proposal_id)), list(threads.values()), counts)


def moderation_log() -> QuerySet[ModerationAction]:
    return ModerationAction.objects.select_related(
        "actor", "argument__author", "argument__proposal"
    ).order_by("-created_at", "-pk")


def argument(argument_id: int) -> Argument | None:
    return Argument.objects.select_related("author", "hidden_by").filter(pk=argument_id).first()


def debate_data_for_export(*, member) -> dict:
    """A member's part of the personal-data export: every message they wrote,
    with each of its texts, and the flags they raised."""
    arguments = (
        Argument.objects.filter(author=member)
        .prefetch_related(
            Prefetch("revisions", queryset=ArgumentRevision.objects.order_by("number"))
        )
        .order_by("pk")
    )
    return {
        "debate_messages": [
            {
                "id": a.pk,
                "proposal": a.proposal_id,
                "parent": a.parent_id,
                "stance": a.stance,
                "status": a.status,
                "created_at": a.created_at.isoformat(),
                "revisions": [
                    {"number": r.number, "body": r.body, "created_at": r.created_at.isoformat()}
                    for r in a.revisions.all()
                ],
            }
            for a in arguments
        ],
        "debate_flags": [
            {"argument": f.argument_id, "reason": f.reason, "created_at": f.created_at.isoformat()}
            for f in Flag.objects.filter(member=member).order_by("pk")
        ],
    }
