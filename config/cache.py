"""The cache behind rate limits, shared by every server through Redis, and
still there when Redis is not.

Rate limits (logins, tokens, sign-ups, password resets) keep their counters
in the cache. If Redis is down, a plain RedisCache raises on every request
that counts something: the token endpoint answered 500. This backend keeps
serving: each operation that fails on Redis is done on a cache local to the
process instead, with a warning logged (once a minute at most). Limits then
hold per process rather than across servers until Redis is back, which is
better than no limits and better than no logins.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

WARN_EVERY = 60.0

_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "decr",
    "set_many",
    "delete_many",
    "clear",
    "get_or_set",
)


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(f"fallback-{id(self)}", {**params, "OPTIONS": {}})
        self._warned_at = 0.0

    def _fallback(self, name: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > WARN_EVERY:
            self._warned_at = now
            logger.warning("cache: Redis failed (%s); using this process's memory", error)


def _guarded(name: str):
    def operation(self, *args, **kwargs):
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except Exception as error:  # redis.ConnectionError, TimeoutError, …
            self._fallback(name, error)
            return getattr(self._local, name)(*args, **kwargs)

    operation.__name__ = name
    return operation


for _name in _OPERATIONS:
    setattr(FallbackRedisCache, _name, _guarded(_name))
