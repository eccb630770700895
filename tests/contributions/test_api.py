"""The contributions API: token authentication, `{"detail", "code"}` errors
with the domain's codes, and the whole loop of a need through it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contributions import services
from contributions.models import Need, TimeEntry
from tests.contributions.factories import HoursFactory, NeedFactory, OfferFactory
from tests.contributions.helpers import balance_of

pytestmark = pytest.mark.django_db


def client_for(member=None) -> APIClient:
    client = APIClient()
    if member is not None:
        token = Token.objects.create(user=member)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def need_body(**fields) -> dict:
    now = timezone.now()
    return {
        "title": "Crèche volunteers on Wednesdays",
        "description": "Two adults each Wednesday morning.",
        "skills": ["Childcare"],
        "people_needed": 2,
        "estimated_minutes": 180,
        "place": "Parents' crèche",
        "starts_at": (now + timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=30)).isoformat(),
        **fields,
    }


def test_a_need_offered_accepted_logged_and_confirmed_through_the_api(people):
    alice, dave = client_for(people["alice"]), client_for(people["dave"])
    response = alice.post("/api/v1/needs/", need_body(), format="json")
    assert response.status_code == 201, response.json()
    need = response.json()
    assert need["skills"] == ["Childcare"] and need["state"] == "open"
    offer = dave.post(
        f"/api/v1/needs/{need['id']}/offers/", {"message": "Wednesdays suit me"}, format="json"
    )
    assert offer.status_code == 201
    accepted = alice.post(f"/api/v1/offers/{offer.json()['id']}/accept/")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    logged = dave.post(
        "/api/v1/contributions/",
        {
            "offer": offer.json()["id"],
            "minutes": 180,
            "worked_on": timezone.now().date().isoformat(),
        },
        format="json",
    )
    assert logged.status_code == 201 and logged.json()["hours"] == "3.00"
    confirmed = alice.post(f"/api/v1/contributions/{logged.json()['id']}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["state"] == "confirmed"
    assert confirmed.json()["ledger_seq"] == TimeEntry.objects.get().seq
    assert balance_of(people["dave"]) == 300


def test_anyone_reads_needs_with_filters(people):
    NeedFactory(posted_by=people["alice"], skills=["Cooking"], title="Soup")
    NeedFactory(posted_by=people["alice"], skills=["Repair"], title="Bikes", is_online=True)
    api = client_for()
    assert [n["title"] for n in api.get("/api/v1/needs/").json()["results"]] == ["Bikes", "Soup"]
    assert [n["title"] for n in api.get("/api/v1/needs/?skill=cooking").json()["results"]] == [
        "Soup"
    ]
    assert [n["title"] for n in api.get("/api/v1/needs/?place=online").json()["results"]] == [
        "Bikes"
    ]
    assert api.get("/api/v1/needs/?q=soup").json()["count"] == 1
    refused = api.get("/api/v1/needs/?state=maybe")
    assert refused.status_code == 400 and set(refused.json()) == {"detail", "code"}


def test_matching_my_skills(people):
    services.update_profile(actor=people["dave"], skills=["Cooking"])
    NeedFactory(posted_by=people["alice"], skills=["Cooking"], title="Soup")
    NeedFactory(posted_by=people["alice"], skills=["Repair"], title="Bikes")
    mine = client_for(people["dave"]).get("/api/v1/needs/?matches=true").json()["results"]
    assert [n["title"] for n in mine] == ["Soup"]


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/api/v1/needs/", need_body(title=""), 400, "invalid_need"),
        ("/api/v1/needs/", need_body(estimated_minutes="lots"), 400, "invalid"),
        (
            "/api/v1/needs/",
            need_body(is_community=True, beneficiary_role="steward"),
            403,
            "no_authority",
        ),
    ],
)
def test_bad_needs_are_refused_with_a_code(people, path, body, status, code):
    response = client_for(people["dave"]).post(path, body, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert Need.objects.count() == 0


def test_the_refusals_of_the_record_come_with_their_codes(people):
    need = NeedFactory(posted_by=people["alice"])
    offer = OfferFactory(need=need, member=people["dave"], accepted=True)
    hours = HoursFactory(offer=offer)
    alice, dave, erin = (client_for(people[n]) for n in ("alice", "dave", "erin"))
    today = timezone.now().date().isoformat()
    cases = [
        (alice.post(f"/api/v1/needs/{need.pk}/offers/", {}, format="json"), 403, "own_need"),
        (
            dave.post(
                "/api/v1/contributions/",
                {"offer": offer.pk, "minutes": 0, "worked_on": today},
                format="json",
            ),
            400,
            "invalid_hours",
        ),
        (
            dave.post(
                "/api/v1/contributions/",
                {"offer": offer.pk, "minutes": 1441, "worked_on": today},
                format="json",
            ),
            400,
            "invalid_hours",
        ),
        (dave.post(f"/api/v1/contributions/{hours.pk}/confirm/"), 403, "own_contribution"),
        (erin.post(f"/api/v1/contributions/{hours.pk}/confirm/"), 403, "not_beneficiary"),
        (
            alice.post(f"/api/v1/contributions/{hours.pk}/refuse/", {"reason": ""}, format="json"),
            400,
            "reason_required",
        ),
        (client_for().post(f"/api/v1/contributions/{hours.pk}/confirm/"), 403, "not_authenticated"),
        (alice.post("/api/v1/contributions/999999/confirm/"), 404, "not_found"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert alice.post(f"/api/v1/contributions/{hours.pk}/confirm/").status_code == 200
    twice = alice.post(f"/api/v1/contributions/{hours.pk}/confirm/")
    assert (twice.status_code, twice.json()["code"]) == (409, "already_decided")


def test_the_schema_documents_every_endpoint():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(public=True)["paths"]
    for path in (
        "/api/v1/needs/",
        "/api/v1/needs/{id}/offers/",
        "/api/v1/offers/{id}/accept/",
        "/api/v1/contributions/",
        "/api/v1/contributions/{id}/confirm/",
        "/api/v1/contributions/ledger/export.jsonl",
        "/api/v1/contributions/ledger/export.csv",
        "/api/v1/contributions/ledger/head/",
    ):
        assert path in paths, path
    confirm = paths["/api/v1/contributions/{id}/confirm/"]["post"]["responses"]
    assert {"200", "403", "409"} <= set(confirm)


def test_the_beneficiary_finds_offers_and_hours_through_the_api_alone(people):
    """A second client, with no page and no socket, learns what to answer."""
    alice, dave = client_for(people["alice"]), client_for(people["dave"])
    need = alice.post("/api/v1/needs/", need_body(), format="json").json()
    dave.post(f"/api/v1/needs/{need['id']}/offers/", {"message": "Wednesdays"}, format="json")
    offers = alice.get(f"/api/v1/needs/{need['id']}/offers/").json()
    assert [(o["member"], o["state"], o["message"]) for o in offers] == [
        (people["dave"].public_name, "pending", "Wednesdays")
    ]
    assert alice.post(f"/api/v1/offers/{offers[0]['id']}/accept/").status_code == 200
    dave.post(
        "/api/v1/contributions/",
        {"offer": offers[0]["id"], "minutes": 90, "worked_on": str(timezone.now().date())},
        format="json",
    )
    logged = alice.get(f"/api/v1/needs/{need['id']}/contributions/").json()
    assert [(h["hours"], h["state"], h["ledger_seq"]) for h in logged] == [("1.50", "logged", None)]
    confirmed = alice.post(f"/api/v1/contributions/{logged[0]['id']}/confirm/")
    assert confirmed.status_code == 200
    again = alice.get(f"/api/v1/needs/{need['id']}/contributions/").json()
    assert again[0]["state"] == "confirmed" and again[0]["ledger_seq"] == 1


def test_visitors_read_offers_and_hours_under_pseudonyms(people):
    need = NeedFactory(posted_by=people["alice"])
    HoursFactory(offer=OfferFactory(need=need, member=people["dave"], accepted=True))
    services.update_profile(actor=people["dave"], is_pseudonymous=True)
    visitor = client_for()
    offers = visitor.get(f"/api/v1/needs/{need.pk}/offers/").json()
    hours = visitor.get(f"/api/v1/needs/{need.pk}/contributions/").json()
    assert offers[0]["member"] == "a member" and hours[0]["contributor"] == "a member"
    member_view = client_for(people["erin"]).get(f"/api/v1/needs/{need.pk}/offers/").json()
    assert member_view[0]["member"] == people["dave"].public_name
    assert visitor.get("/api/v1/needs/999999/offers/").json()["code"] == "not_found"
    assert visitor.get("/api/v1/needs/999999/contributions/").status_code == 404


def test_a_need_is_closed_and_an_offer_withdrawn_through_the_api(people):
    need = NeedFactory(posted_by=people["alice"], people_needed=2)
    offer = OfferFactory(need=need, member=people["dave"])
    dave, erin = client_for(people["dave"]), client_for(people["erin"])
    taken_by_other = erin.post(f"/api/v1/offers/{offer.pk}/withdraw/")
    assert (taken_by_other.status_code, taken_by_other.json()["code"]) == (403, "not_contributor")
    withdrawn = dave.post(f"/api/v1/offers/{offer.pk}/withdraw/")
    assert (withdrawn.status_code, withdrawn.json()["state"]) == (200, "withdrawn")
    twice = dave.post(f"/api/v1/offers/{offer.pk}/withdraw/")
    assert (twice.status_code, twice.json()["code"]) == (409, "already_decided")

    not_mine = dave.post(f"/api/v1/needs/{need.pk}/close/", {"state": "done"}, format="json")
    assert (not_mine.status_code, not_mine.json()["code"]) == (403, "not_beneficiary")
    alice = client_for(people["alice"])
    bad = alice.post(f"/api/v1/needs/{need.pk}/close/", {"state": "filled"}, format="json")
    assert bad.status_code == 400 and "state" in bad.json()["fields"]
    closed = alice.post(f"/api/v1/needs/{need.pk}/close/", {"state": "cancelled"}, format="json")
    assert (closed.status_code, closed.json()["state"]) == (200, "cancelled")
    again = alice.post(f"/api/v1/needs/{need.pk}/close/", {"state": "done"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "need_closed")
    assert Need.objects.get(pk=need.pk).state == "cancelled"
