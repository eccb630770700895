"""What every browser test does the same way."""

from __future__ import annotations

from tests.factories import DEFAULT_PASSWORD


def log_in(page, base_url: str, username: str) -> None:
    """Log in through the real login form, as a person would, and wait for
    the page it leads to (the member's dashboard)."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/dashboard/")
