"""Without Redis, rate limits keep working in each process's memory (with a
logged warning) instead of failing every request that counts something."""

import logging

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from config.env import cache_config
from tests.factories import DEFAULT_PASSWORD
from tests.servers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down():
    """The cache points at a port where no Redis listens."""
    with override_settings(CACHES=cache_config(f"redis://127.0.0.1:{free_port()}/0")):
        yield caches["default"]


def test_the_cache_answers_from_memory_and_says_so(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        redis_down.set("attempts", 3, 60)
        assert redis_down.get("attempts") == 3
        assert redis_down.incr("attempts") == 4
    assert "using this process's memory" in caplog.text


def test_the_token_endpoint_works_and_still_throttles_without_redis(redis_down, community):
    api = Client()
    ok = api.post(
        "/api/v1/auth/token/",
        {"username": "bob", "password": DEFAULT_PASSWORD},
        content_type="application/json",
    )
    assert ok.status_code == 200
    statuses = [
        api.post(
            "/api/v1/auth/token/",
            {"username": f"person{n}", "password": "wrong"},
            content_type="application/json",
        ).status_code
        for n in range(12)
    ]
    assert set(statuses) <= {400, 429} and 429 in statuses
