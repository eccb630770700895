"""Benchmark the contribution economy (issue: contributions).

    python benchmarks/bench_contributions.py                    # all parts
    python benchmarks/bench_contributions.py --part pages --needs 10000 --entries 100000
    BENCH_DATABASE_URL=postgres://user:pw@127.0.0.1:5432/postgres \\
        python benchmarks/bench_contributions.py --part confirm

1. ``pages``: a throwaway SQLite database (migrated like production) with
   100,000 needs and 1,000,000 confirmed contributions, transfers and
   hash-chained time-ledger entries, bulk-inserted with the guards lifted
   and put back before anything is measured. Through Django's test client:
   the marketplace (first page, a skill, a search, a deep keyset page), the
   public contributions page and the needs API, p50/p95 and queries per
   request (targets: p95 <= 100 ms, the same queries at any size), and the
   public page's first reader after a new ledger head (its aggregates are
   then cached under that head).
2. ``verify``: the time ledger's JSON-lines export of that database, then
   ``python governance/chain.py verify`` on it, with 1 and 2 worker
   processes (target: >= 200,000 entries/s).
3. ``confirm``: confirmations over HTTP against one real Daphne process with
   50 concurrent clients (token auth, each request confirms another logged
   contribution, so every request writes a transfer, its postings and a
   chained entry), in rounds alternating with a trivial view (/healthz):
   requests/s of each and their ratio; then checks that every acknowledged
   confirmation made exactly one transfer and one entry and that the chain
   verifies. On PostgreSQL with BENCH_DATABASE_URL (the script creates and
   drops `commons_bench_contrib`); otherwise on SQLite, and says so.

It prints the figures and exits non-zero if a target is missed (--no-fail
to only report).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"page_p95_ms": 100.0, "verify_entries_per_s": 200_000}
SKILLS = [f"skill-{n:02d}" for n in range(40)]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --- part 1: building a large record ------------------------------------------------------


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


class Writer:
    """Batched INSERTs of model rows given as dicts (the guards are lifted)."""

    def __init__(self, db: sqlite3.Connection):
        self.db, self.batches, self.sql, self.columns = db, {}, {}, {}

    def add(self, model, row: dict) -> None:
        table = model._meta.db_table
        if table not in self.sql:
            columns = _columns(model)
            self.columns[table] = columns
            self.sql[table] = (
                f"INSERT INTO {table} ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})"
            )
            self.batches[table] = []
        self.batches[table].append([row.get(c) for c in self.columns[table]])
        if len(self.batches[table]) >= 20_000:
            self.flush(table)

    def add_raw(self, table: str, columns: list[str], values: list) -> None:
        if table not in self.sql:
            self.sql[table] = (
                f"INSERT INTO {table} ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})"
            )
            self.columns[table] = columns
            self.batches[table] = []
        self.batches[table].append(values)
        if len(self.batches[table]) >= 20_000:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.batches):
            if self.batches[name]:
                self.db.executemany(self.sql[name], self.batches[name])
                self.batches[name] = []
        self.db.commit()


def build(db_path: Path, needs: int, entries: int, members: int = 2_000) -> None:
    """Migrate, then bulk-insert members, needs, offers, contributions,
    transfers, postings and chained entries with the guards lifted."""
    from django.core.management import call_command
    from django.db import connection

    from contributions.models import (
        Contribution,
        Need,
        Offer,
        TimeAccount,
        TimeEntry,
        TimePosting,
        TimeTransfer,
    )
    from kernel import chain
    from kernel import guards as database_guards
    from kernel.models import ChainHead

    call_command("migrate", verbosity=0)
    database_guards.uninstall(connection)
    connection.close()
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    out = Writer(db)
    stamp = "2025-01-01 00:00:00"
    for pk in range(1, members + 1):
        out.add_raw(
            "members_member",
            ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
             "is_staff", "is_active", "date_joined", "display_name", "bio"],
            [pk, "!", 0, f"member{pk}", "", "", "", 0, 1, stamp, f"Member {pk}", ""],
        )  # fmt: skip
        out.add(TimeAccount, {"id": pk, "reference": f"m-{pk:012x}", "member_id": pk,
                              "is_community": 0, "created_at": stamp})  # fmt: skip
    for pk, slug in enumerate(SKILLS, start=1):
        out.add_raw("contributions_skill", ["id", "slug", "name"], [pk, slug, slug.title()])
    out.flush()
    words = ["repair", "childcare", "garden", "cooking", "moving", "translation", "bookkeeping"]
    for pk in range(1, needs + 1):
        state = "open" if pk % 5 == 0 else ("done" if pk % 3 else "filled")
        out.add(Need, {
            "id": pk, "title": f"Need {pk}: {words[pk % len(words)]} help",
            "description": f"Please help with {words[(pk * 7) % len(words)]}.",
            "people_needed": 1 + pk % 3, "estimated_minutes": 60 + pk % 240,
            "place": f"Street {pk % 500}", "is_online": int(pk % 11 == 0),
            "starts_at": stamp, "ends_at": "2030-01-01 00:00:00", "deadline": None,
            "posted_by_id": 1 + pk % members, "is_community": 0, "beneficiary_role": "",
            "hourly_pay_cents": 0, "state": state, "created_at": stamp, "changed_at": stamp,
        })  # fmt: skip
        for skill in {1 + pk % len(SKILLS), 1 + (pk * 13) % len(SKILLS)}:
            out.add_raw("contributions_need_skills", ["need_id", "skill_id"], [pk, skill])
        out.add(Offer, {
            "id": pk, "need_id": pk, "member_id": 1 + (pk + 1) % members, "message": "",
            "state": "accepted", "created_at": stamp, "decided_at": stamp,
            "decided_by_id": 1 + pk % members,
        })  # fmt: skip
    out.flush()
    prev = chain.GENESIS_PREV
    base = datetime(2025, 1, 1, tzinfo=UTC)
    first_day = date(2024, 1, 1)
    for pk in range(1, entries + 1):
        need = 1 + pk % needs
        beneficiary, contributor = 1 + need % members, 1 + (need + 1) % members
        minutes = 30 + (pk * 7919) % 180
        credits = (2 * minutes * 100 + 60) // 120
        worked = first_day + timedelta(days=pk * 730 // entries)
        moment = base + timedelta(seconds=pk)
        month = worked.strftime("%Y-%m")
        out.add(Contribution, {
            "id": pk, "offer_id": need, "need_id": need, "contributor_id": contributor,
            "minutes": minutes, "worked_on": worked.isoformat(), "note": "", "state": "confirmed",
            "logged_at": stamp, "confirmed_by_id": beneficiary, "confirmed_at": stamp,
            "refusal_reason": "", "review_reason": "",
        })  # fmt: skip
        out.add(TimeTransfer, {
            "id": pk, "kind": "exchanged", "status": "posted", "contribution_id": pk,
            "minutes": minutes, "rate": 100, "credits": credits, "month": month,
            "authorized_by_id": beneficiary, "posted_at": f"{worked.isoformat()} 12:00:00",
        })  # fmt: skip
        source, target = f"m-{beneficiary:012x}", f"m-{contributor:012x}"
        out.add(TimePosting, {"id": 2 * pk - 1, "transfer_id": pk, "account_id": beneficiary,
                              "amount": -credits})  # fmt: skip
        out.add(TimePosting, {"id": 2 * pk, "transfer_id": pk, "account_id": contributor,
                              "amount": credits})  # fmt: skip
        payload = {
            "transfer": pk, "kind": "exchanged", "minutes": minutes,
            "credit_hundredths_per_hour": 100,
            "postings": [{"account": source, "amount": -credits},
                         {"account": target, "amount": credits}],
            "references": {"contribution": pk, "need": need, "worked_on": worked.isoformat(),
                           "contributor": target, "beneficiary": source},
        }  # fmt: skip
        entry = chain.make_entry(
            prev=prev, seq=pk, at=moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            kind="time.exchanged", actor=source, payload=payload,
        )  # fmt: skip
        prev = entry["hash"]
        out.add(TimeEntry, {**entry, "payload": json.dumps(payload, separators=(",", ":"),
                                                           ensure_ascii=False),
                            "transfer_id": pk})  # fmt: skip
    out.flush()
    db.close()
    ChainHead.objects.update_or_create(name="time", defaults={"seq": entries, "hash": prev})
    database_guards.install(connection)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure_pages(repeats: int) -> tuple[list[dict], float]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from contributions.models import Need

    client = Client()
    cache.clear()
    started = time.perf_counter()
    assert client.get("/contributions/").status_code == 200
    first_reader = (time.perf_counter() - started) * 1000
    oldest_open = Need.objects.filter(state="open").order_by("pk").values_list("pk", flat=True)[60]
    cases = [
        ("marketplace, first page", "/contributions/marketplace/"),
        ("marketplace, one skill", "/contributions/marketplace/?skill=skill-07"),
        ("marketplace, search", "/contributions/marketplace/?q=translation"),
        ("marketplace, deep page", f"/contributions/marketplace/?before={oldest_open}"),
        ("public contributions page", "/contributions/"),
        ("needs API, first page", "/api/v1/needs/?state=open"),
    ]
    results = []
    for name, url in cases:
        client.get(url)  # warm up
        timings, queries = [], 0
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = max(queries, len(captured))
        timings.sort()
        results.append({"name": name, "p50": statistics.median(timings),
                        "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
                        "queries": queries})  # fmt: skip
    return results, first_reader


def export_jsonl(path: Path) -> tuple[int, float]:
    from django.test import Client

    started = time.perf_counter()
    response = Client().get("/api/v1/contributions/ledger/export.jsonl")
    lines = 0
    with open(path, "wb") as handle:
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            handle.write(chunk)
    return lines, time.perf_counter() - started


def run_verify(path: Path, workers: int) -> dict:
    command = [sys.executable, str(ROOT / "governance" / "chain.py"), "verify", str(path),
               "--workers", str(workers)]  # fmt: skip
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"verify failed: {completed.stdout}{completed.stderr}")
    lines = completed.stdout.strip().splitlines()
    return {"seconds": elapsed, "output": lines[0], "how": lines[-1]}


# --- part 3: confirmations over HTTP --------------------------------------------------------


def prepare_database(url: str | None, name: str) -> str:
    if not url:
        return f"sqlite:///{Path(tempfile.mkdtemp()) / f'{name}.sqlite3'}"
    from urllib.parse import urlparse

    import psycopg

    admin = psycopg.connect(url, autocommit=True)
    for attempt in range(50):
        try:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            break
        except psycopg.errors.ObjectInUse:
            if attempt == 49:
                raise
            time.sleep(0.2)
    admin.execute(f"CREATE DATABASE {name}")
    admin.close()
    return urlparse(url)._replace(path=f"/{name}").geturl()


def child_env(database_url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url,
           "DJANGO_SETTINGS_MODULE": "config.test_settings", "LOG_LEVEL": "WARNING"}  # fmt: skip
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PYTHONPATH"):
        env.pop(name, None)
    return env


def run_child(database_url: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        cwd=ROOT, env=child_env(database_url), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"child {args[0]} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def seed_confirmations(clients: int, each: int) -> dict:
    """`clients` beneficiaries with tokens, each with `each` logged minutes of
    a helper's time to confirm (through the services, as the tests build data)."""
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from contributions import services
    from tests.contributions.helpers import adopt_article, window
    from tests.factories import found, make_member

    call_command("migrate", verbosity=0)
    founder = make_member("founder")
    found(founders=[founder], community="Bench")
    givers = [make_member(f"giver{i}") for i in range(clients)]
    takers = [make_member(f"taker{i}") for i in range(clients)]
    adopt_article(founder, [founder, *givers, *takers], lowest_balance_hundredths=-(10**9))
    today = timezone.now().date()
    plan = []
    for giver, taker in zip(givers, takers, strict=True):
        need = services.post_need(actor=taker, title="Bench", description="Bench",
                                  estimated_minutes=60, is_online=True, **window())  # fmt: skip
        offer = services.offer_help(actor=giver, need_id=need.pk)
        services.accept_offer(actor=taker, offer_id=offer.pk)
        logged = [
            services.log_hours(actor=giver, offer_id=offer.pk, minutes=1, worked_on=today).pk
            for _ in range(each)
        ]
        plan.append({"token": Token.objects.create(user=taker).key, "hours": logged})
    return {"clients": plan}


