"""Two people in two browsers on one live debate (real Daphne, real Chromium)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.debates.helpers import make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_new_page(context, server, username):
    page = context.new_page()
    log_in(page, server.url, username)
    return page


def open_debate(page, server, proposal):
    page.goto(f"{server.url}/debates/{proposal.pk}/")
    expect(page.locator("#debate")).to_have_attribute("data-connection", "live")


@pytest.fixture
def debate(community):
    return make_proposal(community["alice"], title="Open the workshop on Sundays")


def test_live_post_then_hide_seen_by_both_browsers(browser, daphne_server, community, debate):
    member_context = browser.new_context(locale="en-GB")
    steward_context = browser.new_context(locale="en-GB")
    try:
        member = log_in_new_page(member_context, daphne_server, "bob")
        steward = log_in_new_page(steward_context, daphne_server, "carol")
        open_debate(member, daphne_server, debate)
        open_debate(steward, daphne_server, debate)

        member.get_by_label("For").check()
        member.get_by_label(re.compile("Message")).fill("Sunday openings help *families*.")
        member.get_by_role("button", name="Post", exact=True).click()

        posted = steward.locator("article.argument", has_text="Sunday openings help families.")
        expect(posted).to_be_visible(timeout=2000)
        expect(posted.locator("em")).to_have_text("families")
        # The poster's own form is cleared and their message shows too.
        expect(member.get_by_label(re.compile("Message"))).to_have_value("")
        mine = member.locator("article.argument", has_text="Sunday openings")
        expect(mine).to_be_visible()
        # Live, without a reload: its author may edit it, from its own text;
        # others may flag it, not edit it.
        mine.get_by_text("Edit", exact=True).click()
        expect(mine.get_by_label(re.compile("New text"))).to_have_value(
            "Sunday openings help *families*."
        )
        expect(posted.get_by_text("Edit", exact=True)).to_have_count(0)
        expect(posted.get_by_text("Flag for the stewards")).to_be_visible()

        posted.get_by_text("Hide (steward)").click()
        posted.get_by_label("Public reason for hiding").fill("Testing the moderation")
        posted.get_by_role("button", name="Hide the message").click()

        notice = "Hidden by carol. Reason: Testing the moderation"
        expect(steward.locator(".hidden-notice", has_text=notice)).to_be_visible()
        expect(member.locator(".hidden-notice", has_text=notice)).to_be_visible(timeout=2000)
        expect(member.locator("article.argument .argument-body:visible")).to_have_count(0)
    finally:
        member_context.close()
        steward_context.close()


def test_debate_works_without_javascript(browser, daphne_server, community, debate):
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    try:
        page = log_in_new_page(context, daphne_server, "bob")
        page.goto(f"{daphne_server.url}/debates/{debate.pk}/")
        page.get_by_label("Against").check()
        page.get_by_label(re.compile("Message")).fill("Volunteers need a day off.")
        page.get_by_role("button", name="Post", exact=True).click()
        expect(
            page.locator("article.argument", has_text="Volunteers need a day off.")
        ).to_be_visible()
        assert re.search(r"#argument-\d+$", page.url)
    finally:
        context.close()


def test_debate_panel_has_no_accessibility_violations(browser, daphne_server, community, debate):
    from axe_playwright_python.sync_playwright import Axe

    from debates import services

    root = services.post_argument(
        actor=community["bob"], proposal_id=debate.pk, body="A *first* point", stance="pro"
    )
    services.post_argument(
        actor=community["ada"], proposal_id=debate.pk, body="A reply", parent_id=root.pk
    )
    services.edit_argument(actor=community["bob"], argument_id=root.pk, body="A *better* point")
    hidden = services.post_argument(
        actor=community["ada"], proposal_id=debate.pk, body="spam", stance="contra"
    )
    services.hide_argument(actor=community["carol"], argument_id=hidden.pk, reason="Spam")
    context = browser.new_context(locale="en-GB")
    try:
        page = log_in_new_page(context, daphne_server, "carol")
        open_debate(page, daphne_server, debate)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
