"""A member votes in a real browser and, after the close, sees the result."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance.selectors import current_parameters
from proposals import services
from proposals.models import Ballot
from tests.browser.helpers import log_in
from tests.proposals.helpers import draft

pytestmark = pytest.mark.browser

CLOSES_IN = timedelta(hours=1)


def test_member_votes_in_the_browser_and_sees_the_result_after_the_close(
    daphne_server, page, community
):
    alice = community["alice"]
    rules = current_parameters()
    proposal = draft(alice, title="Repaint the shared bikes")
    # Submitted so long ago that voting is open now and closes within the hour.
    submitted = (
        timezone.now() - timedelta(days=rules.discussion_days + rules.voting_days) + CLOSES_IN
    )
    with time_machine.travel(submitted, tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=alice)
    services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.state == "voting"

    log_in(page, daphne_server.url, "bob")
    page.goto(f"{daphne_server.url}/proposals/{proposal.pk}/")
    vote = page.locator("#vote")
    vote.get_by_role("button", name="Yes").click()
    vote.get_by_text("Your ballot is recorded").wait_for()
    assert Ballot.objects.get(proposal=proposal, voter__username="bob").choice == "yes"

    # The close, as the ticker would apply it once the window is over (the
    # database guard reads this test's clock: GUARD_CLOCK=application).
    with time_machine.travel(proposal.voting_closes_at + timedelta(minutes=1), tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
    page.reload()
    result = page.locator("#vote")
    assert "Result" in result.get_by_role("heading", level=2).inner_text()
    assert "passed: 100 % yes of yes+no > 1/2; turnout 25 %" in result.inner_text()
