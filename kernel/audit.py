"""The audit: recompute what the public record says, and report every row it
does not explain.

The guards block every write the rules do not allow through the
application's connection. Whoever owns the database can still lift them. So
each app also says, in ``<app>/audit.py``, how to recompute its rows from the
public record (the hash-chained journal and ledger, the published rolls and
ballots) and registers those checks here with `check`. ``manage.py audit``
runs them all; a lower layer never needs to know the higher ones.

A check is a function taking an `Audit` and calling ``audit.report(...)`` for
each row the record does not explain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps


@dataclass(frozen=True)
class Finding:
    check: str
    subject: str
    problem: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.subject}: {self.problem}"


@dataclass
class Audit:
    """One run: options shared by the checks, and what they found."""

    expect_heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    current: str = ""

    def report(self, subject: str, problem: str) -> None:
        self.findings.append(Finding(self.current, subject, problem))

    @property
    def ok(self) -> bool:
        return not self.findings


_CHECKS: dict[str, Callable[[Audit], None]] = {}


def check(name: str):
    """Register an audit check under a short public name (e.g. "journal")."""

    def register(function: Callable[[Audit], None]) -> Callable[[Audit], None]:
        _CHECKS[name] = function
        return function

    return register


def checks() -> dict[str, Callable[[Audit], None]]:
    """Every installed app's checks, in the order of INSTALLED_APPS."""
    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.audit")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.audit":
                raise
    return dict(_CHECKS)


def run(*, only: list[str] | None = None, expect_heads=None) -> Audit:
    audit = Audit(expect_heads=dict(expect_heads or {}))
    for name, function in checks().items():
        if only and name not in only:
            continue
        audit.current = name
        function(audit)
    audit.current = ""
    return audit
