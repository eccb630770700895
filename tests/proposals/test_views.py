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


# --- Words and flows (issue 14.5) -------------------------------------------


def test_a_budget_proposal_shows_its_funds_by_name_not_by_slug(client, community):
    from treasury.services import create_fund

    create_fund(
        actor=community["bob"],
        slug="youth-2027",
        name="Youth programme 2027",
        is_restricted=True,
        purpose="Workshops for young people",
    )
    proposal = draft(
        community["alice"],
        kind="budget",
        title="Youth workshops",
        budget_items=[{"purpose": "Workshops", "amount_cents": 50_000, "fund": "youth-2027"}],
    )
    client.force_login(community["alice"])
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "<td>Youth programme 2027</td>" in page
    assert "youth-2027" not in page


def test_the_vote_box_says_before_voting_that_a_roll_call_ballot_is_published(client, community):
    proposal = open_vote(community["alice"])
    client.force_login(community["bob"])
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert 'data-ballot-secrecy="roll_call"' in page
    assert "your name and your ballot will be published for everyone to see" in page
    assert "Your name will not be published" not in page


def test_the_vote_box_says_before_voting_that_a_secret_ballot_stays_secret(client, community):
    from tests.proposals.helpers import change_rules, voting_now

    change_rules(community["alice"], list(community.values()), ballot_secrecy="secret")
    proposal = voting_now(community["alice"], title="Paint the door green")
    assert proposal.rules["ballot_secrecy"] == "secret"
    client.force_login(community["bob"])
    page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert 'data-ballot-secrecy="secret"' in page
    assert "Your name will not be published with your ballot" in page
    assert "will be published for everyone to see" not in page


def test_the_vote_box_alone_is_served_for_the_live_page_to_refresh_it(client, community):
    proposal = open_vote(community["alice"])
    client.force_login(community["bob"])
    response = client.get(f"/proposals/{proposal.pk}/", {"part": "vote"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="vote"')
    assert 'data-state="voting"' in body and "<html" not in body


def test_the_amendment_form_opens_on_the_chosen_article_with_one_picker(client, community):
    client.force_login(community["alice"])
    html = client.get("/proposals/new/amendment/", {"article": "asset-lock"}).content.decode()
    page = html.split("<main", 1)[1]  # the page's content, not the site's header
    assert "never distributed to members" in page  # the text in force, ready to change
    assert page.count("<select") == 1  # the class of the article, not a second article list
    assert 'name="article_slug" value="asset-lock"' in page
    assert 'type="hidden" name="article_slug"' in page
    assert "Choose another article" in page


def test_the_amendment_form_asks_for_the_article_first_with_its_one_picker(client, community):
    client.force_login(community["alice"])
    page = client.get("/proposals/new/amendment/").content.decode().split("<main", 1)[1]
    assert page.count('name="article"') == 1
    assert 'name="article_slug"' not in page and 'method="post"' not in page
    choosing = client.get("/proposals/new/amendment/", {"article": "purpose", "choose": "1"})
    html = choosing.content.decode()
    assert html.count('name="article"') == 1 and 'name="article_slug"' not in html
    assert '<option value="purpose" selected>' in html


def test_an_amendment_posted_from_the_chosen_article_is_saved(client, community):
    client.force_login(community["alice"])
    response = client.post(
        "/proposals/new/amendment/",
        {
            "title": "Say why we exist",
            "body": "Clearer words.",
            "article_slug": "purpose",
            "new_title": "Purpose",
            "new_class": "entrenched",
            "new_text": "We share tools and skills.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    amendment = Proposal.objects.get().amendments.get()
    assert (amendment.article_slug, amendment.new_text) == ("purpose", "We share tools and skills.")


def test_form_errors_are_shown_once_next_to_each_field_with_one_summary_linking_to_them(
    client, community
):
    client.force_login(community["alice"])
    response = client.post(
        "/proposals/new/amendment/",
        {"title": "", "body": "Why.", "article_slug": "purpose", "new_title": "Purpose"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('class="error-summary"') == 1  # one for the page's three forms
    for field in ("id_title", "id_new_class", "id_new_text"):
        assert f'href="#{field}"' in html  # the summary links to the field…
        assert html.count(f'id="{field}_error"') == 1  # …where its error is shown once
    assert "Purpose" in html and "Choose another article" in html  # the chosen article kept


def test_a_refusal_is_shown_once_on_the_form(client, community):
    client.force_login(community["alice"])
    response = client.post(
        "/proposals/new/motion/", {"title": "Budget\u202e7202", "body": "Why and what."}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("invisible characters that reorder text") == 1
    assert not Proposal.objects.exists()


def test_the_vote_box_and_the_chosen_article_read_in_french(client, community):
    proposal = open_vote(community["alice"])
    client.force_login(community["bob"])
    page = client.get(f"/proposals/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<strong>Vote nominal.</strong> Après la clôture, votre nom" in page
    form = client.get(
        "/proposals/new/amendment/", {"article": "purpose"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Article à modifier : <strong>" in form and "Choisir un autre article" in form


def test_who_voted_what_reads_in_the_readers_words(client, community):
    voters = list(community.values())
    proposal = draft(community["alice"], title="Paint the hall")
    hold_vote(proposal, yes=voters[:2], no=voters[2:3])
    french = client.get(f"/proposals/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    table = french[french.index("ballots-title") :]
    assert "<td>Oui</td>" in table and "<td>Non</td>" in table
    assert "<td>yes</td>" not in table
