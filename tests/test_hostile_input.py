"""Classes of hostile input, tried on every route: nothing answers 5xx.

- Every JSON endpoint, with a body nested thousands deep (RecursionError in
  the parser once answered 500, anonymously and before any throttle).
- Every route that takes a number, with numbers no database can hold (500 on
  SQLite once: its driver overflows before the query runs).
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from kernel.ids import MAX_ID

pytestmark = pytest.mark.django_db


def routes(patterns=None, prefix=""):
    """(path template, converters) for every URL of the site."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def fill(route: str, number: int) -> str | None:
    """A path for the route with every number set to ``number`` (None for
    routes with parameters of other kinds, or regular expressions)."""
    if route.startswith("^") or "(?P" in route:
        return None
    path = "/" + route
    for converter, _name in PARAM.findall(route):
        if converter not in ("id", "int"):
            return None
    return PARAM.sub(str(number), path)


ALL_ROUTES = sorted(set(routes()))
NUMBERED = [r for r in ALL_ROUTES if PARAM.search(r) and fill(r, 1)]
API_ROUTES = [r for r in ALL_ROUTES if r.startswith("api/v1/") and fill(r, 1)]


def test_every_numbered_route_takes_ids_through_the_checked_converter():
    """The class: a new route with `<int:…>` would take any number again."""
    unchecked = [r for r in NUMBERED if "<int:" in r]
    assert NUMBERED and not unchecked, unchecked


@pytest.mark.parametrize("route", NUMBERED)
@pytest.mark.parametrize("number", [MAX_ID + 1, 10**20, 0])
def test_numbers_no_database_holds_are_not_found(client, community, route, number):
    client.force_login(community["carol"])
    for method in (client.get, client.post):
        response = method(fill(route, number))
        assert response.status_code in (404, 405), (route, response.status_code)


@pytest.mark.parametrize("route", API_ROUTES)
@pytest.mark.parametrize("who", ["visitor", "member"])
def test_deeply_nested_json_is_a_clear_400(community, route, who):
    api = APIClient()
    if who == "member":
        api.force_authenticate(community["carol"])
    body = "[" * 3000
    for method in (api.post, api.put, api.patch):
        response = method(fill(route, 1), body, content_type="application/json")
        assert response.status_code < 500, (route, method.__name__, response.status_code)
        if response.status_code == 400:
            assert response.json()["code"] == "parse_error"


def test_a_json_body_nested_past_the_limit_names_the_problem(community):
    api = APIClient()
    api.force_authenticate(community["alice"])
    response = api.post(
        "/api/v1/proposals/",
        '{"kind": "motion", "title": "t", "body": "b", "x": ' + "[" * 40 + "]" * 40 + "}",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "nested" in response.json()["detail"]


HOSTILE_QUERIES = [
    {name: value for name in ("after", "until", "page", "limit", "offset", "seq", "kind", "q")}
    for value in (str(10**25), "-1", "²", "1e5", "0x10", "", "[]", "a\x00b")
]


@pytest.mark.parametrize("route", [r for r in ALL_ROUTES if fill(r, 1)])
def test_any_query_string_is_read_or_refused_never_a_server_error(client, community, route):
    """The class: numbers from query strings go through kernel.ids too."""
    client.force_login(community["ada"])
    for query in HOSTILE_QUERIES:
        response = client.get(fill(route, 1), query)
        assert response.status_code < 500, (route, query, response.status_code)


def test_a_nul_in_a_query_string_or_a_form_is_a_clear_400(client, community):
    """PostgreSQL refuses NUL in text: a search for it was a server error there."""
    response = client.get("/contributions/marketplace/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    response = client.get("/api/v1/needs/", {"q": "\x00"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    client.force_login(community["alice"])
    response = client.post("/proposals/new/motion/", {"title": "a\x00", "body": "b"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "text", ['"a\\u0000b"', '"\\ud800"', '"\\udc00 alone"'], ids=["nul", "high", "low"]
)
def test_json_strings_no_text_can_hold_are_a_parse_error(community, text):
    api = APIClient()
    api.force_authenticate(community["alice"])
    for body in (f'{{"kind": "motion", "title": {text}, "body": "b"}}', f"{{{text}: 1}}"):
        response = api.post("/api/v1/proposals/", body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("charset", ["zlib_codec", "rot13", "base64", "hex"])
def test_a_charset_that_is_not_a_text_encoding_is_a_parse_error(community, charset):
    api = APIClient()
    api.force_authenticate(community["alice"])
    response = api.post(
        "/api/v1/proposals/",
        b'{"kind": "motion", "title": "t", "body": "b"}',
        content_type=f"application/json; charset={charset}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
