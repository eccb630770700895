"""Pages, htmx, the live debate and the API docs work under the site's
Content-Security-Policy (config/csp.py): a real Chromium reports no
violation while a member reads, votes through htmx and debates live."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.proposals.factories import ProposalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_violations(page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_a_member_votes_and_debates_with_no_policy_violation(daphne_server, page, community):
    proposal = ProposalFactory(author=community["alice"], title="Paint the hall", phase="voting")
    violations = watch_violations(page)
    log_in(page, daphne_server.url, "bob")
    page.goto(f"{daphne_server.url}/proposals/{proposal.pk}/")
    expect(page.locator("#debate")).to_have_attribute("data-connection", "live")
    page.locator("#vote").get_by_role("button", name="Yes").click()
    page.locator("#vote").get_by_text("Your ballot is recorded").wait_for()
    page.get_by_label("For").check()
    page.get_by_label(re.compile("Message")).fill("Fresh paint, *fresh start*.")
    page.get_by_role("button", name=re.compile("^Post")).click()
    expect(page.locator("#debate")).to_contain_text("fresh start")
    for path in ("/", "/bylaws/", "/treasury/", "/bylaws/journal/", "/api/docs/"):
        page.goto(f"{daphne_server.url}{path}")
        page.wait_for_load_state("networkidle")
    expect(page.locator("#swagger-ui")).to_be_visible()
    assert violations == []


def test_every_page_carries_the_policy(client, community):
    for path in ("/", "/proposals/", "/accounts/login/", "/treasury/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy
