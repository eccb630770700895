"""Sign-up, login and account pages (django-allauth inside the site's layout)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from governance.selectors import bylaws_entry
from members import selectors
from members.models import Member, Membership
from tests.factories import DEFAULT_PASSWORD, make_member

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "lentil-harbour-quietly-93"


def signup(client, *, username="newcomer", email="newcomer@example.org", password=STRONG_PASSWORD):
    return client.post(
        reverse("account_signup"),
        {
            "username": username,
            "email": email,
            "password1": password,
            "password2": password,
            "accept_bylaws": "on",
            "bylaws_entry": bylaws_entry(),
        },
    )


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


# --- sign-up and login (django-allauth) ---------------------------------------


def test_signup_verification_then_login_makes_a_member(client, community):
    response = signup(client)
    assert response.status_code == 302
    newcomer = Member.objects.get(username="newcomer")
    assert Membership.objects.get(member=newcomer).status == Membership.Status.APPLICANT
    assert not selectors.is_member(newcomer)

    link = confirmation_link(mail.outbox[-1])
    assert client.get(link).status_code == 200  # a confirmation page, not a silent GET
    client.post(link)

    assert selectors.is_member(newcomer)
    assert EmailAddress.objects.get(user=newcomer).verified
    response = client.post(
        reverse("account_login"), {"login": "newcomer", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("members:dashboard")).status_code == 200


def test_signup_with_a_taken_username_is_a_form_error(client, community):
    response = signup(client, username="alice", email="someone@example.org")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert 'href="#id_username"' in html
    assert Member.objects.filter(username="alice").count() == 1


def test_signup_with_a_taken_email_is_a_form_error_and_creates_no_account(client, community):
    response = signup(client, username="intruder", email="ALICE@example.org")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_email"' in html
    assert "already registered" in html
    assert not Member.objects.filter(username="intruder").exists()


def test_signup_with_a_weak_password_is_a_form_error(client, community):
    response = signup(client, password="12345678")

    html = response.content.decode()
    assert 'href="#id_password1"' in html
    assert "too common" in html
    assert not Member.objects.filter(username="newcomer").exists()


def test_login_with_unverified_email_is_refused_with_a_message(client, community):
    make_member("unverified", status=Membership.Status.APPLICANT, verified_email=False)
    EmailAddress.objects.create(
        user=Member.objects.get(username="unverified"),
        email="unverified@example.org",
        verified=False,
        primary=True,
    )

    response = client.post(
        reverse("account_login"), {"login": "unverified", "password": DEFAULT_PASSWORD}, follow=True
    )

    assert "_auth_user_id" not in client.session
    assert "Verify Your Email Address" in response.content.decode()


def test_wrong_password_is_a_form_error(client, community):
    response = client.post(reverse("account_login"), {"login": "alice", "password": "nope"})

    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_too_many_password_reset_requests_show_a_readable_429_page(client, community):
    for _attempt in range(5):
        client.post(reverse("account_reset_password"), {"email": "alice@example.org"})

    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_login_and_signup_pages_use_the_site_layout(client, community):
    for name in ("account_login", "account_signup", "account_reset_password"):
        html = client.get(reverse(name)).content.decode()
        assert '<main id="main"' in html, name
        assert html.count("<h1") == 1, name
        assert "<label" in html, name


def test_password_reset_by_email_link_sets_a_new_password(client, community):
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    link = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[-1].body
    )
    assert link, mail.outbox[-1].body

    form_page = client.get(link.group(1), follow=True)
    assert '<main id="main"' in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
        follow=True,
    )

    assert response.status_code == 200
    community["alice"].refresh_from_db()
    assert community["alice"].check_password(STRONG_PASSWORD)


def test_account_management_pages_use_the_site_layout(client, community):
    client.force_login(community["alice"])

    for name in ("account_email", "account_change_password", "account_logout"):
        response = client.get(reverse(name))
        html = response.content.decode()
        assert response.status_code == 200, name
        assert '<main id="main"' in html, name
        assert html.count("<h1") == 1, name


def test_server_error_page_renders_without_a_request_or_database():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Something went wrong" in html
    assert '<main id="main"' in html


def test_password_reset_says_the_same_whether_or_not_the_address_has_an_account(client, community):
    from django.core import mail

    known = client.post(reverse("account_reset_password"), {"email": "bob@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    # The unknown address is told no account uses it; only bob gets a link.
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "nobody@example.org"]


def test_the_login_page_uses_the_sites_words(client):
    """The menu says "Log in"; allauth's page said "Sign In" and "Remember Me"."""
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in page and "Remember me" in page
    assert "Sign In" not in page and "Remember Me" not in page
