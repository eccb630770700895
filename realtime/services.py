"""Who is connected to which stream: presence rows, counted across servers,
and the per-member limit on open connections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from realtime import events
from realtime.errors import TooManyConnections
from realtime.models import Presence, Stream

# A connection that has said nothing for this long no longer counts as present
# (it belonged to a server that died without closing it).
PRESENCE_TTL = timedelta(minutes=10)
PRESENCE_REFRESH = timedelta(minutes=2)


def max_connections_per_member() -> int:
    return int(getattr(settings, "REALTIME_MAX_CONNECTIONS_PER_MEMBER", 5))


@dataclass(frozen=True)
class Joined:
    key: str
    last_seq: int
    presence: int


@transaction.atomic
def join_stream(*, key: str, person, channel_name: str) -> Joined:
    """A websocket connection opens on a stream: count it, within the
    per-member limit (visitors without an account are limited per address
    by the consumer)."""
    now = timezone.now()
    member = person if getattr(person, "is_authenticated", False) else None
    if member is not None:
        open_connections = Presence.objects.filter(
            member=member, seen_at__gte=now - PRESENCE_TTL
        ).count()
        if open_connections >= max_connections_per_member():
            raise TooManyConnections(
                _("You have too many live windows open; close one and try again.")
            )
    stream = Stream.objects.filter(key=key).first() or events.lock_stream(key)
    Presence.objects.create(
        stream=stream, member=member, channel_name=channel_name, connected_at=now, seen_at=now
    )
    return Joined(key=key, last_seq=stream.last_seq, presence=presence_count(key=key))


def presence_count(*, key: str) -> int:
    since = timezone.now() - PRESENCE_TTL
    return Presence.objects.filter(stream__key=key, seen_at__gte=since).count()


@transaction.atomic
def leave_stream(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).delete()


@transaction.atomic
def touch_presence(*, channel_name: str) -> None:
    """A live connection said something: keep it counted (at most every 2 minutes)."""
    now = timezone.now()
    Presence.objects.filter(channel_name=channel_name, seen_at__lt=now - PRESENCE_REFRESH).update(
        seen_at=now
    )
