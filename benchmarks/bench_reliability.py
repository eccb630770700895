"""Reliability under faults and hostile input (hostile-input issue): four figures.

1. **kill**: acknowledged ballots under kill -9. Concurrent clients cast and
   change ballots (token auth, ``POST /api/v1/proposals/{id}/ballot/``, every
   request a change) while the Daphne process is killed with SIGKILL and
   started again, three times. Right after each kill (the server is dead, its
   orphaned database sessions gone) and at the end, the database must hold,
   for every voter, the choice of their last acknowledged (HTTP 200) ballot,
   or that of a later request that got no answer (such a request may or may
   not be stored: the process may have died before or after its commit).
   The running tally must equal the recount.
2. **redis**: delivered / sent across a Redis restart. Two Daphne processes
   share a redis-server of the script's own (no persistence: a restart
   forgets every subscription, as a crash would). Readers follow a debate on
   one server; members post through the other; Redis is killed, posts are
   made while it is away, it comes back empty, more posts follow. Each reader
   must receive every post, without reconnecting, within a deadline after the
   last one. Reports the worst reader's ratio and how long the last reader
   took to have everything after Redis came back.
3. **fuzz**: 5xx under fuzzing. schemathesis (when installed) against the
   live /api/schema/ with a fixed number of examples; hostile JSON bodies,
   charsets and query strings on every operation of the schema; hostile and
   random websocket frames (tests/realtime/test_frame_fuzz.py's list and
   seeded random ones) and ``?after=`` values. Counts requests, 5xx answers
   (schemathesis's from the server's own access log) and crashed sockets
   (close 1011, an abrupt close, a ``server_error`` frame, or no answer).
4. **memory**: the Daphne process's RSS (VmRSS) before, at the peak and 10 s
   after a 150 MB form POST to the login page (twice), the same as JSON to
   the API, and a 40 MB file sent to a form that takes none; all must be
   refused with 413 (and an 8 MB file within the limit must not be a 5xx).
   The servers run as Commons runs them (`python -m config.serve`), which
   answers 413 as soon as a declared length is over the limit and keeps none
   of the body, so a refused body must not raise the peak by more than
   REFUSED_PEAK_MB. (Plain Daphne reads the whole body into memory first:
   the figures of 2026-11-30 in docs/reliability.md show a 450 MB peak.)

Run on PostgreSQL (the production database):
    BENCH_DATABASE_URL=postgres://commons:commons@127.0.0.1:5433/postgres \\
        .venv/bin/python benchmarks/bench_reliability.py [--only kill,redis,fuzz,memory]
It creates its own database `commons_bench_reliability` (dropped at the end)
and keeps the servers' logs in a temporary folder that it names when a
target is missed. Without BENCH_DATABASE_URL it uses a throwaway SQLite file
and says so. The data are seeded in a child process the way the tests build
them (tests/factories.py, tests/proposals/helpers.py, tests/debates/helpers.py).

(Longer than 500 lines: the four parts share the servers, the seeding and
the database, and `make bench` runs them as one script.)
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]
from bench_ballots import CHOICES, child_env, prepare_database  # noqa: E402

from tests.servers import PrivateRedis, free_port  # noqa: E402

DATABASE = "commons_bench_reliability"
PARTS = ("kill", "redis", "fuzz", "memory")
ACCESS_LINE = re.compile(rb'\] "([A-Z]+) ([^" ]*)" (\d{3}) ')
MB = 1024 * 1024


# --- the child: seeding with the tests' own helpers ---------------------------------------


def child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, required=True)
    parser.add_argument("--posters", type=int, required=True)
    args = parser.parse_args(argv)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from tests.debates.helpers import make_proposal
    from tests.factories import found, make_member
    from tests.proposals.helpers import voting_now
    from tests.realtime.test_frame_fuzz import HOSTILE
    from tests.test_hostile_input import ALL_ROUTES, fill

    call_command("migrate", verbosity=0)
    people = {name: make_member(name) for name in ("alice", "bob", "carol", "ada")}
    roles = {"treasurer": ["bob"], "steward": ["carol"], "auditor": ["ada"]}
    found(
        founders=[people["alice"]],
        appointments={role: [people[n] for n in names] for role, names in roles.items()},
    )
    voters = [make_member(f"voter{i}") for i in range(args.voters)]
    posters = [make_member(f"poster{i}") for i in range(args.posters)]
    vote = voting_now(people["alice"], title="Reliability", body="Ballots through kill -9.")
    debate = make_proposal(people["alice"])

    def cookie(member) -> str:
        client = Client()
        client.force_login(member)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    answer = {
        "vote": vote.pk,
        "voter_tokens": [Token.objects.create(user=v).key for v in voters],
        "debate": debate.pk,
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "poster_cookies": [cookie(p) for p in posters],
        "member_cookies": {name: cookie(people[name]) for name in ("alice", "bob", "carol")},
        "fuzz_token": Token.objects.create(user=people["bob"]).key,
        "fuzz_cookie": cookie(people["bob"]),
        # Every page (not the API, which the schema lists; not the admin),
        # numbers in the address set to the debate's proposal.
        "pages": sorted(
            {fill(r, debate.pk) for r in ALL_ROUTES if not r.startswith(("api/", "admin/"))}
            - {None}
        ),
        "hostile_frames": HOSTILE,
    }
    print(json.dumps(answer))
    return 0


def seed(database_url: str, voters: int, posters: int) -> dict:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", "--voters", str(voters),
         "--posters", str(posters)],
        cwd=ROOT, env=child_env(database_url), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"seeding failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def query(database_url: str, sql: str, params=()) -> list[tuple]:
    """Rows of one query, read directly (no Django in this process)."""
    if database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(sql, params).fetchall()


# --- servers ------------------------------------------------------------------------------


class Server:
    """One Daphne process on loopback, its access log and errors in a file."""

    def __init__(self, name: str, env: dict, workdir: Path, port: int | None = None):
        self.name, self.env, self.port = name, env, port or free_port()
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start and wait until /healthz answers 200; returns the seconds it took."""
        started = time.monotonic()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(self.port),
                 "config.asgi:application"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        while time.monotonic() - started < 60:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"{self.name}: Daphne exited:\n{self.log_path.read_text()[-3000:]}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise SystemExit(f"{self.name}: Daphne did not answer within 60 s")

    def kill9(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def statuses(self, since: int = 0) -> list[tuple[str, str, int]]:
        """(method, path, status) of every HTTP request logged after byte `since`."""
        with self.log_path.open("rb") as log:
            log.seek(since)
            return [
                (m.group(1).decode(), m.group(2).decode(errors="replace"), int(m.group(3)))
                for m in ACCESS_LINE.finditer(log.read())
            ]

    def rss_kb(self) -> int:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")


def server_env(database_url: str, **extra: str) -> dict:
    env = {**child_env(database_url), "PYTHONUNBUFFERED": "1", **extra}
    if "REDIS_URL" not in extra:
        env.pop("REDIS_URL", None)  # the in-memory layer unless a part asks for Redis
    return env


# --- 1. kill -9 while ballots are cast ------------------------------------------------------


class Voter(threading.Thread):
    """One voter's client: sequential requests on a keep-alive connection, each
    a change of choice; what became of each request is logged."""

    def __init__(self, index: int, token: str, port: int, proposal: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.index, self.port, self.stop_event = index, port, stop
        self.path = f"/api/v1/proposals/{proposal}/ballot/"
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.lock = threading.Lock()
        self.sent = 0
        self.inflight: str | None = None
        self.log: list[tuple[str, str, float, int | None]] = []  # outcome, choice, at, status

    def run(self) -> None:
        conn = None
        while not self.stop_event.is_set():
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                try:
                    conn.connect()
                except OSError:  # the server is down: nothing was sent
                    conn = None
                    time.sleep(0.05)
                    continue
            with self.lock:
                choice = CHOICES[(self.index + self.sent) % 3]
                self.sent += 1
                self.inflight = choice
            try:
                conn.request("POST", self.path, json.dumps({"choice": choice}), self.headers)
                response = conn.getresponse()
                response.read()
                outcome = "ack" if response.status == 200 else "refused"
                status = response.status
            except (OSError, http.client.HTTPException):
                outcome, status = "unanswered", None
                conn.close()
                conn = None
            with self.lock:
                self.log.append((outcome, choice, time.monotonic(), status))
                self.inflight = None

    def expected(self) -> tuple[str | None, set[str]]:
        """(last acknowledged choice, choices sent after it that got no answer)."""
        with self.lock:
            last, pending = None, set()
            for outcome, choice, _at, _status in self.log:
                if outcome == "ack":
                    last, pending = choice, set()
                elif outcome == "unanswered":
                    pending.add(choice)
            if self.inflight is not None:
                pending.add(self.inflight)
            return last, pending


def settle_database(database_url: str, timeout: float = 15) -> None:
    """Wait until the killed server's sessions are gone (each either committed
    what it had already been told to, or rolled back)."""
    if database_url.startswith("sqlite"):
        return
    deadline = time.monotonic() + timeout
    sql = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    while query(database_url, sql)[0][0] and time.monotonic() < deadline:
        time.sleep(0.1)


def check_ballots(database_url: str, proposal: int, voters: list[Voter]) -> dict:
    rows = query(
        database_url,
        "SELECT m.username, b.choice FROM proposals_ballot b "
        "JOIN members_member m ON m.id = b.voter_id WHERE b.proposal_id = %s",
        [proposal],
    )
    stored = dict(rows)
    tally = query(
        database_url,
        "SELECT yes_count, no_count, abstain_count FROM proposals_proposal WHERE id = %s",
        [proposal],
    )[0]
    recount = Counter(stored.values())
    out = {"checked": 0, "kept": 0, "unanswered_stored": 0, "lost": []}
    for voter in voters:
        last, pending = voter.expected()
        got = stored.get(f"voter{voter.index}")
        out["checked"] += last is not None
        if got == last:
            out["kept"] += last is not None
        elif got in pending:
            out["unanswered_stored"] += 1
        else:
            out["lost"].append({"voter": voter.index, "acknowledged": last, "stored": got})
    out["tally_matches_recount"] = list(tally) == [recount.get(c, 0) for c in CHOICES]
    return out


def bench_kill(args, database_url: str, seeded: dict, workdir: Path) -> dict:
    server = Server("kill", server_env(database_url), workdir)
    server.start()
    stop = threading.Event()
    voters = [
        Voter(i, token, server.port, seeded["vote"], stop)
        for i, token in enumerate(seeded["voter_tokens"])
    ]
    for voter in voters:
        voter.start()
    cycles, checks = [], []
    try:
        for _cycle in range(args.kills):
            time.sleep(args.phase * random.uniform(0.8, 1.2))
            killed_at = time.monotonic()
            server.kill9()
            time.sleep(0.5)  # let clients see their connections reset
            settle_database(database_url)
            checks.append(check_ballots(database_url, seeded["vote"], voters))
            down = server.start()
            cycles.append(
                {
                    "acks_in_last_second": sum(
                        1 for v in voters for o, _c, at, _s in v.log
                        if o == "ack" and killed_at - 1 <= at < killed_at
                    ),
                    "unanswered": sum(
                        1 for v in voters for o, _c, at, _s in v.log
                        if o == "unanswered" and at >= killed_at
                    ),
                    "down_s": round(time.monotonic() - killed_at, 2),
                    "restart_s": round(down, 2),
                }
            )  # fmt: skip
        time.sleep(args.phase)
    finally:
        stop.set()
        for voter in voters:
            voter.join(timeout=60)
    checks.append(check_ballots(database_url, seeded["vote"], voters))
    server.stop()
    outcomes = Counter(o for v in voters for o, *_ in v.log)
    statuses = Counter(s for v in voters for o, _c, _a, s in v.log if o == "refused")
    lost = sum(len(c["lost"]) for c in checks)
    acknowledged = outcomes["ack"]
    return {
        "voters": len(voters),
        "kills": len(cycles),
        "acknowledged": acknowledged,
        "stored_of_acknowledged": acknowledged - lost,
        "ratio": round((acknowledged - lost) / acknowledged, 6) if acknowledged else None,
        "last_acks_checked_in_database": sum(c["checked"] for c in checks),
        "last_acks_found": sum(c["kept"] for c in checks),
        "lost": [entry for c in checks for entry in c["lost"]][:10],
        "unanswered": outcomes["unanswered"],
        "unanswered_found_stored": sum(c["unanswered_stored"] for c in checks),
        "refused": dict(statuses),
        "tally_matches_recount": all(c["tally_matches_recount"] for c in checks),
        "cycles": cycles,
    }


# --- 2. delivered / sent across a Redis restart ------------------------------------------


async def next_frame(ws, types: tuple[str, ...], *, ref=None, timeout: float = 30) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if frame.get("type") in types and (ref is None or frame.get("ref") == ref):
            return frame


def ws_connect(server: Server, path: str, cookie: str | None = None, cookie_name="sessionid"):
    from websockets.asyncio.client import connect

    headers = {"Cookie": f"{cookie_name}={cookie}"} if cookie else {}
    return connect(
        f"ws://127.0.0.1:{server.port}{path}", origin=server.url, additional_headers=headers,
        open_timeout=20, max_size=2**22, max_queue=None,
    )  # fmt: skip


async def redis_scenario(args, seeded: dict, readers_at: Server, posters_at: Server, redis):
    from websockets.exceptions import ConnectionClosed

    path = f"/ws/proposals/{seeded['debate']}/"
    readers = []
    for _ in range(args.readers):
        ws = await ws_connect(readers_at, path)
        await next_frame(ws, ("stream.welcome",))
        readers.append(ws)
    received: list[dict[int, float]] = [{} for _ in readers]
    closed: list[int | None] = [None] * len(readers)
    closing = False

    async def read(i, ws):
        try:
            async for text in ws:
                frame = json.loads(text)
                if frame.get("type") == "debate.argument_posted":
                    received[i].setdefault(frame["data"]["id"], time.monotonic())
        except ConnectionClosed as error:
            closed[i] = error.rcvd.code if error.rcvd else 1006
        if not closing and closed[i] is None:
            closed[i] = ws.close_code or 1006

    tasks = [asyncio.create_task(read(i, ws)) for i, ws in enumerate(readers)]
    posters = []
    for cookie in seeded["poster_cookies"]:
        ws = await ws_connect(posters_at, path, cookie, seeded["cookie_name"])
        await next_frame(ws, ("stream.welcome",))
        posters.append(ws)
    sent: dict[int, float] = {}

    ack_seconds: dict[str, float] = {}

    async def post(n: int, phase: str) -> None:
        ws = posters[n % len(posters)]
        started = time.monotonic()
        await ws.send(
            json.dumps({"type": "post", "stance": "pro", "body": f"{phase} {n}", "ref": n})
        )
        frame = await next_frame(ws, ("ack", "error"), ref=n)
        if frame["type"] != "ack":
            raise SystemExit(f"post {n} ({phase}) refused: {frame}")
        sent[frame["argument"]] = time.monotonic()
        ack_seconds[phase] = max(ack_seconds.get(phase, 0.0), sent[frame["argument"]] - started)

    async def everyone_has_everything(deadline: float) -> bool:
        while time.monotonic() < deadline:
            if all(set(sent) <= set(r) for r in received):
                return True
            await asyncio.sleep(0.02)
        return False

    n = 0
    for _ in range(args.before):
        await post(n, "before")
        n += 1
    live_before = await everyone_has_everything(time.monotonic() + 10)
    await asyncio.to_thread(redis.stop)
    down_at = time.monotonic()
    for _ in range(args.during):
        await post(n, "during")
        n += 1
    await asyncio.sleep(max(0.0, args.down - (time.monotonic() - down_at)))
    await asyncio.to_thread(redis.start)
    back_at = time.monotonic()
    for _ in range(args.after):
        await post(n, "after")
        n += 1
    last_post_at = time.monotonic()
    complete = await everyone_has_everything(last_post_at + args.deadline)
    closing = True
    for ws in readers + posters:
        await ws.close()
    await asyncio.gather(*tasks)
    ratios = [len(set(sent) & set(r)) / len(sent) for r in received]
    finished = [max(r[i] for i in sent) for r in received if set(sent) <= set(r)]
    return {
        "readers": len(readers),
        "sent": len(sent),
        "live_before_restart": live_before,
        "worst_ratio": round(min(ratios), 4),
        "readers_complete": sum(1 for r in ratios if r == 1),
        "readers_closed": sum(1 for c in closed if c is not None),
        "redis_down_s": round(back_at - down_at, 2),
        "slowest_ack_s": {phase: round(t, 3) for phase, t in ack_seconds.items()},
        "last_reader_complete_after_redis_back_s": (
            round(max(finished) - back_at, 2) if complete else None
        ),
        "last_reader_complete_after_last_post_s": (
            round(max(finished) - last_post_at, 2) if complete else None
        ),
    }


def bench_redis(args, database_url: str, seeded: dict, workdir: Path) -> dict:
    if shutil.which("redis-server") is None:
        raise SystemExit("redis: no redis-server program to start and restart")
    redis = PrivateRedis(workdir)
    redis.start()
    env = server_env(
        database_url,
        REDIS_URL=redis.url,
        REALTIME_HEARTBEAT_SECONDS=str(args.heartbeat),
        # Every reader connects from loopback.
        REALTIME_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS="0",
    )
    servers = [Server("redis-readers", env, workdir), Server("redis-posters", env, workdir)]
    try:
        for server in servers:
            server.start()
        result = asyncio.run(redis_scenario(args, seeded, *servers, redis))
    finally:
        for server in servers:
            server.stop()
        redis.stop()
    result["heartbeat_s"] = args.heartbeat
    return result


# --- 3. fuzzing -------------------------------------------------------------------------------


def hostile_bodies() -> list[tuple[str, bytes]]:
    big = "x" * MB
    return [
        ("deep-array", b"[" * 3000),
        ("deep-object", b'{"a":' * 3000 + b"1" + b"}" * 3000),
        ("deep-balanced", b"[" * 100_000 + b"]" * 100_000),
        ("deep-in-field", b'{"choice": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("int-5000-digits", b'{"choice": ' + b"9" * 5000 + b', "title": "t"}'),
        ("huge-numbers", b'{"choice": 1e999, "amount_cents": -1e999, "limit": ' + b"9" * 30 + b"}"),
        ("nan", b'{"choice": NaN, "title": Infinity, "body": -Infinity}'),
        ("wrong-types", json.dumps({
            "kind": None, "title": 123, "body": {"a": 1}, "choice": ["yes"],
            "amendments": "x", "budget_items": 5, "appointments": True,
            "username": [], "password": {}}).encode()),
        ("nested-wrong", json.dumps({
            "kind": "budget", "title": "t", "body": "b",
            "budget_items": [{"purpose": ["x"], "amount_cents": 10**30, "fund": None}],
            "amendments": [{"article_slug": 10**30, "new_class": [], "new_parameters": {"a": [1]}}],
            "appointments": [{"member": {"x": 1}, "role": 5, "action": None}]}).encode()),
        # Each field in turn with the character, escaped as JSON allows.
        *((f"{name} in {field}", b'{"kind": "motion", "title": "t", "body": "b", "username": "u", '
           b'"password": "p", "choice": "yes", "' + field.encode() + b'": "a' + char + b'"}')
          for name, char in (("nul", rb"\u0000"), ("surrogate", rb"\ud800"))
          for field in ("kind", "title", "body", "choice", "username", "password")),
        ("invalid-utf8", b'{"title": "\xff\xfe", "choice": "\xc3"}'),
        ("huge-strings", json.dumps({
            "kind": "motion", "title": big, "body": big, "choice": big,
            "username": big, "password": big}).encode()),
        ("many-keys", ("{" + ",".join(f'"k{i}": {i}' for i in range(100_000)) + "}").encode()),
        ("long-list", json.dumps({
            "kind": "motion", "title": "t", "body": "b",
            "amendments": [{"article_slug": "x", "new_class": "ordinary"}] * 20_000}).encode()),
        *((name, text.encode()) for name, text in [
            ("null", "null"), ("true", "true"), ("number", "1"), ("string", '"yes"'),
            ("array", "[]"), ("empty-object", "{}"), ("empty", ""), ("not-json", "choice=yes"),
        ]),
    ]  # fmt: skip


CHARSETS = ["utf-16", "utf-32", "rot13", "hex", "base64", "zlib", "bz2", "uu", "idna", "punycode",
            "utf-7", "cp037", "x-bogus"]  # fmt: skip
# Request lines stay under Twisted's 16 KB limit, beyond which Daphne drops
# the connection unanswered (measured apart, as `long_request_line`).
HOSTILE_QUERY_VALUES = [str(10**25), "-1", "²", "١٢", "1e5", "0x10", "", "[]", "\x00", "a\x00b",
                        "\u202e1", "\ud800", "x" * 1000, "NaN", "9" * 1000]  # fmt: skip
# Besides each operation's own query parameters (from the schema).
QUERY_NAMES = ["after", "limit", "offset", "q", "format"]
# Pages: the names their filters and pagination read, with the values that
# reach a database or a number parser.
PAGE_QUERY_NAMES = ["q", "kind", "state", "skill", "place", "after", "before", "page", "cursor",
                    "sort", "year", "account", "tag"]  # fmt: skip
PAGE_QUERY_VALUES = ["\x00", "\ud800", str(10**25), "-1", "²"]


def api_fuzz(server: Server, seeded: dict) -> dict:
    """Every operation of the schema, with hostile bodies, charsets and queries."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("GET", "/api/schema/?format=json")
    schema = json.loads(conn.getresponse().read())
    # Path parameters: the seeded proposals, and an article of the default charter.
    fill = {"id": [str(seeded["vote"]), str(seeded["debate"])], "slug": ["decision-rules"]}
    requests = []  # (method, path, body, headers, label)
    auths = {"visitor": {}, "member": {"Authorization": f"Token {seeded['fuzz_token']}"}}
    for template, operations in schema["paths"].items():
        paths = [template]
        for name in re.findall(r"{(\w+)}", template):
            paths = [p.replace(f"{{{name}}}", v) for p in paths for v in fill.get(name, ["1"])]
        parameters = operations.get("get", {}).get("parameters", [])
        names = {p["name"] for p in parameters if p.get("in") == "query"} | set(QUERY_NAMES)
        for path in paths:
            for who, auth in auths.items():
                for method in ("POST", "PUT", "PATCH", "DELETE"):
                    bodies = (
                        hostile_bodies() if method.lower() in operations
                        else hostile_bodies()[:2]  # refused by method anyway: 405
                    )  # fmt: skip
                    for label, body in bodies:
                        headers = {**auth, "Content-Type": "application/json"}
                        requests.append((method, path, body, headers, f"{who} {label}"))
                    for charset in CHARSETS if method.lower() in operations else []:
                        headers = {**auth, "Content-Type": f"application/json; charset={charset}"}
                        body = b'{"choice": "yes"}'
                        requests.append((method, path, body, headers, f"{who} charset={charset}"))
                requests += hostile_queries(path, names, who, auth)
    result = send_all(server, requests)
    long_line = send_all(server, [("GET", "/api/v1/proposals/?q=" + "x" * 20_000, None, {}, "")])
    result["long_request_line"] = long_line["statuses"]
    return result


def pages_fuzz(server: Server, seeded: dict) -> dict:
    """Every page of the site (numbers in its address set to a seeded
    proposal), with hostile query strings, for a visitor and a member."""
    cookie = f"{seeded['cookie_name']}={seeded['fuzz_cookie']}"
    auths = {"visitor": {}, "member": {"Cookie": cookie}}
    requests = []
    for path in seeded["pages"]:
        for who, auth in auths.items():
            requests += hostile_queries(path, PAGE_QUERY_NAMES, who, auth, PAGE_QUERY_VALUES)
    return send_all(server, requests)


def hostile_queries(path, names, who, auth, values=None) -> list[tuple]:
    # One parameter at a time: one that is checked first would otherwise
    # hide the others.
    requests = []
    for name in sorted(names):
        for value in values or HOSTILE_QUERY_VALUES:
            query = urlencode({name: value}, errors="surrogatepass")
            label = f"{who} ?{name}={value[:12]!r}"
            requests.append(("GET", f"{path}?{query}", None, auth, label))
    return requests


def send_all(server: Server, requests: list[tuple]) -> dict:
    """Send (method, path, body, headers, label) requests from 4 threads with
    keep-alive connections; count answers by status and the inputs that failed."""
    local = threading.local()

    def send(request):
        method, path, body, headers, label = request
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            local.conn.request(method, path, body, headers)
            response = local.conn.getresponse()
            response.read()
            return response.status, method, path, label
        except (OSError, http.client.HTTPException) as error:
            local.conn.close()
            local.conn = None
            return f"no answer: {error!r}", method, path, label

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, requests))
    bad = [a for a in answers if not isinstance(a[0], int) or a[0] >= 500]
    failed: dict[str, list[str]] = {}
    for status, method, path, label in bad:
        failed.setdefault(label, []).append(f"{method} {path[:80]} -> {status}")
    return {
        "requests": len(answers),
        "5xx_or_no_answer": len(bad),
        "statuses": dict(sorted(Counter(str(a[0])[:40] for a in answers).items())),
        # Each hostile input that failed somewhere: how often, and where first.
        "failed_inputs": {
            label: f"{len(where)} x, e.g. {where[0]}" for label, where in sorted(failed.items())
        },
    }


def schemathesis(server: Server, seeded: dict, args, workdir: Path) -> dict | None:
    program = Path(sys.executable).with_name("st")
    if not program.exists():
        return None
    since = server.log_size()
    started = time.monotonic()
    done = subprocess.run(
        [str(program), "run", f"{server.url}/api/schema/", "--max-examples", str(args.examples),
         "--seed", str(args.seed), "--checks", "not_a_server_error", "--workers", "2",
         "--header", f"Authorization: Token {seeded['fuzz_token']}", "--no-color",
         "--generation-database", "none", "--request-timeout", "30"],
        cwd=workdir, capture_output=True, text=True, check=False,
    )  # fmt: skip
    (workdir / "schemathesis.out").write_text(done.stdout + done.stderr)
    statuses = server.statuses(since)
    errors = [f"{m} {p} {s}" for m, p, s in statuses if s >= 500]
    return {
        "requests": len(statuses),
        "5xx": len(errors),
        "examples": errors[:10],
        "exit": done.returncode,
        "seconds": round(time.monotonic() - started),
        "summary": [line for line in done.stdout.splitlines() if line.strip()][-3:],
    }


FRAME_TYPES = ["post", "edit", "flag", "hide", "request_review", "restore", "confirm",
               "catch_up", "ping", "unknown", ""]  # fmt: skip
FIELDS = ["argument", "parent", "after", "body", "stance", "reason", "ref"]


def random_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(10 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.randrange(-3, 60)  # often an argument that exists
    if kind == 2:
        return rng.choice([-1, 1]) * 10 ** rng.randrange(18, 40) + rng.randrange(10)
    if kind == 3:
        return rng.choice([0.5, -0.0, 1e308, float("inf"), float("nan"), 1.5e-300])
    if kind in (4, 5):
        alphabet = "ab \u0000\u202e\u200b<>&\"'\\/\n😀é²١"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
    if kind in (6, 7):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    return {rng.choice([*FIELDS, "x"]): random_value(rng, depth + 1) for _ in range(3)}


def random_frame(rng: random.Random) -> str | bytes:
    roll = rng.random()
    if roll < 0.7:
        frame = {"type": rng.choice(FRAME_TYPES)}
        for name in rng.sample(FIELDS, rng.randrange(0, len(FIELDS))):
            frame[name] = random_value(rng)
        return json.dumps(frame)
    if roll < 0.8:
        return json.dumps(random_value(rng))
    if roll < 0.88:
        return "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(1, 200)))
    if roll < 0.95:
        return rng.randbytes(rng.randrange(1, 300))
    body = "x" * rng.randrange(10_000, 200_000)  # over the message and frame limits
    return json.dumps({"type": "post", "stance": "pro", "body": body})


def as_sendable(text):
    """A frame the wire can carry: text that is not valid UTF-8 (a lone
    surrogate) goes as its JSON escape, which the server decodes back."""
    if isinstance(text, bytes):
        return text
    try:
        text.encode()
        return text
    except UnicodeEncodeError:
        return json.dumps(text)


async def frame_fuzz(server: Server, seeded: dict, args) -> dict:
    from websockets.exceptions import ConnectionClosed

    rng = random.Random(args.seed)
    path = f"/ws/proposals/{seeded['debate']}/"
    hostile = [as_sendable(f) for f in seeded["hostile_frames"]]
    randoms = [as_sendable(random_frame(rng)) for _ in range(args.frames)]
    # Members may hold 5 sockets each; visitors 50 per address.
    who = [c for c in seeded["member_cookies"].values() for _ in range(4)] + [None] * 12
    tally = Counter()
    problems: list[str] = []

    async def connection(cookie, items):
        ws = await ws_connect(server, path, cookie, seeded["cookie_name"])
        await next_frame(ws, ("stream.welcome",))
        for item in items:
            started = time.monotonic()
            tally["frames"] += 1
            try:
                await ws.send(item)
                await ws.send('{"type": "ping"}')
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 15))
                    if frame.get("type") == "error":
                        tally[f"error {frame.get('code')}"] += 1
                        if frame.get("code") == "server_error":
                            problems.append(f"server_error frame after {str(item)[:80]!r}")
                    if frame.get("type") == "pong":
                        break
            except ConnectionClosed as error:
                code = error.rcvd.code if error.rcvd else 1006
                tally["crashed"] += 1
                problems.append(f"closed {code} after {str(item)[:80]!r}")
                ws = await ws_connect(server, path, cookie, seeded["cookie_name"])
                await next_frame(ws, ("stream.welcome",))
            except TimeoutError:
                tally["no_answer"] += 1
                problems.append(f"no answer after {str(item)[:80]!r}")
            # Two frames each: under the flood limit of 5 frames a second.
            await asyncio.sleep(max(0.0, 0.5 - (time.monotonic() - started)))
        await ws.close()

    shares = [hostile + randoms[i :: len(who)] for i in range(len(who))]
    await asyncio.gather(*(connection(c, s) for c, s in zip(who, shares, strict=True)))
    for after in ["²", "1e5", "-1", "99999999999999999999999", "١٢", "", "%00", "NaN", "9" * 5000]:
        tally["frames"] += 1
        try:
            async with ws_connect(server, f"{path}?after={after}") as ws:
                await next_frame(ws, ("stream.welcome",), timeout=15)
        except (ConnectionClosed, TimeoutError) as error:
            tally["crashed"] += 1
            problems.append(f"?after={after[:20]}: {error!r}")
    return {
        "connections": len(who),
        "frames": tally.pop("frames"),
        "crashed_sockets": tally.pop("crashed", 0),
        "no_answer": tally.pop("no_answer", 0),
        "server_error_frames": tally.get("error server_error", 0),
        "errors_by_code": dict(sorted(tally.items())),
        "examples": problems[:10],
    }


def bench_fuzz(args, database_url: str, seeded: dict, workdir: Path) -> dict:
    server = Server("fuzz", server_env(database_url), workdir)
    server.start()
    try:
        frames = asyncio.run(frame_fuzz(server, seeded, args))
        api = api_fuzz(server, seeded)
        pages = pages_fuzz(server, seeded)
        st = schemathesis(server, seeded, args, workdir)
    finally:
        server.stop()
    return {
        "websocket": frames,
        "api_hostile_bodies": api,
        "pages_hostile_queries": pages,
        "schemathesis": st if st is not None else "not installed",
        "tracebacks_in_server_log": server.log_path.read_text(errors="replace").count("Traceback"),
    }


# --- 4. memory under oversize bodies ----------------------------------------------------------


def multipart(total_file: int, boundary: str = "reliabilityboundary"):
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\nx@example.org\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    chunks = [head] + [b"\0" * MB] * (total_file // MB) + [tail]
    return f"multipart/form-data; boundary={boundary}", chunks


def oversize(server: Server, path: str, content_type: str, chunks: list[bytes], settle: float):
    samples: list[int] = []
    sampling = threading.Event()

    def sample():
        while not sampling.is_set():
            samples.append(server.rss_kb())
            time.sleep(0.02)

    before = server.rss_kb()
    sampler = threading.Thread(target=sample)
    sampler.start()
    total = sum(len(c) for c in chunks)
    sent, status = 0, None
    with socket.create_connection(("127.0.0.1", server.port), timeout=120) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {total}\r\nConnection: close\r\n\r\n".encode()
        )
        try:
            for chunk in chunks:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:  # answered and closed before the whole body was sent
            pass
        try:
            status = int(sock.makefile("rb").readline().split()[1])
        except (OSError, IndexError, ValueError):
            status = None
    time.sleep(settle)
    after = server.rss_kb()
    sampling.set()
    sampler.join()
    return {
        "path": path,
        "body_mb": round(total / MB, 1),
        "sent_mb": round(sent / MB, 1),
        "status": status,
        "rss_before_mb": round(before / 1024),
        "rss_peak_mb": round(max([*samples, before]) / 1024),
        "rss_after_mb": round(after / 1024),  # `settle` seconds after the answer
    }


def bench_memory(args, database_url: str, seeded: dict, workdir: Path) -> dict:
    server = Server("memory", server_env(database_url), workdir)
    server.start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    for page in ("/accounts/login/", "/accounts/password/reset/"):  # warm: templates, forms
        conn.request("GET", page)
        conn.getresponse().read()
    form = "application/x-www-form-urlencoded"
    big = [b"login=x&password="] + [b"a" * MB] * args.login_mb
    file_type, file_chunks = multipart(args.file_mb * MB)
    small_type, small_chunks = multipart(8 * MB)
    try:
        runs = {
            "login_form": oversize(server, "/accounts/login/", form, big, args.settle),
            "login_form_again": oversize(server, "/accounts/login/", form, big, args.settle),
            # Each kind of body the server might treat differently: a form,
            # JSON, and a multipart file to a form that takes none.
            "json_to_api": oversize(
                server, "/api/v1/auth/token/", "application/json", big, args.settle
            ),
            "file_to_form_without_file": oversize(
                server, "/accounts/password/reset/", file_type, file_chunks, args.settle
            ),
            # Within REQUEST_MAX_BYTES: the application reads it (Django spools
            # files over FILE_UPLOAD_MAX_MEMORY_SIZE to disk); 403 without CSRF.
            "file_within_limit": oversize(
                server, "/accounts/password/reset/", small_type, small_chunks, args.settle
            ),
        }
    finally:
        server.stop()
    return runs


# --- main -----------------------------------------------------------------------------------


def drop_database(base: str | None) -> None:
    if not base:
        return
    import psycopg

    with psycopg.connect(base, autocommit=True) as admin:
        for _attempt in range(50):
            try:
                admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.2)


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        return child_main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts")
    parser.add_argument("--seed", type=int, default=12, help="random seed of the fuzz")
    group = parser.add_argument_group("kill")
    group.add_argument("--voters", type=int, default=50, help="concurrent voting clients")
    group.add_argument("--kills", type=int, default=3)
    group.add_argument("--phase", type=float, default=4.0, help="seconds of load between kills")
    group = parser.add_argument_group("redis")
    group.add_argument("--readers", type=int, default=30)
    group.add_argument("--before", type=int, default=3, help="posts before Redis goes")
    group.add_argument("--during", type=int, default=2, help="posts while Redis is away")
    group.add_argument("--after", type=int, default=3, help="posts after Redis is back")
    group.add_argument("--down", type=float, default=3.0, help="seconds Redis stays away")
    group.add_argument("--heartbeat", type=float, default=15.0, help="REALTIME_HEARTBEAT_SECONDS")
    group.add_argument("--deadline", type=float, default=45.0, help="seconds after the last post")
    group = parser.add_argument_group("fuzz")
    group.add_argument("--examples", type=int, default=50, help="schemathesis --max-examples")
    group.add_argument("--frames", type=int, default=600, help="random websocket frames")
    group = parser.add_argument_group("memory")
    group.add_argument("--login-mb", type=int, default=150)
    group.add_argument("--file-mb", type=int, default=40)
    group.add_argument("--settle", type=float, default=10.0, help="seconds before RSS 'after'")
    args = parser.parse_args()
    parts = [p for p in args.only.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    random.seed(args.seed)

    base = os.environ.get("BENCH_DATABASE_URL")
    print(f"database: {'postgresql' if base else 'sqlite (no BENCH_DATABASE_URL)'}", flush=True)
    database_url = prepare_database(base, DATABASE)
    # The bylaws allow 10 posts a minute per member: posts rotate among posters.
    posters = max(1, (args.before + args.during + args.after + 7) // 8)
    seeded = seed(database_url, args.voters, posters)
    workdir = Path(tempfile.mkdtemp(prefix="bench-reliability-"))
    results, ok = {}, True
    try:
        for part in parts:
            results[part] = RUNS[part](args, database_url, seeded, workdir)
            print(f"{part}:", json.dumps(results[part], indent=2, ensure_ascii=False), flush=True)
    finally:
        drop_database(base)
    print("\nsummary")
    for part, result in results.items():
        met, line = JUDGES[part](result)
        ok &= met
        print(f"  {part}: {line} {'(met)' if met else '(MISSED)'}")
    print("targets:", "met" if ok else f"MISSED (server logs kept in {workdir})")
    if ok:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


def judge_kill(k: dict) -> tuple[bool, str]:
    errors = sum(n for status, n in k["refused"].items() if int(status) >= 500)
    met = k["ratio"] == 1 and not k["lost"] and k["tally_matches_recount"] and not errors
    return met, (
        f"{k['stored_of_acknowledged']} of {k['acknowledged']} acknowledged ballots stored "
        f"through {k['kills']} kill -9 (ratio {k['ratio']}, target 1.0); {k['unanswered']} "
        f"requests unanswered, {k['unanswered_found_stored']} of them stored; {errors} x 5xx"
    )


def judge_redis(r: dict) -> tuple[bool, str]:
    met = r["worst_ratio"] == 1 and r["readers_closed"] == 0
    return met, (
        f"worst reader {r['worst_ratio']} of {r['sent']} posts (target 1.0), "
        f"{r['readers_closed']} sockets closed; the last reader had everything "
        f"{r['last_reader_complete_after_redis_back_s']} s after Redis came back "
        f"(heartbeat {r['heartbeat_s']:g} s)"
    )


def judge_fuzz(f: dict) -> tuple[bool, str]:
    ws, api, st = f["websocket"], f["api_hostile_bodies"], f["schemathesis"]
    pages = f["pages_hostile_queries"]
    broken = ws["crashed_sockets"] + ws["no_answer"] + ws["server_error_frames"]
    st_5xx = st["5xx"] if isinstance(st, dict) else 0
    http_5xx = api["5xx_or_no_answer"] + pages["5xx_or_no_answer"] + st_5xx
    met = broken == 0 and http_5xx == 0
    st_text = f"{st['requests']} requests, {st_5xx} x 5xx" if isinstance(st, dict) else st
    return met, (
        f"schemathesis {st_text}; API hostile bodies and queries {api['requests']} requests, "
        f"{api['5xx_or_no_answer']} x 5xx; pages with hostile queries {pages['requests']} "
        f"requests, {pages['5xx_or_no_answer']} x 5xx; websocket {ws['frames']} frames, "
        f"{ws['crashed_sockets']} crashed, {ws['server_error_frames']} server_error, "
        f"{ws['no_answer']} unanswered (targets 0)"
    )


REFUSED_PEAK_MB = 32


def judge_memory(m: dict) -> tuple[bool, str]:
    refused = [run for name, run in m.items() if name != "file_within_limit"]
    met = all(run["status"] == 413 for run in refused)
    met &= all(run["rss_peak_mb"] - run["rss_before_mb"] <= REFUSED_PEAK_MB for run in refused)
    met &= (m["file_within_limit"]["status"] or 500) < 500
    return met, "; ".join(
        f"{name} {run['body_mb']:g} MB -> {run['status']}, RSS {run['rss_before_mb']} / peak "
        f"{run['rss_peak_mb']} / after {run['rss_after_mb']} MB"
        for name, run in m.items()
    )


RUNS = {"kill": bench_kill, "redis": bench_redis, "fuzz": bench_fuzz, "memory": bench_memory}
JUDGES = {"kill": judge_kill, "redis": judge_redis, "fuzz": judge_fuzz, "memory": judge_memory}


if __name__ == "__main__":
    sys.exit(main())
