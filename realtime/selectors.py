"""Reads of debates, their event log and the public moderation log."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from realtime.models import Argument, ArgumentRevision, Debate, DebateEvent, ModerationAction


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


def debate_of(proposal_id: int) -> Debate | None:
    return Debate.objects.filter(proposal_id=proposal_id).first()


def debate_view(*, proposal_id: int, with_flags: bool = False) -> DebateView:
    """Every argument of a debate in threads, in a fixed number of queries."""
    debate = debate_of(proposal_id)
    if debate is None:
        return DebateView(proposal_id, 0, [], {"pro": 0, "contra": 0, "question": 0})
    arguments = (
        Argument.objects.filter(debate=debate)
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
    return DebateView(proposal_id, debate.last_seq, list(threads.values()), counts)


def events_after(*, proposal_id: int, after: int, limit: int = 500) -> list[DebateEvent]:
    return list(
        DebateEvent.objects.filter(debate__proposal_id=proposal_id, seq__gt=after).order_by("seq")[
            :limit
        ]
    )


def moderation_log() -> QuerySet[ModerationAction]:
    return ModerationAction.objects.select_related(
        "actor", "argument__author", "argument__debate__proposal"
    ).order_by("-created_at", "-pk")


def argument_with_debate(argument_id: int) -> Argument | None:
    return (
        Argument.objects.select_related("debate", "author", "hidden_by")
        .filter(pk=argument_id)
        .first()
    )
