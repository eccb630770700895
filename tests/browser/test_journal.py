"""The journal page in Chromium: sentences first, the record of an entry one
click away, and no serious accessibility violation with it open, in English
and in French."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.test_accessibility import blocking_violations, describe
from tests.factories import make_member
from tests.proposals.helpers import amend

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_journal_reads_as_sentences_with_the_record_one_click_away(
    community, daphne_server, page, language
):
    make_member("dan", admitted_days_ago=0, display_name="Dan Okafor")
    voters = list(community.values())
    amend(voters[0], voters, slug="dues", text="Membership is free.")
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": daphne_server.url}]
    )
    url = daphne_server.url + reverse("governance:journal")

    page.goto(url)

    first = page.locator("li.journal-entry").first
    record = first.locator("details.journal-record")
    assert not record.locator("dl").is_visible()
    violations = blocking_violations(page)
    assert not violations, describe(url, violations)

    record.locator("summary").click()

    assert record.locator("code.hash").first.is_visible()
    assert record.locator("pre.journal-payload").is_visible()
    violations = blocking_violations(page)
    assert not violations, describe(url + " (a record open)", violations)
    joined = {"en": "Dan Okafor joined the community.", "fr": "Dan Okafor a rejoint la communauté."}
    assert page.get_by_text(joined[language]).is_visible()
