"""The member's home, "what needs me now", sections registered by each app
(members/dashboard.py), within a fixed query budget."""

import pytest
from django.urls import reverse

from debates import services as debates
from tests.factories import make_member
from tests.proposals.factories import ProposalFactory
from tests.proposals.helpers import change_rules, hold_vote

pytestmark = pytest.mark.django_db

BUDGET = 10


def dashboard(client, person):
    client.force_login(person)
    return client.get(reverse("members:dashboard"))


def test_votes_waiting_for_me_and_ballots_i_can_change(client, community):
    from proposals.services import cast_vote

    alice, bob = community["alice"], community["bob"]
    ProposalFactory(author=alice, title="Plant a hedge", phase="voting")
    voted = ProposalFactory(author=alice, title="Buy a ladder", phase="voting")
    cast_vote(proposal_id=voted.pk, voter=bob, choice="yes")
    page = dashboard(client, bob).content.decode()
    assert "Votes waiting for you" in page
    waiting_part, changeable_part = page.split("Ballots you can still change")
    assert "Plant a hedge" in waiting_part and "Buy a ladder" not in waiting_part
    assert "Buy a ladder" in changeable_part.split("</section>")[0]


def test_a_newcomer_not_on_the_roll_is_not_asked_to_vote(client, community):
    ProposalFactory(author=community["alice"], title="Plant a hedge", phase="voting")
    newcomer = make_member("nina", admitted_days_ago=1)
    assert "Plant a hedge" not in dashboard(client, newcomer).content.decode()


def test_legal_structure_changes_in_notice_are_announced(client, community):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from governance.selectors import current_parameters
    from proposals.services import advance_proposal
    from tests.guards.proposals_helpers import LEGAL_FORM  # an entrenched amendment
    from tests.proposals.helpers import draft, submit

    proposal = draft(
        community["alice"], kind="amendment", title="Become a cooperative", amendments=[LEGAL_FORM]
    )
    with time_machine.travel(
        timezone.now() - timedelta(days=current_parameters().discussion_days, minutes=5), tick=False
    ):
        submit(proposal)
    advance_proposal(proposal_id=proposal.pk)
    page = dashboard(client, community["bob"]).content.decode()
    assert "Changes to the legal structure in notice" in page
    assert "Become a cooperative" in page


def test_replies_to_my_messages_are_listed(client, community):
    proposal = ProposalFactory(author=community["alice"], phase="discussion")
    mine = debates.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="Hedges need care.", stance="pro"
    )
    debates.post_argument(
        actor=community["carol"],
        proposal_id=proposal.pk,
        body="I will water it.",
        parent_id=mine.pk,
    )
    page = dashboard(client, community["bob"]).content.decode()
    assert "Replies to your messages" in page
    assert "Carol" in page or "carol" in page


def test_the_treasury_and_the_latest_decisions_are_there(client, community):
    voters = list(community.values())
    hold_vote(ProposalFactory(author=community["alice"], title="Adopt a logo"), yes=voters)
    page = dashboard(client, community["ada"]).content.decode()
    assert "The treasury at a glance" in page
    assert "Latest decisions" in page and "Adopt a logo" in page
    # No budget line opened this year: said in words, not "0.00 EUR spent of 0.00 EUR".
    assert "None yet." in page and "spent of" not in page


def test_the_treasury_glance_shows_this_years_budgets(client, community):
    from tests.treasury.factories import BudgetLineFactory

    BudgetLineFactory(purpose="Printing", amount_cents=20_000)
    page = dashboard(client, community["ada"]).content.decode()
    assert "0.00 EUR spent of 200.00 EUR" in page


def test_the_dashboard_stays_within_its_query_budget(
    client, community, django_assert_max_num_queries
):
    """However many proposals, votes, replies and budgets there are."""
    alice, bob = community["alice"], community["bob"]
    voters = list(community.values())
    for n in range(6):
        ProposalFactory(author=alice, title=f"Open vote {n}", phase="voting")
        hold_vote(ProposalFactory(author=alice, title=f"Decided {n}"), yes=voters)
    change_rules(alice, voters, min_tenure_days=30)
    client.force_login(bob)
    # The treasury's aggregates are cached under the ledger head: the first
    # page after a posting computes them, every later one reads the cache.
    client.get(reverse("members:dashboard"))
    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("members:dashboard"))
    assert response.status_code == 200
