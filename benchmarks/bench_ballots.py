"""Ballot casting and closing benchmarks (issues: proposals and voting; the request path).

1. Casting over HTTP against one real Daphne process with N concurrent clients
   (token auth, POST /api/v1/proposals/{id}/ballot/, every request a change of
   ballot, so every request writes), compared with a trivial view (/healthz)
   on the same server, in alternating rounds: requests/s, p50/p99 latency, and
   a check that every acknowledged ballot is stored exactly once with the last
   acknowledged choice and that the running tally equals the recount.
2. With ``--baseline PATH`` (a worktree of another commit, e.g. the starting
   commit of an issue), the same measure against that tree's code in the same
   run: two Daphne processes, each on its own database, measured in
   alternating rounds (their order swapped every round), so the drift of a
   shared machine weighs on both alike. It reports each tree's requests/s and
   the ratio of this tree's to the baseline's, and checks integrity for both.
3. Closing a proposal with many ballots: wall time and number of queries, at
   two sizes to show the query count does not grow (this tree only; skipped
   with ``--baseline``).

Run on PostgreSQL (the production database):
    BENCH_DATABASE_URL=postgres://user:pw@127.0.0.1:5432/postgres python benchmarks/bench_ballots.py
    git worktree add /tmp/base COMMIT
    BENCH_DATABASE_URL=… python benchmarks/bench_ballots.py --baseline /tmp/base
The script creates and drops its own databases `commons_bench` (and
`commons_bench_base`). Without BENCH_DATABASE_URL it uses throwaway SQLite files
and says so.

Each tree is seeded by its own code, in a child process, the way its tests
build data (``tests/factories.py``, ``tests/proposals/helpers.py``): members
and the proposal go through the services, so the database guards accept them.
Only the closing benchmark's million members and ballots are written with
``INSERT … SELECT``, with the guards lifted as the tables' owner and put back
before anything is measured.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RATIO_TARGET = 0.5  # ballot / trivial view, on this tree
BASELINE_TARGET = 1.5  # ballots/s of this tree / the baseline's (the request-path issue)
CHOICES = ["yes", "no", "abstain"]


# --- databases and servers --------------------------------------------------------------


def prepare_database(url: str | None, name: str) -> str:
    """A fresh database for the benchmark; returns its URL."""
    if not url:
        path = Path(tempfile.mkdtemp()) / f"{name}.sqlite3"
        return f"sqlite:///{path}"
    import psycopg

    parsed = urlparse(url)
    admin = psycopg.connect(url, autocommit=True)
    for attempt in range(50):  # a server or autovacuum may still be leaving it
        try:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            break
        except psycopg.errors.ObjectInUse:
            if attempt == 49:
                raise
            time.sleep(0.2)
    admin.execute(f"CREATE DATABASE {name}")
    admin.close()
    return parsed._replace(path=f"/{name}").geturl()


def child_env(database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "LOG_LEVEL": "WARNING",
        # The production default (the test settings announce every ballot).
        "REALTIME_TALLY_INTERVAL": "0.25",
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PYTHONPATH"):
        env.pop(name, None)
    return env


def run_child(tree: Path, database_url: str, *args: str) -> dict:
    """Run this script's `child` part with `tree`'s code; returns its JSON answer."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args, "--tree", str(tree)],
        cwd=tree, env=child_env(database_url), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"{tree}: child {args[0]} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_server(tree: Path, database_url: str, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(port),
         "config.asgi:application"],
        cwd=tree, env=child_env(database_url), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"Daphne did not start for {tree}")


# --- the child: seeding and checking with a tree's own code -----------------------------


def child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["seed", "check"])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--proposal", type=int)
    args = parser.parse_args(argv)
    sys.path.insert(0, args.tree)
    import django

    django.setup()
    if args.action == "seed":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        answer = seed_casting(args.clients)
    else:
        answer = stored_ballots(args.proposal)
    print(json.dumps(answer))
    return 0


def founded_community():
    """A community founded by one member, the way the tests found it."""
    from tests.factories import found, make_member

    founder = make_member("founder")
    found(founders=[founder], community="Bench")
    return founder


def seed_casting(clients: int) -> dict:
    """`clients` members with API tokens and a proposal open for voting."""
    from rest_framework.authtoken.models import Token

    from tests.factories import make_member
    from tests.proposals.helpers import voting_now

    founder = founded_community()
    voters = [make_member(f"voter{i}") for i in range(clients)]
    proposal = voting_now(founder, title="Bench", body="Bench")
    assert proposal.state == "voting", proposal.state
    return {
        "proposal": proposal.pk,
        "tokens": [Token.objects.create(user=voter).key for voter in voters],
    }


def stored_ballots(proposal_id: int) -> dict:
    """Each voter's stored ballot, the proposal's running tally and the recount."""
    from django.db.models import Count

    from proposals.models import Ballot, Proposal

    ballots = Ballot.objects.filter(proposal_id=proposal_id)
    proposal = Proposal.objects.get(pk=proposal_id)
    recount = dict.fromkeys(CHOICES, 0)
    for row in ballots.values("choice").annotate(n=Count("pk")):
        recount[row["choice"]] = row["n"]
    return {
        "ballots": list(ballots.values_list("voter__username", "choice")),
        "tally": {c: getattr(proposal, f"{c}_count") for c in CHOICES},
        "recount": recount,
    }


