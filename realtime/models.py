"""The realtime transport: numbered event streams that browsers follow live
over websockets and catch up on by sequence number, and who is connected.

A stream is one topic (a proposal's page, the marketplace…), named by a key
that only server code builds (`realtime.events`). Apps above publish into
streams; nothing here knows what their events mean."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Stream(models.Model):
    """One numbered event log, created on first use. Its row is the lock that
    numbers events: `last_seq` is the sequence number of the newest one."""

    key = models.CharField(max_length=100, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class StreamEvent(models.Model):
    """Every event of a stream, numbered without gaps, stored before it is
    broadcast, so a client that reconnects can ask for what it missed."""

    stream = models.ForeignKey(Stream, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["stream", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "seq"], name="realtime_streamevent_unique_seq"
            )
        ]


class Presence(models.Model):
    """One open websocket connection to a stream. Rows of connections that died
    without closing (a killed server) stop counting once `seen_at` is stale."""

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="presences")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel_name = models.CharField(max_length=200, unique=True)
    connected_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["stream", "seen_at"], name="realtime_pr_stream_seen"),
            models.Index(fields=["member", "seen_at"], name="realtime_pr_member__9c2ae9_idx"),
        ]
