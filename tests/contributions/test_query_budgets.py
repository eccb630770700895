"""Every marketplace page and endpoint reads in a fixed number of queries,
for visitors and for members (whose view names people differently)."""

from __future__ import annotations

import pytest

from contributions import services
from tests.contributions.factories import HoursFactory, NeedFactory, OfferFactory
from tests.contributions.test_views import queries

pytestmark = pytest.mark.django_db


def busy_need(people, helpers: int):
    need = NeedFactory(posted_by=people["alice"], people_needed=helpers + 1)
    for n in range(helpers):
        from tests.factories import make_member

        offer = OfferFactory(need=need, member=make_member(f"helper{need.pk}x{n}"), accepted=True)
        HoursFactory(offer=offer, minutes=30)
    return need


@pytest.mark.parametrize("viewer", [None, "dave"])
def test_the_marketplace_reads_in_a_fixed_number_of_queries(client, people, viewer):
    if viewer:
        client.force_login(people[viewer])
    small_need = busy_need(people, 1)
    big_need = busy_need(people, 6)
    for n in range(6):
        NeedFactory(posted_by=people["erin"])
        services.post_standing_offer(
            actor=people["bob"], title=f"Repairs {n}", skills=["Repair", f"skill {n}"]
        )
    pages = {
        "marketplace": ("/contributions/marketplace/", "/contributions/marketplace/"),
        "need": (f"/contributions/needs/{small_need.pk}/", f"/contributions/needs/{big_need.pk}/"),
        "api needs": ("/api/v1/needs/?limit=2", "/api/v1/needs/?limit=8"),
        "api offers": (
            f"/api/v1/needs/{small_need.pk}/offers/",
            f"/api/v1/needs/{big_need.pk}/offers/",
        ),
        "api standing offers": (
            "/api/v1/standing-offers/?limit=1",
            "/api/v1/standing-offers/?limit=6",
        ),
        "api hours": (
            f"/api/v1/needs/{small_need.pk}/contributions/",
            f"/api/v1/needs/{big_need.pk}/contributions/",
        ),
    }
    counts = {name: (queries(client, a), queries(client, b)) for name, (a, b) in pages.items()}
    assert all(small == big for small, big in counts.values()), counts
    assert max(big for _small, big in counts.values()) <= 15, counts
