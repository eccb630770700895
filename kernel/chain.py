"""Hash chain for the Commons governance journal and treasury ledger.

This one file is both the code the Commons app uses to build its public
governance journal and treasury ledger, and the tool auditors download to
check an export offline. It uses only the Python standard library (Python 3.9
or newer; tested with 3.9 to 3.13), so there is nothing else to install. It
is longer than the project's other modules on purpose: an auditor downloads
and reads one file, so the rule, the reference checks, the fast path and the
worker processes all live in it.

How to run it
-------------

    python chain.py verify EXPORT.jsonl
    python chain.py verify EXPORT.jsonl --expect-head 1500:3f9c...e1

Use ``-`` as the file name to read the export from standard input, for example
``zcat export.jsonl.gz | python chain.py verify -``.

Exit status: 0 means every entry checked out (it prints ``OK: <n> entries
verified; head <seq>:<hash>``). 1 means the export failed. It prints
``FAILED at line <n> (seq <s>): <reason>`` for the first bad line and stops
there. 2 means the command line was wrong or the file could not be read.
Last it says how the export was checked: ``checked by 2 worker processes``
or ``checked in one process``.

Worker processes
----------------

``--workers N`` splits the work across N worker processes. The default, 0,
uses one per CPU, and only for exports larger than 8 MiB (for less, starting
processes costs more than it saves). The verdict is the same for any number
of workers. Where worker processes cannot start, it says so on standard
error and verifies in one process.

Workers start with ``fork`` where the system offers it (Linux and the other
Unix systems except macOS), and with ``spawn`` elsewhere; ``--start-method``
chooses. The file may sit anywhere, next to anything. Run as a script, it
first takes its own folder off the import path, so a ``selectors.py`` or
``json.py`` beside it (in a Downloads folder, or ``governance/`` in a
Commons checkout) cannot stand in for the standard library's module, neither
in this process nor in the workers, which take this process's import path.

What an export is
-----------------

An export is a text file in UTF-8 (no byte-order mark) with one JSON object
per line (JSON Lines). Each object is one entry and has these fields:

    seq      whole number; the first entry is 1, the next 2, and so on with
             no gaps
    at       time of the entry as text (UTC, ISO 8601); it is hashed exactly
             as written
    kind     text naming the kind of event, e.g. "proposal.created"
    actor    text naming who did it (may be empty)
    payload  a JSON object with the details of the event
    prev     the ``hash`` of the entry before it; for the first entry,
             64 zeros
    hash     this entry's fingerprint: 64 lowercase hexadecimal characters

Other fields may be present. They are ignored and are not covered by the
hash. Blank lines are allowed at the end of the file only. Spaces between
JSON tokens and the order of keys in a line do not matter. An empty export
verifies (with 0 entries) unless a saved head is given.

How the hash is computed
------------------------

1. Take the five fields seq, at, kind, actor and payload and write them as
   "canonical JSON": keys sorted, no spaces (``","`` and ``":"`` as
   separators), non-ASCII characters written as themselves rather than as
   ``\\u`` escapes, encoded in UTF-8. In Python this is::

       json.dumps(obj, sort_keys=True, separators=(",", ":"),
                  ensure_ascii=False).encode("utf-8")

   Sorting applies at every level, including objects inside the payload.
   Inside text only the quote, the backslash and control characters are
   escaped (``\\"``, ``\\\\``, ``\\n``, ``\\r``, ``\\t``, ``\\b``, ``\\f``, or
   ``\\u00XX`` with lowercase hex). Whole numbers are written in full.
   Decimals are written the way Python writes them, in the shortest form
   that reads back to the same value (``0.1``, ``1e+300``). NaN and Infinity
   are not JSON and are refused.

2. Put the entry's ``prev`` value and a newline (``"\\n"``) in front of
   those bytes.

3. The SHA-256 of the result, written as 64 lowercase hexadecimal
   characters, is the entry's ``hash``.

Because every entry contains the hash of the one before it, changing,
removing, inserting or reordering any entry breaks the chain from that
point on.

What "verify" checks, for each line in order
--------------------------------------------

a. The line is valid UTF-8 and valid JSON and holds one object with all
   seven fields of the right types (seq a whole number, never true/false;
   at, kind and actor text; payload an object; prev and hash 64
   lowercase hex characters). If a key appears twice in one object, the
   last one counts, as in most JSON readers.
b. seq is one more than the previous entry's seq (the first is 1).
c. prev equals the previous entry's hash (64 zeros for the first entry).
d. hash is the SHA-256 described above.
e. Treasury rule: if the payload has a ``"postings"`` key, its value is a
   list of at least two objects, each with an ``"amount"`` that is a
   whole number of minor units (cents; negative is allowed, decimals such
   as 1.5 are not). The amounts must add up to exactly zero, or the line
   fails with e.g. "transaction does not balance (sum 150)".

Verification stops at the first bad line and names it.

The saved head (``--expect-head SEQ:HASH``)
-------------------------------------------

A chain on its own cannot show that entries were cut off the end, or that
someone rebuilt the whole history with fresh hashes. To catch both, write
down the head (last ``seq`` and ``hash``) that verify prints, or that Commons
publishes, and pass it back next time. Verify then also requires that the
entry with that seq is present and has exactly that hash. If the export ends
before it, the history was cut. If the hash differs, the history was
rewritten.

Using it from Python
--------------------

``verify_file(path)`` and ``verify_lines(lines)`` return a ``VerifyResult``.
Both read the export piece by piece, so exports of any size use little
memory. ``make_entry`` and ``compute_hash`` build entries. ``parse_head``
reads a saved head.
"""

