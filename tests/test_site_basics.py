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
