"""Reading settings from the environment.

Every setting that differs between a laptop and a production cluster comes
from an environment variable, parsed here so the rules are testable without
reloading Django settings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}

# Writers queue on the database lock instead of failing with "database is
# locked"; WAL lets readers proceed while one writer commits.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA busy_timeout=30000;"
        # INSERT OR REPLACE deletes the row it replaces: with recursive
        # triggers on, that delete meets the guards' DELETE triggers too.
        "PRAGMA recursive_triggers=ON;"
    ),
}


class ConfigurationError(Exception):
    """A required setting is missing or malformed."""


def env_bool(name: str, default: bool = False, environ=os.environ) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_choice(name: str, default: str, choices, environ=os.environ) -> str:
    value = environ.get(name, default).strip()
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_list(name: str, default: list[str], environ=os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Threads that may hold a database connection besides the request threads:
# asgiref's one shared thread, where every websocket consumer of the process
# runs its database calls (channels' database_sync_to_async outside any
# request), the governance ticker (proposals/scheduler.py), and the timers
# that announce running tallies, one per proposal being voted on at that
# moment (proposals/broadcasts.py): two are counted; a third waits briefly.
OTHER_CONNECTION_HOLDERS = 4


def env_time_zone(name: str, default: str, *, environ=os.environ) -> str:
    """An IANA time zone name ("Europe/Paris"), checked at start-up."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = (environ.get(name) or default).strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"{name} must be a time zone name such as Europe/Paris, got {value!r}"
        ) from None
    return value


def env_int(name: str, default: int, *, minimum: int = 0, environ=os.environ) -> int:
    raw = environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    return value


def database_pool_size(request_threads: int, environ=os.environ) -> int:
    """Connections each server process may hold: by default one per thread
    that can hold one at the same time, so no request waits for a connection.

    A request holds a connection on its thread from its first query until it
    ends (config/asgi_http.py lends at most REQUEST_THREADS threads)."""
    return env_int(
        "DATABASE_POOL_SIZE",
        request_threads + OTHER_CONNECTION_HOLDERS,
        minimum=1,
        environ=environ,
    )


def database_config(url: str | None, *, base_dir: Path, pool_size: int = 20) -> dict[str, Any]:
    """The default database: PostgreSQL from a URL, else a local SQLite file."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": base_dir / "db.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
            "TEST": {"NAME": base_dir / "test-db.sqlite3"},
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises bare ValueError/KeyError
        raise ConfigurationError(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        config["CONN_MAX_AGE"] = 0
    elif engine == "django.db.backends.postgresql":
        # A pool per process lends each request a connection when it first
        # queries and takes it back when the request ends (CONN_MAX_AGE 0);
        # health checks test it on loan. Connections are not kept per thread:
        # outside the request threads (which config/asgi_http.py reuses),
        # management commands and tests run code in threads of their own.
        # A database out of reach must not hold requests for long: a new
        # connection gives up after 3 s, a request waiting for one from the
        # pool after 3 s (the pool is larger than the request threads, so only
        # an outage makes anyone wait), and the page says 503 (config/views.py).
        options = config.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", 3)
        options["pool"] = {
            "min_size": min(2, pool_size),
            "max_size": pool_size,
            "timeout": 3,
        }
    else:
        raise ConfigurationError(
            f"DATABASE_URL must point at PostgreSQL or SQLite, not {engine.rsplit('.', 1)[-1]}"
        )
    return config


def channel_layers(redis_url: str | None) -> dict[str, Any]:
    """In-process layer on one machine; Redis when several servers share debates."""
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigurationError("REDIS_URL must start with redis://, rediss:// or unix://")
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py's defaults (5 s socket timeout, the same as channels_redis's
                # blocking receive, and 100 pooled connections) drop idle websockets
                # and fail under connection storms.
                "hosts": [{"address": redis_url, "socket_timeout": 30, "max_connections": 2000}],
                "capacity": 1500,
                "expiry": 60,
            },
        }
    }


def cache_config(redis_url: str | None) -> dict[str, Any]:
    """Rate limits must be shared by every server, so they live in Redis when there is one."""
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "commons",
            # A Redis that does not answer must not hold requests: fail fast
            # and count in the process's memory meanwhile (config/cache.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
