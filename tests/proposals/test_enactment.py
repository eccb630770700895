"""Bylaws change through a real vote, and only under the right rules."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from governance import selectors
from governance.models import BylawVersion
from proposals.decision import required_decision_class
from tests.proposals.helpers import amend, draft, hold_vote

pytestmark = pytest.mark.django_db

NEW_PURPOSE = (
    "The association exists to run, for its members and the public, a platform that its "
    "community designs, operates and finances together, and to keep it free of any single "
    "owner or investor."
)


@pytest.fixture
def voters(community):
    return [community[name] for name in ("alice", "bob", "carol", "ada")]


def test_demoting_an_entrenched_article_is_a_legal_structure_decision(community):
    assert (
        required_decision_class(
            kind="amendment", amendments=[{"article_slug": "purpose", "new_class": "ordinary"}]
        )
        == "entrenched"
    )
    proposal = draft(
        community["alice"],
        kind="amendment",
        amendments=[
            {
                "article_slug": "purpose",
                "new_title": "Purpose",
                "new_class": "ordinary",
                "new_text": selectors.current_version("purpose").text,
            }
        ],
    )
    from proposals import services as proposal_services

    proposal = proposal_services.submit_proposal(proposal_id=proposal.pk, actor=community["alice"])
    assert proposal.decision_class == "entrenched"
    assert proposal.notice_ends_at is not None


def test_demotion_with_a_simple_majority_fails_and_the_article_stays_entrenched(community, voters):
    """2 yes, 1 no would pass an ordinary decision (67 % > 50 %, turnout 75 %),
    but not a legal-structure one (67 % < 75 %)."""
    before = selectors.current_version("purpose")
    proposal = draft(
        community["alice"],
        kind="amendment",
        amendments=[
            {
                "article_slug": "purpose",
                "new_title": "Purpose",
                "new_class": "ordinary",
                "new_text": before.text,
            }
        ],
    )
    proposal = hold_vote(proposal, yes=voters[:2], no=voters[2:3])
    assert proposal.state == "rejected"
    after = selectors.current_version("purpose")
    assert (after.pk, after.article_class) == (before.pk, "entrenched")


def test_a_passed_entrenched_amendment_creates_version_2_after_its_timelock(client, voters):
    proposal = amend(voters[0], voters, slug="purpose", text=NEW_PURPOSE)
    assert proposal.state == "enacted"
    assert proposal.decision_class == "entrenched"
    versions = list(BylawVersion.objects.filter(article__slug="purpose").order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].enacted_by_id == proposal.pk
    assert versions[1].text == NEW_PURPOSE
    assert versions[1].is_entrenched
    call_command("verify_journal")  # the new text is attested by the journal


def test_public_history_shows_the_enacted_change_and_why_it_passed(client, voters):
    proposal = amend(voters[0], voters, slug="purpose", text=NEW_PURPOSE)
    response = client.get(reverse("governance:article", args=["purpose"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Version 2: Purpose" in html
    assert "Version 1: Purpose" in html
    assert html.index("Version 2: Purpose") < html.index("Version 1: Purpose")
    # The diff between versions 1 and 2 marks what was removed and added.
    diff = html[html.index('class="diff"') :]
    diff = diff[: diff.index("</div>")]
    assert "keep it free of any single" in diff
    assert '<del><span class="visually-hidden">[removed: </span> owner.' in diff
    assert '<ins><span class="visually-hidden">[added: </span> owner or investor.' in diff
    # The result explanation comes from the frozen rules and the tally.
    assert "passed: 100 % yes of yes+no ≥ 3/4" in html
    assert f"#{proposal.pk} {proposal.title}" in html
    # The bylaws page now shows version 2.
    bylaws = client.get(reverse("governance:bylaws")).content.decode()
    assert "owner or investor." in bylaws
    api = APIClient().get(reverse("governance-api:bylaw_versions", args=["purpose"])).json()
    assert [v["enacted_by"] for v in api] == [None, proposal.pk]


def test_journal_records_the_new_version(voters):
    proposal = amend(voters[0], voters, slug="dues", text="Membership is free. No dues.")
    created = selectors.journal_entries(kinds=["bylaw.version_created"]).get()
    assert created.payload["article"] == "dues"
    assert created.payload["version"] == 2
    assert created.payload["proposal"] == proposal.pk
