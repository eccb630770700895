"""Telling people: in-app notifications (rendered in each reader's
language), emails, the daily digest carrying the journal head, and the
live announcement of a proposal's new state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.selectors import community_name, journal_head
from kernel import dates
from members.emails import community_email, send_community_emails
from members.models import Member, Membership
from proposals import broadcasts
from proposals.models import (
    ElectorateEntry,
    Notification,
    Proposal,
    State,
    notification_text,
)
from proposals.permissions import CHANGE_PERMISSION


def authors_of(proposal: Proposal) -> list[Member]:
    people = {proposal.author_id: proposal.author}
    for person in Member.objects.filter(
        proposaluserobjectpermission__content_object=proposal,
        proposaluserobjectpermission__permission__codename=CHANGE_PERMISSION,
    ):
        people[person.pk] = person
    return list(people.values())


def coauthors(proposal: Proposal) -> list[str]:
    """Usernames of the co-authors the author invited (sorted)."""
    return sorted(a.get_username() for a in authors_of(proposal) if a.pk != proposal.author_id)


def _notify(recipients: list[Member], proposal: Proposal, kind: str, facts: dict) -> None:
    """In-app notifications, shown in each reader's language, and emails in the
    site's language (members have no language of their own yet)."""
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        message = notification_text(kind, facts)
    Notification.objects.bulk_create(
        Notification(
            recipient=r,
            proposal=proposal,
            kind=kind,
            facts=facts,
            message=message[:300],
            created_at=now,
        )
        for r in recipients
    )
    link = f"{settings.SITE_URL}/proposals/{proposal.pk}/"
    emails = [
        community_email(subject=message[:120], body=f"{message}\n\n{link}\n", to=[r.email])
        for r in recipients
        if r.email
    ]
    if emails:
        transaction.on_commit(lambda: send_community_emails(emails, fail_silently=True))


def notify_members(proposal: Proposal, kind: str, facts: dict, *, only_electorate=False) -> None:
    if only_electorate:
        recipients = Member.objects.filter(
            pk__in=ElectorateEntry.objects.filter(proposal=proposal).values("member_id")
        )
    else:
        recipients = Member.objects.filter(membership__status=Membership.Status.MEMBER)
    _notify(list(recipients.only("pk", "email")), proposal, kind, facts)


def announce_state(proposal: Proposal) -> None:
    if proposal.state != State.DRAFT:
        _notify(
            authors_of(proposal),
            proposal,
            Notification.Kind.STATE_CHANGED,
            {"title": proposal.title, "state": proposal.state},
        )
    broadcasts.state_changed(proposal=proposal)


@transaction.atomic
def mark_notifications_read(*, member: Member) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# Sections other apps add to each member's digest (contributions: needs that
# match their skills). Proposals never import them: each registers
# `function(member=..., since=..., now=...)` returning lines, from its
# `AppConfig.ready`.
_DIGEST_SECTIONS: dict[str, Callable[..., list[str]]] = {}


def register_digest_section(function: Callable[..., list[str]]) -> Callable[..., list[str]]:
    _DIGEST_SECTIONS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def digest_sections() -> list[Callable[..., list[str]]]:
    return list(_DIGEST_SECTIONS.values())


def send_daily_digest(*, now: datetime | None = None) -> int:
    """Every member in good standing gets today's journal head (a checkpoint
    held off the server) and their notifications of the last day, in the
    site's language (members have no language of their own yet)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _send_daily_digest(now=now or timezone.now())


def _send_daily_digest(*, now: datetime) -> int:
    seq, head_hash = journal_head()
    since = now - timedelta(days=1)
    messages = []
    members = Member.objects.filter(membership__status=Membership.Status.MEMBER).exclude(email="")
    for member in members.iterator(chunk_size=500):
        recent = Notification.objects.filter(recipient=member, created_at__gte=since).order_by(
            "created_at"
        )
        lines = [f"- {n.text}" for n in recent[:50]]
        for section in digest_sections():
            lines += section(member=member, since=since, now=now)
        lines = lines or [_("Nothing new for you today.")]
        body = "\n".join(
            [
                _("Your %(community)s digest for %(date)s")
                % {"community": community_name(), "date": dates.day(now)},
                "",
                *lines,
                "",
                _("Governance journal head (keep it to verify the record later):"),
                f"{settings.SITE_URL}/bylaws/audit/",
                f"{seq}:{head_hash}",
                f"python governance/chain.py verify journal.jsonl --expect-head {seq}:{head_hash}",
            ]
        )
        messages.append(
            community_email(
                subject=_("Daily digest — journal head %(seq)s") % {"seq": seq},
                body=body,
                to=[member.email],
            )
        )
    send_community_emails(messages)
    return len(messages)
