"""A member's profile shows what they gave and received (contributions issue,
recognition): hours and credits both ways, and their time balance."""

from __future__ import annotations

import pytest
from django.utils import timezone

from contributions import services
from tests.contributions.factories import HoursFactory, NeedFactory, OfferFactory

pytestmark = pytest.mark.django_db


def confirmed(people, *, beneficiary, contributor, minutes):
    need = NeedFactory(posted_by=people[beneficiary], title=f"Help for {beneficiary}")
    hours = HoursFactory(
        offer=OfferFactory(need=need, member=people[contributor], accepted=True),
        minutes=minutes,
        worked_on=timezone.now().date(),
    )
    return services.confirm_contribution(actor=people[beneficiary], contribution_id=hours.pk)


def profile(client, viewer, username) -> str:
    client.force_login(viewer)
    response = client.get(f"/members/{username}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_profile_says_what_a_member_gave_and_received(client, people):
    confirmed(people, beneficiary="alice", contributor="dave", minutes=90)
    confirmed(people, beneficiary="erin", contributor="dave", minutes=30)
    confirmed(people, beneficiary="dave", contributor="erin", minutes=60)
    page = profile(client, people["alice"], "dave")
    assert "2.00 hours in 2 contributions, earning 2.00 credits" in page
    assert "1.00 hours in 1 contribution, for 1.00 credits" in page
    assert "1.00 credits" in page  # balance: earned 2.00, spent 1.00


def test_no_section_for_a_member_who_never_took_part(client, people):
    assert "Time balance" not in profile(client, people["alice"], "bob")


def test_the_profile_reads_in_a_fixed_number_of_queries(
    client, people, django_assert_max_num_queries
):
    for n in range(3):
        confirmed(people, beneficiary="alice", contributor="dave", minutes=30 + n)
    client.force_login(people["erin"])
    client.get("/members/dave/")
    with django_assert_max_num_queries(12):
        page = client.get("/members/dave/").content.decode()
    assert "in 3 contributions" in page
