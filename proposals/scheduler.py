"""When due transitions are applied: on time, and before anyone reads.

Proposals must move from discussion to voting to closed on time even when
nobody acts. Each Daphne process runs the idempotent tick every
GOVERNANCE_TICK_SECONDS; the tick locks what it changes, so several
processes (or an extra cron job) can run it at once safely.

Between two ticks a deadline may have passed: pages and API answers about
proposals apply what is due first (`apply_due_transitions`, `AppliesDueTransitions`),
so nobody reads a stale state. Selectors only read; casting a ballot applies
its own proposal's due step (`proposals.services.ballots`).
"""

from __future__ import annotations

import functools
import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from proposals.services import governance_tick

logger = logging.getLogger(__name__)
_started = threading.Event()


def _loop(interval: int, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            close_old_connections()
            governance_tick()
        except Exception:  # a failed tick must not kill the scheduler; the next one retries
            logger.exception("governance tick failed")
        finally:
            close_old_connections()


def start_governance_ticker() -> threading.Event | None:
    interval = settings.GOVERNANCE_TICK_SECONDS
    if interval <= 0 or _started.is_set():
        return None
    _started.set()
    stop = threading.Event()
    threading.Thread(
        target=_loop, args=(interval, stop), name="governance-tick", daemon=True
    ).start()
    return stop


def apply_due_transitions(view):
    """Decorate a view that shows or changes proposals: every transition due
    is applied first (one query when nothing is due)."""

    @functools.wraps(view)
    def fresh_view(request, *args, **kwargs):
        governance_tick()
        return view(request, *args, **kwargs)

    return fresh_view


class AppliesDueTransitions:
    """The same for Django REST framework views (a mixin)."""

    def initial(self, request, *args, **kwargs):
        governance_tick()
        super().initial(request, *args, **kwargs)
