from pathlib import Path

import pytest

from config.env import (
    ConfigurationError,
    channel_layers,
    database_config,
    env_bool,
    env_choice,
)


def test_no_database_url_means_local_sqlite_in_wal_with_immediate_transactions():
    config = database_config(None, base_dir=Path("/srv/commons"))
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == Path("/srv/commons/db.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_postgres_database_url_is_parsed_into_psycopg_settings():
    config = database_config(
        "postgres://commons:s%40cret@db.internal:6543/commons", base_dir=Path("/srv")
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"]) == ("commons", "s@cret")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 6543, "commons")


def test_postgres_connections_are_pooled_per_process_not_kept_per_thread():
    """Views run in a pool of request threads (config/asgi_http.py), and Django
    keeps a connection per thread: kept connections would pile up across
    processes until PostgreSQL refuses new ones, so they come from a pool."""
    config = database_config("postgres://u:p@db/commons", base_dir=Path("/srv"), pool_size=8)
    assert config["CONN_MAX_AGE"] == 0
    assert config["OPTIONS"]["pool"]["max_size"] == 8
    assert config["CONN_HEALTH_CHECKS"] is True


def test_unsupported_database_is_refused_with_a_clear_message():
    with pytest.raises(ConfigurationError, match="PostgreSQL or SQLite"):
        database_config("mysql://u:p@h/db", base_dir=Path("/srv"))


def test_redis_url_selects_the_redis_channel_layer():
    layers = channel_layers("redis://127.0.0.1:6379/2")
    assert layers["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    (host,) = layers["default"]["CONFIG"]["hosts"]
    assert host["address"] == "redis://127.0.0.1:6379/2"
    assert host["socket_timeout"] > 5  # longer than channels_redis's blocking receive


def test_no_redis_url_means_the_in_memory_channel_layer():
    assert channel_layers(None)["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_malformed_redis_url_is_refused():
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        channel_layers("localhost:6379")


def test_boolean_settings_accept_usual_words_and_refuse_others():
    assert env_bool("DEBUG", environ={"DEBUG": "yes"}) is True
    assert env_bool("DEBUG", environ={"DEBUG": "0"}) is False
    assert env_bool("DEBUG", environ={}) is False
    with pytest.raises(ConfigurationError):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})


def test_the_site_language_is_one_the_site_speaks():
    languages = ["en", "fr"]

    assert env_choice("LANGUAGE_CODE", "en", languages, environ={}) == "en"
    assert env_choice("LANGUAGE_CODE", "en", languages, environ={"LANGUAGE_CODE": "fr"}) == "fr"
    with pytest.raises(ConfigurationError, match="LANGUAGE_CODE must be one of en, fr, got 'de'"):
        env_choice("LANGUAGE_CODE", "en", languages, environ={"LANGUAGE_CODE": "de"})
