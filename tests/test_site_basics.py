"""What every page and every browser relies on."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_health_check_answers_without_an_account():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


def test_pages_name_the_site_icon_and_favicon_ico_leads_to_it(community):
    page = Client().get("/treasury/").content.decode()
    response = Client().get("/favicon.ico")

    assert '<link rel="icon" href="/static/img/favicon.svg' in page
    assert response.status_code == 302
    assert response["Location"].startswith("/static/img/favicon.svg")


def test_every_page_that_answers_get_answers_head(client, community):
    """Uptime monitors and link checkers ask with HEAD: whatever a GET
    answers without parameters, HEAD answers the same, with no body."""
    from tests.test_hostile_input import ALL_ROUTES, PARAM

    plain = ["/" + route for route in ALL_ROUTES if not PARAM.search(route) and "^" not in route]
    client.force_login(community["bob"])
    checked = 0
    for path in plain:
        got = client.get(path)
        if got.status_code != 200 or getattr(got, "streaming", False):
            continue
        head = client.head(path)
        assert (path, head.status_code, head.content) == (path, 200, b""), path
        checked += 1
    assert checked >= 20
