"""Ballot secrecy and tally visibility follow the bylaws frozen on each vote."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance.parameters import PARAMETERS_ARTICLE, GovernanceParameters
from proposals import selectors, services
from tests.proposals.helpers import MINUTE, draft, hold_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_rules(community):
    """The members adopt secret ballots and hidden tallies by a legal-structure vote."""
    voters = list(community.values())
    rules = GovernanceParameters().to_json()
    rules["ballot_secrecy"] = "secret"
    rules["tally_visible_during_vote"] = False
    amendment = {
        "article_slug": PARAMETERS_ARTICLE,
        "new_title": "Decision rules",
        "new_class": "entrenched",
        "new_text": "",
        "new_parameters": rules,
    }
    proposal = draft(community["alice"], kind="amendment", amendments=[amendment])
    proposal = hold_vote(proposal, yes=voters)
    assert proposal.state == "enacted"
    return voters


def test_secret_ballots_publish_receipts_not_names(community, secret_rules):
    alice, bob = community["alice"], community["bob"]
    proposal = hold_vote(draft(alice), yes=[alice], no=[bob], enact=False)
    published = selectors.published_ballots(proposal)
    assert published["secrecy"] == "secret"
    assert all("member" not in row for row in published["ballots"])
    receipt = services.receipt_code(proposal_id=proposal.pk, voter_id=bob.pk)
    assert {"receipt_sha256": services.receipt_hash(receipt), "choice": "no"} in published[
        "ballots"
    ]


def test_hidden_tally_is_not_shown_during_the_vote(community, secret_rules):
    alice = community["alice"]
    proposal = draft(alice)
    with time_machine.travel(timezone.now() - timedelta(days=8), tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=alice)
    proposal.refresh_from_db()
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
        services.cast_vote(proposal_id=proposal.pk, voter=alice, choice="yes")
        proposal.refresh_from_db()
        results = selectors.results(proposal)
    assert results["visible"] is False
    assert results["yes"] is None


def test_rules_changed_during_a_vote_do_not_change_that_vote(community):
    alice = community["alice"]
    voters = list(community.values())
    running = draft(alice, title="Already submitted")
    with time_machine.travel(timezone.now() - timedelta(days=60), tick=False):
        services.submit_proposal(proposal_id=running.pk, actor=alice)
    rules = GovernanceParameters().to_json()
    rules["ballot_secrecy"] = "secret"
    amendment = {
        "article_slug": PARAMETERS_ARTICLE,
        "new_title": "Decision rules",
        "new_class": "entrenched",
        "new_text": "",
        "new_parameters": rules,
    }
    hold_vote(draft(alice, kind="amendment", amendments=[amendment]), yes=voters)
    running.refresh_from_db()
    assert running.rules["ballot_secrecy"] == "roll_call"
