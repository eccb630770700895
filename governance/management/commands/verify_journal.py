"""Verify the live governance journal with the auditors' own tool.

    manage.py verify_journal [--expect-head SEQ:HASH]

Exports the journal exactly as the public export does and checks it with
`kernel/chain.py`; also checks that the stored chain head names the last
entry, and that every bylaw version is attested by the journal (the audit's
`bylaws` check; `manage.py audit` runs every check).
Exit status 0 prints "OK ... head SEQ:HASH"; otherwise the command fails
naming the first bad seq (or the unattested bylaw versions)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from governance import selectors
from kernel import audit, chain


def _head(text: str) -> tuple[int, str]:
    try:
        return chain.parse_head(text)
    except ValueError as exc:
        raise CommandError(f"--expect-head: {exc}") from exc


class Command(BaseCommand):
    help = "Verify the hash chain of the governance journal in the database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="a head saved earlier; fail if it is missing (cut) or different (rewritten)",
        )

    def handle(self, *args, **options):
        expect = _head(options["expect_head"]) if options["expect_head"] else None
        stored_head = selectors.journal_head()
        result = chain.verify_lines(selectors.journal_export_lines(), expect_head=expect)
        if not result.ok:
            where = f"seq {result.error_seq}" if result.error_seq is not None else "the export"
            if result.error_seq is None and result.error_line is not None:
                where = f"line {result.error_line}"
            raise CommandError(f"Journal verification FAILED at {where}: {result.describe()}")
        verified_head = (result.head_seq, result.head_hash)
        if stored_head != verified_head:
            # An entry appended while we read moves the head legitimately: look again.
            stored_head = selectors.journal_head()
        head_seq, head_hash = stored_head
        if stored_head != verified_head:
            raise CommandError(
                "Journal verification FAILED: the stored chain head "
                f"{head_seq}:{head_hash} does not name the last entry "
                f"{result.head_seq}:{result.head_hash} (entries missing or added outside "
                "the journal)."
            )
        unattested = [f.subject.removeprefix("bylaw ") for f in audit.run(only=["bylaws"]).findings]
        if unattested:
            raise CommandError(
                "Bylaw check FAILED: these bylaw versions are not attested by the journal "
                f"(written outside enactment, or their text changed): {', '.join(unattested)}."
            )
        self.stdout.write(self.style.SUCCESS(result.describe()))
        if expect is not None:
            self.stdout.write(f"saved head {expect[0]}:{expect[1]} found and matches")
