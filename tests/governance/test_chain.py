"""The auditors' command from a Commons checkout, `python governance/chain.py
verify FILE`, and the verifier downloaded from /bylaws/audit/chain.py: both
check a large export with their worker processes, wherever they are run
from. (The verifier itself, kernel/chain.py, is tested in tests/kernel.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.kernel.test_chain_workers import (
    START_METHODS,
    assert_checked_by_workers,
    big_export,
    plant_lookalikes,
    run_verifier,
    write_big_export,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def large_export(tmp_path_factory) -> tuple[Path, str]:
    return write_big_export(tmp_path_factory.mktemp("exports"))


@pytest.mark.parametrize("start_method", START_METHODS)
def test_the_documented_command_from_the_checkout_verifies_with_its_workers(
    large_export, start_method
):
    path, head = large_export
    completed = run_verifier(
        "governance/chain.py", path, "--workers", "2", cwd=ROOT, start_method=start_method
    )
    assert_checked_by_workers(completed, head)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_the_command_run_inside_governance_beside_its_selectors_module_uses_its_workers(
    large_export, start_method
):
    """governance/selectors.py hides the standard library's `selectors` from
    anything that puts this folder on its import path."""
    assert (ROOT / "governance" / "selectors.py").exists()
    path, head = large_export
    completed = run_verifier(
        "chain.py", path, "--workers", "2", cwd=ROOT / "governance", start_method=start_method
    )
    assert_checked_by_workers(completed, head)


@pytest.mark.parametrize("start_method", START_METHODS)
def test_the_command_run_from_another_folder_uses_its_workers(large_export, tmp_path, start_method):
    plant_lookalikes(tmp_path)
    path, head = large_export
    completed = run_verifier(
        ROOT / "governance" / "chain.py",
        path,
        "--workers",
        "2",
        cwd=tmp_path,
        start_method=start_method,
    )
    assert_checked_by_workers(completed, head)


def test_the_command_names_the_first_bad_line_found_by_its_workers(tmp_path):
    data, _ = big_export()
    position = data.index(b'"amount":', len(data) // 2) + len(b'"amount":')
    changed = tmp_path / "changed.jsonl"
    changed.write_bytes(data[:position] + b"9" + data[position + 1 :])
    line = data[:position].count(b"\n") + 1
    completed = run_verifier(
        "governance/chain.py", changed, "--workers", "2", cwd=ROOT, start_method=None
    )
    assert completed.stderr == ""
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert lines[0] == f"FAILED at line {line} (seq {line}): hash does not match its content"
    assert lines[-1] == "checked by 2 worker processes"


@pytest.mark.parametrize("start_method", START_METHODS)
def test_the_verifier_downloaded_from_the_site_runs_its_workers_among_lookalikes(
    client, db, large_export, tmp_path, start_method
):
    response = client.get(reverse("governance:chain_source"))
    assert response.status_code == 200
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    (downloads / "chain.py").write_bytes(b"".join(response.streaming_content))
    plant_lookalikes(downloads)
    path, head = large_export
    completed = run_verifier(
        "chain.py", path, "--workers", "2", cwd=downloads, start_method=start_method
    )
    assert_checked_by_workers(completed, head)
