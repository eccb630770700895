import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from proposals import services
from proposals.models import Ballot, Proposal
from tests.factories import make_member
from tests.proposals.helpers import draft, hold_vote

pytestmark = pytest.mark.django_db


def open_vote(author):
    proposal = draft(author, title="Plant trees")
    with time_machine.travel(timezone.now() - timedelta(days=8), tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=author)
    services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    return proposal


def test_list_filters_by_state_and_kind_and_searches(client, community):
    alice = community["alice"]
    hold_vote(draft(alice, title="Rejected idea"), no=[alice], enact=False)
    services.submit_proposal(proposal_id=draft(alice, title="Fresh idea").pk, actor=alice)
    page = client.get("/proposals/", {"state": "discussion"}).content.decode()
    assert "Fresh idea" in page and "Rejected idea" not in page
    page = client.get("/proposals/", {"q": "rejected"}).content.decode()
    assert "Rejected idea" in page and "Fresh idea" not in page


def test_member_votes_with_a_plain_form_post_and_sees_their_ballot(client, community):
    bob = community["bob"]
    proposal = open_vote(community["alice"])
    client.force_login(bob)
    response = client.post(f"/proposals/{proposal.pk}/ballot/", {"choice": "no"}, follow=True)
    assert response.status_code == 200
    assert Ballot.objects.get(proposal=proposal, voter=bob).choice == "no"
    assert "Your ballot is recorded" in response.content.decode()


def test_htmx_vote_returns_only_the_vote_panel(client, community):
    proposal = open_vote(community["alice"])
    client.force_login(community["carol"])
    response = client.post(
        f"/proposals/{proposal.pk}/ballot/", {"choice": "yes"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="vote"')
    assert "Your ballot is recorded" in body


def test_the_vote_buttons_show_the_current_ballot_and_favour_no_choice(client, community):
    proposal = open_vote(community["alice"])
    client.force_login(community["carol"])

    def pressed(body):
        return re.findall(r'value="(\w+)" aria-pressed="true"', body)

    before = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert pressed(before) == []
    assert before.count('class="button button-secondary" type="submit" name="choice"') == 3
    response = client.post(
        f"/proposals/{proposal.pk}/ballot/", {"choice": "no"}, HTTP_HX_REQUEST="true"
    )
    assert pressed(response.content.decode()) == ["no"]


def test_a_member_who_cannot_vote_is_told_why(client, community):
    proposal = open_vote(community["alice"])
    newcomer = make_member("newcomer", admitted_days_ago=0)
    client.force_login(newcomer)
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "admitted after voting opened" in page
    response = client.post(f"/proposals/{proposal.pk}/ballot/", {"choice": "yes"})
    assert response.status_code == 403
    assert not Ballot.objects.filter(voter=newcomer).exists()


def test_state_is_never_stale_on_read(client, community):
    alice = community["alice"]
    proposal = draft(alice)
    with time_machine.travel(timezone.now() - timedelta(days=30), tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=alice)
    client.get(f"/proposals/{proposal.pk}/")
    assert Proposal.objects.get(pk=proposal.pk).state == "failed_quorum"


def test_draft_form_errors_are_shown_and_nothing_is_saved(client, community):
    client.force_login(community["alice"])
    response = client.post("/proposals/new/motion/", {"title": "", "body": ""})
    assert response.status_code == 400
    assert "Please correct the following" in response.content.decode()
    assert not Proposal.objects.exists()


def test_author_drafts_edits_and_the_revision_shows_a_diff(client, community):
    alice = community["alice"]
    client.force_login(alice)
    response = client.post("/proposals/new/motion/", {"title": "Plant trees", "body": "Ten trees."})
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    client.post(
        f"/proposals/{proposal.pk}/edit/", {"title": "Plant trees", "body": "Twenty trees."}
    )
    page = client.get(f"/proposals/{proposal.pk}/revisions/2/").content.decode()
    assert "<del>" in page and "Ten trees." in page
    assert "<ins>" in page and "Twenty trees." in page


def test_amendment_page_warns_of_a_legal_structure_change_and_shows_the_diff(client, community):
    alice = community["alice"]
    proposal = draft(
        alice,
        kind="amendment",
        amendments=[
            {
                "article_slug": "asset-lock",
                "new_title": "Asset lock",
                "new_class": "ordinary",
                "new_text": "Assets may be sold.",
            }
        ],
    )
    client.force_login(alice)
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Legal-structure change" in page
    assert "Assets may be sold." in page
    assert "from Entrenched to Ordinary" in page


def test_a_budget_with_one_line_is_saved_and_empty_extra_lines_are_ignored(client, community):
    client.force_login(community["bob"])
    response = client.post(
        "/proposals/new/budget/",
        {
            "title": "Shelter",
            "body": "A bike shelter.",
            "lines-TOTAL_FORMS": "4",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "20",
            "lines-0-purpose": "Shelter",
            "lines-0-amount": "800",
            "lines-0-fund": "general",
            **{f"lines-{i}-fund": "general" for i in (1, 2, 3)},
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = Proposal.objects.get()
    assert list(proposal.budget_items.values_list("purpose", "amount_cents")) == [
        ("Shelter", 80_000)
    ]


def test_an_amendment_starts_from_the_text_in_force_and_never_defaults_to_ordinary(
    client, community
):
    client.force_login(community["alice"])
    page = client.get("/proposals/new/amendment/", {"article": "asset-lock"}).content.decode()
    assert "never distributed to members" in page
    assert '<option value="entrenched" selected>' in page
    blank = client.get("/proposals/new/amendment/").content.decode()
    assert '<option value="ordinary" selected>' not in blank