import sys

if __name__ == "__main__":
    # Run as a script, Python puts this file's folder first on the import
    # path. The verifier needs nothing from it, and whatever sits there
    # (governance/selectors.py in a Commons checkout, a json.py in a
    # Downloads folder) would hide the standard library's module of the same
    # name, here and in the worker processes, which take this path. So every
    # import comes after this (no `from __future__` import either), and even
    # os is imported without that folder: Python 3.9 and 3.10 started with -S
    # have not loaded it yet.
    _path = sys.path[:]
    del sys.path[:1]
    import os

    _here = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [p for p in _path if os.path.realpath(p or os.curdir) != _here]
else:
    import os

import argparse
import contextlib
import hashlib
import json
import json.encoder
import json.scanner
import stat
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

__all__ = [
    "GENESIS_PREV",
    "REQUIRED_FIELDS",
    "VerifyResult",
    "canonical_json",
    "compute_hash",
    "main",
    "make_entry",
    "parse_head",
    "verify_file",
    "verify_lines",
]

GENESIS_PREV = "0" * 64
REQUIRED_FIELDS = ("seq", "at", "kind", "actor", "payload", "prev", "hash")

_HEX_DIGITS = "0123456789abcdef"
_JSON_WS = " \t\r\n"
_JSON_WS_BYTES = b" \t\r\n"
_BLOCK_SIZE = 1 << 22  # bytes read at a time / handed to one worker
_BLANK_REASON = "blank line before the end of the export"


# ---------------------------------------------------------------------------
# Building entries
# ---------------------------------------------------------------------------


