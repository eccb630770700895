"""A visitor with no account reads the public treasury and downloads the
ledger, which verifies offline; treasury pages pass axe-core."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from kernel import chain
from tests.browser.helpers import log_in
from tests.factories import found, make_member
from tests.proposals.helpers import pass_budget
from tests.treasury.helpers import receipt_file, today
from treasury import selectors, services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_media(settings, tmp_path, monkeypatch):
    """Receipts stored by the test are served by the Daphne process."""
    media = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    settings.MEDIA_ROOT = media
    return media


@pytest.fixture
def treasury_activity(shared_media):
    people = {name: make_member(name) for name in ("alice", "bob", "carol", "ada")}
    found(
        founders=[people["alice"]],
        appointments={
            "treasurer": [people["bob"]],
            "steward": [people["carol"]],
            "auditor": [people["ada"]],
        },
    )
    proposal = pass_budget(
        people["alice"],
        list(people.values()),
        lines=[{"purpose": "Community workshop", "amount_cents": 150_000, "fund": "general"}],
    )
    line = proposal.budget_lines.get()
    services.record_income(
        actor=people["bob"],
        kind="grant",
        amount_cents=600_000,
        date=today(),
        method="bank",
        counterparty="City council",
        is_counterparty_public=True,
    )
    services.record_income(
        actor=people["bob"],
        kind="donation",
        amount_cents=2_500,
        date=today(),
        method="cash",
        counterparty="Secret Person",
        is_counterparty_public=False,
    )
    services.record_expense(
        actor=people["bob"],
        budget_line_id=line.pk,
        amount_cents=12_000,
        date=today(),
        description="Workshop materials",
        payee="Makers Supply",
        method="bank",
        receipt_file=receipt_file(),
    )
    return proposal


def serious(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']}" for v in violations if v.get("impact") in ("serious", "critical")
    ]


def test_visitor_reads_treasury_and_downloads_verifiable_export(
    shared_media, daphne_server, page, treasury_activity, tmp_path
):
    base = daphne_server.url
    page.goto(f"{base}/treasury/")
    assert page.locator("h1").inner_text() == "Public treasury"
    assert page.get_by_role("img", name="Income and spending by month").count() == 1
    assert page.get_by_role("img", name="Spending by budget line").count() == 1
    assert page.get_by_text("City council").first.is_visible()
    assert page.get_by_text("Secret Person").count() == 0
    assert serious(page) == []

    page.get_by_role("link", name="All transactions").first.click()
    page.wait_for_url(f"{base}/treasury/transactions/")
    assert page.get_by_text("Workshop materials").first.is_visible()
    assert serious(page) == []
    page.get_by_role("link", name="Receipt", exact=True).first.click()
    assert "Invoice 42" in page.content()

    page.goto(f"{base}/treasury/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ledger export (JSON lines, verifiable)").click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    seq, head = selectors.ledger_head()
    result = chain.verify_file(str(path), expect_head=(seq, head))
    assert result.ok, result.describe()
    assert result.entries == 3


def test_treasurer_records_donation_with_accessible_form(
    shared_media, daphne_server, page, treasury_activity, tmp_path
):
    from tests.factories import DEFAULT_PASSWORD

    base = daphne_server.url
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_login").fill("bob")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{base}/treasury/")
    page.get_by_role("link", name="Record a donation").click()
    page.wait_for_url(f"{base}/treasury/record/donation/")
    assert serious(page) == []
    page.get_by_label("Amount").fill("12,345")
    page.get_by_role("button", name="Record").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "not an amount" in summary.inner_text()
    assert serious(page) == []
    page.get_by_label("Amount").fill("42,50")
    page.get_by_label("From (name)").fill("Nadia")
    page.get_by_label("Show this name publicly").check()
    page.get_by_role("button", name="Record").click()
    page.wait_for_url(f"{base}/treasury/transactions/*/")
    assert "Nadia" in page.content()
    assert page.get_by_text("42.50 EUR").first.is_visible()


def test_role_pages_pass_axe(shared_media, daphne_server, page, treasury_activity):
    base = daphne_server.url

    failures = {}
    log_in(page, base, "bob")
    for path in (
        "/treasury/record/expense/",
        "/treasury/import/",
        "/treasury/approvals/",
        "/treasury/funds/new/",
        "/treasury/transactions/1/reverse/",
    ):
        page.goto(base + path)
        failures[path] = serious(page)
    page.goto(f"{base}/treasury/import/")
    page.set_input_files(
        "#id_statement",
        files=[
            {
                "name": "s.csv",
                "mimeType": "text/csv",
                "buffer": b"date,amount,reference\n2025-01-05,30.00,R-1\n2025-01-06,x,R-2\n",
            }
        ],
    )
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Line 3").is_visible()
    failures["import preview"] = serious(page)
    log_in(page, base, "ada")
    page.goto(f"{base}/treasury/audit/attest/")
    failures["attest"] = serious(page)
    assert {k: v for k, v in failures.items() if v} == {}
