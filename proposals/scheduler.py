"""Runs the governance tick inside each server process.

Proposals must move from discussion to voting to closed on time even when
nobody acts. Each Daphne process runs the idempotent tick every
GOVERNANCE_TICK_SECONDS; the tick locks what it changes, so several
processes (or an extra cron job) can run it at once safely.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)
_started = threading.Event()


def _loop(interval: int, stop: threading.Event) -> None:
    from proposals.services import governance_tick  # the app registry is ready by now

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
