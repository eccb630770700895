"""Recompute the record and report every row it does not explain.

    manage.py audit [--expect-head governance=SEQ:HASH] [--expect-head ledger=SEQ:HASH]
                    [--only journal,proposals,...]

Each app's checks live in its `audit.py` (see `kernel/audit.py`). Run it with
the migration role's connection, or any connection that can read every
table. Exit status 0 prints "OK"; 1 lists every finding."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kernel import audit, chain


def _head(text: str) -> tuple[str, tuple[int, str]]:
    name, sep, head = text.partition("=")
    if not sep:
        raise CommandError("--expect-head takes CHAIN=SEQ:HASH, e.g. governance=12:ab…")
    try:
        return name, chain.parse_head(head)
    except ValueError as exc:
        raise CommandError(f"--expect-head {name}: {exc}") from exc


class Command(BaseCommand):
    help = "Recompute governance, standing, votes, ledger and moderation from the public record."

    def add_arguments(self, parser):
        parser.add_argument("--expect-head", action="append", default=[], metavar="CHAIN=SEQ:HASH")
        parser.add_argument("--only", default="", help="comma-separated check names")

    def handle(self, *args, expect_head, only, **options):
        heads = dict(_head(text) for text in expect_head)
        names = [n.strip() for n in only.split(",") if n.strip()]
        unknown = set(names) - set(audit.checks())
        if unknown:
            raise CommandError(
                f"unknown checks: {', '.join(sorted(unknown))} "
                f"(checks: {', '.join(audit.checks())})"
            )
        result = audit.run(only=names or None, expect_heads=heads)
        ran = names or list(audit.checks())
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(f"OK: every row is explained by the record ({', '.join(ran)})")
            )
            return
        for finding in result.findings:
            self.stdout.write(str(finding))
        raise CommandError(
            f"Audit FAILED: {len(result.findings)} rows the record does not explain."
        )
