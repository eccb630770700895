"""`manage.py verify_ledger` re-checks the stored chain against the postings."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kernel import guards
from tests.treasury.factories import IncomeFactory


def test_verify_ledger_passes_on_real_activity(community):
    for amount in (1_000, 2_000):
        IncomeFactory(actor=community["bob"], kind="dues", amount_cents=amount)
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "OK: 2 ledger entries verified" in out.getvalue()


def test_verify_ledger_catches_a_posting_changed_behind_the_guard(community):
    txn = IncomeFactory(actor=community["bob"], kind="dues", amount_cents=1_000)
    guards.uninstall(connection)  # what an attacker with database access would do
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE treasury_posting SET amount_cents = amount_cents * 2 "
                "WHERE transaction_id = %s",
                [txn.pk],
            )
    finally:
        guards.install(connection)
    with pytest.raises(CommandError, match="does not match the postings"):
        call_command("verify_ledger", stdout=StringIO())
