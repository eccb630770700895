"""Helpers of the red-team suite: raw SQL, row snapshots, and votes held on a
controlled clock through the real services."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from governance.selectors import current_parameters
from proposals import services
from proposals.models import Proposal

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="an attack on PostgreSQL's own machinery"
)


def raw(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def db_time(moment):
    """A datetime as raw SQL parameters carry it on this database."""
    return connection.ops.adapt_datetimefield_value(moment)


def rows(model, **filters) -> list[dict]:
    """Every column of the rows, to compare before and after an attack."""
    return list(model.objects.filter(**filters).order_by("pk").values())


def days_to_voting(proposal: Proposal) -> int:
    from proposals.decision import required_decision_class

    amendments = list(proposal.amendments.values("article_slug", "new_class"))
    entrenched = required_decision_class(kind=proposal.kind, amendments=amendments) == "entrenched"
    p = current_parameters()
    return p.discussion_days + (p.notice_days if entrenched else 0)


def submitted_ago(proposal: Proposal, ago: timedelta) -> Proposal:
    """Submit a draft ``ago`` before now (through the service), and apply
    every step that is due by now."""
    with time_machine.travel(timezone.now() - ago, tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=proposal.author)
    services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    return proposal


def held(
    proposal: Proposal,
    *,
    yes=(),
    no=(),
    abstain=(),
    closed_ago: timedelta = 10 * DAY,
    close: bool = True,
) -> Proposal:
    """Hold the vote on a draft so that its window closed ``closed_ago`` ago:
    submitted, opened and voted on time. If ``close``, the close is applied
    on time too (passed proposals are not enacted); otherwise the window is
    over but the proposal still says "voting"."""
    window = timedelta(days=days_to_voting(proposal) + current_parameters().voting_days)
    with time_machine.travel(timezone.now() - closed_ago - window, tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=proposal.author)
    proposal.refresh_from_db()
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
        for choice, voters in (("yes", yes), ("no", no), ("abstain", abstain)):
            for voter in voters:
                services.cast_vote(proposal_id=proposal.pk, voter=voter, choice=choice)
    if close:
        with time_machine.travel(proposal.voting_closes_at + MINUTE, tick=False):
            services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    return proposal


def lenient_rules() -> dict:
    """Decision rules anyone would like to be decided under."""
    rules = current_parameters().to_json()
    for rule in rules["rules"].values():
        rule["threshold"], rule["quorum"], rule["threshold_inclusive"] = [0, 1], [0, 1], True
    rules.update(discussion_days=0, notice_days=0, voting_days=1, timelock_days=0)
    return rules


def replace_row(table: str, values: dict) -> int:
    """Write ``values`` over the row with the same id in one INSERT: SQLite's
    ``INSERT OR REPLACE``, PostgreSQL's ``INSERT … ON CONFLICT (id) DO UPDATE``."""
    columns = ", ".join(values)
    placeholders = ", ".join(["%s"] * len(values))
    if connection.vendor == "sqlite":
        sql = f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({placeholders})"
    else:
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in values if c != "id")
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        )
    return raw(sql, list(values.values()))


def announce(kind: str, **payload) -> None:
    """Write a journal entry as the application would before a change that
    carries power (an attacker with the application's connection can too):
    so that a test reaches the guard rule it is about, past the one that asks
    for the announcement."""
    from governance import journal

    journal.record(kind=kind, actor="", payload=payload)
