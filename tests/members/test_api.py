"""Accounts API: tokens, my standing, my data."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from members.models import Membership
from tests.factories import DEFAULT_PASSWORD, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    cache.clear()  # fresh throttle counters
    yield APIClient()
    cache.clear()


def test_token_for_correct_credentials_opens_the_api(api, community):
    response = api.post(
        "/api/v1/auth/token/", {"username": "alice", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(key=token).user == community["alice"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["username"] == "alice"


def test_token_also_accepts_the_email_address(api, community):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "alice@example.org", "password": DEFAULT_PASSWORD},
        format="json",
    )

    assert response.status_code == 200


def test_wrong_password_gets_400_with_a_message_and_no_token(api, community):
    response = api.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The username or password is not correct.",
        "code": "invalid_credentials",
    }
    assert not Token.objects.exists()


def test_missing_fields_get_400_naming_each_field(api, community):
    response = api.post("/api/v1/auth/token/", {"username": "alice"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "password: This field is required.",
        "code": "invalid",
        "fields": {"password": ["This field is required."]},
    }


def test_a_number_is_not_a_username(api, community):
    response = api.post(
        "/api/v1/auth/token/", {"username": 123, "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"username": ["Not a valid string."]}


def test_the_api_takes_json_bodies_only(api, community):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": DEFAULT_PASSWORD},
        format="multipart",
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_unverified_account_gets_no_token(api, community):
    make_member("unverified", status=Membership.Status.APPLICANT, verified_email=False)

    response = api.post(
        "/api/v1/auth/token/",
        {"username": "unverified", "password": DEFAULT_PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert "Confirm your email address" in response.json()["detail"]
    assert not Token.objects.exists()


def test_token_requests_are_throttled(api, community):
    # Different accounts each time: the per-account lockout after five
    # failures (shared with the login form) is tested in tests/test_client_limits.py.
    statuses = [
        api.post(
            "/api/v1/auth/token/", {"username": f"guess{n}", "password": "guess"}, format="json"
        ).status_code
        for n in range(11)
    ]

    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_me_shows_standing_and_roles(api, community):
    api.force_authenticate(community["carol"])

    data = api.get("/api/v1/me/").json()

    assert data["username"] == "carol"
    assert data["status"] == "member"
    assert data["is_member"] is True
    assert data["roles"] == ["steward"]
    assert data["has_voting_tenure"] is True
    assert data["can_vote_from"] is not None


def test_me_for_a_suspended_member_shows_the_reason(api, community):
    from members.services import suspend_member

    suspend_member(member=community["bob"], actor=community["carol"], reason="Spam")
    api.force_authenticate(community["bob"])

    data = api.get("/api/v1/me/").json()

    assert (data["status"], data["is_member"], data["suspension_reason"]) == (
        "suspended",
        False,
        "Spam",
    )
    assert data["can_vote_from"] is None


def test_me_needs_authentication_and_says_so_with_403(api, community):
    for path in ("/api/v1/me/", "/api/v1/me/export/"):
        response = api.get(path)
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Authentication credentials were not provided.",
            "code": "not_authenticated",
        }


def test_a_wrong_token_is_refused_with_403_on_any_endpoint(api, community):
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    for path in ("/api/v1/me/", "/api/v1/bylaws/", "/api/v1/treasury/summary/"):
        response = api.get(path)
        assert response.status_code == 403
        assert response.json()["code"] == "authentication_failed"


def test_export_contains_my_data_only(api, community):
    api.force_authenticate(community["bob"])

    data = api.get("/api/v1/me/export/").json()

    assert data["account"]["email"] == "bob@example.org"
    assert [r["role"] for r in data["roles"]] == ["treasurer"]
    assert "alice@example.org" not in str(data)


def test_schema_documents_the_accounts_endpoints(api, community):
    response = api.get("/api/schema/", {"format": "json"})

    paths = response.json()["paths"]
    assert "/api/v1/auth/token/" in paths
    assert "/api/v1/me/" in paths
    assert "/api/v1/me/export/" in paths
    token_schema = response.json()["components"]["schemas"]["Token"]
    assert "token" in token_schema["properties"]
