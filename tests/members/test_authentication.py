"""Personal API tokens: who a program is, and clear refusals."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from members.authentication import TokenAuthentication

pytestmark = pytest.mark.django_db


def client_with(key: str, **headers) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", **headers)
    return client


def test_a_valid_token_acts_as_its_member(community):
    token = Token.objects.create(user=community["alice"])

    response = client_with(token.key).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "alice"


# DRF answers 403, not 401, because session authentication comes first (the
# browser's), and it names no WWW-Authenticate scheme.
def test_an_unknown_token_gets_403_with_a_message(community):
    Token.objects.create(user=community["alice"])

    response = client_with("0" * 40).get("/api/v1/me/")

    assert response.status_code == 403
    assert response.json()["detail"] == "Invalid token."


def test_a_deactivated_account_token_is_refused(community):
    alice = community["alice"]
    token = Token.objects.create(user=alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    response = client_with(token.key).get("/api/v1/me/")

    assert response.status_code == 403
    assert response.json()["detail"] == "User inactive or deleted."


def test_a_deleted_token_stops_working_at_once(community):
    token = Token.objects.create(user=community["alice"])
    client = client_with(token.key)
    assert client.get("/api/v1/me/").status_code == 200

    token.delete()

    assert client.get("/api/v1/me/").status_code == 403


def test_refusals_speak_the_callers_language(community):
    with translation.override("fr"):
        response = client_with("0" * 40, HTTP_ACCEPT_LANGUAGE="fr").get("/api/v1/me/")

    assert response.status_code == 403
    assert response.json()["detail"] == "Jeton non valide."


def test_the_request_carries_the_token_row_as_drf_gives_it(community):
    stored = Token.objects.create(user=community["alice"])

    member, token = TokenAuthentication().authenticate_credentials(stored.key)

    assert member == community["alice"]
    assert token.pk == stored.key
    assert token.user is member
    assert token.created == stored.created  # loaded on demand, as a real date