# --- load ---------------------------------------------------------------------------------


def load(port: int, clients: int, requests_each: int, make_request) -> tuple[float, list, list]:
    """Run `clients` threads with keep-alive connections; returns (seconds, latencies, acks)."""
    latencies: list[float] = []
    acks: list[tuple[int, str]] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, acked = [], []
        barrier.wait()
        for n in range(requests_each):
            method, path, body, headers, choice = make_request(index, n)
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                errors.append(f"HTTP {response.status} for {method} {path}")
                return
            if choice:
                acked.append((index, choice))
        with lock:
            latencies.extend(mine)
            acks.extend(acked)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return time.perf_counter() - started, latencies, acks


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Target:
    """One tree under test: its database, its Daphne process, its measures."""

    def __init__(self, name: str, tree: Path, database_url: str, clients: int, port: int):
        self.name, self.tree, self.database_url, self.port = name, tree, database_url, port
        seeded = run_child(tree, database_url, "seed", "--clients", str(clients))
        self.proposal, self.tokens = seeded["proposal"], seeded["tokens"]
        self.server = start_server(tree, database_url, port)
        self.trivial_rps, self.ballot_rps, self.t_lat, self.b_lat = [], [], [], []
        self.acks: list[tuple[int, str]] = []
        self.ballot_rounds = 0

    def trivial(self, index, n):
        return "GET", "/healthz", None, {}, None

    def ballot(self, index, n):
        # Every ballot a change of choice, across rounds too.
        choice = CHOICES[(index + n + self.ballot_rounds) % 3]
        headers = {
            "Authorization": f"Token {self.tokens[index]}",
            "Content-Type": "application/json",
        }
        body = json.dumps({"choice": choice})
        return "POST", f"/api/v1/proposals/{self.proposal}/ballot/", body, headers, choice

    def measure(self, kind: str, clients: int, requests_each: int) -> None:
        seconds, latencies, acked = load(
            self.port, clients, requests_each, self.trivial if kind == "trivial" else self.ballot
        )
        rps = clients * requests_each / seconds
        if kind == "trivial":
            self.trivial_rps.append(rps)
            self.t_lat += latencies
        else:
            self.ballot_rps.append(rps)
            self.b_lat += latencies
            self.acks += acked
            self.ballot_rounds += 1

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait()

    def report(self, clients: int) -> dict:
        stored = run_child(self.tree, self.database_url, "check", "--proposal", str(self.proposal))
        last = {}
        for index, choice in self.acks:
            last[index] = choice
        by_voter = {int(name.removeprefix("voter")): choice for name, choice in stored["ballots"]}
        trivial, ballot = statistics.median(self.trivial_rps), statistics.median(self.ballot_rps)
        return {
            "tree": str(self.tree),
            "clients": clients,
            "trivial_rps_rounds": [round(x) for x in self.trivial_rps],
            "ballot_rps_rounds": [round(x) for x in self.ballot_rps],
            "trivial_rps": round(trivial, 1),
            "trivial_p99_ms": round(pct(self.t_lat, 0.99)),
            "ballot_rps": round(ballot, 1),
            "ballot_p50_ms": round(pct(self.b_lat, 0.50)),
            "ballot_p99_ms": round(pct(self.b_lat, 0.99)),
            "ratio_to_trivial": round(ballot / trivial, 3),
            "acknowledged": len(self.acks),
            "ballots_stored": len(stored["ballots"]),
            "every_ack_stored_once": (
                by_voter == last and len(stored["ballots"]) == len(by_voter) == clients
            ),
            "tally_matches_recount": stored["tally"] == stored["recount"],
        }


def bench_casting(targets: list[Target], clients: int, requests_each: int, rounds: int) -> None:
    for target in targets:  # warm up
        load(target.port, clients, 5, target.trivial)
    # Rounds alternate between the measures and between the trees, and the
    # order of the trees is swapped every round; each figure is the median of
    # its rounds.
    for round_ in range(rounds):
        order = targets if round_ % 2 == 0 else targets[::-1]
        for kind in ("trivial", "ballot"):
            for target in order:
                target.measure(kind, clients, requests_each)


# --- closing --------------------------------------------------------------------------------


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()


