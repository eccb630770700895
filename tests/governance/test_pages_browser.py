"""The governance pages in a real browser: accessible, and the diff readable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.proposals.helpers import amend

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def test_governance_pages_have_no_serious_accessibility_violations(community, daphne_server, page):
    from axe_playwright_python.sync_playwright import Axe

    voters = [community[name] for name in ("alice", "bob", "carol", "ada")]
    amend(voters[0], voters, slug="dues", text="Membership is free. Dues are optional.")
    failures = []
    for path in (
        reverse("governance:bylaws"),
        reverse("governance:article", args=["dues"]),
        reverse("governance:journal"),
        reverse("governance:audit"),
    ):
        response = page.goto(daphne_server.url + path)
        assert response is not None and response.status == 200, path
        violations = [
            v for v in Axe().run(page).response["violations"] if v.get("impact") in BLOCKING
        ]
        failures += [f"{path}: {v['id']} {v['help']}" for v in violations]
    assert not failures, "\n".join(failures)


def test_article_diff_announces_added_and_removed_text(community, daphne_server, page):
    voters = [community[name] for name in ("alice", "bob", "carol", "ada")]
    amend(voters[0], voters, slug="dues", text="Membership is free. Dues are optional.")
    page.goto(daphne_server.url + reverse("governance:article", args=["dues"]))
    diff = page.locator("#version-2 .diff")
    assert diff.locator("ins").first.is_visible()
    assert diff.locator("del").first.is_visible()
    # Screen readers hear which text was added or removed, not just the words.
    assert diff.locator("ins .visually-hidden").first.text_content() == "[added: "
    assert diff.locator("del .visually-hidden").first.text_content() == "[removed: "
    assert "optional" in diff.locator("ins").all_text_contents()[-1]
    assert page.locator("#diff-legend").is_visible()
