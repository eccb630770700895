"""Run every benchmark (`make bench`); figures go to docs/BENCHMARKS.md by hand.

Each benchmark is a standalone script with its own arguments; this runner
passes the sizes the issues ask for, or small ones with BENCH_QUICK=1. A quick
run shows that every benchmark works; its throughput figures are dominated by
start-up costs, so it does not fail on throughput targets. The reliability
benchmark's targets are not about speed (nothing lost, no 5xx, no crashed
socket): a quick run still fails when one is missed.
PostgreSQL/Redis benchmarks use BENCH_DATABASE_URL / BENCH_REDIS_URL when set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
# Small sizes, but every part (kill -9, Redis restart, fuzz, oversize bodies).
RELIABILITY_QUICK = [
    *("--voters", "10", "--phase", "1.5", "--readers", "5"),
    *("--examples", "5", "--frames", "60", "--settle", "3"),
]

BENCHMARKS = [
    ("chain.py verify", ["bench_chain.py", "--entries", "100000" if QUICK else "1000000"]),
    (
        "ballots",
        ["bench_ballots.py"]
        + (["--clients", "10", "--requests", "10", "--ballots", "20000"] if QUICK else []),
    ),
    (
        "treasury",
        ["bench_treasury.py"] + (["--transactions", "10000", "--no-fail"] if QUICK else []),
    ),
    ("realtime", ["bench_realtime.py"] + (["--clients", "100"] if QUICK else [])),
    ("reliability", ["bench_reliability.py", *(RELIABILITY_QUICK if QUICK else [])]),
    (
        "dashboard",
        ["bench_dashboard.py"] + (["--members", "2000", "--proposals", "200"] if QUICK else []),
    ),
    (
        "contributions",
        ["bench_contributions.py"]
        + (["--needs", "2000", "--entries", "20000", "--no-fail"] if QUICK else []),
    ),
]


def main() -> int:
    failed = []
    for name, argv in BENCHMARKS:
        script = HERE / argv[0]
        if not script.exists():
            print(f"== {name}: {argv[0]} not present, skipped")
            continue
        print(f"\n== {name}: python benchmarks/{' '.join(argv)}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(script), *argv[1:]], cwd=HERE.parent)
        print(f"== {name}: exit {code} after {time.monotonic() - started:.0f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
