"""The transport's guard: a stream's stored events only add up.

Clients catch up on what they missed from the stored log, by sequence number;
a log that could be rewritten or renumbered would show different readers
different histories. On SQLite and PostgreSQL alike:

- events are append-only;
- a stream keeps its key and creation date, its number never goes back, and
  it is never deleted.

Every message starts with "stream guard:" so the IntegrityError names the guard.
"""

from __future__ import annotations

from kernel.guards import Guard, Rule, TriggerSet

MSG_STREAM = "stream guard: a stream keeps its key for good, and its events only add up"


def guards() -> TriggerSet:
    return TriggerSet(
        guards=(
            Guard(
                "realtime_stream",
                "UPDATE",
                (
                    Rule(
                        MSG_STREAM,
                        lambda d: (
                            f"{d.any_distinct(['key', 'created_at'])} "
                            "OR NEW.last_seq < OLD.last_seq"
                        ),
                    ),
                ),
            ),
        ),
        append_only={"realtime_streamevent": "stream guard: a stream's event log is append-only"},
        no_delete={"realtime_stream": MSG_STREAM},
    )
