"""Words and flows a newcomer meets (issue 14.5), in a real browser: the
debate's size limit said before sending, no reply under a hidden message,
the path from a charter article to a proposed change, and no serious
accessibility violation on the pages this changed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from debates import services as debates
from debates.models import Argument
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import blocking_violations, check, describe
from tests.debates.helpers import make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_debate(page, server, proposal):
    page.goto(f"{server.url}/proposals/{proposal.pk}/")
    expect(page.locator("#debate")).to_have_attribute("data-connection", "live")


def test_a_message_over_10_kb_is_refused_before_sending_with_the_servers_words(
    daphne_server, page, community
):
    proposal = make_proposal(community["alice"])
    log_in(page, daphne_server.url, "bob")
    open_debate(page, daphne_server, proposal)
    page.get_by_label("For").check()
    body = page.get_by_label(re.compile("Message"))
    body.fill("é" * 5200)  # 5,200 characters, 10,400 bytes: over the limit the server counts
    page.get_by_role("button", name="Post", exact=True).click()
    error = page.locator("#debate-form-error")
    expect(error).to_have_text(debates.too_long_message())
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(body).to_have_value("é" * 5200)  # nothing lost
    assert not Argument.objects.exists()

    body.fill("é" * 5000)  # 10,000 bytes: within it
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator("article.argument")).to_have_count(1, timeout=5_000)
    expect(error).to_be_hidden()


def test_reply_is_withdrawn_live_when_its_thread_is_hidden(browser, daphne_server, community):
    proposal = make_proposal(community["alice"])
    root = debates.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="buy pills", stance="pro"
    )
    reply = debates.post_argument(
        actor=community["ada"], proposal_id=proposal.pk, body="No thanks", parent_id=root.pk
    )
    member_context, steward_context = browser.new_context(), browser.new_context()
    try:
        member, steward = member_context.new_page(), steward_context.new_page()
        log_in(member, daphne_server.url, "alice")
        log_in(steward, daphne_server.url, "carol")
        open_debate(member, daphne_server, proposal)
        open_debate(steward, daphne_server, proposal)
        expect(member.locator(f"#reply-body-{reply.pk}")).to_have_count(1)

        thread = steward.locator(f"#argument-{root.pk}")
        thread.get_by_text("Hide (steward)").first.click()
        thread.get_by_label("Public reason for hiding").first.fill("Advertising")
        thread.get_by_role("button", name="Hide the message").first.click()

        notice = member.locator(f"#argument-{root.pk} > .hidden-notice")
        expect(notice).to_contain_text("Reason: Advertising", timeout=5_000)
        expect(member.locator(f"#argument-{root.pk} [data-reply-action]")).to_have_count(0)
        expect(member.locator(f"#reply-body-{reply.pk}")).to_have_count(0)
    finally:
        member_context.close()
        steward_context.close()


def test_from_a_charter_article_to_a_proposed_change(daphne_server, page, community):
    log_in(page, daphne_server.url, "alice")
    page.goto(daphne_server.url + reverse("members:home"))
    page.get_by_role("link", name="Purpose", exact=True).click()
    page.get_by_role("link", name="Propose a change to this article").click()
    expect(page.locator("main")).to_contain_text("Article to amend: Purpose")
    expect(page.locator("main select")).to_have_count(1)  # the class; the article is chosen
    page.get_by_label("Title", exact=True).fill("")
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator(".error-summary")
    expect(summary).to_have_count(1)
    summary.get_by_role("link", name=re.compile("^Title:")).click()
    expect(page.get_by_label("Title", exact=True)).to_be_focused()
    violations = blocking_violations(page)
    assert not violations, describe("amendment form with errors", violations)


def test_changed_pages_have_no_serious_accessibility_violations(daphne_server, page, community):
    paths = [
        reverse("members:home"),
        reverse("governance:article", args=["purpose"]),
        reverse("governance:bylaws"),
    ]
    check(page, daphne_server.url, paths)
    log_in(page, daphne_server.url, "alice")
    check(
        page,
        daphne_server.url,
        [
            *paths,
            reverse("proposals:create", args=["amendment"]),
            reverse("proposals:create", args=["amendment"]) + "?article=purpose",
        ],
    )
