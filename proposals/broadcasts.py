"""What a proposal's page learns live: its state and its running tally.

Each proposal has one stream (`stream_of`), which its page follows and its
debate publishes into too (`debates`). Call these inside the transaction
that made the change: a state change is stored with the stream's next
sequence number in that transaction and broadcast after commit. Tally
changes are announced after commit and coalesced (see `tally_changed`).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections, transaction
from django.utils import translation

from proposals import selectors
from proposals.models import Proposal
from proposals.phases import phase_of, tally_is_public
from realtime import events

STATE = "proposal.state"
TALLY = "proposal.tally"

logger = logging.getLogger(__name__)

# Proposals with a tally announcement scheduled in this process.
_tally_lock = threading.Lock()
_tally_scheduled: set[int] = set()


def stream_of(proposal_id: int) -> str:
    """The stream of a proposal's page (its state, tally and debate)."""
    return events.stream_key("proposal", proposal_id)


def tally_data(proposal) -> dict:
    return {
        "yes": proposal.yes_count,
        "no": proposal.no_count,
        "abstain": proposal.abstain_count,
        "electorate": proposal.electorate_size,
    }


def live_tally_data(proposal) -> dict:
    """The tally as every figure of the proposal's page shows it: the counts,
    the ballots cast and the outcome's explanation ("if voting closed now…",
    or the final one) from `governance.decisions`, the one home of that text.

    One event reaches readers of every language, so the explanation is given
    in each language of the site; the page picks its own."""
    explanation = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            explanation[code] = selectors.results(proposal)["explanation"] or ""
    return {
        **tally_data(proposal),
        "ballots": proposal.ballots_cast,
        "explanation": explanation,
    }


def state_changed(*, proposal) -> None:
    """The proposal moved to a new state."""
    data = {
        "proposal": proposal.pk,
        "state": proposal.state,
        "is_open": phase_of(proposal).is_debatable,
    }
    if tally_is_public(proposal) and proposal.ballots_cast:
        data["tally"] = live_tally_data(proposal)
    events.publish(stream_of(proposal.pk), type=STATE, data=data)


def tally_changed(*, proposal) -> None:
    """A ballot changed the running tally (announced only if the rules allow it).

    Ballots must not queue behind each other on the debate row, and readers
    need the latest counts, not every step: after commit, each server process
    stores at most one tally event per proposal every REALTIME_TALLY_INTERVAL
    seconds, carrying the counts committed by then. With an interval of 0 the
    event is stored right after the commit."""
    if not tally_is_public(proposal):
        return
    proposal_id = proposal.pk
    transaction.on_commit(lambda: _schedule_tally(proposal_id))


def _schedule_tally(proposal_id: int) -> None:
    interval = float(getattr(settings, "REALTIME_TALLY_INTERVAL", 0.25))
    if interval <= 0:
        _announce_tally(proposal_id)
        return
    with _tally_lock:
        if proposal_id in _tally_scheduled:
            return
        _tally_scheduled.add(proposal_id)
    timer = threading.Timer(interval, _announce_scheduled_tally, args=(proposal_id,))
    timer.daemon = True
    timer.start()


def _announce_scheduled_tally(proposal_id: int) -> None:
    # Unscheduled before the counts are read: a ballot committed after the
    # read schedules the next announcement, so the last counts are never lost.
    with _tally_lock:
        _tally_scheduled.discard(proposal_id)
    try:
        _announce_tally(proposal_id)
    except Exception:  # informative only: the results page and the next event carry the counts
        logger.exception("announcing the tally of proposal %s failed", proposal_id)
    finally:
        connections.close_all()  # this timer thread's own connection


@transaction.atomic
def _announce_tally(proposal_id: int) -> None:
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None or not tally_is_public(proposal):
        return
    events.publish(
        stream_of(proposal.pk),
        type=TALLY,
        data={"proposal": proposal.pk, **live_tally_data(proposal)},
    )
