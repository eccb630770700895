"""The verifier's worker processes (kernel/chain.py).

The verdict is the same with any number of workers, and the workers start
however the verifier is run: as kernel/chain.py, or as a downloaded copy in
a folder that also holds files named like standard modules, with each start
method. When they cannot start, the auditor is told. The auditors' command
from a checkout (governance/chain.py) is tested in tests/governance.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kernel import chain
from tests.kernel.test_chain import (
    CHAIN_PY,
    build,
    entry_with,
    export,
    ledger_events,
    line,
    verify_bytes,
)

# None: the verifier's own choice, as an auditor runs it.
START_METHODS = [
    pytest.param(
        method,
        marks=pytest.mark.skipif(
            method is not None and method not in multiprocessing.get_all_start_methods(),
            reason=f"no {method} here",
        ),
    )
    for method in (None, "fork", "forkserver", "spawn")
]

# Modules the verifier imports, and those a new worker interpreter imports
# before it takes the verifier's import path (multiprocessing, pickle,
# socket, selectors...). A file of one of these names beside the verifier,
# or in the folder it is run from, must never be imported.
STDLIB_LOOKALIKES = (
    "__future__",
    "argparse",
    "collections",
    "contextlib",
    "dataclasses",
    "hashlib",
    "json",
    "multiprocessing",
    "os",
    "pickle",
    "runpy",
    "selectors",
    "signal",
    "socket",
    "stat",
    "struct",
    "tempfile",
    "threading",
)


@functools.cache
def big_export() -> tuple[bytes, str]:
    """An export larger than two 4 MiB blocks, so workers check it; its head."""
    entries = build(ledger_events(30_000))
    data = export(entries)
    assert len(data) > 2 * chain._BLOCK_SIZE
    return data, f"30000:{entries[-1]['hash']}"


def write_big_export(folder: Path) -> tuple[Path, str]:
    data, head = big_export()
    path = folder / "ledger.jsonl"
    path.write_bytes(data)
    return path, head


def plant_lookalikes(folder: Path) -> None:
    for name in STDLIB_LOOKALIKES:
        (folder / f"{name}.py").write_text(
            f"raise RuntimeError('{name}.py in {folder} was imported "
            f"instead of the standard library module')\n"
        )


def run_verifier(script, *args, cwd, start_method=None, python=sys.executable):
    """Run a verifier script as an auditor does: `python chain.py verify ...`,
    without -I (which would keep the working folder off the path anyway)
    and without PYTHON* variables from the test run."""
    command = [str(python), str(script), "verify", *map(str, args)]
    if start_method is not None:
        command += ["--start-method", start_method]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run(
        command,
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_checked_by_workers(completed, head: str, workers: int = 2) -> None:
    # Nothing on stderr: no note that workers are unavailable, and no
    # traceback of a worker that could not start.
    assert completed.stderr == ""
    assert completed.returncode == 0, completed.stdout
    assert completed.stdout.splitlines() == [
        f"OK: 30000 entries verified; head {head}",
        f"checked by {workers} worker processes",
    ]


@pytest.fixture(scope="module")
def large_export(tmp_path_factory) -> tuple[Path, str]:
    return write_big_export(tmp_path_factory.mktemp("exports"))


# --- the verdict ---------------------------------------------------------------


def test_parallel_verification_reports_exactly_what_serial_does(tmp_path, monkeypatch):
    """Tiny blocks force many block boundaries through every kind of failure."""
    entries = build(ledger_events(60))
    data = export(entries)
    lines = data.splitlines(keepends=True)
    head = (60, entries[-1]["hash"])
    long_lines = build(
        [("note", "", {"text": "y" * 2000 * (n % 3)}) for n in range(12)] + ledger_events(5)
    )
    unbalanced = entry_with(entries[29]["hash"], 31, {"postings": [{"amount": 1}, {"amount": 2}]})
    cases = {
        "valid": (data, None),
        "valid with saved head": (data, head),
        "valid with blank tail": (data + b"\n\n", head),
        "byte changed": (data.replace(b'"amount":4000', b'"amount":4001'), None),
        "line deleted": (b"".join(lines[:20] + lines[21:]), None),
        "lines swapped": (b"".join([*lines[:20], lines[21], lines[20], *lines[22:]]), None),
        "not json": (b"".join([*lines[:33], b"{oops\n", *lines[34:]]), None),
        "blank middle": (b"".join([*lines[:40], b"\n", *lines[40:]]), None),
        "unbalanced": (b"".join([*lines[:30], line(unbalanced).encode(), *lines[31:]]), None),
        "cut": (b"".join(lines[:45]), head),
        "rewritten": (export(build([*ledger_events(59), ("x", "", {})])), head),
        "no final newline": (data.rstrip(b"\n"), head),
        "valid with lines longer than a block": (export(long_lines), None),
        "byte changed in a long line": (export(long_lines).replace(b"yyyy", b"yyyz", 1), None),
    }
    monkeypatch.setattr(chain, "_BLOCK_SIZE", 700)
    for name, (content, saved) in cases.items():
        path = tmp_path / "export.jsonl"
        path.write_bytes(content)
        serial = verify_bytes(content, expect_head=saved)
        assert chain.verify_file(path, expect_head=saved) == serial, name
        parallel = chain.verify_file(path, expect_head=saved, workers=2)
        assert (parallel, parallel.workers) == (serial, 2), name
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(content)))
        piped = chain.verify_file("-", expect_head=saved, workers=2)
        assert (piped, piped.workers) == (serial, 2), name
        assert serial.ok == name.startswith(("valid", "no final")), name


SIXTY = export(build(ledger_events(60)))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(position=st.integers(0, len(SIXTY) - 1), replacement=st.integers(0, 255))
def test_a_changed_byte_anywhere_gets_the_same_verdict_from_workers(
    tmp_path, monkeypatch, position, replacement
):
    """Blocks of 700 bytes put a block boundary every line or two."""
    assume(SIXTY[position] != replacement)
    changed = SIXTY[:position] + bytes([replacement]) + SIXTY[position + 1 :]
    path = tmp_path / "changed.jsonl"
    path.write_bytes(changed)
    monkeypatch.setattr(chain, "_BLOCK_SIZE", 700)
    serial = verify_bytes(changed)
    parallel = chain.verify_file(path, workers=2)
    assert (parallel, parallel.workers) == (serial, 2)
    if not serial.ok:
        assert serial.error_line == SIXTY[:position].count(b"\n") + 1


@pytest.mark.parametrize("start_method", START_METHODS)
def test_workers_started_any_way_give_the_same_verdict(tmp_path, monkeypatch, start_method):
    entries = build(ledger_events(60))
    data = export(entries)
    position = data.index(b'"seq":41,')
    cases = [data, data[:position] + b'"seq":42,' + data[position + len(b'"seq":41,') :]]
    monkeypatch.setattr(chain, "_BLOCK_SIZE", 700)
    path = tmp_path / "export.jsonl"
    for content in cases:
        path.write_bytes(content)
        result = chain.verify_file(path, workers=2, start_method=start_method)
        assert (result, result.workers) == (verify_bytes(content), 2)
    assert not result.ok
    assert result.error_line == 41


# --- however it is run -----------------------------------------------------------


@pytest.mark.parametrize("start_method", START_METHODS)
def test_the_verifier_script_checks_a_large_export_with_its_workers(
    large_export, tmp_path, start_method
):
    path, head = large_export
    completed = run_verifier(
        CHAIN_PY, path, "--workers", "2", cwd=tmp_path, start_method=start_method
    )
    assert_checked_by_workers(completed, head)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_a_downloaded_copy_among_files_named_like_standard_modules_runs_its_workers(
    large_export, tmp_path, start_method
):
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    shutil.copy(CHAIN_PY, downloads / "chain.py")
    shutil.copy(large_export[0], downloads / "ledger.jsonl")
    plant_lookalikes(downloads)
    completed = run_verifier(
        "chain.py", "ledger.jsonl", "--workers", "2", cwd=downloads, start_method=start_method
    )
    assert_checked_by_workers(completed, large_export[1])


def test_a_planted_lookalike_would_be_noticed(tmp_path):
    """The guard of the two tests above: a lookalike that is imported fails the run."""
    plant_lookalikes(tmp_path)
    script = tmp_path / "uses_selectors.py"
    script.write_text("import selectors\n")
    completed = run_verifier(script, cwd=tmp_path)
    assert completed.returncode == 1
    assert "instead of the standard library module" in completed.stderr


@pytest.mark.skipif(
    not os.environ.get("CHAIN_TEST_PYTHONS"),
    reason="set CHAIN_TEST_PYTHONS to other interpreters (separated by the path separator)",
)
@pytest.mark.parametrize("start_method", ["spawn", None])
def test_a_downloaded_copy_runs_its_workers_on_every_python_listed(
    large_export, tmp_path, start_method
):
    """The verifier promises Python 3.9 or newer; CHAIN_TEST_PYTHONS lists
    interpreters to hold it to that, e.g. /usr/bin/python3.9:/usr/bin/python3.13."""
    shutil.copy(CHAIN_PY, tmp_path / "chain.py")
    plant_lookalikes(tmp_path)
    for python in os.environ["CHAIN_TEST_PYTHONS"].split(os.pathsep):
        completed = run_verifier(
            "chain.py",
            large_export[0],
            "--workers",
            "2",
            cwd=tmp_path,
            start_method=start_method,
            python=python,
        )
        assert_checked_by_workers(completed, large_export[1])


def test_workers_name_the_first_bad_line_of_a_large_export(large_export, tmp_path):
    data, _ = big_export()
    position = data.index(b'"seq":25000,')
    changed = tmp_path / "changed.jsonl"
    changed.write_bytes(data[:position] + b'"seq":25001,' + data[position + 12 :])
    completed = run_verifier(CHAIN_PY, changed, "--workers", "2", cwd=tmp_path)
    assert completed.stderr == ""
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("FAILED at line 25000 (seq 25001): seq is 25001")
    assert lines[-1] == "checked by 2 worker processes"


# --- when workers cannot run -----------------------------------------------------


def test_without_worker_processes_the_verdict_is_the_same_and_the_auditor_is_told(
    tmp_path, monkeypatch, capsys
):
    path = tmp_path / "export.jsonl"
    path.write_bytes(export(build(ledger_events(60))))
    monkeypatch.setattr(chain, "_BLOCK_SIZE", 700)
    serial = chain.verify_file(path)

    def refuse(process):
        raise OSError("no processes here")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse)

    result = chain.verify_file(path, workers=2)
    assert (result, result.workers) == (serial, 1)
    assert serial.ok
    assert "worker processes are unavailable (OSError('no processes here'))" in (
        capsys.readouterr().err
    )
    assert chain.main(["verify", str(path), "--workers", "2"]) == 0
    captured = capsys.readouterr()
    assert "verifying in one process" in captured.err
    assert captured.out.endswith("\nchecked in one process\n")


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_a_worker_that_dies_fails_the_verification_instead_of_passing_it(
    tmp_path, monkeypatch, capsys
):
    path = tmp_path / "export.jsonl"
    path.write_bytes(export(build(ledger_events(60))))
    monkeypatch.setattr(chain, "_BLOCK_SIZE", 700)
    # A forked worker runs this module as patched here: it dies on its first block.
    monkeypatch.setattr(chain, "_verify_block", lambda *task: os._exit(3))
    with pytest.raises(OSError, match="worker process stopped unexpectedly"):
        chain.verify_file(path, workers=2, start_method="fork")
    assert chain.main(["verify", str(path), "--workers", "2", "--start-method", "fork"]) == 2
    assert "stopped unexpectedly" in capsys.readouterr().err


def test_a_start_method_this_system_lacks_is_a_usage_error(tmp_path, monkeypatch, capsys):
    path = tmp_path / "export.jsonl"
    path.write_bytes(export(build(ledger_events(3))))
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert chain.main(["verify", str(path), "--start-method", "fork"]) == 2
    assert "start method 'fork' is not available here (available: spawn)" in (
        capsys.readouterr().err
    )


def test_the_benchmark_fails_when_the_verifier_falls_back_to_one_process(monkeypatch, capsys):
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_chain.py"
    spec = importlib.util.spec_from_file_location("bench_chain", script)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    arguments = ["--entries", "20000", "--runs", "1", "--workers", "2"]
    assert bench.main(arguments) == 0
    assert "(2 worker processes)" in capsys.readouterr().out

    def refuse(process):
        raise OSError("no processes here")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse)
    assert bench.main(arguments) == 1
    assert "the verifier fell back to one process" in capsys.readouterr().out
