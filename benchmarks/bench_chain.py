"""Benchmark governance/chain.py: build a ledger-like export, then time verify_file.

    python benchmarks/bench_chain.py                      # 1,000,000 entries
    python benchmarks/bench_chain.py --entries 200000 --workers 1

About 70% of the entries are treasury transactions with 2-4 postings. The rest
are governance events, each payload holding 6 small fields. Both are built
with ``chain.make_entry`` and written the way an export is: one compact JSON
object per line. By default it times single-process verification (workers=1)
and the command line's default (one worker per CPU). It exits non-zero if any
verification fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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


def timed_verify(path: Path, entries: int, workers: int) -> bool:
    label = f"workers={workers}" if workers else f"workers=0 (one per CPU: {os.cpu_count()})"
    start = time.perf_counter()
    result = chain.verify_file(path, workers=workers)
    elapsed = time.perf_counter() - start
    rate = result.entries / elapsed if elapsed else float("inf")
    print(f"{label:30s} {elapsed:7.2f} s {rate:>11,.0f} entries/s  {result.describe()}")
    return result.ok and result.entries == entries


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark governance/chain.py verify_file.")
    parser.add_argument("--entries", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument(
        "--workers",
        type=int,
        action="append",
        help="worker count to time; repeatable; 0 = one per CPU (default: 1 and 0)",
    )
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
        results = [timed_verify(path, args.entries, w) for w in (args.workers or [1, 0])]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