def check_confirmations() -> dict:
    from contributions import selectors
    from contributions.models import ContributionState, TimeEntry, TimeTransfer
    from kernel import chain

    seq, _head = selectors.time_head()
    lines = "".join(selectors.export_lines(fmt="jsonl", through=seq)).splitlines(keepends=True)
    return {
        "confirmed": TimeTransfer.objects.filter(
            contribution__state=ContributionState.CONFIRMED
        ).count(),
        "transfers": TimeTransfer.objects.count(),
        "entries": TimeEntry.objects.count(),
        "chain_ok": chain.verify_lines(lines).ok,
    }


def start_server(database_url: str, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(port),
         "config.asgi:application"],
        cwd=ROOT, env=child_env(database_url), stdout=subprocess.DEVNULL,
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
    raise SystemExit("Daphne did not start")


def load(port: int, jobs: list[list[tuple[str, str, dict]]]) -> tuple[float, list[float], int]:
    """One thread per client, each sending its requests on a keep-alive
    connection; returns (seconds, latencies, acknowledged)."""
    latencies: list[float] = []
    acked = [0]
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs) + 1)

    def client(requests) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, ok = [], 0
        barrier.wait()
        for method, path, headers in requests:
            started = time.perf_counter()
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                errors.append(f"HTTP {response.status} for {method} {path}")
                return
            ok += method == "POST"
        with lock:
            latencies.extend(mine)
            acked[0] += ok

    threads = [threading.Thread(target=client, args=(requests,)) for requests in jobs]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return time.perf_counter() - started, latencies, acked[0]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def bench_confirmations(clients: int, requests: int, rounds: int) -> dict:
    base = os.environ.get("BENCH_DATABASE_URL")
    database_url = prepare_database(base, "commons_bench_contrib")
    seeded = run_child(database_url, "seed", "--clients", str(clients),
                       "--each", str(requests * rounds))["clients"]  # fmt: skip
    port = 18900 + os.getpid() % 1000
    server = start_server(database_url, port)
    trivial_rps, confirm_rps, trivial_lat, confirm_lat, acked = [], [], [], [], 0
    try:
        load(port, [[("GET", "/healthz", {})] * 5 for _ in range(clients)])  # warm up
        for round_ in range(rounds):
            jobs = [[("GET", "/healthz", {})] * requests for _ in range(clients)]
            seconds, latencies, _ = load(port, jobs)
            trivial_rps.append(clients * requests / seconds)
            trivial_lat += latencies
            jobs = [
                [("POST", f"/api/v1/contributions/{pk}/confirm/",
                  {"Authorization": f"Token {c['token']}"})
                 for pk in c["hours"][round_ * requests:(round_ + 1) * requests]]
                for c in seeded
            ]  # fmt: skip
            seconds, latencies, ok = load(port, jobs)
            confirm_rps.append(clients * requests / seconds)
            confirm_lat += latencies
            acked += ok
    finally:
        server.terminate()
        server.wait()
    stored = run_child(database_url, "check")
    trivial, confirm = statistics.median(trivial_rps), statistics.median(confirm_rps)
    return {
        "database": "postgresql" if base else "sqlite (no BENCH_DATABASE_URL)",
        "clients": clients,
        "trivial_rps_rounds": [round(x) for x in trivial_rps],
        "confirm_rps_rounds": [round(x) for x in confirm_rps],
        "trivial_rps": round(trivial, 1),
        "confirm_rps": round(confirm, 1),
        "confirm_p50_ms": round(pct(confirm_lat, 0.5)),
        "confirm_p99_ms": round(pct(confirm_lat, 0.99)),
        "ratio_to_trivial": round(confirm / trivial, 3),
        "acknowledged": acked,
        **stored,
        "every_ack_one_entry": stored["confirmed"] == stored["entries"] == acked,
    }


