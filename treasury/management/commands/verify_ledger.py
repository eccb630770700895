"""Re-verify the stored ledger: the hash chain (with `governance/chain.py`,
the same code auditors run), that every transaction balances, and that each
entry's postings are exactly the postings stored in the database."""

from __future__ import annotations

from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from governance import chain
from treasury import selectors
from treasury.models import LedgerEntry, Posting, Transaction

CHUNK = 5000


class Command(BaseCommand):
    help = "Verify the treasury ledger chain and compare it with the stored postings."

    def handle(self, *args, **options):
        seq, head_hash = selectors.ledger_head()
        lines = (
            line
            for chunk in selectors.export_lines(fmt="jsonl", through=seq)
            for line in chunk.splitlines(keepends=True)
        )
        result = chain.verify_lines(lines, expect_head=(seq, head_hash) if seq else None)
        if not result.ok:
            raise CommandError(f"Ledger chain: {result.describe()}")
        after = 0
        checked = 0
        while True:
            entries = list(
                LedgerEntry.objects.filter(seq__gt=after, seq__lte=seq)
                .order_by("seq")
                .values_list("seq", "transaction_id", "payload")[:CHUNK]
            )
            if not entries:
                break
            stored = defaultdict(list)
            for txn_id, account, fund, amount in (
                Posting.objects.filter(transaction_id__in=[e[1] for e in entries])
                .order_by("pk")
                .values_list("transaction_id", "account__code", "fund__slug", "amount_cents")
            ):
                stored[txn_id].append({"account": account, "fund": fund, "amount": amount})
            for entry_seq, txn_id, payload in entries:
                if (
                    payload.get("transaction") != txn_id
                    or payload.get("postings") != stored[txn_id]
                ):
                    raise CommandError(
                        f"Ledger entry {entry_seq} does not match the postings of transaction "
                        f"#{txn_id} in the database."
                    )
            checked += len(entries)
            after = entries[-1][0]
        unchained = Transaction.objects.filter(status="posted", ledger_entry__isnull=True).count()
        if unchained:
            raise CommandError(f"{unchained} posted transactions have no ledger entry.")
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {checked} ledger entries verified and match the database; "
                f"head {seq}:{head_hash}"
            )
        )
