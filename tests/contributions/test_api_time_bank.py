"""The API beyond needs: standing offers asked for directly, a refusal taken
to a steward, credits used on dues; each refusal with its code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contributions import services
from contributions.models import Need, RebateClaim
from tests.contributions.factories import HoursFactory, NeedFactory, OfferFactory
from tests.contributions.helpers import adopt_article, balance_of
from tests.contributions.test_api import client_for

pytestmark = pytest.mark.django_db


def test_a_standing_offer_is_posted_asked_for_and_accepted_through_the_api(people):
    dave, erin = client_for(people["dave"]), client_for(people["erin"])
    posted = dave.post(
        "/api/v1/standing-offers/",
        {"title": "Bookkeeping", "skills": ["Accounting"], "availability": "4 h a month"},
        format="json",
    )
    assert posted.status_code == 201, posted.json()
    offer = posted.json()
    listed = client_for().get("/api/v1/standing-offers/").json()
    assert [(o["id"], o["title"], o["skills"]) for o in listed["results"]] == [
        (offer["id"], "Bookkeeping", ["Accounting"])
    ]
    now = timezone.now()
    window = {
        "starts_at": (now + timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=8)).isoformat(),
    }
    own = dave.post(
        f"/api/v1/standing-offers/{offer['id']}/ask/",
        {"message": "Me?", "estimated_minutes": 60, **window},
        format="json",
    )
    assert (own.status_code, own.json()["code"]) == (403, "own_need")
    nowhere = erin.post(
        f"/api/v1/standing-offers/{offer['id']}/ask/",
        {"message": "Our accounts for May", "estimated_minutes": 120, **window},
        format="json",
    )
    assert (nowhere.status_code, nowhere.json()["code"]) == (400, "invalid_need")
    asked = erin.post(
        f"/api/v1/standing-offers/{offer['id']}/ask/",
        {"message": "Our accounts for May", "estimated_minutes": 120, "is_online": True, **window},
        format="json",
    )
    assert asked.status_code == 201, asked.json()
    assert asked.json()["state"] == "requested"
    need = Need.objects.get(pk=asked.json()["need"])
    assert (need.posted_by, need.title) == (people["erin"], "Bookkeeping")
    accepted = dave.post(f"/api/v1/offers/{asked.json()['id']}/accept/")
    assert accepted.json()["state"] == "accepted"

    not_mine = erin.post(f"/api/v1/standing-offers/{offer['id']}/withdraw/")
    assert (not_mine.status_code, not_mine.json()["code"]) == (403, "not_contributor")
    assert dave.post(f"/api/v1/standing-offers/{offer['id']}/withdraw/").status_code == 200
    assert client_for().get("/api/v1/standing-offers/").json()["results"] == []
    closed = erin.post(
        f"/api/v1/standing-offers/{offer['id']}/ask/",
        {"message": "Again", "estimated_minutes": 60, "is_online": True, **window},
        format="json",
    )
    assert (closed.status_code, closed.json()["code"]) == (409, "need_closed")
    missing = erin.post("/api/v1/standing-offers/999999/withdraw/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_a_refusal_is_taken_to_a_steward_through_the_api(people):
    need = NeedFactory(posted_by=people["dave"])
    hours = HoursFactory(offer=OfferFactory(need=need, member=people["erin"], accepted=True))
    services.refuse_contribution(actor=people["dave"], contribution_id=hours.pk, reason="No.")
    erin, carol, dave = (client_for(people[name]) for name in ("erin", "carol", "dave"))
    decide = f"/api/v1/contributions/{hours.pk}/review/decision/"
    early = carol.post(decide, {"confirm": True}, format="json")
    assert (early.status_code, early.json()["code"]) == (409, "already_decided")
    other = dave.post(f"/api/v1/contributions/{hours.pk}/review/")
    assert (other.status_code, other.json()["code"]) == (403, "not_contributor")
    asked = erin.post(f"/api/v1/contributions/{hours.pk}/review/")
    assert asked.status_code == 200 and asked.json()["state"] == "under_review"

    not_steward = dave.post(decide, {"confirm": True}, format="json")
    assert (not_steward.status_code, not_steward.json()["code"]) == (403, "not_steward")
    no_reason = carol.post(decide, {"confirm": False, "reason": " "}, format="json")
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "reason_required")
    wrong_type = carol.post(decide, {"confirm": "yes"}, format="json")
    assert wrong_type.status_code == 400 and "confirm" in wrong_type.json()["fields"]
    confirmed = carol.post(decide, {"confirm": True}, format="json")
    assert confirmed.status_code == 200
    assert confirmed.json()["state"] == "confirmed" and confirmed.json()["ledger_seq"]
    assert balance_of(people["erin"]) == 100


def test_credits_are_asked_for_as_a_rebate_and_withdrawn_through_the_api(people, voters):
    erin, dave = client_for(people["erin"]), client_for(people["dave"])
    off = erin.post("/api/v1/rebates/", {"credits": 100}, format="json")
    assert (off.status_code, off.json()["code"]) == (409, "rebate_refused")
    adopt_article(people["alice"], voters, dues_rebate=True, rebate_cents_per_credit=500)
    need = NeedFactory(posted_by=people["dave"])
    hours = HoursFactory(offer=OfferFactory(need=need, member=people["erin"], accepted=True))
    services.confirm_contribution(actor=people["dave"], contribution_id=hours.pk)

    too_many = erin.post("/api/v1/rebates/", {"credits": 101}, format="json")
    assert (too_many.status_code, too_many.json()["code"]) == (409, "rebate_refused")
    for bad in (0, "100", 10**20):
        response = erin.post("/api/v1/rebates/", {"credits": bad}, format="json")
        assert response.status_code == 400, (bad, response.json())
    claim = erin.post("/api/v1/rebates/", {"credits": 100}, format="json")
    assert claim.status_code == 201 and claim.json()["state"] == "pending"
    assert [c["id"] for c in erin.get("/api/v1/rebates/").json()] == [claim.json()["id"]]
    assert dave.get("/api/v1/rebates/").json() == []
    withdraw = f"/api/v1/rebates/{claim.json()['id']}/withdraw/"
    assert dave.post(withdraw).json()["code"] == "not_contributor"
    assert erin.post(withdraw).json()["state"] == "withdrawn"
    assert erin.post(withdraw).json()["code"] == "already_decided"
    assert RebateClaim.objects.get().state == "withdrawn"
    assert client_for().get("/api/v1/rebates/").status_code == 403
