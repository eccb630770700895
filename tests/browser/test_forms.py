"""A form that comes back with errors takes the focus to its summary, whose
links lead to each field (static/js/errors.js)."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_form_brings_the_focus_to_what_to_correct(daphne_server, page, community):
    log_in(page, daphne_server.url, "bob")
    page.goto(f"{daphne_server.url}/treasury/record/donation/")
    page.get_by_label("Amount").fill("twelve")
    page.locator("main form button[type=submit]").last.click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Amount")).to_be_focused()
