"""A member votes in a real browser and, after the close, sees the result."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance.selectors import current_parameters
from proposals import services
from proposals.models import Ballot
from tests.factories import DEFAULT_PASSWORD
from tests.proposals.helpers import draft

pytestmark = pytest.mark.browser

CLOSES_IN = timedelta(seconds=8)


def log_in(page, server, username):
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label(re.compile(r"^(login|username or email)$", re.I)).fill(username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def test_member_votes_in_the_browser_and_sees_the_result_after_the_close(
    daphne_server, page, community
):
    alice = community["alice"]
    rules = current_parameters()
    proposal = draft(alice, title="Repaint the shared bikes")
    # Submitted so long ago that voting is open now and closes in a few seconds.
    submitted = (
        timezone.now() - timedelta(days=rules.discussion_days + rules.voting_days) + CLOSES_IN
    )
    with time_machine.travel(submitted, tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=alice)
    services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.state == "voting"

    log_in(page, daphne_server, "bob")
    page.goto(f"{daphne_server.url}/proposals/{proposal.pk}/")
    vote = page.locator("#vote")
    vote.get_by_role("button", name="Yes").click()
    vote.get_by_text("Your ballot is recorded").wait_for()
    assert Ballot.objects.get(proposal=proposal, voter__username="bob").choice == "yes"

    page.wait_for_timeout(CLOSES_IN.total_seconds() * 1000 + 500)
    page.reload()
    result = page.locator("#vote")
    assert "Result" in result.get_by_role("heading", level=2).inner_text()
    assert "passed: 100 % yes of yes+no > 1/2; turnout 25 %" in result.inner_text()