def canonical_json(obj) -> bytes:
    """Return the canonical JSON encoding of ``obj`` as UTF-8 bytes.

    Keys are sorted at every level, there are no spaces, and non-ASCII text
    is written as itself. NaN and Infinity raise ValueError because they are
    not JSON.
    """
    return json.dumps(
        obj,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def compute_hash(*, prev: str, seq: int, at: str, kind: str, actor: str, payload: dict) -> str:
    """Return the hex SHA-256 of ``prev + "\\n" + canonical JSON of the content``."""
    content = {"seq": seq, "at": at, "kind": kind, "actor": actor, "payload": payload}
    return hashlib.sha256(prev.encode("utf-8") + b"\n" + canonical_json(content)).hexdigest()


def make_entry(*, prev: str, seq: int, at: str, kind: str, actor: str, payload: dict) -> dict:
    """Return a complete entry (all seven fields) that follows ``prev``.

    Raises ValueError (or TypeError for wrong types) when the entry could
    never pass verification on its own: a malformed ``prev``, ``seq`` below 1,
    or ledger postings that do not balance.
    """
    if type(seq) is not int:
        raise TypeError("seq must be an int")
    if seq < 1:
        raise ValueError("seq must be at least 1")
    for name, value in (("at", at), ("kind", kind), ("actor", actor)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str")
    if not isinstance(payload, dict):
        raise TypeError("payload must be a dict")
    if not _is_hex64(prev):
        raise ValueError("prev must be 64 lowercase hex characters")
    if "postings" in payload:
        problem = _ledger_problem(payload)
        if problem is not None:
            raise ValueError(problem)
    return {
        "seq": seq,
        "at": at,
        "kind": kind,
        "actor": actor,
        "payload": payload,
        "prev": prev,
        "hash": compute_hash(prev=prev, seq=seq, at=at, kind=kind, actor=actor, payload=payload),
    }


# ---------------------------------------------------------------------------
# Result and head
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a verification.

    ``entries``, ``head_seq`` and ``head_hash`` describe the entries that
    passed. On failure they describe the last good entry before the bad
    line. For an empty export the head is ``0`` / ``GENESIS_PREV``.
    ``error_line`` is the 1-based line number of the first bad line, or None
    when the failure is not tied to one line (a saved head missing from the
    export). ``error_seq`` is the seq the bad line claims, when it could be
    read. ``workers`` is how many processes checked the entries: 1 when this
    process did, else the number of worker processes. It takes no part in
    comparisons: the verdict is the same for any number.
    """

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    # Quoted: Python 3.9, which auditors may run, cannot evaluate `int | None`.
    error_line: "int | None"
    error: "str | None"
    error_seq: "int | None" = None
    workers: int = field(default=1, compare=False)

    def describe(self) -> str:
        """One-line human summary, as printed by the command line."""
        if self.ok:
            if self.entries == 0:
                return "OK: 0 entries verified; the export is empty"
            return f"OK: {self.entries} entries verified; head {self.head_seq}:{self.head_hash}"
        where = "FAILED"
        if self.error_line is not None:
            where += f" at line {self.error_line}"
            if self.error_seq is not None:
                where += f" (seq {self.error_seq})"
        return f"{where}: {self.error}"


def parse_head(text: str) -> tuple[int, str]:
    """Parse a saved head written as ``SEQ:HASH``. Raise ValueError if malformed."""
    if not isinstance(text, str):
        raise ValueError("saved head must be text of the form SEQ:HASH")
    seq_text, sep, hash_text = text.strip().partition(":")
    if not sep:
        raise ValueError(
            f"saved head {text!r} must have the form SEQ:HASH, e.g. 1500:<64 hex characters>"
        )
    seq_text = seq_text.strip()
    if not (seq_text.isascii() and seq_text.isdigit()):
        raise ValueError(f"saved head seq {seq_text!r} is not a whole number")
    seq = int(seq_text)
    if seq < 1:
        raise ValueError(f"saved head seq must be at least 1, got {seq}")
    hash_text = hash_text.strip()
    if not _is_hex64(hash_text):
        raise ValueError(f"saved head hash {hash_text!r} is not 64 lowercase hex characters")
    return seq, hash_text


def _check_head(expect_head) -> "tuple[int, str] | None":
    if expect_head is None:
        return None
    try:
        seq, head_hash = expect_head
    except (TypeError, ValueError):
        raise ValueError("expect_head must be a (seq, hash) pair") from None
    if type(seq) is not int or seq < 1:
        raise ValueError("expect_head seq must be an int of at least 1")
    if not _is_hex64(head_hash):
        raise ValueError("expect_head hash must be 64 lowercase hex characters")
    return seq, head_hash


# ---------------------------------------------------------------------------
# Checking one entry (the reference path: simple, complete, ordered)
# ---------------------------------------------------------------------------


def _is_hex64(value) -> bool:
    return type(value) is str and len(value) == 64 and not value.strip(_HEX_DIGITS)


def _is_blank(raw) -> bool:
    if type(raw) is str:
        return not raw.strip(_JSON_WS)
    return not bytes(raw).strip(_JSON_WS_BYTES)


def _reject_constant(name):
    raise ValueError(f"{name} is not allowed in JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_SCAN = json.scanner.make_scanner(_DECODER)


_TYPE_NAMES = {float: "a decimal number", bool: "true/false", str: "text", type(None): "null"}


def _ledger_problem(payload: dict) -> "str | None":
    """Return why the payload's postings are invalid, or None if they balance."""
    postings = payload["postings"]
    if type(postings) is not list:
        return "'postings' must be a list"
    if len(postings) < 2:
        return f"transaction needs at least 2 postings, has {len(postings)}"
    total = 0
    for number, posting in enumerate(postings, 1):
        if type(posting) is not dict:
            return f"posting {number} is not a JSON object"
        if "amount" not in posting:
            return f"posting {number} has no 'amount'"
        amount = posting["amount"]
        if type(amount) is not int:
            got = _TYPE_NAMES.get(type(amount), "not a number")
            return f"posting {number} amount must be a whole number of minor units, got {got}"
        total += amount
    if total != 0:
        return f"transaction does not balance (sum {total})"
    return None


def _link_problem(seq: int, prev: str, expected_seq: int, expected_prev: str) -> "str | None":
    """Checks (b) and (c): does this entry follow the previous one?"""
    if seq != expected_seq:
        if expected_seq == 1:
            return f"seq is {seq} but the first entry must have seq 1"
        if seq < expected_seq:
            return f"seq is {seq} but {expected_seq} was expected (entry repeated or out of order)"
        return f"seq is {seq} but {expected_seq} was expected (entry missing or out of order)"
    if prev != expected_prev:
        if expected_seq == 1:
            return "prev of the first entry must be 64 zeros"
        return "prev does not match the hash of the previous entry"
    return None


def _check_entry(raw, expected_seq, expected_prev, head):
    """Check one non-blank line completely, in the documented order.

    Returns ``(entry, seq, reason)``. ``entry`` is None when the line is not a
    well-formed entry (check a), ``seq`` is the seq the line claims when
    known, and ``reason`` is None when the line is good. When
    ``expected_seq`` is None the link checks (b) and (c) are skipped; the
    caller does them.
    """
    # (a) well-formed
    if type(raw) is not str:
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, None, f"line is not valid UTF-8 (byte {exc.start + 1})"
    if raw.endswith("\n"):  # so that error columns do not depend on how lines were split
        raw = raw[:-1]
    try:
        entry = _DECODER.decode(raw)
    except json.JSONDecodeError as exc:
        return None, None, f"line is not valid JSON ({exc.msg} at column {exc.colno})"
    except RecursionError:
        return None, None, "line is not valid JSON (nested too deeply)"
    except ValueError as exc:  # NaN / Infinity, or an integer too long to read
        return None, None, f"line is not valid JSON ({exc})"
    if type(entry) is not dict:
        return None, None, "line is not a JSON object"
    missing = [name for name in REQUIRED_FIELDS if name not in entry]
    if missing:
        label = "missing fields " if len(missing) > 1 else "missing field "
        return None, None, label + ", ".join(missing)
    seq = entry["seq"]
    if type(seq) is not int:
        return None, None, "field 'seq' must be a whole number"
    for name in ("at", "kind", "actor"):
        if type(entry[name]) is not str:
            return None, seq, f"field '{name}' must be text"
    if type(entry["payload"]) is not dict:
        return None, seq, "field 'payload' must be a JSON object"
    for name in ("prev", "hash"):
        if not _is_hex64(entry[name]):
            return None, seq, f"field '{name}' must be 64 lowercase hex characters"
    # (b), (c) linked to the previous entry
    if expected_seq is not None:
        problem = _link_problem(seq, entry["prev"], expected_seq, expected_prev)
        if problem is not None:
            return entry, seq, problem
    # (d) hash
    try:
        digest = compute_hash(
            prev=entry["prev"],
            seq=seq,
            at=entry["at"],
            kind=entry["kind"],
            actor=entry["actor"],
            payload=entry["payload"],
        )
    except UnicodeEncodeError:
        return entry, seq, "text contains an unpaired surrogate escape (\\ud800-\\udfff)"
    except RecursionError:
        return entry, seq, "payload is nested too deeply"
    except ValueError:  # 1e999 reads as infinity, which has no JSON form
        return entry, seq, "payload contains a number too large to represent"
    if digest != entry["hash"]:
        return entry, seq, "hash does not match its content"
    # (e) ledger
    if "postings" in entry["payload"]:
        problem = _ledger_problem(entry["payload"])
        if problem is not None:
            return entry, seq, problem
    # saved head
    if head is not None and seq == head[0] and entry["hash"] != head[1]:
        return entry, seq, _head_differs(head)
    return entry, seq, None


def _head_differs(head) -> str:
    return (
        f"entry {head[0]} has a different hash than the saved head "
        f"{head[0]}:{head[1]} (history rewritten)"
    )


def _head_missing(head, last_seq: int) -> str:
    ends = f"the export ends at seq {last_seq}" if last_seq else "the export has no entries"
    return f"saved head {head[0]}:{head[1]} is missing: {ends} (history cut)"


# ---------------------------------------------------------------------------
# The hot loop
# ---------------------------------------------------------------------------

# The content string is built directly instead of via json.dumps on a dict.
# Keys in sorted order are actor, at, kind, payload, seq; the strings and the
# payload use the same encoder as json.dumps, so the bytes are identical. A
# self-test below falls back to plain json.dumps if anything differs.
#
# Where the time goes, per entry, in one CPython 3.11 process on the
# project's machine (about 8 µs in all): reading the line's JSON 2.4 µs,
# writing the payload's canonical JSON 3.1 µs, SHA-256 0.5 µs, decoding
# UTF-8 0.2 µs, the rest of the content 0.7 µs. All of these run in C; the
# loop below adds as little Python as it can. The canonical bytes cannot be
# sliced out of the line instead: exports keep each payload's keys in the
# order they were written, not sorted, and a line that merely hashes its own
# bytes would be accepted without being canonical.
_encode_str = json.encoder.encode_basestring


_ENCODER_OPTIONS = dict(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
    check_circular=False,
)


def _make_payload_encoder():
    """Return ``parts(obj, level)``: the canonical JSON of ``obj`` in pieces."""
    portable = json.JSONEncoder(**_ENCODER_OPTIONS).encode

    def whole(obj, _level):
        return (portable(obj),)

    maker = getattr(json.encoder, "c_make_encoder", None)
    if maker is None:  # pragma: no cover - Python built without the _json accelerator
        return whole
    try:
        parts = maker(None, None, _encode_str, None, ":", ",", True, False, False)
        sample = {"z": [1, -2, {"b": 'é\u2028"\\\n\x01', "a": None}], "y": True, "x": 1.5, "é": {}}
        if "".join(parts(sample, 0)) != portable(sample):  # pragma: no cover
            return whole
    except Exception:  # pragma: no cover - a different private signature
        return whole
    return parts


_payload_parts = _make_payload_encoder()


def _encode_payload(obj) -> str:
    """The canonical JSON of ``obj`` as text, as the hot loop writes it."""
    return "".join(_payload_parts(obj, 0))


def _balanced(postings) -> bool:
    """Rule (e), fast: True only for a list of at least two postings whose
    amounts are whole numbers adding up to zero. On anything else, or an
    exception, the line goes to ``_check_entry``, which says what is wrong."""
    if type(postings) is not list or len(postings) < 2:
        return False
    total = 0
    for posting in postings:
        amount = posting["amount"]
        if type(amount) is not int:
            return False
        total += amount
    return total == 0


def _run(lines: Iterator, lineno: int, seq: int, last_hash: str, head):
    """Verify consecutive lines that follow entry ``seq`` / ``last_hash``.

    Returns ``(lineno, seq, last_hash, blank_line, error)`` where ``lineno``
    is the number of the last line consumed, ``seq``/``last_hash`` describe
    the last good entry, ``blank_line`` is the first blank line of a
    trailing run of blank lines (None if the lines did not end blank), and
    ``error`` is None or ``(line, seq, reason)``.

    The fast path below only ever *accepts* a line; anything unusual is sent
    to ``_check_entry``, which decides and writes the reason.
    """
    scan = _SCAN
    enc_str = _encode_str
    parts = _payload_parts
    join = "".join
    sha256 = hashlib.sha256
    balanced = _balanced
    ws = _JSON_WS
    head_seq, head_hash = head if head is not None else (0, "")
    expected = seq + 1
    for raw in lines:
        lineno += 1
        try:
            text = raw if type(raw) is str else raw.decode()
            entry, end = scan(text, 0)
            s = entry["seq"]
            prev = entry["prev"]
            payload = entry["payload"]
            digest = entry["hash"]
            # enc_str takes only text, so at, kind and actor need no type
            # check of their own; prev and hash are right if they are equal
            # to a hash this loop computed.
            if (
                type(s) is int
                and s == expected
                and prev == last_hash
                and type(payload) is dict
                and (end == len(text) or not text[end:].strip(ws))
                and sha256(
                    f'{prev}\n{{"actor":{enc_str(entry["actor"])},"at":{enc_str(entry["at"])},'
                    f'"kind":{enc_str(entry["kind"])},"payload":{join(parts(payload, 0))},'
                    f'"seq":{s}}}'.encode()
                ).hexdigest()
                == digest
                and ("postings" not in payload or balanced(payload["postings"]))
                and (s != head_seq or digest == head_hash)
            ):
                last_hash = digest
                expected = s + 1
                continue
        except Exception:  # noqa: S110 - the slow path below decides and explains
            pass
        # Slow path: blank line, or something is wrong (or merely unusual).
        seq = expected - 1
        if _is_blank(raw):
            blank_line = lineno
            for raw in lines:
                lineno += 1
                if not _is_blank(raw):
                    return lineno, seq, last_hash, None, (blank_line, None, _BLANK_REASON)
            return lineno, seq, last_hash, blank_line, None
        entry, s, reason = _check_entry(raw, expected, last_hash, head)
        if reason is not None:
            return lineno, seq, last_hash, None, (lineno, s, reason)
        last_hash = entry["hash"]
        expected = s + 1
    return lineno, expected - 1, last_hash, None, None


# ---------------------------------------------------------------------------
# Public verification entry points
# ---------------------------------------------------------------------------


def _finish(seq: int, last_hash: str, head, error, workers: int = 1) -> VerifyResult:
    if error is not None:
        line, bad_seq, reason = error
        return VerifyResult(False, seq, seq, last_hash, line, reason, bad_seq, workers)
    if head is not None and seq < head[0]:
        reason = _head_missing(head, seq)
        return VerifyResult(False, seq, seq, last_hash, None, reason, None, workers)
    return VerifyResult(True, seq, seq, last_hash, None, None, None, workers)


def verify_lines(
    lines: "Iterable[str | bytes]", *, expect_head: "tuple[int, str] | None" = None
) -> VerifyResult:
    """Verify an export given as an iterable of lines (str or bytes).

    Lines are consumed one at a time and not kept, so memory use does not
    grow with the export. Verification stops at the first bad line.
    """
    head = _check_head(expect_head)
    _, seq, last_hash, _, error = _run(iter(lines), 0, 0, GENESIS_PREV, head)
    return _finish(seq, last_hash, head, error)


def verify_file(
    path,
    *,
    expect_head: "tuple[int, str] | None" = None,
    workers: int = 1,
    start_method: "str | None" = None,
) -> VerifyResult:
    """Verify the export at ``path`` (``"-"`` reads standard input).

    The file is read in binary mode, a block at a time, so memory use does
    not grow with the export. With ``workers`` > 1 (or 0 for one per CPU)
    exports larger than two blocks are checked by that many worker
    processes, started with ``start_method`` ("fork", "forkserver" or
    "spawn"; by default fork where the system offers it, else spawn); the
    verdict is identical. Raises OSError if the file cannot be read, and
    ValueError for a start method this system does not have.
    """
    head = _check_head(expect_head)
    if start_method is not None:
        _start_method(start_method)  # refuse an unknown one before any work
    if workers == 0:
        workers = _cpu_count()
    if path == "-":
        return _verify_stream(sys.stdin.buffer, head, workers, start_method)
    with open(path, "rb") as stream:
        info = os.fstat(stream.fileno())
        if workers > 1 and stat.S_ISREG(info.st_mode):
            # A regular file: workers read their own byte ranges.
            if info.st_size > 2 * _BLOCK_SIZE:
                pool = _start_workers(workers, start_method)
                if pool is not None:
                    name = os.path.abspath(os.fspath(path))
                    identity = (info.st_dev, info.st_ino)
                    starts = range(0, info.st_size, _BLOCK_SIZE)
                    ranges = ((name, identity, a, a + _BLOCK_SIZE) for a in starts)
                    # A range is a few bytes to send: let each worker hold a
                    # second one, so it never waits for this process.
                    return _verify_parallel(pool, ranges, head, holds=2)
            workers = 1
        return _verify_stream(stream, head, workers, start_method)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _read_chunks(stream, size: int) -> Iterator[bytes]:
    """Yield blocks of whole lines (the last block may lack its newline)."""
    pending = []
    while True:
        block = stream.read(size)
        if not block:
            if pending:
                yield b"".join(pending)
            return
        cut = block.rfind(b"\n") + 1
        if cut == 0:  # a line longer than one block
            pending.append(block)
            continue
        pending.append(block[:cut])
        yield b"".join(pending)
        pending = [block[cut:]] if cut < len(block) else []


def _split_lines(chunk: bytes) -> list[bytes]:
    lines = chunk.split(b"\n")
    if not lines[-1]:
        lines.pop()  # the block ended with a newline
    return lines


def _has_content(lines) -> bool:
    return not all(_is_blank(raw) for raw in lines)


def _verify_stream(stream, head, workers: int, start_method=None) -> VerifyResult:
    chunks = _read_chunks(stream, _BLOCK_SIZE)
    if workers > 1:
        # Only start processes when there is more than one block to check.
        started = [c for c in (next(chunks, None), next(chunks, None)) if c is not None]
        if len(started) == 2:
            pool = _start_workers(workers, start_method)
            if pool is not None:
                # A block from a pipe is megabytes to send: one per worker
                # at a time, so sending never waits for a busy worker.
                return _verify_parallel(pool, _chain(started, chunks), head, holds=1)
        chunks = _chain(started, chunks)
    lineno, seq, last_hash, blank_line = 0, 0, GENESIS_PREV, None
    for chunk in chunks:
        lines = _split_lines(chunk)
        if blank_line is not None:
            if _has_content(lines):
                return _finish(seq, last_hash, head, (blank_line, None, _BLANK_REASON))
            continue
        lineno, seq, last_hash, blank_line, error = _run(iter(lines), lineno, seq, last_hash, head)
        if error is not None:
            return _finish(seq, last_hash, head, error)
    return _finish(seq, last_hash, head, None)


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


# ---------------------------------------------------------------------------
# Parallel verification
#
# Each entry's hash depends only on the entry's own fields (including its
# own ``prev``), so blocks of lines can be checked independently. A worker
# checks everything inside its block except whether the block's first entry
# follows the last entry of the previous block. The parent checks that link
# while putting the results back together in file order, so the first bad
# line and its reason are exactly what the single-process path reports.
# Workers read their byte range of a regular file themselves. Data from a
# pipe is passed to them instead.
#
# The workers are plain processes, each with a pipe to this one, rather than
# a concurrent.futures pool: all of them start at once, inside
# _clean_start, and each says it is ready (so a worker that cannot start
# fails here, before any work, and the count is exact); a block goes to
# whichever worker is free.
# ---------------------------------------------------------------------------

_START_TIMEOUT = 60  # seconds for a worker process to start and report


def _start_method(requested: "str | None") -> str:
    """The start method to use: ``requested``, checked, or the default."""
    import multiprocessing
    import threading

    available = multiprocessing.get_all_start_methods()
    if requested is not None:
        if requested not in available:
            raise ValueError(
                f"start method {requested!r} is not available here "
                f"(available: {', '.join(available)})"
            )
        return requested
    chosen = multiprocessing.get_start_method(allow_none=True)
    if chosen is not None:  # the program that uses this module chose one
        return chosen
    # fork copies this process: the workers import nothing, so no import
    # path can fail them, and they start in milliseconds. Not on macOS,
    # where system libraries make fork unsafe, nor once this process runs
    # threads (a copy would inherit their locks): there, spawn.
    if "fork" in available and sys.platform != "darwin" and threading.active_count() == 1:
        return "fork"
    return "spawn"


@contextlib.contextmanager
def _clean_start(method: str):
    """Keep the working folder off the import path of new worker interpreters.

    spawn and forkserver start a fresh interpreter with ``python -c``, which
    puts the working folder first on its import path while it imports
    multiprocessing (``selectors``, ``pickle``, ``socket``...), before it
    takes this process's path. A Downloads folder may hold a file with one of
    those names. fork imports nothing; ``-I`` and ``-P``, which the workers
    inherit, already leave the folder out.
    """
    if method == "fork" or sys.flags.isolated or getattr(sys.flags, "safe_path", False):
        yield
        return
    if sys.version_info >= (3, 11) and not sys.flags.ignore_environment:
        saved = os.environ.get("PYTHONSAFEPATH")
        os.environ["PYTHONSAFEPATH"] = "1"  # -P for the workers
        try:
            yield
        finally:
            if saved is None:
                del os.environ["PYTHONSAFEPATH"]
            else:
                os.environ["PYTHONSAFEPATH"] = saved
        return
    # Older Pythons have no -P: start the workers in the standard library's
    # own folder, where every such name is the real module. (They work on
    # absolute paths only.)
    saved = os.getcwd()
    os.chdir(os.path.dirname(os.path.abspath(os.__file__)))
    try:
        yield
    finally:
        os.chdir(saved)


def _start_workers(count: int, method: "str | None"):
    """Start ``count`` worker processes and wait until each is ready.

    Returns a list of ``(process, connection)``, or None, after saying why
    on standard error, where worker processes cannot run.
    """
    workers = []
    try:
        import multiprocessing

        context = multiprocessing.get_context(_start_method(method))
        with _clean_start(context.get_start_method()):
            for _ in range(count):
                ours, theirs = context.Pipe()
                process = context.Process(
                    target=_serve, args=(theirs,), name="chain.py worker", daemon=True
                )
                try:
                    process.start()
                except BaseException:
                    ours.close()
                    raise
                finally:
                    theirs.close()
                workers.append((process, ours))
        for _process, connection in workers:
            # A worker that could not start (say, it could not import the
            # verifier) has closed its end: recv raises EOFError.
            if not connection.poll(_START_TIMEOUT):
                raise OSError(f"a worker process did not start within {_START_TIMEOUT} s")
            connection.recv()
    except Exception as exc:  # any failure to start: the verdict is the same in one process
        _stop_workers(workers, finished=False)
        return _no_pool(exc)
    return workers


def _no_pool(reason: BaseException) -> None:
    # The verdict does not change, only the time it takes: say why, and go on.
    print(
        f"chain.py: note: worker processes are unavailable ({reason!r}); verifying in one process",
        file=sys.stderr,
    )
    return None


def _stop_workers(workers, *, finished: bool) -> None:
    """Let idle workers exit; stop at once those still checking unwanted blocks."""
    for process, connection in workers:
        if finished:
            with contextlib.suppress(OSError):
                connection.send(None)
        else:
            process.terminate()
    for process, connection in workers:
        process.join(5)
        if process.is_alive():  # pragma: no cover - a worker that ignores SIGTERM
            process.kill()
            process.join()
        connection.close()


def _serve(connection) -> None:
    """Worker process: check the blocks this connection brings, until None."""
    import signal

    # On Ctrl-C the main process stops the workers; they need not each print
    # a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        connection.send(os.getpid())
        while True:
            task = connection.recv()
            if task is None:
                return
            try:
                answer = (None, _verify_block(*task))
            except OSError as exc:
                answer = (str(exc), None)
            connection.send(answer)
    except (EOFError, OSError):  # the main process has gone
        return


def _read_range(path: str, identity: tuple[int, int], start: int, end: int) -> bytes:
    """Return the lines of ``path`` that begin at a byte offset in [start, end)."""
    with open(path, "rb") as stream:
        info = os.fstat(stream.fileno())
        if (info.st_dev, info.st_ino) != identity:
            raise OSError(f"{path} was replaced during verification")
        if start > 0:
            stream.seek(start - 1)
            if stream.read(1) != b"\n":
                stream.readline()  # the line that began earlier belongs to the previous block
        begin = stream.tell()
        if begin >= end:
            return b""
        data = stream.read(end - begin)
        if data and not data.endswith(b"\n"):
            data += stream.readline()
        return data


def _verify_block(source, head):
    """Worker: check one block of whole lines, numbering them from 1.

    ``source`` is the block's bytes, or ``(path, identity, start, end)`` to
    read it. Returns ``(lines, has_content, first, last, blank_line, error,
    deferred)``: ``first`` is ``(line, seq, prev)`` of the block's first
    entry, which the parent still has to link to the previous block;
    ``last`` is ``(seq, hash)`` of the last good entry; ``blank_line``
    starts a trailing run of blank lines; ``error`` is ``(line, seq,
    reason)`` or None, and ``deferred`` is True when the error is on the
    first entry and only counts if that entry links correctly.
    """
    chunk = source if isinstance(source, bytes) else _read_range(*source)
    lines = _split_lines(chunk) if chunk else []
    count = len(lines)
    it = iter(lines)
    lineno = 0
    for raw in it:
        lineno += 1
        if _is_blank(raw):
            continue
        if lineno > 1:  # blank lines followed by content
            return count, True, None, None, None, (1, None, _BLANK_REASON), False
        entry, s, reason = _check_entry(raw, None, None, head)
        if entry is None:
            return count, True, None, None, None, (lineno, s, reason), False
        first = (lineno, s, entry["prev"])
        if reason is not None:
            return count, True, first, None, None, (lineno, s, reason), True
        _, seq, last_hash, blank_line, error = _run(it, lineno, s, entry["hash"], head)
        return count, True, first, (seq, last_hash), blank_line, error, False
    return count, False, None, None, (1 if count else None), None, False


def _verify_parallel(workers, sources: Iterator, head, *, holds: int) -> VerifyResult:
    """Check the blocks ``sources`` yields on ``workers``, each holding at
    most ``holds`` blocks at a time, and put the results together in order."""
    from multiprocessing.connection import wait

    connections = [connection for _, connection in workers]
    held = {connection: deque() for connection in connections}  # block numbers, oldest first
    done = {}  # results that wait for an earlier block
    sent = wanted = 0
    more = True
    finished = False
    seq, last_hash, blank_line, base = 0, GENESIS_PREV, None, 0

    def at(error):  # block-relative line numbers -> file line numbers
        return (error[0] + base, *error[1:])

    def stop(error=None):
        return _finish(seq, last_hash, head, error, workers=len(workers))

    try:
        while True:
            # Keep every worker busy, at most a few blocks ahead of the one
            # wanted next.
            while more and sent - wanted < 4 * len(connections):
                connection = min(connections, key=lambda c: len(held[c]))
                if len(held[connection]) >= holds:
                    break
                source = next(sources, None)
                if source is None:
                    more = False
                    break
                connection.send((source, head))
                held[connection].append(sent)
                sent += 1
            if wanted not in done:
                if wanted == sent:  # every block is checked
                    finished = True
                    return stop()
                for connection in wait([c for c in connections if held[c]]):
                    problem, result = connection.recv()
                    if problem is not None:
                        raise OSError(problem)
                    done[held[connection].popleft()] = result
                continue
            count, has_content, first, last, tail_blank, error, deferred = done.pop(wanted)
            wanted += 1
            if blank_line is not None:
                if has_content:
                    return stop((blank_line, None, _BLANK_REASON))
                base += count
                continue
            if first is not None:
                line, first_seq, first_prev = first
                problem = _link_problem(first_seq, first_prev, seq + 1, last_hash)
                if problem is not None:
                    return stop((line + base, first_seq, problem))
                if deferred:
                    return stop(at(error))
                seq, last_hash = last
            if error is not None:
                return stop(at(error))
            if tail_blank is not None:
                blank_line = tail_blank + base
            base += count
    except (EOFError, ConnectionError) as exc:  # a worker died (killed, out of memory)
        raise OSError("a verification worker process stopped unexpectedly") from exc
    finally:
        _stop_workers(workers, finished=finished)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _head_arg(text: str) -> tuple[int, str]:
    try:
        return parse_head(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chain.py",
        description="Verify a Commons governance journal or treasury ledger export (JSON Lines).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    verify = commands.add_parser(
        "verify",
        help="check every entry of an export and print the head",
        description="Check an export line by line; stops at the first bad line.",
    )
    verify.add_argument(
        "file", metavar="FILE", help="export file (JSON Lines), or - for standard input"
    )
    verify.add_argument(
        "--expect-head",
        metavar="SEQ:HASH",
        type=_head_arg,
        help="a previously saved head; fail if it is missing (history cut) "
        "or different (history rewritten)",
    )
    verify.add_argument(
        "--workers",
        metavar="N",
        type=int,
        default=0,
        help="number of worker processes (default: one per CPU; 1 = no extra processes)",
    )
    verify.add_argument(
        "--start-method",
        choices=("fork", "forkserver", "spawn"),
        help="how worker processes start (default: fork where the system offers it, else spawn)",
    )
    return parser


def main(argv=None) -> int:
    """Command-line entry point. Returns the exit status (0 ok, 1 failed, 2 usage/read error)."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has already printed the message
        return exc.code if isinstance(exc.code, int) else 2
    if args.workers < 0:
        print("chain.py: error: --workers must be 0 or more", file=sys.stderr)
        return 2
    try:
        result = verify_file(
            args.file,
            expect_head=args.expect_head,
            workers=args.workers,
            start_method=args.start_method,
        )
    except ValueError as exc:
        print(f"chain.py: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"chain.py: error: cannot verify {args.file}: {exc}", file=sys.stderr)
        return 2
    print(result.describe())
    if result.ok:
        if args.expect_head is not None:
            print(f"saved head {args.expect_head[0]}:{args.expect_head[1]} found and matches")
    elif result.entries:
        print(
            f"entries verified before the failure: {result.entries}; "
            f"last good head {result.head_seq}:{result.head_hash}"
        )
    else:
        print("no entry verified before the failure")
    if result.workers > 1:
        print(f"checked by {result.workers} worker processes")
    else:
        print("checked in one process")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
