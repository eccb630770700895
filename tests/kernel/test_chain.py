"""The hash chain behind the governance journal and the treasury ledger
(kernel/chain.py): the format, what verification checks, and the command line.

These tests need only the standard library and pytest: chain.py is also the
auditors' offline tool, so nothing here touches Django. Tampering properties
are in test_chain_tampering.py, worker processes in test_chain_workers.py;
both use the helpers below.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kernel import chain

CHAIN_PY = Path(chain.__file__).resolve()
AT = "2024-03-01T12:00:00.000000Z"


# --- helpers -----------------------------------------------------------------


def build(events) -> list[dict]:
    """Chain (kind, actor, payload) events with make_entry, as the app does."""
    entries, prev = [], chain.GENESIS_PREV
    for seq, (kind, actor, payload) in enumerate(events, 1):
        entry = chain.make_entry(prev=prev, seq=seq, at=AT, kind=kind, actor=actor, payload=payload)
        entries.append(entry)
        prev = entry["hash"]
    return entries


def ledger_events(count: int) -> list[tuple[str, str, dict]]:
    events = []
    for n in range(1, count + 1):
        if n % 3:
            payload = {
                "memo": f"dues {n} – été",
                "postings": [
                    {"account": "assets:bank", "amount": 100 * n},
                    {"account": "income:dues", "amount": -100 * n},
                ],
            }
            events.append(("ledger.transaction", "bob", payload))
        else:
            events.append(("proposal.created", "alice", {"proposal": n, "title": "Budget 📊"}))
    return events


def line(entry: dict) -> str:
    """One export line: compact JSON, no insignificant whitespace."""
    return json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n"


def export(entries) -> bytes:
    return "".join(line(e) for e in entries).encode("utf-8")


def entry_with(prev: str, seq: int, payload: dict, kind: str = "ledger.transaction") -> dict:
    """An entry with a correct hash, built without make_entry's own checks."""
    fields = {"seq": seq, "at": AT, "kind": kind, "actor": "bob", "payload": payload}
    return {**fields, "prev": prev, "hash": chain.compute_hash(prev=prev, **fields)}


def verify_bytes(data: bytes, **kwargs) -> chain.VerifyResult:
    return chain.verify_lines(io.BytesIO(data), **kwargs)


@pytest.fixture
def entries() -> list[dict]:
    return build(ledger_events(8))


# --- format ------------------------------------------------------------------


