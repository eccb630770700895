"""Treasury pages: public reading without an account, and the role-gated forms."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from governance.selectors import current_parameters
from tests.treasury.factories import ExpenseFactory, IncomeFactory
from tests.treasury.helpers import receipt_file, today
from treasury import selectors
from treasury.models import Expense, Transaction


def test_visitor_reads_public_treasury_with_charts_and_head(client, community, budget):
    IncomeFactory(
        actor=community["bob"],
        kind="grant",
        amount_cents=600_000,
        counterparty="City council",
        is_counterparty_public=True,
    )
    response = client.get("/treasury/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in html
    assert '<title id="chart-flows-title">' in html and '<desc id="chart-budget-desc">' in html
    seq, head = selectors.ledger_head()
    assert f"{seq}:{head}" in html
    assert "Workshop" in html and "City council" in html
    assert "chain.py verify" in html


def test_treasurer_pages_need_login_and_role(client, community):
    response = client.get("/treasury/record/donation/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(community["alice"])
    for url in ("/treasury/record/donation/", "/treasury/import/", "/treasury/record/expense/"):
        assert client.get(url).status_code == 403
    assert client.get("/treasury/approvals/").status_code == 403
    assert client.get("/treasury/audit/attest/").status_code == 403


def test_treasurer_records_donation_through_form(client, community):
    client.force_login(community["bob"])
    response = client.post(
        "/treasury/record/donation/",
        {
            "amount": "25,50",
            "date": today().isoformat(),
            "method": "cash",
            "fund": "general",
            "counterparty": "Zoé",
            "is_counterparty_public": "on",
        },
    )
    txn = Transaction.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/treasury/transactions/{txn.pk}/"
    )
    assert txn.postings.get(account__code="assets:cash").amount_cents == 2_550


def test_bad_amount_shows_error_summary_and_records_nothing(client, community):
    client.force_login(community["bob"])
    response = client.post(
        "/treasury/record/donation/",
        {"amount": "-3", "date": today().isoformat(), "method": "cash", "fund": "general"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'href="#id_amount"' in html
    assert Transaction.objects.count() == 0


def test_import_upload_preview_then_confirm(client, community):
    client.force_login(community["bob"])
    # Dated today: the community is founded today, and no earlier date is booked.
    day = today().isoformat()
    statement = f"date,amount,reference\n{day},30.00,IMP-1\n{day},12.00,IMP-2\n".encode()
    preview = client.post(
        "/treasury/import/",
        {
            "statement": SimpleUploadedFile("s.csv", statement, "text/csv"),
            "method": "bank",
            "fund": "general",
        },
    )
    html = preview.content.decode()
    assert "IMP-1" in html and "Confirm the import" in html
    assert Transaction.objects.count() == 0
    confirm = client.post(
        "/treasury/import/",
        {"content": statement.decode(), "method": "bank", "fund": "general"},
    )
    assert confirm.status_code == 302
    assert Transaction.objects.count() == 2
    again = client.post(
        "/treasury/import/",
        {
            "statement": SimpleUploadedFile("s.csv", statement, "text/csv"),
            "method": "bank",
            "fund": "general",
        },
    )
    assert "Already recorded" in again.content.decode()


def test_import_preview_shows_bad_line_and_offers_no_confirmation(client, community):
    client.force_login(community["bob"])
    statement = b"date,amount,reference\n2025-01-05,30.00,IMP-1\n2025-01-06,lots,IMP-2\n"
    response = client.post(
        "/treasury/import/",
        {
            "statement": SimpleUploadedFile("s.csv", statement, "text/csv"),
            "method": "bank",
            "fund": "general",
        },
    )
    html = response.content.decode()
    assert 'href="#line-3"' in html and "not an amount" in html
    assert "Confirm the import" not in html


def test_expense_form_with_receipt_and_over_budget_error(client, community, budget):
    client.force_login(community["bob"])
    data = {
        "budget_line": budget["printing"].pk,
        "amount": "250.00",
        "date": today().isoformat(),
        "description": "Posters",
        "payee": "PrintCo",
        "method": "bank",
        "receipt_is_public": "on",
    }
    response = client.post("/treasury/record/expense/", {**data, "receipt": receipt_file()})
    assert response.status_code == 200
    assert "left" in response.content.decode()
    assert Expense.objects.count() == 0
    response = client.post(
        "/treasury/record/expense/", {**data, "amount": "150.00", "receipt": receipt_file()}
    )
    expense = Expense.objects.get()
    assert response.status_code == 302 and expense.status == "posted"


def test_steward_approves_on_page_and_author_cannot(client, community, budget):
    amount = current_parameters().second_approval_above_cents + 100
    expense = ExpenseFactory(
        actor=community["bob"],
        budget_line=budget["workshop"],
        amount_cents=amount,
        description="Venue",
        payee="Hall",
    )
    client.force_login(community["bob"])
    page = client.get("/treasury/approvals/").content.decode()
    assert "another treasurer or a steward must approve" in page
    client.post(f"/treasury/approvals/{expense.pk}/approve/")
    expense.refresh_from_db()
    assert expense.status == "pending"
    client.force_login(community["carol"])
    response = client.post(f"/treasury/approvals/{expense.pk}/approve/")
    expense.refresh_from_db()
    assert expense.status == "posted"
    assert response["Location"] == f"/treasury/transactions/{expense.transaction_id}/"


def test_withheld_receipt_is_for_auditors_only(client, community, budget):
    expense = ExpenseFactory(
        actor=community["bob"],
        budget_line=budget["printing"],
        amount_cents=100,
        description="Taxi",
        payee="Driver",
        method="cash",
        receipt_file=receipt_file(content=b"Passenger: Jane Doe, 3 rue X"),
        receipt_is_public=False,
        withheld_reason="It names a passenger.",
    )
    url = f"/treasury/receipts/{expense.receipt_id}/"
    assert client.get(url).status_code == 403
    page = client.get(f"/treasury/transactions/{expense.transaction_id}/").content.decode()
    assert "It names a passenger." in page and url not in page
    client.force_login(community["ada"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Passenger: Jane Doe, 3 rue X"


def test_treasurer_reverses_with_reason_on_page(client, community):
    txn = IncomeFactory(actor=community["bob"], amount_cents=900, method="cash")
    client.force_login(community["bob"])
    empty = client.post(f"/treasury/transactions/{txn.pk}/reverse/", {"reason": ""})
    assert empty.status_code == 200 and Transaction.objects.count() == 1
    response = client.post(
        f"/treasury/transactions/{txn.pk}/reverse/", {"reason": "Counterfeit note"}
    )
    reversal = Transaction.objects.get(kind="reversal")
    assert response["Location"] == f"/treasury/transactions/{reversal.pk}/"


def test_auditor_attests_on_page(client, community):
    IncomeFactory(actor=community["bob"], amount_cents=900, method="cash")
    seq, head = selectors.ledger_head()
    client.force_login(community["ada"])
    bad = client.post(
        "/treasury/audit/attest/",
        {
            "period_start": "2025-01-01",
            "period_end": today().isoformat(),
            "ledger_head_seq": seq,
            "ledger_head_hash": "a" * 64,
            "statement": "OK",
        },
    )
    assert bad.status_code == 200 and "no entry" in bad.content.decode()
    good = client.post(
        "/treasury/audit/attest/",
        {
            "period_start": "2025-01-01",
            "period_end": today().isoformat(),
            "ledger_head_seq": seq,
            "ledger_head_hash": head,
            "statement": "Books verified.",
        },
    )
    assert good.status_code == 302
    assert "Books verified." in client.get("/treasury/").content.decode()


def test_auditor_sees_private_donor_name_public_does_not(client, community):
    txn = IncomeFactory(
        actor=community["bob"],
        amount_cents=900,
        method="cash",
        counterparty="Jeanne Secret",
        is_counterparty_public=False,
    )
    url = f"/treasury/transactions/{txn.pk}/"
    public = client.get(url).content.decode()
    assert "anonymous" in public and "Jeanne Secret" not in public
    client.force_login(community["ada"])
    assert "Jeanne Secret" in client.get(url).content.decode()


def test_a_refused_page_names_the_roles_in_the_readers_words(client, community):
    client.force_login(community["alice"])
    page = client.get("/treasury/approvals/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "réservée aux membres qui ont l’un de ces rôles" in page
    assert "treasurer" not in page.split("<main", 1)[1]


def test_standard_accounts_and_the_general_fund_read_in_the_readers_language(client, community):
    from treasury import services

    services.record_income(
        actor=community["bob"],
        kind="donation",
        amount_cents=5_000,
        date=today(),
        method="bank",
        fund="general",
    )
    page = client.get("/treasury/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Compte bancaire" in page and "Fonds général" in page and "Dons" in page
    assert "Bank account" not in page and "General fund" not in page
    assert "Bank account" in client.get("/treasury/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_transaction_names_the_expense_it_pays(client, community, budget):
    from tests.treasury.helpers import receipt_file
    from treasury import services
    from treasury.models import Expense

    line = budget["workshop"]
    expense = services.record_expense(
        actor=community["bob"],
        budget_line_id=line.pk,
        amount_cents=60_000,
        date=today(),
        description="Sawdust extractor",
        payee="Outils & Co",
        method="bank",
        receipt_file=receipt_file(),
    )
    services.approve_expense(actor=community["carol"], expense_id=expense.pk)
    txn = Expense.objects.get(pk=expense.pk).transaction
    page = client.get(f"/treasury/transactions/{txn.pk}/").content.decode()
    assert f"Expense #{expense.pk}, approved by" in page and "(four eyes)" in page


def test_a_negative_share_of_an_account_is_explained(client, community, budget):
    from tests.treasury.helpers import receipt_file
    from treasury import services

    services.record_income(
        actor=community["bob"],
        kind="donation",
        amount_cents=50_000,
        date=today(),
        method="cash",
        fund="general",
    )
    assert "is negative when" not in client.get("/treasury/").content.decode()
    services.record_expense(
        actor=community["bob"],
        budget_line_id=budget["printing"].pk,
        amount_cents=10_000,
        date=today(),
        description="Posters",
        payee="Print shop",
        method="bank",
        receipt_file=receipt_file(),
    )
    assert "is negative when" in client.get("/treasury/").content.decode()


def test_account_codes_break_only_between_their_parts(client, community):
    from treasury import services

    services.record_income(
        actor=community["bob"],
        kind="donation",
        amount_cents=5_000,
        date=today(),
        method="processor",
        fund="general",
    )
    page = client.get("/treasury/").content.decode()
    assert '<code class="account-code">assets:<wbr>processor</code>' in page
