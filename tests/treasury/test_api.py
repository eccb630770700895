"""The read-only treasury API: keyset pagination, bounded queries, no writes."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.treasury.factories import ExpenseFactory, IncomeFactory


@pytest.fixture
def many(community):
    bob = community["bob"]
    for number in range(1, 8):
        IncomeFactory(
            actor=bob, kind="dues", amount_cents=1_000 * number, external_reference=f"D-{number}"
        )


def test_transactions_paginate_newest_first_with_cursor(client, many):
    first = client.get("/api/v1/treasury/transactions/?limit=3").json()
    assert [t["external_reference"] for t in first["results"]] == ["D-7", "D-6", "D-5"]
    assert first["currency"] == "EUR"
    second = client.get(first["next"]).json()
    assert [t["external_reference"] for t in second["results"]] == ["D-4", "D-3", "D-2"]
    third = client.get(second["next"]).json()
    assert [t["external_reference"] for t in third["results"]] == ["D-1"]
    assert third["next"] is None
    posting = first["results"][0]["postings"][0]
    assert posting == {"account": "assets:bank", "fund": "general", "amount": 7_000}
    assert len(first["results"][0]["ledger_hash"]) == 64


def test_transactions_page_uses_few_queries_at_any_depth(client, community, many, budget):
    ExpenseFactory(
        actor=community["bob"],
        budget_line=budget["printing"],
        amount_cents=500,
        description="Ink",
        payee="Shop",
        method="cash",
    )
    first = client.get("/api/v1/treasury/transactions/?limit=2").json()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(first["next"])
    assert response.status_code == 200
    assert len(queries) <= 10
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/treasury/transactions/").status_code == 200
    assert len(queries) <= 10


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_QUERIES = [
    "cursor=garbage",
    f"cursor={cursor('before:' + '9' * 30)}",  # a number no database holds
    f"cursor={cursor('after:' + '9' * 30)}",
    "limit=0",
    "limit=1000",
    "limit=x",
    "limit=٥",  # a digit, but not an ASCII one
]


@pytest.mark.parametrize("path", ["transactions", "accounts", "budget-lines"])
@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_cursor_or_limit_is_a_clear_400(client, many, path, query):
    response = client.get(f"/api/v1/treasury/{path}/?{query}")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert response.json()["code"] == "invalid"


def test_an_empty_limit_or_cursor_is_the_first_page(client, many):
    page = client.get("/api/v1/treasury/transactions/?limit=&cursor=").json()
    assert len(page["results"]) == 7


def test_accounts_and_budget_lines_paginate(client, budget):
    page = client.get("/api/v1/treasury/accounts/?limit=4").json()
    codes = [a["code"] for a in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        codes += [a["code"] for a in page["results"]]
    assert "assets:bank" in codes and f"expenses:budget-line-{budget['workshop'].pk}" in codes
    assert len(codes) == len(set(codes))
    lines = client.get("/api/v1/treasury/budget-lines/?limit=1").json()
    assert lines["results"][0]["purpose"] == "Workshop"
    assert lines["results"][0]["remaining"] == 100_000
    more = client.get(lines["next"]).json()
    assert more["results"][0]["purpose"] == "Printing" and more["next"] is None


def test_summary_reports_balances_and_head(client, many):
    data = client.get("/api/v1/treasury/summary/").json()
    assert data["cash_cents"] == 28_000
    assert data["ledger_head"]["seq"] == 7
    dues = next(a for a in data["accounts"] if a["code"] == "income:dues")
    assert dues["balance"] == 28_000


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_refuses_writes(client, community, many, method):
    client.force_login(community["bob"])
    response = getattr(client, method)(
        "/api/v1/treasury/transactions/", {}, content_type="application/json"
    )
    assert response.status_code == 405
