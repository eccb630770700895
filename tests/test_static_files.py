"""Static files at the ASGI level (config/asgi_http.py, `StaticFiles`): what
`make run` and a bare Daphne serve, and what production's collected files get."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from config.asgi_http import StaticFiles
from tests.asgi_client import asgi_application, counted_trips, request

# /healthz asks the database whether it answers (config/views.py).
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
COMMONS_CSS = (ROOT / "static/css/commons.css").read_bytes()


def test_static_files_are_served_by_the_asgi_application_before_django():
    reply = request(asgi_application(), "GET", "/static/css/commons.css")

    assert reply.status == 200
    assert reply.headers["content-type"] == 'text/css; charset="utf-8"'
    assert reply.body == COMMONS_CSS
    assert reply.headers["content-length"] == str(len(COMMONS_CSS))
    assert reply.headers["cache-control"].startswith("max-age=")
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "etag" in reply.headers and "last-modified" in reply.headers


def test_files_of_installed_apps_are_found_without_collectstatic():
    """The test settings use the finders as DEBUG does (`make run`)."""
    reply = request(asgi_application(), "GET", "/static/admin/css/base.css")

    assert reply.status == 200
    assert reply.headers["content-type"] == 'text/css; charset="utf-8"'


def test_head_answers_the_headers_without_the_body():
    reply = request(asgi_application(), "HEAD", "/static/css/commons.css")

    assert reply.status == 200
    assert reply.headers["content-length"] == str(len(COMMONS_CSS))
    assert reply.body == b""


def test_a_client_with_the_current_etag_gets_not_modified():
    etag = request(asgi_application(), "GET", "/static/css/commons.css").headers["etag"]

    reply = request(
        asgi_application(), "GET", "/static/css/commons.css", headers={"If-None-Match": etag}
    )

    assert reply.status == 304
    assert reply.body == b""


def test_a_range_is_answered_with_partial_content():
    reply = request(
        asgi_application(), "GET", "/static/css/commons.css", headers={"Range": "bytes=0-9"}
    )

    assert reply.status == 206
    assert reply.body == COMMONS_CSS[:10]
    assert reply.headers["content-range"] == f"bytes 0-9/{len(COMMONS_CSS)}"


def test_unknown_static_paths_are_not_found_without_reaching_django(monkeypatch):
    with counted_trips(monkeypatch) as trips:
        reply = request(asgi_application(), "GET", "/static/css/missing.css")

    assert reply.status == 404
    assert reply.headers["content-type"] == "text/plain; charset=utf-8"
    assert trips["to_thread"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/static/../config/settings.py",
        "/static/css/../../config/settings.py",
        "/static//etc/passwd",
        "/static/css/",
        "/static/css",
        "/static/css/commons.css\x00.txt",
        "/static/css\\..\\..\\manage.py",
    ],
)
def test_paths_outside_the_static_files_are_refused(path):
    assert request(asgi_application(), "GET", path).status == 404


def test_static_files_refuse_other_methods():
    reply = request(asgi_application(), "POST", "/static/css/commons.css")

    assert reply.status == 405
    assert reply.headers["allow"] == "GET, HEAD"


def test_other_paths_go_to_django():
    reply = request(asgi_application(), "GET", "/healthz")

    assert (reply.status, reply.body) == (200, b"ok")


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """STATIC_ROOT as production has it: `collectstatic` with hashed names
    and compressed copies."""
    from django.core.management import call_command

    root = tmp_path_factory.mktemp("staticfiles")
    production = {
        "STATIC_ROOT": root,
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
        "WHITENOISE_AUTOREFRESH": False,
        "WHITENOISE_USE_FINDERS": False,
    }
    with override_settings(**production):
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.contrib.staticfiles.storage import staticfiles_storage

        # The index and every file's headers are built here, once, as at a
        # server's start; requests do not read the settings again.
        app = StaticFiles(django_not_reached)
        hashed_url = staticfiles_storage.url("css/commons.css")
    return app, hashed_url


async def django_not_reached(scope, receive, send):
    raise AssertionError(f"{scope['path']} reached Django")


def test_collected_files_with_a_hash_in_their_name_are_cached_for_ever(collected):
    app, hashed_url = collected
    assert hashed_url != "/static/css/commons.css"

    reply = request(app, "GET", hashed_url)

    assert reply.status == 200
    assert reply.body == COMMONS_CSS
    assert reply.headers["cache-control"] == "max-age=315360000, public, immutable"


def test_collected_files_under_their_plain_name_are_cached_briefly(collected):
    app, _hashed_url = collected

    reply = request(app, "GET", "/static/css/commons.css")

    assert reply.status == 200
    assert reply.headers["cache-control"] == "max-age=60, public"


def test_the_compressed_copy_goes_to_clients_that_accept_it(collected):
    app, hashed_url = collected

    reply = request(app, "GET", hashed_url, headers={"Accept-Encoding": "gzip, deflate"})

    assert reply.headers["content-encoding"] == "gzip"
    assert reply.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(reply.body) == COMMONS_CSS


def test_collected_files_outside_the_index_are_not_found(collected):
    app, _hashed_url = collected

    assert request(app, "GET", "/static/css/nothing.css").status == 404
    assert request(app, "GET", "/static/staticfiles.json/../css/commons.css").status == 404


def test_make_run_serves_css_without_collectstatic(tmp_path):
    """DEBUG=1 and the production settings module, as `make run` starts
    Daphne: the files come from the apps' and the project's static folders."""
    script = (
        "import asyncio, json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from config.asgi import application\n"
        "from tests.asgi_client import call, Reply\n"
        "reply = Reply(asyncio.run(call(application, 'GET', '/static/css/commons.css')))\n"
        "print(json.dumps([reply.status, reply.headers['content-type'], len(reply.body)]))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "SECRET_KEY": "dev-only-test",
        "GOVERNANCE_TICK_SECONDS": "0",
    }
    for name in ("WHITENOISE_USE_FINDERS", "WHITENOISE_AUTOREFRESH", "DATABASE_URL"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", script, str(ROOT)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-2000:]
    status, content_type, length = json.loads(result.stdout.strip().splitlines()[-1])
    assert (status, content_type, length) == (200, 'text/css; charset="utf-8"', len(COMMONS_CSS))
