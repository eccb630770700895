"""Benchmark the hash-chain verifier (kernel/chain.py): build a ledger-like
export, then time verify_file with one process and with worker processes.

    python benchmarks/bench_chain.py                      # 1,000,000 entries, 1 and 2 workers
    python benchmarks/bench_chain.py --entries 200000 --workers 1 --runs 5

About 70% of the entries are treasury transactions with 2-4 postings. The rest
are governance events, each payload holding 6 small fields. Both are built
with ``chain.make_entry`` and written the way an export is: one compact JSON
object per line. Each worker count is timed ``--runs`` times (default 3);
it prints every run and the range. It exits non-zero if any verification
fails, or if a run asked for workers was checked in one process because the
workers could not start (the verifier's fallback): that run would measure
the wrong thing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernel import chain

ACCOUNTS = [
    "assets:bank:checking",
    "assets:bank:savings",
    "assets:cash",
    "income:dues",
    "income:donations",
    "income:events",
    "expenses:rent",
    "expenses:utilities",
    "expenses:events:catering",
    "liabilities:reimbursements",
]
ACTORS = ["alice", "bob", "chloé", "dmitri", "eun-ji", "fatima", "", "treasurer-bot"]
MEMOS = [
    "Membership dues – March",
    "Hall rental deposit",
    "Bake sale proceeds",
    "Reimburse printing costs",
    "Donation (anonymous)",
    "Électricité février",
    "Coffee & snacks for assembly",
]
EVENT_KINDS = [
    "proposal.created",
    "proposal.amended",
    "vote.cast",
    "member.joined",
    "meeting.minuted",
]
EPOCH = datetime(2024, 1, 1, tzinfo=UTC).timestamp()


def ledger_payload(rng: random.Random, seq: int) -> dict:
    legs = rng.randint(2, 4)
    amounts = [rng.randint(100, 250_000) for _ in range(legs - 1)]
    amounts.append(-sum(amounts))
    rng.shuffle(amounts)
    return {
        "txn": f"T-{seq:08d}",
        "memo": rng.choice(MEMOS),
        "currency": "EUR",
        "ref": f"INV-2024-{rng.randint(1, 9999):04d}",
        "approved_by": rng.choice(ACTORS[:6]),
        "postings": [{"account": rng.choice(ACCOUNTS), "amount": a} for a in amounts],
    }


def event_payload(rng: random.Random, kind: str, seq: int) -> dict:
    return {
        "proposal": rng.randint(1, 5000),
        "title": rng.choice(MEMOS),
        "choice": rng.choice(["yes", "no", "abstain"]),
        "weight": 1,
        "quorum": {"needed": 25, "present": rng.randint(10, 60)},
        "ref": f"{kind}/{seq}",
    }


def generate(path: Path, entries: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    prev = chain.GENESIS_PREV
    dumps = json.dumps
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for seq in range(1, entries + 1):
            moment = datetime.fromtimestamp(EPOCH + seq * 37.25, tz=UTC)
            at = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            if rng.random() < 0.7:
                kind, payload = "ledger.transaction", ledger_payload(rng, seq)
            else:
                kind = rng.choice(EVENT_KINDS)
                payload = event_payload(rng, kind, seq)
            actor = rng.choice(ACTORS)
            entry = chain.make_entry(
                prev=prev, seq=seq, at=at, kind=kind, actor=actor, payload=payload
            )
            prev = entry["hash"]
            out.write(dumps(entry, separators=(",", ":"), ensure_ascii=False))
            out.write("\n")


def timed_verify(path: Path, entries: int, workers: int, start_method: str | None) -> dict:
    start = time.perf_counter()
    result = chain.verify_file(path, workers=workers, start_method=start_method)
    elapsed = time.perf_counter() - start
    rate = result.entries / elapsed if elapsed else float("inf")
    how = "one process" if result.workers == 1 else f"{result.workers} worker processes"
    print(
        f"workers={workers:<3} {elapsed:7.2f} s {rate:>11,.0f} entries/s  "
        f"{result.describe().split(';')[0]}  ({how})",
        flush=True,
    )
    return {
        "rate": rate,
        "ok": result.ok and result.entries == entries,
        "fell_back": workers > 1 and result.workers != workers,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark kernel/chain.py verify_file.")
    parser.add_argument("--entries", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument(
        "--workers",
        type=int,
        action="append",
        help="worker count to time; repeatable; 0 = one per CPU (default: 1 and 2)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per worker count (default 3)")
    parser.add_argument("--start-method", choices=("fork", "forkserver", "spawn"))
    parser.add_argument("--keep", metavar="PATH", help="write the export here and keep it")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "export.jsonl"
        start = time.perf_counter()
        generate(path, args.entries)
        size = path.stat().st_size
        took = time.perf_counter() - start
        print(
            f"generated {args.entries:,} entries, {size / 1e6:.1f} MB "
            f"({size / max(args.entries, 1):.0f} bytes/line) in {took:.1f} s; "
            f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}"
        )
        counts = [w or chain._cpu_count() for w in (args.workers or [1, 2])]
        if size <= 2 * chain._BLOCK_SIZE and any(w > 1 for w in counts):
            print(f"note: {size:,} bytes is too small for worker processes; all runs use one")
            counts = [1]
        failed = fell_back = False
        for workers in counts:
            runs = [
                timed_verify(path, args.entries, workers, args.start_method)
                for _ in range(args.runs)
            ]
            rates = sorted(run["rate"] for run in runs)
            print(
                f"workers={workers:<3} {len(runs)} runs: {rates[0]:,.0f}-{rates[-1]:,.0f} "
                f"entries/s, median {statistics.median(rates):,.0f}"
            )
            failed |= not all(run["ok"] for run in runs)
            fell_back |= any(run["fell_back"] for run in runs)
    if fell_back:
        print("FAILED: worker processes could not start; the verifier fell back to one process")
    if failed:
        print("FAILED: a verification did not pass")
    return 1 if failed or fell_back else 0


if __name__ == "__main__":
    sys.exit(main())
