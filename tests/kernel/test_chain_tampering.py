"""Tampering with an export, as properties: any valid chain verifies, and
any single changed byte fails at its own line unless it leaves the meaning
intact (kernel/chain.py)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kernel import chain
from tests.kernel.test_chain import build, export, verify_bytes

# Payload keys may be anything except "postings" at the top level, which is
# reserved for ledger transactions (generated balanced below).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
balanced_postings = st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=3).map(
    lambda amounts: [
        {"amount": a, "account": f"a{i}"} for i, a in enumerate([*amounts, -sum(amounts)])
    ]
)


@st.composite
def payloads(draw) -> dict:
    payload = draw(
        st.dictionaries(
            st.text(max_size=8).filter(lambda key: key != "postings"), json_values, max_size=6
        )
    )
    if draw(st.booleans()):
        payload["postings"] = draw(balanced_postings)
    return payload


events = st.lists(
    st.tuples(st.text(min_size=1, max_size=16), st.text(max_size=10), payloads()),
    min_size=1,
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(events)
def test_any_sequence_of_valid_events_gives_a_chain_that_verifies(event_list):
    entries = build(event_list)
    result = verify_bytes(export(entries), expect_head=(len(entries), entries[-1]["hash"]))
    assert result == chain.VerifyResult(
        True, len(entries), len(entries), entries[-1]["hash"], None, None
    )


@settings(max_examples=100, deadline=None)
@given(payloads())
def test_fast_path_encoding_matches_canonical_json(payload):
    assert chain._encode_payload(payload).encode("utf-8") == chain.canonical_json(payload)


def meaning(data: bytes):
    """What an export says, line by line, or None if some line is not JSON.

    Lines are split on "\\n" exactly as the verifier splits them, and blank
    lines at the end are dropped (they are allowed and mean nothing).
    """
    lines = data.split(b"\n")
    while lines and not lines[-1].strip(b" \t\r\n"):
        lines.pop()
    try:
        return [chain.canonical_json(json.loads(raw.decode("utf-8"))) for raw in lines]
    except ValueError:  # also UnicodeDecodeError and NaN/Infinity
        return None


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(event_list=events, data=st.data())
def test_any_single_byte_change_fails_verification(event_list, data, tmp_path):
    """Change one byte anywhere in a compact export: verification must fail at that line.

    Exports are written without insignificant whitespace, so almost every
    change alters what a line says. Changes that leave the file byte-identical
    are skipped. The few changes that leave the meaning intact must verify
    instead; the oracle ``meaning`` spots them by decoding both versions and
    comparing them canonically. An exhaustive run over every position and
    every byte value found only these:
    - the final newline replaced by other JSON whitespace (space, tab, CR),
    - the case of a hex digit in a \\u00XX escape of a control character
      (``\\u001f`` vs ``\\u001F``),
    - the case of a float's exponent (``1e+300`` vs ``1E+300``), or its sign
      replaced by a leading zero (``1e0300``),
    - the last digit of a 17-digit float changed to one that reads back as
      the same float (``0.30000000000000004`` vs ``0.30000000000000003``).
    """
    entries = build(event_list)
    original = export(entries)
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    replacement = data.draw(st.integers(0, 255), label="byte")
    assume(original[position] != replacement)
    changed = original[:position] + bytes([replacement]) + original[position + 1 :]
    path = tmp_path / "changed.jsonl"
    path.write_bytes(changed)

    result = verify_bytes(changed)
    assert chain.verify_file(path) == result
    if meaning(changed) == meaning(original):
        assert result.ok, result
    else:
        assert not result.ok
        assert result.error_line == original[:position].count(b"\n") + 1
        assert not verify_bytes(changed, expect_head=(len(entries), entries[-1]["hash"])).ok


SAMPLE_EVENTS = [
    (
        "k\u001f",
        "",
        {
            "a": 'x\x00\n"\\',
            "f": 0.30000000000000004,
            "e": 1e300,
            "d": {"": [True, None, False]},
            "postings": [{"amount": 5}, {"amount": -5}],
        },
    ),
    ("vote", "chloé 📊", {"ü": "ß\u2028", "big": 10**20}),
]
SAMPLE_BYTES = sorted({*b' \t\r\n"\\{}[],:0123456789-+.eEfFatnul', 0x00, 0x7F, 0x80, 0xC3, 0xFF})


def test_every_position_with_representative_replacement_bytes():
    """A deterministic sweep of the single-byte property over a tricky export."""
    original = export(build(SAMPLE_EVENTS))
    intact = meaning(original)
    preserved = 0
    for position in range(len(original)):
        for replacement in SAMPLE_BYTES:
            if original[position] == replacement:
                continue
            changed = original[:position] + bytes([replacement]) + original[position + 1 :]
            result = verify_bytes(changed)
            if meaning(changed) == intact:
                preserved += 1
                assert result.ok, (position, replacement)
            else:
                assert not result.ok, (position, replacement)
                assert result.error_line == original[:position].count(b"\n") + 1
    assert preserved >= 5  # final newline, exponent case, \u001F, float digits
