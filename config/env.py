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
        # Under Daphne, Django runs synchronous views in a new thread per
        # request: persistent per-thread connections would mean a new
        # connection per request, left open until its thread is collected
        # (PostgreSQL soon refuses more). A pool per process lends each request
        # a connection and takes it back; health checks test it on loan.
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, pool_size),
            "max_size": pool_size,
            "timeout": 10,
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
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "commons",
        }
    }