def bulk_voting(voter_count: int):
    """A proposal in voting with `voter_count` voters who have all voted.

    Members and ballots are generated with INSERT … SELECT, which no service
    offers: the guards are lifted for it as the tables' owner (the benchmark
    created the database) and put back before the proposal is closed."""
    from django.db import connection
    from django.utils import timezone

    from kernel import guards
    from proposals import services
    from tests.proposals.helpers import voting_now

    now = timezone.now()
    admitted = now - timedelta(days=400)
    founder = founded_community()
    series = (
        "generate_series(1, %s) AS i"
        if connection.vendor == "postgresql"
        else "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %s) "
        "SELECT i FROM s)"
    )
    guards.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO members_member (password, is_superuser, username, first_name, "
            "last_name, email, is_staff, is_active, date_joined, display_name, bio) "
            f"SELECT '!', false, 'voter' || i, '', '', '', false, true, %s, '', '' "
            f"FROM {series}",
            [now, voter_count],
        )
        cursor.execute(
            "INSERT INTO members_membership (member_id, status, applied_at, admitted_at, "
            "suspension_reason) SELECT id, 'member', %s, %s, '' FROM members_member "
            "WHERE username LIKE 'voter%%'",
            [admitted, admitted],
        )
    guards.install(connection)
    proposal = voting_now(founder, title="Bench", body="Bench")
    assert proposal.state == "voting", proposal.state
    guards.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO proposals_ballot (proposal_id, voter_id, choice, cast_at, changed_at, "
            "receipt_hash) SELECT %s, e.member_id, CASE e.member_id %% 3 WHEN 0 THEN 'no' "
            "WHEN 1 THEN 'yes' ELSE 'abstain' END, %s, %s, '' "
            "FROM proposals_electorateentry e WHERE e.proposal_id = %s",
            [proposal.pk, proposal.voting_opens_at, proposal.voting_opens_at, proposal.pk],
        )
    counts = services.recount(proposal)
    type(proposal).objects.filter(pk=proposal.pk).update(
        yes_count=counts["yes"], no_count=counts["no"], abstain_count=counts["abstain"]
    )
    guards.install(connection)
    return proposal, sum(counts.values())


def bench_closing(ballots: int) -> dict:
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proposals import services

    proposal, cast = bulk_voting(ballots)
    after_close = proposal.voting_closes_at + timedelta(minutes=1)
    with (
        time_machine.travel(after_close, tick=True),
        CaptureQueriesContext(connection) as queries,
    ):
        started = time.perf_counter()
        services.advance_proposal(proposal_id=proposal.pk)
        seconds = time.perf_counter() - started
    proposal.refresh_from_db()
    return {"ballots": cast, "seconds": seconds, "queries": len(queries), "state": proposal.state}


def fresh_database(base: str | None, name: str) -> None:
    from django.core.management import call_command
    from django.db import connections

    if base:
        connections.close_all()
        connections["default"].close_pool()  # pooled connections stay open otherwise
        prepare_database(base, name)
        call_command("migrate", verbosity=0)
    else:
        call_command("flush", interactive=False, verbosity=0)


# --- main ---------------------------------------------------------------------------------


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        return child_main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="requests per client and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating trivial/ballot rounds")
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--small-ballots", type=int, default=10_000)
    parser.add_argument(
        "--baseline", type=Path, help="a worktree of the commit to compare with, in the same run"
    )
    parser.add_argument("--no-closing", action="store_true", help="measure casting only")
    args = parser.parse_args()

    base = os.environ.get("BENCH_DATABASE_URL")
    print(f"database: {'postgresql' if base else 'sqlite (no BENCH_DATABASE_URL)'}")
    port = 18700 + os.getpid() % 1000
    database_url = prepare_database(base, "commons_bench")
    targets = [Target("this tree", ROOT, database_url, args.clients, port)]
    try:
        if args.baseline:
            tree = args.baseline.resolve()
            targets.append(
                Target("baseline", tree, prepare_database(base, "commons_bench_base"),
                       args.clients, port + 1)
            )  # fmt: skip
        bench_casting(targets, args.clients, args.requests, args.rounds)
    finally:
        for target in targets:
            target.stop()
    reports = [target.report(args.clients) for target in targets]
    ok = True
    for target, report in zip(targets, reports, strict=True):
        print(f"casting, {target.name}:", json.dumps(report, indent=2))
        ok = ok and report["every_ack_stored_once"] and report["tally_matches_recount"]
    current = reports[0]
    ratio = current["ratio_to_trivial"]
    print(
        f"ballot/trivial throughput ratio {ratio:.2f}",
        f"(proposals issue: >= {RATIO_TARGET} {'met' if ratio >= RATIO_TARGET else 'not met'};",
        "it shrinks as the server's own cost per request does: docs/BENCHMARKS.md)",
    )
    if args.baseline:
        ballots = current["ballot_rps"] / reports[1]["ballot_rps"]
        trivial = current["trivial_rps"] / reports[1]["trivial_rps"]
        print(
            f"this tree / baseline: ballots {ballots:.2f}x, trivial view {trivial:.2f}x;",
            f"target >= {BASELINE_TARGET}x",
            "met" if ballots >= BASELINE_TARGET else "MISSED",
        )
    if not (args.baseline or args.no_closing):
        setup_django(targets[0].database_url)
        results = {}
        for size in (args.small_ballots, args.ballots):
            fresh_database(base, "commons_bench")
            results[size] = bench_closing(size)
            print(f"closing with {size} ballots:", json.dumps(results[size]))
        ok = ok and results[args.ballots]["queries"] == results[args.small_ballots]["queries"]
    print("integrity" + ("" if args.baseline or args.no_closing else " and constant queries") + ":",
          "OK" if ok else "FAILED")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
