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