# --- main -------------------------------------------------------------------------------------


def child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["seed", "check"])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--each", type=int, default=60)
    args = parser.parse_args(argv)
    import django

    django.setup()
    answer = (
        seed_confirmations(args.clients, args.each)
        if args.action == "seed"
        else (check_confirmations())
    )
    print(json.dumps(answer))
    return 0


def bench_pages(args, failures: list[str]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-contributions-"))
    db_path = args.db or workdir / "bench.sqlite3"
    setup_django(f"sqlite:///{db_path}")
    if not (args.db and args.db.exists()):
        started = time.perf_counter()
        build(db_path, args.needs, args.entries)
        print(f"built {args.needs:,} needs and {args.entries:,} ledger entries "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    results, first = measure_pages(args.repeats)
    print(f"\n{args.needs:,} needs, {args.entries:,} entries, SQLite, Django test client")
    print(f"public page, first reader after a new head: {first:.0f} ms (then cached)\n")
    print(f"{'case':<30}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    for row in results:
        print(f"{row['name']:<30}{row['p50']:>9.1f}{row['p95']:>9.1f}{row['queries']:>9}")
        if row["p95"] > TARGETS["page_p95_ms"]:
            failures.append(row["name"])
    if args.part in ("all", "verify"):
        path = workdir / "time-ledger.jsonl"
        lines, seconds = export_jsonl(path)
        print(f"\nJSON-lines export: {lines:,} entries in {seconds:.1f} s "
              f"({lines / seconds:,.0f}/s)")  # fmt: skip
        for workers in (1, 2):
            runs = [run_verify(path, workers) for _ in range(args.verify_runs)]
            speeds = sorted(lines / run["seconds"] for run in runs)
            timings = ", ".join(f"{run['seconds']:.2f} s" for run in runs)
            print(f"chain.py verify --workers {workers}: {timings} = "
                  f"{speeds[0]:,.0f}-{speeds[-1]:,.0f} entries/s ({runs[0]['how']})")  # fmt: skip
            print(f"  {runs[0]['output']}")
            if workers == 2 and statistics.median(speeds) < TARGETS["verify_entries_per_s"]:
                failures.append("verify")
    if args.keep:
        print(f"kept: {workdir}")
    else:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        return child_main(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "pages", "verify", "confirm"], default="all")
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--verify-runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", type=Path, default=None, help="reuse or create this SQLite file")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args()
    failures: list[str] = []
    if args.part == "confirm":
        report = bench_confirmations(args.clients, args.requests, args.rounds)
        print("confirmations:", json.dumps(report, indent=2))
        if not (report["every_ack_one_entry"] and report["chain_ok"]):
            failures.append("confirmation integrity")
    else:
        bench_pages(args, failures)
        if args.part == "all":
            report = bench_confirmations(args.clients, args.requests, args.rounds)
            print("\nconfirmations:", json.dumps(report, indent=2))
            if not (report["every_ack_one_entry"] and report["chain_ok"]):
                failures.append("confirmation integrity")
    if failures:
        print(f"\nMISSED TARGETS: {', '.join(failures)}")
        return 0 if args.no_fail else 1
    print("\nAll targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
