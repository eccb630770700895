"""JSON from outside (API bodies, websocket frames), parsed so that no input
can crash the parser or what reads it afterwards.

Python's parser recurses once per level of nesting: a 6 KB body of 3,000
`[` exhausts the stack and raises RecursionError, which is not a ValueError
and escaped every handler as a server error. Nothing Commons accepts is
nested more than a few levels, so anything deeper than `MAX_DEPTH` is
refused as invalid JSON, like any other malformed text. So is a string (a
key or a value) holding a NUL character or an unpaired surrogate
(`kernel.text.is_storable`): valid JSON, but no text of Commons can hold it,
and the database would fail on it later as a server error.
"""

from __future__ import annotations

import json
from typing import Any

from kernel.text import is_storable

MAX_DEPTH = 32


class InvalidJSON(ValueError):
    pass


def loads(text: str | bytes) -> Any:
    """The value of ``text``; InvalidJSON (a ValueError) if it is not JSON or
    is nested deeper than MAX_DEPTH."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise InvalidJSON("JSON nested too deeply") from None
    except ValueError as error:  # includes integers of more than 4,300 digits
        raise InvalidJSON(str(error)) from None
    if depth(value) > MAX_DEPTH:
        raise InvalidJSON(f"JSON nested deeper than {MAX_DEPTH} levels")
    if not all(is_storable(text) for text in strings(value)):
        raise InvalidJSON("JSON text holds a NUL character or an unpaired surrogate")
    return value


def strings(value: Any):
    """Every string in ``value``, keys included, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar is 0), without
    recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest
