"""The demo's contribution economy goes through the real services, month by
month, and leaves a time ledger the audit fully explains."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from contributions.models import Contribution, Need, RebateClaim, TimeEntry
from demo.contributions import SKILLS, adopt_contributions_article, seed_contributions
from governance.selectors import current_version
from kernel import audit
from tests.contributions.helpers import assert_time_ledger_invariants
from tests.factories import found, make_member
from tests.proposals.helpers import pass_proposal

pytestmark = pytest.mark.django_db


def test_the_demo_economy_is_valid_and_tells_its_story(db):
    """A community founded a year ago, as the demo's, with the demo's cast."""
    names = ["alice", "bob", "carol", "ada", "dave", "erin", "frank", *SKILLS]
    people = {name: make_member(name) for name in dict.fromkeys(names)}
    with time_machine.travel(timezone.now() - timedelta(days=365), tick=False):
        found(
            founders=[people["alice"]],
            appointments={
                "treasurer": [people["bob"]],
                "steward": [people["carol"]],
                "auditor": [people["ada"]],
            },
        )
    adopt_contributions_article(
        people["alice"], list(people.values()), timezone.now() - timedelta(days=155)
    )
    decided = pass_proposal(people["alice"], list(people.values()), title="Repair evenings")
    confirmed = seed_contributions(people=people, proposals={"amendment": decided})
    assert confirmed >= 15
    assert current_version("contributions").parameters["dues_rebate"] is True
    assert Contribution.objects.filter(state="under_review").count() == 1
    assert RebateClaim.objects.get().state == "used"
    assert Need.objects.filter(state="open").count() >= 2
    months = {entry.at[:7] for entry in TimeEntry.objects.all()}
    assert len(months) >= 4
    ats = list(TimeEntry.objects.order_by("seq").values_list("at", flat=True))
    assert ats == sorted(ats)  # the time ledger reads in order
    assert_time_ledger_invariants()
    result = audit.run(only=["time", "hours", "bylaws", "proposals"])
    assert result.ok, [str(f) for f in result.findings]
