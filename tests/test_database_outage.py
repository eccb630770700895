"""A database out of reach: every request answers within seconds, 503 with
Retry-After, JSON for the API and a friendly page for people; /healthz says
what is wrong. (A real Daphne process whose database does not answer.)"""

import time
import urllib.error
import urllib.request

import pytest

from tests.servers import free_port

pytestmark = pytest.mark.live_server_process


class Answer:
    def __init__(self, status: int, headers, body: bytes):
        self.status_code, self.headers, self.text = status, headers, body.decode()

    def json(self):
        import json

        return json.loads(self.text)


def get(url: str) -> Answer:
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:  # noqa: S310 - a local test server
            return Answer(reply.status, reply.headers, reply.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


@pytest.fixture
def server_without_database(daphne_factory, tmp_path):
    # Nothing listens on this port: connections are refused at once (an
    # address that swallows packets is held to the 3 s connect timeout).
    url = f"postgres://commons:commons@127.0.0.1:{free_port()}/commons"
    return daphne_factory(extra_env={"DATABASE_URL": url, "GOVERNANCE_TICK_SECONDS": "0"})


def test_pages_and_the_api_answer_503_quickly(server_without_database):
    base = server_without_database.url
    started = time.monotonic()
    page = get(f"{base}/proposals/")
    api = get(f"{base}/api/v1/proposals/")
    health = get(f"{base}/healthz")
    elapsed = time.monotonic() - started
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "10"
    assert "Back in a moment" in page.text
    assert api.status_code == 503
    assert api.json()["code"] == "unavailable"
    assert (health.status_code, health.text) == (503, "database unreachable")
    assert elapsed < 15  # three requests, each well within the pool's 3 s wait


def test_static_files_do_not_need_the_database(server_without_database):
    assert get(f"{server_without_database.url}/static/css/commons.css").status_code == 200
