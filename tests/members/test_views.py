"""Members pages as a visitor, member or steward sees them: the site shell,
dashboard, directory, profiles, standing changes, leaving and exporting."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from governance.models import JournalEntry
from members import selectors
from members.models import Member, Membership
from tests.factories import make_member
from tests.members.helpers import found_with_admission_by_approval, journal_length

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "lentil-harbour-quietly-93"


def login(client, person):
    client.force_login(person)
    return client


# --- the site shell ---------------------------------------------------------


def test_home_welcomes_visitors_with_a_way_to_join(client, community):
    response = client.get(reverse("members:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "Test Commons" in html  # the community name from the founding act
    assert reverse("account_signup") in html
    # The Members link is for members.
    assert f'href="{reverse("members:directory")}"' not in html
    head = JournalEntry.objects.order_by("-seq").first()
    assert f"{head.seq}:{head.hash}" in html  # the journal head in the footer
    assert 'action="/i18n/setlang/"' in html


def test_members_see_the_members_link_and_their_standing_on_home(client, community):
    login(client, community["alice"])

    html = client.get(reverse("members:home")).content.decode()

    assert reverse("members:directory") in html
    assert "Founder" in html


def test_language_switcher_turns_pages_to_french(client, community):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    assert response.status_code == 302
    html = client.get(reverse("members:home")).content.decode()
    assert '<html lang="fr">' in html
    assert "Aller au contenu principal" in html


def test_unknown_page_shows_a_readable_404(client, community):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# --- dashboard ---------------------------------------------------------------


def test_dashboard_needs_login(client, community):
    response = client.get(reverse("members:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_dashboard_shows_standing_roles_and_when_a_new_member_can_vote(client, community):
    newcomer = make_member("newcomer", admitted_days_ago=2)
    login(client, newcomer)

    html = client.get(reverse("members:dashboard")).content.decode()

    assert "Member" in html
    assert "You can vote in votes that open from" in html


def test_dashboard_shows_a_steward_the_applicants_page(client, community):
    login(client, community["carol"])

    html = client.get(reverse("members:dashboard")).content.decode()

    assert "Steward" in html
    assert reverse("members:applicants") in html


# --- directory and profiles --------------------------------------------------


def test_directory_lists_members_in_good_standing_only(client, community):
    make_member("waiting", status=Membership.Status.APPLICANT)
    make_member("gone", status=Membership.Status.LEFT)
    login(client, community["alice"])

    response = client.get(reverse("members:directory"))

    html = response.content.decode()
    assert response.status_code == 200
    for name in ("alice", "bob", "carol", "ada"):
        assert reverse("members:profile", args=[name]) in html
    assert "waiting" not in html
    assert "gone" not in html
    assert "@example.org" not in html  # email addresses stay private


def test_directory_search_finds_by_display_name(client, community):
    make_member("zed", display_name="Zoé Martin")
    login(client, community["alice"])

    html = client.get(reverse("members:directory"), {"q": "zoé"}).content.decode()

    assert reverse("members:profile", args=["zed"]) in html
    assert reverse("members:profile", args=["bob"]) not in html


def test_directory_search_over_htmx_returns_only_the_results(client, community):
    login(client, community["alice"])

    response = client.get(
        reverse("members:directory"), {"q": "car"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" not in html
    assert reverse("members:profile", args=["carol"]) in html


def test_directory_refuses_an_applicant_with_a_message(client, community):
    login(client, make_member("waiting", status=Membership.Status.APPLICANT))

    response = client.get(reverse("members:directory"))

    assert response.status_code == 403
    assert "Only members in good standing" in response.content.decode()


def test_directory_sends_visitors_to_log_in(client, community):
    response = client.get(reverse("members:directory"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_shows_roles_with_their_history(client, community):
    login(client, community["alice"])

    response = client.get(reverse("members:profile", args=["carol"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>carol</h1>" in html
    assert "Steward" in html
    assert "founding act" in html
    assert "carol@example.org" not in html


def test_profile_of_unknown_person_is_404(client, community):
    login(client, community["alice"])

    assert client.get(reverse("members:profile", args=["nobody"])).status_code == 404


def test_profile_refuses_a_suspended_member(client, community):
    login(client, make_member("muted", status=Membership.Status.SUSPENDED))

    assert client.get(reverse("members:profile", args=["alice"])).status_code == 403


def test_edit_profile_saves_display_name_and_bio(client, community):
    alice = community["alice"]
    login(client, alice)

    response = client.post(
        reverse("members:edit_profile"), {"display_name": " Alice Dupont ", "bio": "Baker."}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.bio) == ("Alice Dupont", "Baker.")


def test_edit_profile_with_too_long_name_shows_a_form_error(client, community):
    alice = community["alice"]
    login(client, alice)

    response = client.post(reverse("members:edit_profile"), {"display_name": "x" * 151, "bio": ""})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert 'href="#id_display_name"' in html
    assert 'aria-invalid="true"' in html
    alice.refresh_from_db()
    assert alice.display_name == ""


# --- stewards: suspension, reinstatement, admission ----------------------------


def test_steward_suspends_a_member_with_a_public_reason(client, community):
    login(client, community["carol"])

    response = client.post(
        reverse("members:suspend", args=["bob"]), {"reason": "Kept insulting people"}
    )

    assert response.status_code == 302
    membership = Membership.objects.get(member=community["bob"])
    assert membership.status == Membership.Status.SUSPENDED
    html = client.get(reverse("members:profile", args=["bob"])).content.decode()
    assert "Kept insulting people" in html
    assert reverse("members:reinstate", args=["bob"]) in html


def test_suspension_without_a_reason_is_a_form_error(client, community):
    login(client, community["carol"])
    before = journal_length()

    response = client.post(reverse("members:suspend", args=["bob"]), {"reason": ""})

    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()
    assert Membership.objects.get(member=community["bob"]).status == Membership.Status.MEMBER
    assert journal_length() == before


def test_a_member_who_is_not_a_steward_cannot_suspend(client, community):
    login(client, community["bob"])
    before = journal_length()

    response = client.post(reverse("members:suspend", args=["alice"]), {"reason": "I dislike her"})

    assert response.status_code == 403
    assert "Only a steward" in response.content.decode()
    assert Membership.objects.get(member=community["alice"]).status == Membership.Status.MEMBER
    assert journal_length() == before


def test_profile_offers_no_steward_actions_to_ordinary_members(client, community):
    login(client, community["bob"])

    html = client.get(reverse("members:profile", args=["alice"])).content.decode()

    assert reverse("members:suspend", args=["alice"]) not in html


def test_steward_reinstates_a_suspended_member(client, community):
    make_member("muted", status=Membership.Status.SUSPENDED)
    login(client, community["carol"])

    response = client.post(
        reverse("members:reinstate", args=["muted"]), {"reason": "Apologised to everyone"}
    )

    assert response.status_code == 302
    assert Membership.objects.get(member__username="muted").status == Membership.Status.MEMBER
    entry = JournalEntry.objects.order_by("-seq").first()
    assert (entry.kind, entry.actor) == ("member.reinstated", "carol")
    assert entry.payload["reason"] == "Apologised to everyone"


def test_reinstatement_without_a_public_reason_is_refused_on_the_form(client, community):
    make_member("muted", status=Membership.Status.SUSPENDED)
    login(client, community["carol"])
    before = JournalEntry.objects.count()

    response = client.post(reverse("members:reinstate", args=["muted"]), {"reason": "  "})

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert Membership.objects.get(member__username="muted").status == Membership.Status.SUSPENDED
    assert JournalEntry.objects.count() == before


def test_steward_admits_an_applicant_under_admission_by_approval(client, db):
    carol = make_member("carol")
    found_with_admission_by_approval(
        founders=[make_member("alice")], appointments={"steward": [carol]}
    )
    applicant = make_member("hopeful", status=Membership.Status.APPLICANT)
    login(client, carol)

    page = client.get(reverse("members:applicants")).content.decode()
    response = client.post(reverse("members:admit", args=["hopeful"]))

    assert reverse("members:admit", args=["hopeful"]) in page
    assert response.status_code == 302
    assert selectors.is_member(applicant)
    entry = JournalEntry.objects.order_by("-seq").first()
    assert (entry.kind, entry.actor) == ("member.admitted", "carol")


def test_member_who_is_not_a_steward_cannot_admit(client, db):
    found_with_admission_by_approval(founders=[make_member("alice")])
    applicant = make_member("hopeful", status=Membership.Status.APPLICANT)
    login(client, Member.objects.get(username="alice"))

    assert client.get(reverse("members:applicants")).status_code == 403
    assert client.post(reverse("members:admit", args=["hopeful"])).status_code == 403
    assert not selectors.is_member(applicant)


def test_stewards_do_not_admit_under_open_admission(client, community):
    applicant = make_member("hopeful", status=Membership.Status.APPLICANT, verified_email=False)
    login(client, community["carol"])

    response = client.post(reverse("members:admit", args=["hopeful"]), follow=True)

    assert "Admission is open" in response.content.decode()
    assert not selectors.is_member(applicant)


# --- leaving and exporting -----------------------------------------------------


def test_leave_page_explains_the_consequences(client, community):
    login(client, community["carol"])

    html = client.get(reverse("members:leave")).content.decode()

    assert "Every role you hold ends now" in html
    assert Membership.objects.get(member=community["carol"]).status == Membership.Status.MEMBER


def test_leaving_needs_the_confirmation_box(client, community):
    login(client, community["carol"])

    response = client.post(reverse("members:leave"), {})

    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert Membership.objects.get(member=community["carol"]).status == Membership.Status.MEMBER


def test_member_leaves_and_leaving_twice_gives_a_clear_message(client, community):
    carol = community["carol"]
    login(client, carol)

    client.post(reverse("members:leave"), {"confirm": "on"})
    membership = Membership.objects.get(member=carol)
    before = journal_length()
    response = client.post(reverse("members:leave"), {"confirm": "on"}, follow=True)

    assert membership.status == Membership.Status.LEFT
    assert "You have already left the community." in response.content.decode()
    assert Membership.objects.get(member=carol).left_at == membership.left_at
    assert journal_length() == before


def test_export_downloads_my_data_and_nobody_elses(client, community):
    alice = community["alice"]
    login(client, alice)

    response = client.get(reverse("members:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["username"] == "alice"
    assert data["account"]["email"] == "alice@example.org"
    assert data["membership"]["status"] == "member"
    assert [r["role"] for r in data["roles"]] == ["founder"]
    text = response.content.decode()
    for other in ("bob", "carol", "ada"):
        assert f"{other}@example.org" not in text


def test_export_needs_login(client, community):
    assert client.get(reverse("members:export")).status_code == 302
