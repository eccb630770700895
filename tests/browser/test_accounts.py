"""Sign-up to membership in a real browser against a real Daphne server."""

from __future__ import annotations

import re

import pytest

from members.models import Member
from tests.factories import DEFAULT_PASSWORD, found, make_member

pytestmark = pytest.mark.browser

PASSWORD = "lentil-harbour-quietly-93"
# "Login" is allauth's label; "Username or email" once settings use members.forms.LoginForm.
LOGIN_LABEL = re.compile(r"^(login|username or email)$", re.IGNORECASE)


def wait_for_confirmation_link(server, page) -> str:
    """The test server prints emails to its log (console email backend)."""
    for _attempt in range(50):
        match = re.search(r"(http://[^\s]+/accounts/confirm-email/[^\s]+/)", server.log())
        if match:
            return match.group(1)
        page.wait_for_timeout(100)
    raise AssertionError(f"no confirmation email in the server log:\n{server.log()}")


def test_sign_up_confirm_email_log_in_and_see_member_on_dashboard(daphne_server, page):
    found(founders=[make_member("alice")])

    page.goto(f"{daphne_server.url}/accounts/signup/")
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Email").fill("nadia@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("I have read the bylaws in force and I accept them.").check()
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()

    page.goto(wait_for_confirmation_link(daphne_server, page))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    if page.get_by_role("button", name="Log out").count():
        # allauth logs the person in after confirming in the same browser.
        page.get_by_role("button", name="Log out").click()
        page.wait_for_load_state()

    page.goto(f"{daphne_server.url}/accounts/login/")
    page.get_by_label(LOGIN_LABEL).fill("nadia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("heading", name="My dashboard", level=1).wait_for()
    standing = page.locator("dl.details")
    assert "Member" in standing.inner_text()
    assert Member.objects.get(username="nadia").membership.status == "member"


def test_wrong_password_shows_an_error_summary_linked_to_the_form(daphne_server, page):
    found(founders=[make_member("alice")])

    page.goto(f"{daphne_server.url}/accounts/login/")
    page.get_by_label(LOGIN_LABEL).fill("alice")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "not correct" in alert.inner_text()
    assert "_auth_user_id" not in str(page.context.cookies())


def test_keyboard_user_can_skip_to_the_main_content(daphne_server, page):
    found(founders=[make_member("alice")])

    page.goto(f"{daphne_server.url}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")

    assert page.evaluate("location.hash") == "#main"


def test_language_switcher_works_without_javascript(daphne_server, browser):
    found(founders=[make_member("alice")])
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{daphne_server.url}/")
        page.get_by_role("button", name="Afficher ce site en français").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.get_by_role("link", name="Aller au contenu principal").count() == 1
    finally:
        context.close()


def test_directory_search_updates_results_as_the_member_types(daphne_server, page):
    found(founders=[make_member("alice")])
    make_member("zoe", display_name="Zoé Martin")
    make_member("bob")
    page.goto(f"{daphne_server.url}/accounts/login/")
    page.get_by_label(LOGIN_LABEL).fill("alice")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My dashboard", level=1).wait_for()

    page.goto(f"{daphne_server.url}/members/")
    page.evaluate("window.__same_document = true")
    page.get_by_label("Search by name").fill("zoé")
    page.get_by_role("link", name="Zoé Martin").wait_for()
    page.get_by_role("link", name="bob").wait_for(state="detached")

    assert page.evaluate("window.__same_document === true")  # updated in place by htmx
    assert "q=zo" in page.url
