"""Whole numbers taken from outside (URLs, query strings, bodies, websocket
frames), checked in one place against what the databases can hold.

PostgreSQL answers a number beyond its 64-bit integers with "not found" or
an error of its own; SQLite's driver raises OverflowError before the query
runs, which would be a server error. So every number that names a row, or
counts rows, goes through here first: too big, negative, fractional, a
boolean or a non-ASCII digit ("²" passes `str.isdigit`) is simply not a
number we know.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1  # the largest integer both databases store
_MAX_DIGITS = len(str(MAX_ID))


def as_number(value, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """``value`` as an int within [minimum, maximum], from an int or a string
    of ASCII digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and 0 < len(value) <= _MAX_DIGITS and value.isascii():
        if not value.isdigit():
            return None
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def as_id(value) -> int | None:
    """A row's primary key from ``value``, or None if it cannot name a row."""
    return as_number(value, minimum=1)


class IdConverter:
    """The `<id:…>` URL converter: a primary key a database can hold; any
    other number is a 404, not a server error."""

    regex = f"[0-9]{{1,{_MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = as_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(int(value))
