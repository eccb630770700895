"""The pages: the public contributions page and the marketplace read in a
fixed number of queries; members post, offer, log and confirm through forms;
a refusal shows its reason."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from contributions import services
from contributions.models import Contribution, Need, Offer
from kernel import dates
from tests.contributions.factories import HoursFactory, NeedFactory, OfferFactory
from tests.contributions.helpers import balance_of

pytestmark = pytest.mark.django_db


def queries(client, path) -> int:
    """Queries of a page read again (its caches warm, as they are after the
    first reader of a ledger head)."""
    assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def confirm_some(people, count):
    for n in range(count):
        need = NeedFactory(posted_by=people["alice"], skills=[f"skill {n % 3}"], people_needed=2)
        hours = HoursFactory(
            offer=OfferFactory(need=need, member=people["dave"], accepted=True),
            minutes=30,
            worked_on=timezone.now().date(),
        )
        services.confirm_contribution(actor=people["alice"], contribution_id=hours.pk)


def test_the_public_pages_read_in_a_fixed_number_of_queries(client, people):
    pages = ("/contributions/", "/contributions/marketplace/", "/contributions/ledger/")
    confirm_some(people, 2)
    small = {page: queries(client, page) for page in pages}
    confirm_some(people, 6)
    large = {page: queries(client, page) for page in pages}
    assert large == small, (small, large)
    assert max(large.values()) <= 12


def test_visitors_read_the_public_contributions_page_with_its_charts(client, people):
    confirm_some(people, 3)
    page = client.get("/contributions/").content.decode()
    assert 'role="img"' in page and "Hours given by month" in page
    assert "Hours given by skill" in page and "skill 0" in page
    assert "time-ledger" not in page or "export.jsonl" in page
    assert "1.50" in page  # three half hours


@pytest.mark.parametrize("language", ["en", "fr"])
def test_months_read_in_the_readers_words(client, people, language):
    """As everywhere else (kernel.dates): "November 2026", "novembre 2026"."""
    confirm_some(people, 1)
    now = timezone.now()
    with translation.override(language):
        expected = dates.month(now.year, now.month)
    page = client.get("/contributions/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<th scope="row">{expected}</th>' in page
    assert f"{now:%Y-%m}</text>" not in page


def test_a_pseudonymous_member_is_a_member_to_visitors(client, people):
    services.update_profile(actor=people["alice"], is_pseudonymous=True)
    need = NeedFactory(posted_by=people["alice"], title="Garden help")
    page = client.get(f"/contributions/needs/{need.pk}/").content.decode()
    assert "a member" in page and people["alice"].username not in page
    client.force_login(people["dave"])
    assert (
        people["alice"].public_name
        in client.get(f"/contributions/needs/{need.pk}/").content.decode()
    )


def test_a_pseudonymous_member_who_refused_hours_is_a_member_to_visitors(client, people):
    """The refusal is shown in the open, but under the name its author chose."""
    services.update_profile(actor=people["alice"], is_pseudonymous=True)
    need = NeedFactory(posted_by=people["alice"], title="Garden help")
    hours = HoursFactory(
        offer=OfferFactory(need=need, member=people["dave"], accepted=True),
        minutes=60,
        worked_on=timezone.now().date(),
    )
    services.refuse_contribution(
        actor=people["alice"], contribution_id=hours.pk, reason="Nobody came."
    )
    page = client.get(f"/contributions/needs/{need.pk}/").content.decode()
    assert "Refused by a member: Nobody came." in page
    assert people["alice"].public_name not in page


def test_a_member_posts_a_need_through_the_form(client, people):
    client.force_login(people["alice"])
    assert client.get("/contributions/needs/new/").status_code == 200
    response = client.post(
        "/contributions/needs/new/",
        {
            "title": "Repair evening",
            "description": "Bring your bike.",
            "skills": "repair, bikes",
            "people_needed": "2",
            "hours": "1:30",
            "place": "Workshop",
            "starts_at": "2099-01-01T18:00",
            "ends_at": "2099-01-01T21:00",
        },
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == f"/contributions/needs/{need.pk}/"
    assert need.estimated_minutes == 90 and need.skills.count() == 2


def test_a_form_refusal_keeps_the_input_and_says_why(client, people):
    client.force_login(people["alice"])
    response = client.post(
        "/contributions/needs/new/",
        {
            "title": "Repair evening",
            "description": "x",
            "people_needed": "1",
            "hours": "0.33",
            "place": "",
            "starts_at": "2099-01-01T18:00",
            "ends_at": "2099-01-01T21:00",
        },
    )
    assert response.status_code == 200
    assert "not a whole number of minutes" in response.content.decode()
    response = client.post(
        "/contributions/needs/new/",
        {
            "title": "Repair evening",
            "description": "x",
            "people_needed": "1",
            "hours": "1",
            "place": "",
            "starts_at": "2099-01-01T18:00",
            "ends_at": "2099-01-01T21:00",
        },
    )
    assert response.status_code == 400 and "or that it is online" in response.content.decode()
    assert "Repair evening" in response.content.decode()
    assert not Need.objects.exists()


def test_offer_accept_log_and_confirm_through_the_pages(client, people):
    need = NeedFactory(posted_by=people["alice"])
    client.force_login(people["dave"])
    client.post(f"/contributions/needs/{need.pk}/offer/", {"message": "Saturday"})
    offer = Offer.objects.get()
    client.force_login(people["alice"])
    client.post(f"/contributions/offers/{offer.pk}/accept/")
    client.force_login(people["dave"])
    response = client.post(
        f"/contributions/offers/{offer.pk}/hours/",
        {"hours": "2", "worked_on": timezone.now().date().isoformat()},
    )
    assert response.status_code == 302
    hours = Contribution.objects.get()
    refused = client.post(
        f"/contributions/hours/{hours.pk}/confirm/", HTTP_REFERER=f"/contributions/needs/{need.pk}/"
    )
    assert refused.status_code == 403  # nobody confirms their own hours
    client.force_login(people["alice"])
    client.post(f"/contributions/hours/{hours.pk}/confirm/")
    assert balance_of(people["dave"]) == 200
    page = client.get(f"/contributions/needs/{need.pk}/").content.decode()
    assert "time ledger entry 1" in page


def test_logging_more_than_a_day_shows_the_reason_on_the_form(client, people):
    offer = OfferFactory(
        need=NeedFactory(posted_by=people["alice"]), member=people["dave"], accepted=True
    )
    client.force_login(people["dave"])
    response = client.post(
        f"/contributions/offers/{offer.pk}/hours/",
        {"hours": "25", "worked_on": timezone.now().date().isoformat()},
    )
    assert "Nobody gives more than 24 hours in a day" in response.content.decode()
    assert not Contribution.objects.exists()


def test_my_page_saves_skills_pseudonym_and_alerts(client, people):
    client.force_login(people["dave"])
    assert client.get("/contributions/me/").status_code == 200
    client.post(
        "/contributions/me/",
        {"skills": "Cooking, repair", "notify_matching_needs": "on", "is_pseudonymous": "on"},
    )
    profile = people["dave"].contribution_profile
    assert profile.is_pseudonymous and profile.notify_matching_needs
    assert sorted(s.slug for s in profile.skills.all()) == ["cooking", "repair"]


def test_steward_and_treasurer_pages(client, people):
    client.force_login(people["carol"])
    assert client.get("/contributions/reviews/").status_code == 200
    client.force_login(people["bob"])
    assert client.get("/contributions/rebates/").status_code == 200


def test_an_unknown_need_or_account_is_a_404(client, db):
    assert client.get("/contributions/needs/999/").status_code == 404
    assert client.get("/contributions/accounts/m-000000000000/").status_code == 404


def test_hours_and_credits_read_with_the_readers_decimal_sign(client, people):
    """A French page writes 1,50; the API and the exports keep 1.50."""
    confirm_some(people, 3)  # three half hours
    french = client.get("/contributions/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get("/contributions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1,50" in french and "1.50" not in french
    assert "1.50" in english
    csv = client.get("/api/v1/contributions/ledger/export.csv", HTTP_ACCEPT_LANGUAGE="fr")
    assert ",0.50," in b"".join(csv.streaming_content).decode()


def test_the_time_ledger_names_kinds_in_the_readers_words(client, people):
    confirm_some(people, 1)
    page = client.get("/contributions/ledger/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Échange entre membres" in page
    assert "Tête\u00a0:" in page  # French puts a space before the colon of a label


def test_people_counts_agree_with_their_numbers(client, people):
    need = NeedFactory(posted_by=people["alice"], people_needed=1)
    OfferFactory(need=need, member=people["dave"], accepted=True)
    NeedFactory(posted_by=people["alice"], people_needed=3, title="Three helpers")
    french = client.get("/contributions/marketplace/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "0 sur 3 personnes" in french
    english = client.get("/contributions/marketplace/?state=", HTTP_ACCEPT_LANGUAGE="en")
    assert "1 of 1 person" in english.content.decode()
    page = client.get(f"/contributions/needs/{need.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "1 acceptée sur 1" in page.content.decode()
