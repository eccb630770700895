"""Ballot casting and closing benchmarks (issue: proposals and voting).

1. Casting over HTTP against a real Daphne process with N concurrent clients
   (token auth, POST /api/v1/proposals/{id}/ballot/, every request a change of
   ballot, so every request writes), compared with a trivial view
   (/healthz) on the same server, in alternating rounds: throughput ratio
   (target >= 0.5), p50/p99 latency, and a
   check that every acknowledged ballot is stored exactly once with the last
   acknowledged choice.
2. Closing a proposal with many ballots: wall time and number of queries, at
   two sizes to show the query count does not grow.

Run on PostgreSQL (the production database):
    BENCH_DATABASE_URL=postgres://user:pw@127.0.0.1:5432/postgres python benchmarks/bench_ballots.py
The script creates and drops its own database `commons_bench`. Without
BENCH_DATABASE_URL it uses a throwaway SQLite file and says so.
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
sys.path.insert(0, str(ROOT))


RATIO_TARGET = 0.5


def prepare_database(url: str | None) -> str:
    """A fresh database for the benchmark; returns its URL."""
    if not url:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        return f"sqlite:///{path}"
    import psycopg

    parsed = urlparse(url)
    admin = psycopg.connect(url, autocommit=True)
    admin.execute("DROP DATABASE IF EXISTS commons_bench")
    admin.execute("CREATE DATABASE commons_bench")
    admin.close()
    return parsed._replace(path="/commons_bench").geturl()


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def open_proposal(voter_count: int, *, bulk: bool):
    """A founded community with `voter_count` members and a proposal in voting."""
    import time_machine
    from django.db import connection
    from django.utils import timezone

    from members.models import Member, Membership
    from members.services import found_community
    from proposals import services

    now = timezone.now()
    founder = Member.objects.create_user(username="founder", password="x")
    Membership.objects.create(
        member=founder, status="member", applied_at=now, admitted_at=now - timedelta(days=400)
    )
    found_community(community="Bench", founders=[founder])
    if bulk:
        vendor_series = (
            "generate_series(1, %s) AS i"
            if connection.vendor == "postgresql"
            else "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %s) "
            "SELECT i FROM s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO members_member (password, is_superuser, username, first_name, "
                "last_name, email, is_staff, is_active, date_joined, display_name, bio) "
                f"SELECT '!', false, 'voter' || i, '', '', '', false, true, %s, '', '' "
                f"FROM {vendor_series}",
                [now, voter_count],
            )
            cursor.execute(
                "INSERT INTO members_membership (member_id, status, applied_at, admitted_at, "
                "suspension_reason) SELECT id, 'member', %s, %s, '' FROM members_member "
                "WHERE username LIKE 'voter%%'",
                [now - timedelta(days=400), now - timedelta(days=400)],
            )
    else:
        for i in range(voter_count):
            member = Member.objects.create_user(username=f"voter{i}", password="x")
            Membership.objects.create(
                member=member,
                status="member",
                applied_at=now,
                admitted_at=now - timedelta(days=400),
            )
    proposal = services.create_draft(author=founder, kind="motion", title="Bench", body="Bench")
    with time_machine.travel(now - timedelta(days=8), tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=founder)
    services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.state == "voting", proposal.state
    return proposal


def start_server(database_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "LOG_LEVEL": "WARNING",
        # The production default (the test settings announce every ballot).
        "REALTIME_TALLY_INTERVAL": "0.25",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
         "config.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
    raise SystemExit("Daphne did not start")


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


def bench_casting(database_url: str, clients: int, requests_each: int, rounds: int) -> dict:
    from rest_framework.authtoken.models import Token

    from members.models import Member
    from proposals.models import Ballot, Proposal
    from proposals.services import recount

    proposal = open_proposal(clients, bulk=False)
    tokens = [
        Token.objects.create(user=Member.objects.get(username=f"voter{i}")).key
        for i in range(clients)
    ]
    port = 18700 + os.getpid() % 1000
    server = start_server(database_url, port)
    choices = ["yes", "no", "abstain"]
    try:

        def trivial(index, n):
            return "GET", "/healthz", None, {}, None

        def ballot(index, n):
            choice = choices[(index + n) % 3]
            body = json.dumps({"choice": choice})
            headers = {
                "Authorization": f"Token {tokens[index]}",
                "Content-Type": "application/json",
            }
            return "POST", f"/api/v1/proposals/{proposal.pk}/ballot/", body, headers, choice

        load(port, clients, 5, trivial)  # warm up
        # Rounds alternate, so drift of a shared machine weighs on both measures
        # alike; each measure is the median of its rounds.
        trivial_rps, ballot_rps, t_lat, b_lat, acks = [], [], [], [], []
        for round_ in range(rounds):
            seconds, latencies, _ = load(port, clients, requests_each, trivial)
            trivial_rps.append(clients * requests_each / seconds)
            t_lat += latencies
            offset = round_ * requests_each  # every ballot a change, across rounds too
            seconds, latencies, acked = load(
                port, clients, requests_each, lambda i, n, offset=offset: ballot(i, n + offset)
            )
            ballot_rps.append(clients * requests_each / seconds)
            b_lat += latencies
            acks += acked
    finally:
        server.terminate()
        server.wait()
    last = {}
    for index, choice in acks:
        last[index] = choice
    stored = {
        int(username.removeprefix("voter")): choice
        for username, choice in Ballot.objects.filter(proposal=proposal).values_list(
            "voter__username", "choice"
        )
    }
    proposal = Proposal.objects.get(pk=proposal.pk)
    kept = {"yes": proposal.yes_count, "no": proposal.no_count, "abstain": proposal.abstain_count}
    return {
        "clients": clients,
        "rounds": rounds,
        "requests_per_round": clients * requests_each,
        "trivial_rps_rounds": [round(x) for x in trivial_rps],
        "ballot_rps_rounds": [round(x) for x in ballot_rps],
        "trivial_rps": statistics.median(trivial_rps),
        "trivial_p99_ms": pct(t_lat, 0.99),
        "ballot_rps": statistics.median(ballot_rps),
        "ballot_p50_ms": pct(b_lat, 0.50),
        "ballot_p99_ms": pct(b_lat, 0.99),
        "ratio": statistics.median(ballot_rps) / statistics.median(trivial_rps),
        "acknowledged": len(acks),
        "ballots_stored": len(stored),
        "every_ack_stored_once": stored == last and len(stored) == clients,
        "tally_matches_ballots": recount(proposal) == kept,
    }


def bench_closing(ballots: int) -> dict:
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proposals import services
    from proposals.models import Proposal

    proposal = open_proposal(ballots, bulk=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO proposals_ballot (proposal_id, voter_id, choice, cast_at, changed_at, "
            "receipt_hash) SELECT %s, e.member_id, CASE e.member_id %% 3 WHEN 0 THEN 'no' "
            "WHEN 1 THEN 'yes' ELSE 'abstain' END, %s, %s, '' "
            "FROM proposals_electorateentry e WHERE e.proposal_id = %s",
            [proposal.pk, proposal.voting_opens_at, proposal.voting_opens_at, proposal.pk],
        )
    counts = services.recount(proposal)
    Proposal.objects.filter(pk=proposal.pk).update(
        yes_count=counts["yes"], no_count=counts["no"], abstain_count=counts["abstain"]
    )
    after_close = proposal.voting_closes_at + timedelta(minutes=1)
    with (
        time_machine.travel(after_close, tick=True),
        CaptureQueriesContext(connection) as queries,
    ):
        started = time.perf_counter()
        services.advance_proposal(proposal_id=proposal.pk)
        seconds = time.perf_counter() - started
    proposal.refresh_from_db()
    return {
        "ballots": sum(counts.values()),
        "seconds": seconds,
        "queries": len(queries),
        "state": proposal.state,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="requests per client and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating trivial/ballot rounds")
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--small-ballots", type=int, default=10_000)
    args = parser.parse_args()

    base = os.environ.get("BENCH_DATABASE_URL")
    database_url = prepare_database(base)
    setup_django(database_url)
    from django.db import connection

    print(f"database: {connection.vendor}")
    casting = bench_casting(database_url, args.clients, args.requests, args.rounds)
    print("casting:", json.dumps(casting, indent=2))
    print(
        f"ballot/trivial throughput ratio {casting['ratio']:.2f}:",
        "target >= 0.5 met" if casting["ratio"] >= RATIO_TARGET else "target >= 0.5 MISSED",
    )

    results = {}
    for size in (args.small_ballots, args.ballots):
        if base:
            from django.db import connections

            connections.close_all()
            connections["default"].close_pool()  # pooled connections stay open otherwise
            prepare_database(base)
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        else:
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
        results[size] = bench_closing(size)
        print(f"closing with {size} ballots:", json.dumps(results[size]))
    ok = (
        casting["every_ack_stored_once"]
        and casting["tally_matches_ballots"]
        and results[args.ballots]["queries"] == results[args.small_ballots]["queries"]
    )
    print("integrity and constant queries:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
