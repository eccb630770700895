"""Re-verify the stored ledger: the hash chain (with `kernel/chain.py`,
the same code auditors run), that every transaction balances, and that each
entry's postings are exactly the postings stored in the database.

It is the audit's `ledger` check (`treasury/audit.py`); `manage.py audit`
runs it with every other check."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kernel import audit
from treasury import selectors


class Command(BaseCommand):
    help = "Verify the treasury ledger chain and compare it with the stored postings."

    def handle(self, *args, **options):
        findings = audit.run(only=["ledger"]).findings
        if findings:
            raise CommandError("Ledger check FAILED: " + "; ".join(str(f) for f in findings))
        seq, head_hash = selectors.ledger_head()
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {seq} ledger entries verified and match the database; head {seq}:{head_hash}"
            )
        )
