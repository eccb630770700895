"""Benchmark live debates: 1,000 websocket clients in one debate, one post,
delivery latency to all of them, against a bare relay consumer (the floor).

    python benchmarks/bench_realtime.py                     # in-memory layer (+ Redis if set)
    python benchmarks/bench_realtime.py --clients 200 --posts 3
    BENCH_REDIS_URL=redis://127.0.0.1:6379/5 python benchmarks/bench_realtime.py

For each channel layer (in-memory; Redis when BENCH_REDIS_URL, TEST_REDIS_URL
or REDIS_URL is set) it starts one real Daphne process on loopback serving
the whole application on a fresh SQLite database, connects the clients from
this one asyncio process, has a member post through the websocket and times,
for every client, the arrival of `debate.argument_posted` after the send.
It then does the same with `benchmarks/relay_asgi.py`.

Latency includes what a post costs on the server (the transaction that
stores the argument and its event). Throughput is deliveries per second:
clients / time until the last client had the message. The report gives p50,
p99 and max latency and the ratio of throughputs (product / floor).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 0.7
TARGET_P99 = {"memory": 0.5, "redis": 1.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(directory: Path) -> tuple[str, int, str]:
    """A migrated SQLite file with one member, one proposal and a session."""
    url = f"sqlite:///{directory / 'bench.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
        check=True,
    )  # fmt: skip
    script = """
import django, sys
django.setup()
from django.conf import settings
from django.test import Client
from django.utils import timezone
from proposals.models import Proposal
from tests.factories import make_member
poster = make_member("poster")
proposal = Proposal.objects.create(
    kind="motion", title="Benchmark", body="b", author=poster, created_at=timezone.now(),
)
Proposal.objects.filter(pk=proposal.pk).update(
    state="discussion", submitted_at=timezone.now(), rules={}
)
client = Client()
client.force_login(poster)
print(proposal.pk, client.cookies[settings.SESSION_COOKIE_NAME].value)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"could not prepare the database:\n{done.stderr}")
    out = done.stdout.split()
    return url, int(out[-2]), out[-1]


