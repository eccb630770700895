"""A year of realistic treasury activity for the demo (`manage.py seed_demo`).

Everything goes through the real services, so the demo ledger is a valid
hash chain, every expense draws on a voted budget line with a receipt, large
expenses carry a second approval, and the auditor's attestation is journaled.

The 18,000 € project of the background story is financed by a public grant
(6,000), a youth fund (6,000, a restricted fund), crowdfunding (3,000, with
the platform's fee as its own expense entry) and patronage (3,000).
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance.selectors import current_parameters
from treasury import selectors, services
from treasury.models import Expense, Fund, Transaction

YOUTH_FUND = "youth-fund"
# If the community opened a restricted fund for the public grant, it goes there.
PUBLIC_GRANT_FUND = "public-grant"
DUES_PAYERS = [("dave", True), ("erin", True), ("frank", False), ("gaelle", False)]
DONORS = [
    ("Marie Dupont", True, 5_000),
    ("", False, 2_000),
    ("Jean-Pierre L.", False, 10_000),
    ("Amina", True, 2_500),
    ("", False, 1_500),
    ("Café des Amis", True, 15_000),
    ("", False, 3_000),
    ("Lucas", True, 4_000),
]


def create_demo_funds(*, treasurer) -> None:
    """Open the restricted youth fund (call before proposing a budget that uses it)."""
    if not Fund.objects.filter(slug=YOUTH_FUND).exists():
        services.create_fund(
            actor=treasurer,
            slug=YOUTH_FUND,
            name="Youth fund",
            is_restricted=True,
            purpose="Workshops for young people (regional youth programme grant)",
        )


def receipt(number: int, payee: str, description: str, cents: int) -> SimpleUploadedFile:
    """A small, valid one-page PDF receipt."""
    text = f"Receipt {number:04d} - {payee} - {description} - {cents / 100:.2f} EUR"
    text = text.encode("latin-1", "replace").decode("latin-1").replace("(", "[").replace(")", "]")
    stream = f"BT /F1 11 Tf 40 760 Td ({text}) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = "%PDF-1.4\n"
    offsets = []
    for index, obj in enumerate(objects, start=1):
        offsets.append(len(body.encode("latin-1")))
        body += f"{index} 0 obj\n{obj}\nendobj\n"
    xref = len(body.encode("latin-1"))
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    body += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return SimpleUploadedFile(
        f"receipt-{number:04d}.pdf", body.encode("latin-1"), content_type="application/pdf"
    )


def seed_treasury(*, treasurer, steward, auditor, budget_proposal) -> None:
    """Record a year of activity; does nothing if the ledger already has entries."""
    if Transaction.objects.exists():
        return
    create_demo_funds(treasurer=treasurer)
    rng = random.Random(2025)
    today = timezone.now().date()
    start = today - dt.timedelta(days=360)

    def day(offset: int) -> dt.date:
        return min(today, start + dt.timedelta(days=offset))

    def income(
        kind, cents, when, method="bank", who="", public=True, ref="", fund="general", fee=0
    ):
        return services.record_income(
            actor=treasurer,
            kind=kind,
            amount_cents=cents,
            date=when,
            method=method,
            counterparty=who,
            is_counterparty_public=public,
            external_reference=ref,
            fund=fund,
            fee_cents=fee,
        )

    # The 18,000 € project.
    grant_fund = (
        PUBLIC_GRANT_FUND if Fund.objects.filter(slug=PUBLIC_GRANT_FUND).exists() else "general"
    )
    income(
        "grant",
        600_000,
        day(20),
        who="City of Lyon – culture grant",
        ref="GRANT-CITY-2025",
        fund=grant_fund,
    )
    income(
        "grant",
        600_000,
        day(45),
        who="Regional youth programme",
        ref="GRANT-YOUTH-2025",
        fund=YOUTH_FUND,
    )
    income(
        "crowdfunding",
        300_000,
        day(90),
        method="processor",
        who="Crowdfunding campaign",
        ref="CROWD-2025-PAYOUT",
        fee=15_000,
    )
    income("patronage", 300_000, day(100), who="Boulangerie Martin", ref="PATRON-MARTIN-2025")

    # Monthly dues and donations.
    for month in range(12):
        for name, public in DUES_PAYERS:
            income(
                "dues",
                1_000,
                day(5 + 30 * month),
                who=name,
                public=public,
                ref=f"DUES-{month + 1:02d}-{name}",
            )
    bounced = None
    for number, (name, public, cents) in enumerate(DONORS, start=1):
        txn = income(
            "donation",
            cents,
            day(15 + 43 * number),
            method=rng.choice(["bank", "cash"]),
            who=name,
            public=public and bool(name),
            ref=f"DON-{number:03d}",
        )
        if number == 3:
            bounced = txn
    if bounced is not None:
        services.reverse_transaction(
            actor=treasurer,
            transaction_id=bounced.pk,
            reason="The cheque bounced; the donor was told and will give by transfer.",
        )

    # Spending against the voted lines, with receipts.
    threshold = current_parameters().second_approval_above_cents
    payees = ["Makers Supply", "Imprimerie du Centre", "Salle des Fêtes", "Bio Coop", "SNCF"]
    number = 0
    for status in selectors.budget_lines(proposal_id=budget_proposal.pk):
        line = status.line
        budget = int(line.amount_cents * 0.7)
        parts = [0.45, 0.35, 0.2]
        for index, share in enumerate(parts):
            cents = max(100, int(budget * share) // 100 * 100)
            number += 1
            payee = payees[(number - 1) % len(payees)]
            withheld = number == 4
            expense = services.record_expense(
                actor=treasurer,
                budget_line_id=line.pk,
                amount_cents=cents,
                date=day(120 + 70 * index + number),
                description=f"{line.purpose}: instalment {index + 1}",
                payee=payee if not withheld else "Volunteer reimbursement",
                method="bank",
                receipt_file=receipt(number, payee, line.purpose, cents),
                receipt_is_public=not withheld,
                withheld_reason=(
                    "The receipt shows a volunteer's home address." if withheld else ""
                ),
            )
            if expense.status == Expense.Status.PENDING and cents > threshold:
                services.approve_expense(actor=steward, expense_id=expense.pk)

    seq, head = selectors.ledger_head()
    services.attest_audit(
        actor=auditor,
        period_start=start,
        period_end=today,
        ledger_head_seq=seq,
        ledger_head_hash=head,
        statement=(
            "I downloaded the ledger export, verified it with chain.py (every entry and "
            "every transaction balances), and checked each expense against its voted "
            "budget line and its receipt, including the withheld one."
        ),
    )