def test_hash_is_sha256_of_prev_newline_and_canonical_content():
    payload = {"b": [1, {"z": "ü", "a": None}], "a": "x"}
    entry = chain.make_entry(
        prev=chain.GENESIS_PREV, seq=1, at=AT, kind="k", actor="", payload=payload
    )
    content = json.dumps(
        {"seq": 1, "at": AT, "kind": "k", "actor": "", "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")
    assert entry["hash"] == hashlib.sha256(b"0" * 64 + b"\n" + content).hexdigest()
    assert set(entry) == set(chain.REQUIRED_FIELDS)
    assert chain.GENESIS_PREV == "0" * 64


def test_canonical_json_sorts_keys_without_spaces_and_keeps_unicode():
    assert chain.canonical_json({"b": 1, "a": {"d": "é", "c": [True, None]}}) == (
        '{"a":{"c":[true,null],"d":"é"},"b":1}'.encode()
    )
    with pytest.raises(ValueError):
        chain.canonical_json({"x": float("nan")})


def test_make_entry_refuses_unbalanced_postings_and_bad_prev():
    with pytest.raises(ValueError, match="does not balance"):
        chain.make_entry(
            prev=chain.GENESIS_PREV,
            seq=1,
            at=AT,
            kind="ledger.transaction",
            actor="bob",
            payload={"postings": [{"amount": 100}, {"amount": -50}]},
        )
    with pytest.raises(ValueError, match="prev"):
        chain.make_entry(prev="abc", seq=1, at=AT, kind="k", actor="", payload={})


# --- verification ------------------------------------------------------------


def test_valid_chain_verifies(entries, tmp_path):
    data = export(entries)
    path = tmp_path / "export.jsonl"
    path.write_bytes(data)
    for result in (
        verify_bytes(data),
        chain.verify_lines(data.decode().splitlines(keepends=True)),
        chain.verify_file(path),
        chain.verify_file(str(path), expect_head=(8, entries[-1]["hash"])),
        chain.verify_file(path, expect_head=(3, entries[2]["hash"])),
    ):
        assert result == chain.VerifyResult(True, 8, 8, entries[-1]["hash"], None, None)


def test_lines_with_spaces_other_key_order_extra_fields_and_crlf_verify(entries):
    lines = [
        json.dumps(entries[0], indent=None) + "\r\n",  # default ", " and ": " separators
        json.dumps(dict(reversed(list(entries[1].items())))) + "\n",
        json.dumps({**entries[2], "exported_by": "ada", "id": 3}) + "\n",
        "  " + line(entries[3]),
    ]
    assert chain.verify_lines(lines).ok


def test_empty_export_verifies_only_without_saved_head():
    assert verify_bytes(b"") == chain.VerifyResult(True, 0, 0, chain.GENESIS_PREV, None, None)
    result = verify_bytes(b"", expect_head=(1, "a" * 64))
    assert not result.ok
    assert "missing" in result.error
    assert "history cut" in result.error


def test_blank_trailing_lines_verify_but_blank_middle_line_fails(entries):
    data = export(entries)
    assert verify_bytes(data + b"\n").ok
    assert verify_bytes(data + b"\n \r\n\n").ok
    lines = data.splitlines(keepends=True)
    result = verify_bytes(b"".join([*lines[:4], b"\n", *lines[4:]]))
    assert not result.ok
    assert result.error_line == 5
    assert "blank line" in result.error


def test_modified_payload_byte_fails_naming_that_line(entries):
    data = export(entries)
    position = data.index(b'"amount":400') + len(b'"amount":')
    changed = data[:position] + b"9" + data[position + 1 :]
    result = verify_bytes(changed)
    assert not result.ok
    assert result.error_line == 4
    assert result.error_seq == 4
    assert result.error == "hash does not match its content"
    assert (result.entries, result.head_seq, result.head_hash) == (3, 3, entries[2]["hash"])


def test_deleted_middle_line_fails(entries):
    result = verify_bytes(export(entries[:4] + entries[5:]))
    assert not result.ok
    assert result.error_line == 5
    assert result.error_seq == 6
    assert "seq is 6 but 5 was expected" in result.error


def test_reordered_line_fails(entries):
    swapped = [*entries[:3], entries[4], entries[3], *entries[5:]]
    result = verify_bytes(export(swapped))
    assert not result.ok
    assert result.error_line == 4
    assert "seq is 5 but 4 was expected" in result.error


def test_entry_with_renumbered_seq_but_old_prev_fails(entries):
    # Deleting entry 5 and renumbering the rest without rehashing: seq is fine,
    # but prev and hash no longer fit.
    moved = {**entries[5], "seq": 5}
    result = verify_bytes(export([*entries[:4], moved]))
    assert result.error_line == 5
    assert result.error == "prev does not match the hash of the previous entry"


def test_first_entry_must_have_seq_1_and_genesis_prev(entries):
    assert "first entry must have seq 1" in verify_bytes(export(entries[1:])).error
    bad_prev = entry_with("a" * 64, 1, {"note": "x"}, kind="note")
    assert verify_bytes(export([bad_prev])).error == "prev of the first entry must be 64 zeros"


def test_cut_tail_verifies_alone_but_fails_with_later_saved_head(entries, tmp_path):
    saved_head = (8, entries[7]["hash"])
    cut = export(entries[:5])
    assert verify_bytes(cut).ok
    result = verify_bytes(cut, expect_head=saved_head)
    assert not result.ok
    assert result.error_line is None
    assert "missing" in result.error
    assert "history cut" in result.error
    assert "ends at seq 5" in result.error

    path = tmp_path / "cut.jsonl"
    path.write_bytes(cut)
    assert chain.main(["verify", str(path)]) == 0
    assert chain.main(["verify", str(path), "--expect-head", f"8:{entries[7]['hash']}"]) == 1


def test_rewritten_history_fails_with_saved_head(entries):
    saved_head = (8, entries[7]["hash"])
    # Change entry 4, then recompute every hash from there on: the chain is
    # internally consistent again, so only the saved head can tell.
    events = ledger_events(8)
    events[3] = ("proposal.created", "mallory", {"proposal": 4, "title": "Forged"})
    rewritten = build(events)
    assert rewritten[:3] == entries[:3]
    assert verify_bytes(export(rewritten)).ok

    result = verify_bytes(export(rewritten), expect_head=saved_head)
    assert not result.ok
    assert result.error_line == 8
    assert "history rewritten" in result.error

    # A saved head in the middle catches it at that entry.
    result = verify_bytes(export(rewritten), expect_head=(6, entries[5]["hash"]))
    assert (result.error_line, result.entries) == (6, 5)
    assert "history rewritten" in result.error


def test_unbalanced_ledger_transaction_fails():
    good = entry_with(chain.GENESIS_PREV, 1, {"postings": [{"amount": 5}, {"amount": -5}]})
    bad = entry_with(good["hash"], 2, {"postings": [{"amount": 200}, {"amount": -50}]})
    result = verify_bytes(export([good, bad]))
    assert not result.ok
    assert result.error_line == 2
    assert result.error == "transaction does not balance (sum 150)"


@pytest.mark.parametrize(
    ("postings", "reason"),
    [
        ([{"amount": 1.5}, {"amount": -1.5}], "got a decimal number"),
        ([{"amount": 100.0}, {"amount": -100}], "got a decimal number"),
        ([{"amount": True}, {"amount": -1}], "got true/false"),
        ([{"amount": "5"}, {"amount": -5}], "got text"),
        ([{"amount": 0}], "at least 2 postings"),
        ([], "at least 2 postings"),
        ([{"amount": 5}, {"value": -5}], "posting 2 has no 'amount'"),
        ([{"amount": 5}, -5], "posting 2 is not a JSON object"),
        ({"a": {"amount": 5}}, "'postings' must be a list"),
    ],
)
def test_float_and_other_non_integer_amounts_rejected(postings, reason):
    bad = entry_with(chain.GENESIS_PREV, 1, {"memo": "x", "postings": postings})
    result = verify_bytes(export([bad]))
    assert not result.ok
    assert result.error_line == 1
    assert reason in result.error


def test_balanced_postings_pass_including_negative_and_many_legs():
    payload = {"postings": [{"amount": -7}, {"amount": 10**30}, {"amount": 7 - 10**30}]}
    assert verify_bytes(export([entry_with(chain.GENESIS_PREV, 1, payload)])).ok


def test_non_json_line_reports_its_line_number(entries):
    lines = export(entries).splitlines(keepends=True)
    lines[5] = b'{"seq": 6, "at": oops}\n'
    result = verify_bytes(b"".join(lines))
    assert not result.ok
    assert result.error_line == 6
    assert result.error.startswith("line is not valid JSON")
    assert result.entries == 5


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"\xff\xfe{}\n", "not valid UTF-8"),
        (b"[1, 2]\n", "not a JSON object"),
        (b'{"seq": 1}\n', "missing fields at, kind, actor, payload, prev, hash"),
        (b'{"seq": NaN}\n', "NaN is not allowed"),
        (b'{"a": 1} {"b": 2}\n', "not valid JSON"),
    ],
)
def test_malformed_lines_are_named(text, reason):
    result = verify_bytes(text)
    assert (result.ok, result.error_line) == (False, 1)
    assert reason in result.error


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("seq", True, "'seq' must be a whole number"),
        ("seq", "1", "'seq' must be a whole number"),
        ("seq", 1.0, "'seq' must be a whole number"),
        ("actor", None, "'actor' must be text"),
        ("payload", [], "'payload' must be a JSON object"),
        ("prev", "0" * 63, "'prev' must be 64 lowercase hex"),
        ("hash", "A" * 64, "'hash' must be 64 lowercase hex"),
    ],
)
def test_fields_of_the_wrong_type_fail(entries, field, value, reason):
    result = verify_bytes(export([{**entries[0], field: value}]))
    assert (result.ok, result.error_line) == (False, 1)
    assert reason in result.error


