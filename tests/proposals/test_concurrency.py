"""Ballot integrity under concurrency, on whichever database the suite runs
(CI runs it on SQLite and on PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from kernel.errors import DomainError
from proposals import services
from proposals.models import Ballot, Proposal
from tests.factories import found, make_member
from tests.proposals.helpers import MINUTE, draft

pytestmark = pytest.mark.django_db(transaction=True)


def open_vote(author):
    """A motion of a community founded a month ago, whose vote opens now."""
    with time_machine.travel(timezone.now() - timedelta(days=30), tick=False):
        found(founders=[author])
    proposal = draft(author)
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=author)
    proposal.refresh_from_db()
    return proposal


def run_concurrently(jobs, workers):
    barrier = threading.Barrier(workers)
    errors = []

    def run(job):
        try:
            barrier.wait(timeout=30) if job[0] < workers else None
            return job[1]()
        except DomainError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, list(enumerate(jobs))))
    return results, errors


def test_hundred_concurrent_casts_by_one_member_leave_exactly_one_ballot():
    author = make_member("author")
    proposal = open_vote(author)
    choices = ["yes", "no", "abstain"]
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=True):
        services.advance_proposal(proposal_id=proposal.pk)
        jobs = [
            (
                lambda c=choices[i % 3]: services.cast_vote(
                    proposal_id=proposal.pk, voter=author, choice=c
                )
            )
            for i in range(100)
        ]
        _results, errors = run_concurrently(jobs, workers=20)
    assert errors == []
    assert Ballot.objects.filter(proposal=proposal).count() == 1
    proposal.refresh_from_db()
    assert proposal.ballots_cast == 1
    assert services.recount(proposal) == {
        "yes": proposal.yes_count,
        "no": proposal.no_count,
        "abstain": proposal.abstain_count,
    }


def test_concurrent_casts_by_many_members_lose_none():
    author = make_member("author")
    voters = [make_member(f"voter{i}") for i in range(40)]
    proposal = open_vote(author)
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=True):
        services.advance_proposal(proposal_id=proposal.pk)
        jobs = [
            (
                lambda v=v, i=i: services.cast_vote(
                    proposal_id=proposal.pk, voter=v, choice="yes" if i % 4 else "no"
                )
            )
            for i, v in enumerate(voters)
        ]
        _results, errors = run_concurrently(jobs, workers=20)
    assert errors == []
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert Ballot.objects.filter(proposal=proposal).count() == 40
    assert (proposal.yes_count, proposal.no_count) == (30, 10)
    assert services.recount(proposal) == {"yes": 30, "no": 10, "abstain": 0}
    assert connection.vendor in {"sqlite", "postgresql"}
