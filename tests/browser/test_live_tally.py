"""A live proposal page agrees with itself (real Daphne, real Chromium).

A ballot cast in one browser moves every tally figure in the others at once:
the debate's small strip, the big tally's numbers, bars and sentences, and
its "if voting closed now" explanation, in each reader's language. An
argument moves the counts. The close swaps the vote box for the result."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from governance.selectors import current_parameters
from proposals import services
from tests.browser.helpers import log_in
from tests.browser.test_accessibility import blocking_violations, describe
from tests.proposals.helpers import MINUTE, draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = 5_000  # ms: what a reader may wait for a figure to move

# Every tally figure of the page, read as the reader sees it.
READ_FIGURES = """() => {
  const text = (selector) => {
    const node = document.querySelector(selector);
    return node ? node.textContent.trim() : null;
  };
  const figures = {};
  for (const name of ["yes", "no", "abstain"]) {
    figures["strip_" + name] = text('#debate [data-debate-tally] [data-tally="' + name + '"]');
    figures["big_" + name] = text('#vote [data-live-results] [data-tally="' + name + '"]');
    const bar = document.querySelector('#vote [data-tally-bar="' + name + '"]');
    figures["bar_" + name] = bar ? bar.getAttribute("width") : null;
  }
  figures.chart = text("#vote desc");
  figures.turnout = text("#vote p[data-tally-sentence]");
  figures.explanation = text("#vote [data-tally-explanation]");
  figures.counts = text("#debate [data-debate-counts]");
  return figures;
}"""


def voting_closes_within_the_hour(author, title):
    """A motion whose vote is open now and closes in an hour."""
    rules = current_parameters()
    proposal = draft(author, title=title)
    submitted = timezone_now() - timedelta(days=rules.discussion_days + rules.voting_days)
    with time_machine.travel(submitted + timedelta(hours=1), tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=author)
    proposal = services.advance_proposal(proposal_id=proposal.pk)
    assert proposal.state == "voting"
    return proposal


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def open_live(page, server, proposal):
    page.goto(f"{server.url}/proposals/{proposal.pk}/")
    expect(page.locator("#debate")).to_have_attribute("data-connection", "live")


def expect_tally(page, *, yes, no, abstain, electorate, explanation):
    """Every figure shows these counts, and the strip and the big tally agree."""
    for name, count in (("yes", yes), ("no", no), ("abstain", abstain)):
        expect(page.locator(f'#vote [data-live-results] [data-tally="{name}"]')).to_have_text(
            str(count), timeout=LIVE
        )
        expect(page.locator(f'#debate [data-debate-tally] [data-tally="{name}"]')).to_have_text(
            str(count), timeout=LIVE
        )
        expect(page.locator(f'#vote [data-tally-bar="{name}"]')).to_have_attribute(
            "width", str(round(300 * count / electorate)), timeout=LIVE
        )
    expect(page.locator("#vote [data-tally-explanation]")).to_have_text(explanation, timeout=LIVE)
    figures = page.evaluate(READ_FIGURES)
    for name in ("yes", "no", "abstain"):
        assert figures[f"strip_{name}"] == figures[f"big_{name}"], figures
    return figures


def test_a_ballot_moves_every_tally_figure_in_every_other_browser(
    browser, daphne_factory, community
):
    server = daphne_factory(extra_env={"REALTIME_HEARTBEAT_SECONDS": "1"})
    proposal = voting_closes_within_the_hour(community["alice"], "Open the workshop on Sundays")
    contexts = [browser.new_context(locale=locale) for locale in ("en-GB", "en-GB", "fr-FR")]
    try:
        voter, reader, lecteur = (context.new_page() for context in contexts)
        log_in(voter, server.url, "bob")
        log_in(reader, server.url, "carol")
        for page in (voter, reader, lecteur):  # the French reader is a visitor
            open_live(page, server, proposal)
        expect_tally(reader, yes=0, no=0, abstain=0, electorate=4, explanation=re.compile(".*"))

        voter.locator("#vote").get_by_role("button", name="Yes").click()
        expect(voter.locator("#vote")).to_contain_text("Your ballot is recorded")
        passing = (
            "If voting closed now: passed: 100 % yes of yes+no > 1/2; turnout 25 % ≥ 1/10 (1 of 4)"
        )
        for page in (voter, reader):
            figures = expect_tally(page, yes=1, no=0, abstain=0, electorate=4, explanation=passing)
            assert figures["chart"] == "Yes 1, no 0, abstain 0, electorate 4."
            assert figures["turnout"].startswith("1 ballots from an electorate of 4.")
        expect_tally(
            lecteur,
            yes=1,
            no=0,
            abstain=0,
            electorate=4,
            explanation=re.compile(
                r"^Si le vote se terminait maintenant\s:\sadoptée.*\(1\ssur\s4\)$"
            ),
        )

        # A changed ballot moves figures down as well as up.
        voter.locator("#vote").get_by_role("button", name="No").click()
        rejecting = (
            "If voting closed now: rejected: 0 % yes of yes+no ≤ 1/2; turnout 25 % ≥ 1/10 (1 of 4)"
        )
        for page in (voter, reader):
            expect_tally(page, yes=0, no=1, abstain=0, electorate=4, explanation=rejecting)

        # An argument moves the counts of every reader.
        counts = "Arguments for: 0 · against: 0 · questions: 0."
        assert reader.evaluate(READ_FIGURES)["counts"] == counts
        voter.get_by_label("Against").check()
        voter.get_by_label(re.compile("Message")).fill("Sundays are for families.")
        voter.get_by_role("button", name="Post", exact=True).click()
        after = "Arguments for: 0 · against: 1 · questions: 0."
        for page in (voter, reader):
            expect(page.locator("#debate [data-debate-counts]")).to_have_text(after, timeout=LIVE)
        expect(lecteur.locator("#debate [data-debate-counts]")).to_contain_text("1", timeout=LIVE)

        violations = blocking_violations(reader)
        assert not violations, describe("live proposal page", violations)

        # The close (stored here, caught up by the page at the next heartbeat):
        # the state badge and the strip change, and the vote box becomes the result.
        with time_machine.travel(proposal.voting_closes_at + MINUTE, tick=False):
            services.advance_proposal(proposal_id=proposal.pk)
        for page in (voter, reader):
            expect(page.locator("[data-proposal-state]")).to_have_text("Rejected", timeout=LIVE)
            expect(page.locator("#debate [data-debate-state]")).to_have_text("Rejected")
            expect(page.get_by_role("heading", name="Result", level=2)).to_be_visible(timeout=LIVE)
            expect(page.locator("#vote form")).to_have_count(0)
            figures = expect_tally(
                page,
                yes=0,
                no=1,
                abstain=0,
                electorate=4,
                explanation=re.compile(r"^rejected: 0 % yes of yes\+no"),
            )
            assert figures["strip_no"] == "1"
    finally:
        for context in contexts:
            context.close()
