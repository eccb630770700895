import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from proposals.models import Ballot, Proposal
from tests.proposals.helpers import draft, hold_vote

pytestmark = pytest.mark.django_db


def client_for(member):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=member)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_member_drafts_and_submits_a_proposal_through_the_api(community):
    api = client_for(community["alice"])
    response = api.post(
        "/api/v1/proposals/",
        {"kind": "motion", "title": "Open our books monthly", "body": "Transparency."},
        format="json",
    )
    assert response.status_code == 201, response.content
    proposal_id = response.json()["id"]
    assert response.json()["state"] == "draft"
    response = api.post(f"/api/v1/proposals/{proposal_id}/submit/")
    assert response.status_code == 200
    assert response.json()["state"] == "discussion"
    assert response.json()["rules"]["voting_days"] == 14


def test_anonymous_reads_proposals_but_cannot_draft(community):
    hold_vote(draft(community["alice"]), yes=[community["alice"]], enact=False)
    api = APIClient()
    assert api.get("/api/v1/proposals/").status_code == 200
    response = api.post("/api/v1/proposals/", {"kind": "motion", "title": "x", "body": "y"})
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_drafts_are_private_to_their_authors(community):
    proposal = draft(community["alice"])
    assert client_for(community["bob"]).get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    assert (
        client_for(community["alice"]).get(f"/api/v1/proposals/{proposal.pk}/").status_code == 200
    )


def test_empty_or_oversized_proposal_is_a_400_with_a_message(community):
    api = client_for(community["alice"])
    response = api.post(
        "/api/v1/proposals/", {"kind": "motion", "title": "", "body": "y"}, format="json"
    )
    assert response.status_code == 400
    assert "title" in response.json()["detail"]
    response = api.post(
        "/api/v1/proposals/",
        {"kind": "motion", "title": "Big", "body": "x" * 1_000_000},
        format="json",
    )
    assert response.status_code == 400
    assert "too long" in response.json()["detail"]
    assert not Proposal.objects.exists()


# The ballot endpoint runs in a worker thread with its own database connection,
# which sees only committed data.
@pytest.mark.django_db(transaction=True)
def test_ballot_errors_have_clear_statuses(community):
    alice = community["alice"]
    proposal = draft(alice)
    api = client_for(alice)
    response = api.post(f"/api/v1/proposals/{proposal.pk}/ballot/", {"choice": "yes"})
    assert response.status_code == 409
    assert "not opened" in response.json()["detail"]
    response = api.post(f"/api/v1/proposals/{proposal.pk}/ballot/", {"choice": "maybe"})
    assert response.status_code == 400
    assert api.post("/api/v1/proposals/999/ballot/", {"choice": "yes"}).status_code == 404
    # A number beyond the database's integers is a missing proposal, not a server error.
    response = api.post(f"/api/v1/proposals/{2**64}/ballot/", {"choice": "yes"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Ballot.objects.exists()


def test_results_explain_the_outcome(community):
    alice, bob, carol = community["alice"], community["bob"], community["carol"]
    proposal = hold_vote(draft(alice), yes=[alice, bob], no=[carol], enact=False)
    data = APIClient().get(f"/api/v1/proposals/{proposal.pk}/results/").json()
    assert (data["yes"], data["no"], data["abstain"], data["electorate_size"]) == (2, 1, 0, 4)
    assert data["outcome"] == "passed"
    assert data["explanation"] == ("passed: 67 % yes of yes+no > 1/2; turnout 75 % ≥ 1/10 (3 of 4)")
    ballots = APIClient().get(f"/api/v1/proposals/{proposal.pk}/ballots/").json()
    assert ballots["secrecy"] == "roll_call"
    assert {"member": "carol", "choice": "no"} in ballots["ballots"]


def test_openapi_schema_documents_the_ballot_endpoint(db):
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/proposals/{id}/ballot/" in response.content


@pytest.mark.django_db(transaction=True)
def test_member_casts_and_changes_a_ballot_through_the_api(community):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from proposals import services

    alice, bob = community["alice"], community["bob"]
    proposal = draft(alice)
    with time_machine.travel(timezone.now() - timedelta(days=8), tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=alice)
    services.advance_proposal(proposal_id=proposal.pk)
    api = client_for(bob)
    first = api.post(f"/api/v1/proposals/{proposal.pk}/ballot/", {"choice": "yes"}, format="json")
    second = api.post(f"/api/v1/proposals/{proposal.pk}/ballot/", {"choice": "no"}, format="json")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["changed"] is True
    assert second.json()["receipt"] == first.json()["receipt"]
    assert Ballot.objects.get(proposal=proposal, voter=bob).choice == "no"
    assert APIClient().get(f"/api/v1/proposals/{proposal.pk}/results/").json()["no"] == 1


def test_a_number_for_the_title_is_refused_not_taken_as_text(community):
    api = client_for(community["alice"])
    response = api.post("/api/v1/proposals/", {"kind": "motion", "title": 123, "body": "y"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "title: Not a valid string.",
        "code": "invalid",
        "fields": {"title": ["Not a valid string."]},
    }
    assert not Proposal.objects.exists()


def test_a_field_deep_in_the_body_is_named_by_its_path(community):
    api = client_for(community["alice"])
    response = api.post(
        "/api/v1/proposals/",
        {
            "kind": "budget",
            "title": "Chairs",
            "body": "We sit.",
            "budget_items": [
                {"purpose": "Chairs", "amount_cents": 100},
                {"purpose": "Tables", "amount_cents": "100"},
                {"purpose": "Lamps", "amount_cents": 2**63},
            ],
        },
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["budget_items.1.amount_cents"] == ["A valid integer is required."]
    assert fields["budget_items.2.amount_cents"][0].startswith("Ensure this value is less")
    assert set(fields) == {"budget_items.1.amount_cents", "budget_items.2.amount_cents"}


def test_a_body_that_is_not_an_object_is_a_400_without_fields(community):
    api = client_for(community["alice"])
    response = api.post("/api/v1/proposals/", ["not", "an", "object"])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "dictionary" in response.json()["detail"]
    assert "fields" not in response.json()


def test_an_unknown_filter_value_is_a_400_not_ignored(community):
    api = APIClient()
    for query in ("state=nonsense", "kind=nonsense"):
        response = api.get(f"/api/v1/proposals/?{query}")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
    assert api.get("/api/v1/proposals/?state=&kind=").status_code == 200


def test_pages_keep_to_the_documented_limit_and_offset(community):
    for number in range(3):
        draft(community["alice"], title=f"Draft {number}")
    api = client_for(community["alice"])
    page = api.get("/api/v1/proposals/?limit=2").json()
    assert (page["count"], len(page["results"])) == (3, 2)
    assert len(api.get(page["next"]).json()["results"]) == 1
    for query in ("limit=0", "limit=201", "limit=two", "offset=-1", f"offset={2**64}"):
        response = api.get(f"/api/v1/proposals/?{query}")
        assert response.status_code == 400, query
        assert response.json()["code"] == "invalid"
