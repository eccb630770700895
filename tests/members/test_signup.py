"""Signing up: the applicant accepts the bylaws in force (recorded on their
application), is logged in once their address is confirmed, and every
account email speaks for the community, not for the host name.

Each test signs up once or twice from a fresh cache (tests/conftest.py), far
below the sign-up and confirmation limits in settings (20 an hour per
address; one confirmation email per address every 3 minutes)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from governance.selectors import bylaws_entry
from members import services
from members.errors import BylawsChanged
from members.models import Member, Membership, StandingChange
from tests.proposals.helpers import amend

pytestmark = pytest.mark.django_db

PASSWORD = "lentil-harbour-quietly-93"
ACCEPT_LABEL = "I have read the bylaws in force and I accept them."


def sign_up(client, *, username="newcomer", accept=True, shown=None, **extra):
    data = {
        "username": username,
        "email": f"{username}@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "bylaws_entry": bylaws_entry() if shown is None else shown,
        **extra,
    }
    if accept:
        data["accept_bylaws"] = "on"
    return client.post(reverse("account_signup"), data)


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def application_of(username: str) -> StandingChange:
    return StandingChange.objects.get(member__username=username, action="applied")


# --- accepting the bylaws ------------------------------------------------------------------


def test_the_signup_form_links_the_bylaws_and_carries_the_entry_that_put_them_in_force(
    client, community
):
    html = client.get(reverse("account_signup")).content.decode()

    assert ACCEPT_LABEL in html
    assert f'href="{reverse("governance:bylaws")}"' in html
    assert re.search(rf'name="bylaws_entry" value="{bylaws_entry()}"', html)
    assert re.search(r'<input[^>]*name="accept_bylaws"[^>]*required', html)


def test_signing_up_without_accepting_the_bylaws_is_refused_and_creates_no_account(
    client, community
):
    response = sign_up(client, accept=False)

    assert response.status_code == 200
    assert "Tick the box to accept the bylaws" in response.content.decode()
    assert not Member.objects.filter(username="newcomer").exists()
    assert not mail.outbox


def test_the_application_records_the_bylaws_in_force_when_signing_up(client, community):
    sign_up(client)

    application = application_of("newcomer")
    assert application.accepted_bylaws_entry == bylaws_entry() == 1  # the founding act
    assert Membership.objects.get(member__username="newcomer").status == "applicant"


def test_after_an_amendment_the_application_records_the_entry_of_the_new_version(client, community):
    voters = list(community.values())
    amend(voters[0], voters, slug="dues", text="Membership is free.")
    new_version = bylaws_entry()
    assert new_version > 1

    sign_up(client)

    assert application_of("newcomer").accepted_bylaws_entry == new_version


def test_bylaws_changed_while_signing_up_ask_the_person_to_read_them_again(client, community):
    shown = bylaws_entry()
    voters = list(community.values())
    amend(voters[0], voters, slug="dues", text="Membership is free.")

    response = sign_up(client, shown=shown)

    html = response.content.decode()
    assert response.status_code == 200
    assert "The bylaws changed while you were signing up" in html
    assert not Member.objects.filter(username="newcomer").exists()
    # The form now carries the bylaws in force, and the box is to be ticked again.
    assert re.search(rf'name="bylaws_entry" value="{bylaws_entry()}"', html)
    assert not re.search(r'<input[^>]*name="accept_bylaws"[^>]*checked', html)


def test_the_service_refuses_an_application_that_accepts_bylaws_no_longer_in_force(community):
    person = Member.objects.create_user(username="late", email="late@example.org")

    with pytest.raises(BylawsChanged):
        services.apply_for_membership(member=person, accepted_bylaws_entry=bylaws_entry() + 1)

    assert not StandingChange.objects.filter(member=person).exists()
    assert not Membership.objects.filter(member=person).exists()


def test_the_database_refuses_an_application_naming_other_bylaws(community, as_application):
    person = Member.objects.create_user(username="forger", email="forger@example.org")

    with pytest.raises(IntegrityError, match="membership guard"), as_application():
        StandingChange.objects.create(
            member=person,
            action="applied",
            authority="self",
            actor=person,
            at=timezone.now(),
            accepted_bylaws_entry=bylaws_entry() + 5,
        )

    assert not StandingChange.objects.filter(member=person).exists()


def test_the_accepted_bylaws_are_never_rewritten(client, community, as_application):
    sign_up(client)
    application = application_of("newcomer")

    with pytest.raises(IntegrityError, match="membership guard"), as_application():
        StandingChange.objects.filter(pk=application.pk).update(accepted_bylaws_entry=None)

    application.refresh_from_db()
    assert application.accepted_bylaws_entry == bylaws_entry()


# --- confirming the address logs the person in --------------------------------------------


def test_confirming_the_email_in_the_same_browser_logs_the_person_in(client, community):
    sign_up(client)
    assert not client.get(reverse("members:dashboard")).wsgi_request.user.is_authenticated

    client.post(confirmation_link(mail.outbox[-1]))

    response = client.get(reverse("members:dashboard"))
    assert response.status_code == 200
    assert response.wsgi_request.user.username == "newcomer"
    assert Membership.objects.get(member__username="newcomer").status == "member"


def test_a_confirmation_link_opened_elsewhere_confirms_without_logging_in(client, community):
    from django.test import Client

    sign_up(client)
    elsewhere = Client()

    elsewhere.post(confirmation_link(mail.outbox[-1]))

    assert not elsewhere.get(reverse("members:dashboard")).wsgi_request.user.is_authenticated
    assert Membership.objects.get(member__username="newcomer").status == "member"


# --- emails speak for the community -------------------------------------------------------


@override_settings(
    DEFAULT_FROM_EMAIL="robot@velo.example",
    CONTACT_EMAIL="hello@velo.example",
    SITE_URL="https://velo.example",
)
def test_account_emails_come_from_the_community_with_its_contact_address(client, community):
    sign_up(client)

    message = mail.outbox[-1]
    assert message.from_email == "Test Commons <robot@velo.example>"
    assert message.subject.startswith("[Test Commons] ")
    assert message.extra_headers["Reply-To"] == "hello@velo.example"
    assert "Hello from Test Commons!" in message.body
    assert "hello@velo.example" in message.body
    assert "velo.example" in message.body
    # Only the confirmation link names the host the person signed up on.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    assert "testserver" not in message.body.replace(link, "")


@override_settings(DEFAULT_FROM_EMAIL="Commons <noreply@velo.example>", CONTACT_EMAIL="")
def test_without_a_contact_address_replies_go_to_the_sender(client, community):
    sign_up(client)

    message = mail.outbox[-1]
    assert message.from_email == "Test Commons <noreply@velo.example>"
    assert message.extra_headers["Reply-To"] == "noreply@velo.example"


def test_the_signup_form_reads_in_french(client, community):
    html = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "J’ai lu les statuts en vigueur et je les accepte." in html