def start_daphne(app: str, env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(port), app],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Daphne exited:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("Daphne did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


async def measure(
    url: str,
    *,
    clients: int,
    posts: int,
    marker: str,
    make_frame,
    poster_headers,
    expect_greeting: bool,
) -> list[dict]:
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidHandshake

    origin = url.split("/ws/")[0].replace("ws://", "http://")
    arrivals: list[dict[int, float]] = [{} for _ in range(posts)]
    current = {"round": -1}
    sockets = []

    greeted: set[int] = set()

    async def reader(ws):
        try:
            async for message in ws:
                greeted.add(id(ws))
                if marker in message:
                    arrivals[current["round"]].setdefault(id(ws), time.perf_counter())
        except Exception:
            pass

    async def open_one():
        for attempt in range(8):  # as the browser client does: retry with backoff
            try:
                ws = await connect(url, origin=origin, open_timeout=60, max_queue=None)
            except (OSError, InvalidHandshake):
                await asyncio.sleep(0.2 * 2**attempt)
                continue
            sockets.append(ws)
            return
        raise RuntimeError("could not connect a client")

    for start in range(0, clients, 100):
        await asyncio.gather(*(open_one() for _ in range(start, min(clients, start + 100))))
    tasks = [asyncio.create_task(reader(ws)) for ws in sockets]
    poster = await connect(url, origin=origin, additional_headers=poster_headers, open_timeout=60)
    # Every client is in (the debate greets each one; the relay says nothing,
    # so one message to all marks the same point), then traffic settles.
    if not expect_greeting:
        await poster.send(json.dumps({"type": "hello"}))
    deadline = time.monotonic() + 120
    while len(greeted) < clients and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(2.0)
    results = []
    for number in range(posts):
        current["round"] = number
        sent = time.perf_counter()
        await poster.send(make_frame(number))
        deadline = time.monotonic() + 30
        while len(arrivals[number]) < clients and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        latencies = sorted(t - sent for t in arrivals[number].values())
        results.append(
            {
                "delivered": len(latencies),
                "p50": statistics.median(latencies) if latencies else None,
                "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else None,
                "max": latencies[-1] if latencies else None,
            }
        )
        await asyncio.sleep(1.0)
    await poster.close()
    for ws in sockets:
        await ws.close()
    for task in tasks:
        task.cancel()
    return results


def summarize(rounds: list[dict], clients: int) -> dict:
    complete = [r for r in rounds if r["delivered"] == clients]
    if not complete:
        return {"delivered": max(r["delivered"] for r in rounds), "clients": clients}
    p50 = statistics.median(r["p50"] for r in complete)
    p99 = statistics.median(r["p99"] for r in complete)
    worst = statistics.median(r["max"] for r in complete)
    return {
        "clients": clients,
        "rounds": len(complete),
        "p50_ms": round(p50 * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
        "max_ms": round(worst * 1000, 1),
        "throughput_per_s": round(clients / worst),
    }


def run_layer(name: str, redis_url: str | None, args, workdir: Path) -> dict:
    db_url, proposal_id, session = prepare_database(workdir / name)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": db_url,
        "PYTHONUNBUFFERED": "1",
        # A thousand readers from one loopback address.
        "REALTIME_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS": "0",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    out = {}
    process, port = start_daphne("config.asgi:application", env, workdir / f"{name}-app.log")
    try:
        rounds = asyncio.run(
            measure(
                f"ws://127.0.0.1:{port}/ws/proposals/{proposal_id}/",
                clients=args.clients,
                posts=args.posts,
                marker='"debate.argument_posted"',
                make_frame=lambda n: json.dumps(
                    {"type": "post", "stance": "pro", "body": f"Benchmark message {n}"}
                ),
                poster_headers={"Cookie": f"sessionid={session}"},
                expect_greeting=True,
            )
        )
        out["debate"] = summarize(rounds, args.clients)
    finally:
        stop(process)
    process, port = start_daphne(
        "benchmarks.relay_asgi:application", env, workdir / f"{name}-relay.log"
    )
    try:
        rounds = asyncio.run(
            measure(
                f"ws://127.0.0.1:{port}/ws/relay/",
                clients=args.clients,
                posts=args.posts,
                marker="relay-message",
                make_frame=lambda n: json.dumps({"type": "relay-message", "n": n}),
                poster_headers={},
                expect_greeting=False,
            )
        )
        out["floor"] = summarize(rounds, args.clients)
    finally:
        stop(process)
    if "throughput_per_s" in out["debate"] and "throughput_per_s" in out["floor"]:
        out["ratio"] = round(
            out["debate"]["throughput_per_s"] / out["floor"]["throughput_per_s"], 2
        )
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=5, help="posts per run (at most 9)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    args.posts = min(args.posts, 9)  # the bylaws allow 10 posts a minute per member
    redis_url = (
        os.environ.get("BENCH_REDIS_URL")
        or os.environ.get("TEST_REDIS_URL")
        or os.environ.get("REDIS_URL")
    )
    layers = [("memory", None)] + ([("redis", redis_url)] if redis_url else [])
    results = {}
    ok = True
    keep = os.environ.get("BENCH_KEEP_DIR")  # keep the Daphne logs and databases there
    with tempfile.TemporaryDirectory(prefix="bench-realtime-") as scratch:
        tmp = tempfile.mkdtemp(prefix="bench-realtime-", dir=keep) if keep else scratch
        for name, url in layers:
            (Path(tmp) / name).mkdir()
            results[name] = run_layer(name, url, args, Path(tmp))
            debate = results[name]["debate"]
            ok &= debate.get("p99_ms", 1e9) <= TARGET_P99[name] * 1000
            ok &= results[name].get("ratio", 0) >= TARGET_RATIO
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{args.clients} clients, {args.posts} posts, {os.cpu_count()} CPUs")
        for name, result in results.items():
            for kind in ("debate", "floor"):
                r = result[kind]
                print(
                    f"{name:6} {kind:6} p50 {r.get('p50_ms')} ms  p99 {r.get('p99_ms')} ms  "
                    f"max {r.get('max_ms')} ms  throughput {r.get('throughput_per_s')}/s"
                )
            print(
                f"{name:6} ratio debate/floor {result.get('ratio')} (target ≥ {TARGET_RATIO}), "
                f"p99 target ≤ {TARGET_P99[name] * 1000:.0f} ms"
            )
        if not redis_url:
            print("redis: skipped (set BENCH_REDIS_URL or TEST_REDIS_URL)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
