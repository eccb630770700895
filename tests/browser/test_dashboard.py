"""A member finds what needs them within one click of logging in; a visitor
sees the community at a glance. Both pages pass axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.browser.test_accessibility import blocking_violations, describe
from tests.proposals.factories import ProposalFactory
from tests.proposals.helpers import hold_vote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_with_a_pending_vote_is_led_to_it(daphne_server, page, community):
    alice = community["alice"]
    ProposalFactory(author=alice, title="Repair the bread oven", phase="voting")
    hold_vote(ProposalFactory(author=alice, title="Adopt a logo"), yes=list(community.values()))
    log_in(page, daphne_server.url, "bob")  # lands on the dashboard
    votes = page.get_by_role("region", name="Votes waiting for you")
    expect(votes).to_contain_text("Repair the bread oven")
    expect(page.get_by_role("region", name="Latest decisions")).to_contain_text("Adopt a logo")
    expect(page.get_by_role("region", name="The treasury at a glance")).to_be_visible()
    violations = blocking_violations(page)
    assert not violations, describe(page.url, violations)
    votes.get_by_role("link", name="Repair the bread oven").click()
    expect(page.locator("#vote").get_by_role("button", name="Yes")).to_be_visible()


def test_a_visitor_sees_the_community_at_a_glance(daphne_server, page, community):
    alice = community["alice"]
    ProposalFactory(author=alice, title="Repair the bread oven", phase="voting")
    page.goto(f"{daphne_server.url}/")
    expect(page.get_by_role("region", name="Being decided now")).to_contain_text(
        "Repair the bread oven"
    )
    expect(page.get_by_role("region", name="The treasury at a glance")).to_be_visible()
    violations = blocking_violations(page)
    assert not violations, describe(page.url, violations)
