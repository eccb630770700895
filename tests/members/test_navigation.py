"""The main menu: every public part of the site is one click away, and one
link at a time says it is the current page."""

import re

import pytest

pytestmark = pytest.mark.django_db


def current_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"\s+aria-current="page"', html)


def test_visitors_reach_contributions_from_the_menu(client, community):
    page = client.get("/").content.decode()
    assert '<a href="/contributions/"' in page
    assert current_links(client.get("/contributions/marketplace/").content.decode()) == [
        "/contributions/"
    ]


def test_notifications_are_not_also_marked_as_proposals(client, community):
    client.force_login(community["bob"])
    assert current_links(client.get("/proposals/notifications/").content.decode()) == [
        "/proposals/notifications/"
    ]
    assert current_links(client.get("/proposals/").content.decode()) == ["/proposals/"]
