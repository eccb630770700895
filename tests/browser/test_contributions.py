"""Three people in three browsers (real Daphne, real Chromium): Alice posts a
need, Dave offers, Alice accepts and confirms his hours, Dave's balance
moves; Erin watches the marketplace, which shows the need without a
reload. The contribution pages pass axe-core."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from contributions import services
from tests.browser.helpers import log_in
from tests.contributions.factories import HoursFactory, NeedFactory, OfferFactory
from tests.factories import found, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(settings, tmp_path, monkeypatch):
    media = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    settings.MEDIA_ROOT = media
    people = {name: make_member(name) for name in ("alice", "bob", "carol", "ada", "dave", "erin")}
    found(
        founders=[people["alice"]],
        appointments={
            "treasurer": [people["bob"]],
            "steward": [people["carol"]],
            "auditor": [people["ada"]],
        },
    )
    return people


def serious(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']}" for v in violations if v.get("impact") in ("serious", "critical")
    ]


def browse(browser, server, username=None):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    if username:
        log_in(page, server.url, username)
    return context, page


def test_post_offer_accept_confirm_and_the_marketplace_follows_live(browser, daphne_server, people):
    base = daphne_server.url
    contexts = []
    try:
        context, watcher = browse(browser, daphne_server, "erin")
        contexts.append(context)
        watcher.goto(f"{base}/contributions/marketplace/")
        expect(watcher.locator("#marketplace")).to_have_attribute("data-connection", "live")

        context, alice = browse(browser, daphne_server, "alice")
        contexts.append(context)
        alice.goto(f"{base}/contributions/needs/new/")
        alice.get_by_label("What is needed").fill("Help repainting the crèche")
        alice.get_by_label("Description").fill("Two hours, *paint provided*.")
        alice.get_by_label(re.compile(r"^Skills wanted")).fill("painting")
        alice.get_by_label("Estimated time, per person").fill("2")
        alice.get_by_label(re.compile(r"^Place")).fill("Crèche des Lilas")
        alice.get_by_label("From", exact=True).fill("2099-03-01T09:00")
        alice.get_by_label("Until", exact=True).fill("2099-03-01T12:00")
        alice.get_by_role("button", name="Post the need").click()
        alice.wait_for_url(re.compile(r".*/contributions/needs/\d+/$"))
        need_url = alice.url

        live = watcher.locator("[data-needs] li", has_text="Help repainting the crèche")
        expect(live).to_be_visible(timeout=5000)

        context, dave = browse(browser, daphne_server, "dave")
        contexts.append(context)
        dave.goto(need_url)
        dave.get_by_label(re.compile(r"^Your offer")).fill("I can paint on Saturday.")
        dave.get_by_role("button", name="Offer help").click()
        expect(dave.get_by_text("Your offer was sent.")).to_be_visible()

        alice.goto(need_url)
        alice.get_by_role("button", name=re.compile("Accept the offer of")).click()
        expect(alice.get_by_text("The offer was accepted.")).to_be_visible()

        dave.goto(need_url)
        dave.get_by_role("link", name="Log the hours I gave").click()
        dave.get_by_label("Time given").fill("2")
        dave.get_by_label("Day").fill(timezone.now().date().isoformat())
        dave.get_by_role("button", name="Log hours").click()
        expect(dave.get_by_text("Your hours were logged")).to_be_visible()

        alice.goto(need_url)
        alice.get_by_role("button", name=re.compile("Confirm the hours of")).click()
        expect(alice.get_by_text("entered in the time ledger")).to_be_visible()

        dave.goto(f"{base}/contributions/me/")
        expect(dave.locator("[data-balance]")).to_have_text("2.00")
        # The marketplace shows the need filled, still without a reload.
        expect(live.locator('[data-field="state"]')).to_have_text("Filled", timeout=5000)
    finally:
        for context in contexts:
            context.close()


def test_the_contribution_pages_pass_axe(browser, daphne_server, people):
    services.update_profile(actor=people["dave"], skills=["Painting"])
    need = NeedFactory(posted_by=people["alice"], skills=["painting"])
    hours = HoursFactory(offer=OfferFactory(need=need, member=people["dave"], accepted=True))
    services.confirm_contribution(actor=people["alice"], contribution_id=hours.pk)
    services.post_standing_offer(actor=people["ada"], title="Bookkeeping", availability="4 h")
    reference = services.account_of(people["dave"]).reference
    base = daphne_server.url
    context, page = browse(browser, daphne_server, "dave")
    failures = {}
    try:
        for path in (
            "/contributions/",
            "/contributions/marketplace/",
            f"/contributions/needs/{need.pk}/",
            "/contributions/needs/new/",
            "/contributions/needs/new/?community=1",
            "/contributions/standing-offers/new/",
            "/contributions/standing-offers/1/",
            "/contributions/me/",
            "/contributions/ledger/",
            f"/contributions/accounts/{reference}/",
        ):
            page.goto(base + path)
            failures[path] = serious(page)
        page.goto(f"{base}/contributions/needs/new/")
        page.get_by_role("button", name="Post the need").click()
        expect(page.locator(".error-summary")).to_be_visible()
        failures["need form with errors"] = serious(page)
    finally:
        context.close()
    assert {path: found for path, found in failures.items() if found} == {}
