"""Ledger exports: streamed, verifiable offline, broken by any changed byte."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kernel import chain
from tests.treasury.factories import ExpenseFactory, IncomeFactory
from tests.treasury.helpers import today
from treasury import selectors, services

CHAIN_PY = Path(chain.__file__)


@pytest.fixture
def activity(community, budget):
    bob = community["bob"]
    donation = IncomeFactory(
        actor=bob, amount_cents=5_000, counterparty="Élodie", is_counterparty_public=True
    )
    ExpenseFactory(
        actor=bob,
        budget_line=budget["printing"],
        amount_cents=1_999,
        description="Flyers",
        payee="PrintCo",
    )
    services.reverse_transaction(actor=bob, transaction_id=donation.pk, reason="Bounced")
    return budget


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_jsonl_export_verifies_with_chain_py(client, activity, tmp_path):
    response = client.get("/api/v1/treasury/export.jsonl")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    body = _body(response)
    seq, head = selectors.ledger_head()
    assert response["X-Ledger-Head"] == f"{seq}:{head}"
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(body)
    run = subprocess.run(
        [sys.executable, str(CHAIN_PY), "verify", str(path), "--expect-head", f"{seq}:{head}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"OK: {seq} entries verified" in run.stdout
    kinds = [json.loads(line)["kind"] for line in body.decode().splitlines()]
    assert kinds == ["treasury.donation", "treasury.expense", "treasury.reversal"]


def test_any_single_changed_byte_fails_verification(client, activity):
    body = _body(client.get("/api/v1/treasury/export.jsonl"))
    assert chain.verify_lines(body.splitlines(keepends=True)).ok
    for position in range(len(body) - 1):  # the final newline is optional
        changed = bytearray(body)
        changed[position] ^= 0x01
        result = chain.verify_lines(bytes(changed).splitlines(keepends=True))
        assert not result.ok, f"byte {position} changed and the export still verified"


def test_unbalanced_payload_fails_even_with_recomputed_hashes(client, activity):
    lines = [
        json.loads(line) for line in _body(client.get("/api/v1/treasury/export.jsonl")).splitlines()
    ]
    lines[0]["payload"]["postings"][0]["amount"] += 150
    prev = chain.GENESIS_PREV
    rebuilt = []
    for entry in lines:
        fields = {k: entry[k] for k in ("seq", "at", "kind", "actor", "payload")}
        entry["prev"] = prev
        entry["hash"] = chain.compute_hash(prev=prev, **fields)
        prev = entry["hash"]
        rebuilt.append(json.dumps(entry))
    result = chain.verify_lines(rebuilt)
    assert not result.ok and "does not balance (sum 150)" in result.error


def test_csv_export_has_chain_fields_and_same_entries(client, activity):
    response = client.get("/api/v1/treasury/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(_body(response).decode("utf-8"))))
    assert list(rows[0]) == ["seq", "at", "kind", "actor", "payload", "prev", "hash"]
    as_entries = [
        json.dumps({**row, "seq": int(row["seq"]), "payload": json.loads(row["payload"])})
        for row in rows
    ]
    assert chain.verify_lines(as_entries).ok
    assert json.loads(rows[0]["payload"])["references"]["counterparty"] == "Élodie"


def test_empty_ledger_exports_empty_file(client, community):
    assert _body(client.get("/api/v1/treasury/export.jsonl")) == b""
    assert _body(client.get("/api/v1/treasury/export.csv")).startswith(b"seq,at,kind")


def test_csv_export_is_exactly_what_the_csv_module_writes(client, community):
    from treasury.models import LedgerEntry

    services.record_income(
        actor=community["bob"],
        kind="donation",
        amount_cents=700,
        date=today(),
        method="cash",
        description='Gift "for the café", thanks;\tsee note',
        counterparty="O'Neil, Ana",
        is_counterparty_public=True,
    )
    body = _body(client.get("/api/v1/treasury/export.csv")).decode("utf-8")
    expected = io.StringIO()
    writer = csv.writer(expected)
    writer.writerow(["seq", "at", "kind", "actor", "payload", "prev", "hash"])
    for entry in LedgerEntry.objects.order_by("seq"):
        row = entry.as_export()
        writer.writerow(
            [
                row["seq"],
                row["at"],
                row["kind"],
                row["actor"],
                json.dumps(row["payload"], separators=(",", ":"), ensure_ascii=False),
                row["prev"],
                row["hash"],
            ]
        )
    assert body == expected.getvalue()
