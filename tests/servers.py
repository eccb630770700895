"""Real servers for tests: Daphne processes on loopback, Redis, Chromium.

pytest-django's `live_server` is WSGI-only, so browser and websocket tests run
against real Daphne processes that share the test database (a file on SQLite,
the test database on PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _required(variable: str) -> bool:
    return os.environ.get(variable, "").strip() in {"1", "true", "yes"}


def missing(reason: str, *, require: str) -> None:
    """Skip with a visible reason, or fail when the run requires the dependency."""
    if _required(require):
        pytest.fail(f"{reason} ({require}=1)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def current_database_url() -> str:
    """A URL for the database the test process is using right now."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("Browser tests need a file-backed SQLite test database")
        return f"sqlite:///{Path(name).resolve()}"
    from urllib.parse import quote

    user = quote(settings.get("USER") or "")
    password = quote(settings.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = settings.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings['NAME']}"


@dataclass
class DaphneServer:
    url: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_daphne(tmp_path: Path, *, extra_env: dict | None = None, name: str = "daphne"):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": current_database_url(),
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log_path = tmp_path / f"{name}-{port}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "config.serve",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = DaphneServer(f"http://127.0.0.1:{port}", port, process, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Daphne exited early:\n{server.log()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"Daphne did not start within 30 s:\n{server.log()}")


@pytest.fixture
def daphne_server(transactional_db, tmp_path):
    """One real Daphne process serving the whole ASGI application."""
    server = start_daphne(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def daphne_factory(transactional_db, tmp_path):
    """Start several Daphne processes (e.g. two nodes sharing Redis)."""
    servers: list[DaphneServer] = []

    def start(**kwargs):
        server = start_daphne(tmp_path, name=f"daphne{len(servers)}", **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    if not url:
        missing("no Redis server configured (set TEST_REDIS_URL)", require="REQUIRE_SERVICES")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        missing(f"Redis at {url} does not answer: {exc}", require="REQUIRE_SERVICES")
    return url


class PrivateRedis:
    """A Redis server of the test's own, which the test may restart (with no
    persistence: a restart forgets everything, as a crash would)."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.tmp_path = tmp_path
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        missing("no redis-server program to restart", require="REQUIRE_SERVICES")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def chromium_executable() -> str | None:
    candidate = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE") or shutil.which("chromium")
    if candidate and Path(candidate).exists():
        return candidate
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Playwright's sync API runs an event loop
    in this thread while it is open, which async tests (Channels) cannot share,
    so it is closed at the end of each module rather than of the session."""
    executable = chromium_executable()
    if executable is None:
        missing(
            "no Chromium found (install Debian's chromium or set PLAYWRIGHT_CHROMIUM_EXECUTABLE)",
            require="REQUIRE_BROWSER",
        )
    from playwright.sync_api import sync_playwright

    # The test itself still talks to the database synchronously while
    # Playwright's loop runs, which is safe here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