def test_unpaired_surrogate_escape_fails_cleanly():
    fields = {"seq": 1, "at": AT, "kind": "k", "actor": "", "payload": {}}
    text = json.dumps({**fields, "actor": "\ud800", "prev": "0" * 64, "hash": "1" * 64})
    result = chain.verify_lines([text])
    assert not result.ok
    assert "surrogate" in result.error


def test_verification_stops_at_first_bad_line_without_reading_further(entries):
    def lines():
        yield from (line(e) for e in entries[:3])
        yield "not json\n"
        raise AssertionError("read past the first bad line")

    assert chain.verify_lines(lines()).error_line == 4


def test_parse_head_accepts_seq_colon_hash_and_rejects_the_rest():
    digest = "ab" * 32
    assert chain.parse_head(f"12:{digest}") == (12, digest)
    assert chain.parse_head(f" 12:{digest}\n") == (12, digest)
    for bad, message in [
        (f"x:{digest}", "not a whole number"),
        (f"-1:{digest}", "not a whole number"),
        (f"0:{digest}", "at least 1"),
        ("12", "SEQ:HASH"),
        ("12:abc", "64 lowercase hex"),
        (f"12:{digest.upper()}", "64 lowercase hex"),
    ]:
        with pytest.raises(ValueError, match=message):
            chain.parse_head(bad)


