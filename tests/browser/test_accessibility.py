"""axe-core over the main pages: no serious or critical violation anywhere."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import NoReverseMatch, reverse

from tests.browser.helpers import log_in
from tests.factories import found, make_member

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def blocking_violations(page) -> list[dict]:
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING]


def describe(url: str, violations: list[dict]) -> str:
    lines = [f"{url}: {len(violations)} serious/critical accessibility violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"      {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"      at {', '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"         {summary}")
    return "\n".join(lines)


def existing_paths(*names: str) -> list[str]:
    """Pages of other apps, checked once those apps define them."""
    paths = []
    for name in names:
        try:
            paths.append(reverse(name))
        except NoReverseMatch:
            continue
    return paths


def check(page, base_url: str, paths: list[str]) -> None:
    failures = []
    for path in paths:
        response = page.goto(base_url + path)
        assert response is not None and response.status < 400, f"{path}: HTTP {response.status}"
        violations = blocking_violations(page)
        if violations:
            failures.append(describe(path, violations))
    assert not failures, "\n\n".join(failures)


def test_public_pages_have_no_serious_accessibility_violations(daphne_server, page):
    found(founders=[make_member("alice")])
    paths = [
        reverse("members:home"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        *existing_paths("proposals:list", "governance:bylaws", "governance:journal"),
        *existing_paths("governance:audit", "treasury:overview"),
    ]

    check(page, daphne_server.url, paths)


def test_member_pages_have_no_serious_accessibility_violations(daphne_server, page):
    carol = make_member("carol", display_name="Carol Steward", bio="I moderate debates.")
    found(founders=[make_member("alice")], appointments={"steward": [carol]})
    make_member("bob")
    log_in(page, daphne_server.url, "carol")
    paths = [
        reverse("members:home"),
        reverse("members:dashboard"),
        reverse("members:directory"),
        reverse("members:directory") + "?q=nobody-matches",
        reverse("members:profile", args=["bob"]),  # with the steward's suspension form
        reverse("members:edit_profile"),
        reverse("members:leave"),
        reverse("members:applicants"),
        reverse("account_email"),
        reverse("account_change_password"),
        *existing_paths("proposals:notifications"),
    ]

    check(page, daphne_server.url, paths)


def test_form_errors_have_no_serious_accessibility_violations(daphne_server, page):
    found(founders=[make_member("alice")])
    page.goto(f"{daphne_server.url}/accounts/signup/")
    page.locator("main form button[type=submit]").click()
    page.get_by_role("alert").first.wait_for()

    violations = blocking_violations(page)

    assert not violations, describe("/accounts/signup/ (with errors)", violations)
