"""The personal-data export: everything Commons stores about one person, for
them to download and take elsewhere.

Members own accounts, standing and roles; other apps (proposals, debates,
the treasury…) store things about people too. Each of those apps registers
its section here (`register_section`, from its `AppConfig.ready`), so the
export is complete without members importing the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_SECTIONS: dict[str, Callable[..., dict[str, Any]]] = {}


def register_section(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Register ``function(member=...)``, which returns a dict of top-level
    keys to add to a person's export."""
    _SECTIONS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def sections() -> list[Callable[..., dict[str, Any]]]:
    return list(_SECTIONS.values())
