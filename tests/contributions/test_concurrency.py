"""Two confirmations of the same hours at the same moment leave exactly one
transfer and one time ledger entry, on whichever database the suite runs
(the service locks the hours; the database accepts one transfer each)."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from contributions import services
from contributions.errors import AlreadyDecided
from contributions.models import ContributionState, TimeEntry, TimeTransfer
from members.roles import Role
from tests.contributions.factories import (
    CommunityNeedFactory,
    HoursFactory,
    NeedFactory,
    OfferFactory,
)
from tests.contributions.helpers import assert_time_ledger_invariants, balance_of
from tests.factories import make_member
from tests.proposals.helpers import pass_proposal

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_stewards_confirming_the_same_hours_at_once_leave_one_entry(community):
    voters = list(community.values())
    erin, dave = make_member("erin"), make_member("dave")
    pass_proposal(
        community["alice"],
        [*voters, erin, dave],
        kind="appointment",
        title="A second steward",
        appointments=[{"member": "erin", "role": Role.STEWARD, "action": "grant"}],
    )
    gathering = pass_proposal(community["alice"], voters, title="Hold the gathering")
    need = CommunityNeedFactory(posted_by=community["carol"], proposal_id=gathering.pk)
    hours = HoursFactory(offer=OfferFactory(need=need, member=dave, accepted=True), minutes=90)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def confirm(steward):
        try:
            barrier.wait(timeout=10)
            services.confirm_contribution(actor=steward, contribution_id=hours.pk)
            outcomes.append("confirmed")
        except AlreadyDecided as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(s,)) for s in (community["carol"], erin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(str, outcomes)) == ["These hours have already been confirmed.", "confirmed"]
    assert TimeTransfer.objects.count() == TimeEntry.objects.count() == 1
    hours.refresh_from_db()
    assert hours.state == ContributionState.CONFIRMED
    assert balance_of(dave) == 150
    assert_time_ledger_invariants()


def test_two_connections_posting_a_transfer_for_the_same_hours_leave_one(community):
    """Below the services: the database accepts one transfer per contribution
    (the second connection waits for the first, then is refused)."""
    dave = make_member("dave")
    need = NeedFactory(posted_by=community["alice"])
    hours = HoursFactory(offer=OfferFactory(need=need, member=dave, accepted=True), minutes=60)
    first_holds = threading.Event()
    results: dict[str, object] = {}

    def write(name: str, *, first: bool) -> None:
        try:
            if not first:
                first_holds.wait(timeout=10)
            with transaction.atomic():
                now = timezone.now()
                TimeTransfer.objects.create(
                    kind="exchanged",
                    contribution=hours,
                    minutes=60,
                    rate=100,
                    credits=100,
                    month=now.strftime("%Y-%m"),
                    authorized_by=community["alice"],
                    posted_at=now,
                )
                if first:
                    first_holds.set()
                    threading.Event().wait(0.5)
            results[name] = "written"
        except IntegrityError as error:
            results[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=("a",), kwargs={"first": True}),
        threading.Thread(target=write, args=("b",), kwargs={"first": False}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(r).__name__ for r in results.values()) == ["IntegrityError", "str"]
    assert TimeTransfer.objects.filter(contribution=hours).count() == 1