# --- command line ------------------------------------------------------------


def test_cli_exit_codes_via_main(entries, tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_bytes(export(entries))
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(export(entries).replace(b'"amount":400', b'"amount":401'))
    head = f"8:{entries[7]['hash']}"

    assert chain.main(["verify", str(good)]) == 0
    assert capsys.readouterr().out == (
        f"OK: 8 entries verified; head {head}\nchecked in one process\n"
    )
    assert chain.main(["verify", str(good), "--expect-head", head]) == 0
    assert capsys.readouterr().out == (
        f"OK: 8 entries verified; head {head}\n"
        f"saved head {head} found and matches\n"
        "checked in one process\n"
    )

    assert chain.main(["verify", str(bad)]) == 1
    assert capsys.readouterr().out == (
        "FAILED at line 4 (seq 4): hash does not match its content\n"
        f"entries verified before the failure: 3; last good head 3:{entries[2]['hash']}\n"
        "checked in one process\n"
    )

    assert chain.main(["verify", str(tmp_path / "missing.jsonl")]) == 2
    captured = capsys.readouterr()
    assert "No such file" in captured.err
    assert captured.out == ""
    assert chain.main(["verify", str(good), "--expect-head", "8:nothex"]) == 2
    assert "64 lowercase hex" in capsys.readouterr().err
    assert chain.main(["verify", str(good), "--workers", "-1"]) == 2
    assert chain.main(["verify", str(good), "--start-method", "teleport"]) == 2
    assert chain.main([]) == 2
    assert chain.main(["frobnicate"]) == 2


def run_script(*args, cwd, stdin=None):
    # -I: ignore PYTHON* variables and the user's site-packages; -S: no
    # site-packages at all, so only the standard library can be imported.
    return subprocess.run(
        [sys.executable, "-I", "-S", str(CHAIN_PY), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_cli_runs_as_standalone_script_with_only_the_standard_library(entries, tmp_path):
    (tmp_path / "good.jsonl").write_bytes(export(entries))
    (tmp_path / "bad.jsonl").write_bytes(export(entries[:2] + entries[3:]))

    ok = run_script("verify", "good.jsonl", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.decode().startswith(f"OK: 8 entries verified; head 8:{entries[7]['hash']}")

    failed = run_script("verify", "bad.jsonl", cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.stdout.decode().startswith(
        "FAILED at line 3 (seq 4): seq is 4 but 3 was expected"
    )

    cut = run_script("verify", "good.jsonl", "--expect-head", f"9:{'0' * 64}", cwd=tmp_path)
    assert cut.returncode == 1
    assert "history cut" in cut.stdout.decode()

    piped = run_script("verify", "-", cwd=tmp_path, stdin=export(entries))
    assert piped.returncode == 0

    assert run_script("verify", "nope.jsonl", cwd=tmp_path).returncode == 2
    assert run_script("verify", cwd=tmp_path).returncode == 2


def test_chain_module_imports_only_the_standard_library():
    tree = ast.parse(CHAIN_PY.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported
    # Not even __future__: its import would look in the file's own folder
    # before the verifier takes that folder off the import path.
    assert imported <= set(sys.stdlib_module_names) - {"__future__"}
