import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters (allauth, DRF throttles) live in the cache."""
    cache.clear()
    yield
    cache.clear()
