"""The contributions section of a member's dashboard: what waits for their
answer (offers on their needs, requests on their standing offers, hours to
confirm), never their own, within the dashboard's query budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contributions import services
from tests.contributions.factories import HoursFactory, NeedFactory, OfferFactory

pytestmark = pytest.mark.django_db


def dashboard(client, person) -> str:
    client.force_login(person)
    response = client.get(reverse("members:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_offers_and_hours_waiting_for_my_answer(client, people):
    alice, dave, erin = people["alice"], people["dave"], people["erin"]
    garden = NeedFactory(posted_by=alice, title="Garden help")
    OfferFactory(need=garden, member=dave, accepted=False)
    repairs = NeedFactory(posted_by=alice, title="Bike repairs")
    HoursFactory(
        offer=OfferFactory(need=repairs, member=erin, accepted=True),
        minutes=90,
        worked_on=timezone.now().date(),
    )
    page = dashboard(client, alice)
    assert "An offer of help: Garden help" in page
    assert "Hours to confirm: Bike repairs" in page
    # The helpers wait for alice, not for themselves.
    assert "Garden help" not in dashboard(client, dave)
    assert "Hours to confirm" not in dashboard(client, erin)


def test_a_request_on_my_standing_offer_waits_for_my_answer(client, people):
    dave, erin = people["dave"], people["erin"]
    standing = services.post_standing_offer(
        actor=dave, title="Bookkeeping", skills=["accounting"], availability="4 h a month"
    )
    now = timezone.now()
    services.ask_standing_offer(
        actor=erin,
        standing_offer_id=standing.pk,
        message="Our accounts for the year.",
        estimated_minutes=120,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=8),
        is_online=True,
    )
    assert "An offer of help: Bookkeeping" in dashboard(client, dave)
    assert "An offer of help: Bookkeeping" not in dashboard(client, erin)


def test_the_section_stays_within_the_dashboard_budget(
    client, people, django_assert_max_num_queries
):
    alice = people["alice"]
    for n in range(4):
        need = NeedFactory(posted_by=alice, title=f"Need {n}")
        OfferFactory(need=need, member=people["dave"], accepted=False)
        HoursFactory(
            offer=OfferFactory(need=need, member=people["erin"], accepted=True),
            minutes=30,
            worked_on=timezone.now().date(),
        )
    client.force_login(alice)
    client.get(reverse("members:dashboard"))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("members:dashboard")).content.decode()
    # Eight answers wait; the five oldest are shown, offers and hours alike.
    assert page.count("An offer of help:") + page.count("Hours to confirm:") == 5
    assert "An offer of help: Need 0" in page and "Hours to confirm: Need 0" in page
