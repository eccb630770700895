"""Reads of the public treasury, with bounded query counts.

Selectors only read the database. Aggregates over all postings are cached
under the ledger head (`_cached`), which moves with every posting.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, QuerySet, Sum

from kernel.chains import head_of
from treasury.chart_of_accounts import shown_name
from treasury.models import (
    Account,
    AccountType,
    AuditAttestation,
    BudgetLine,
    Expense,
    Fund,
    LedgerEntry,
    Posting,
    Transaction,
)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def fund_choices() -> list[tuple[str, str]]:
    """[(slug, name)] of every fund, for the budget proposal form (names as
    the reader reads them)."""
    return [(f.slug, shown_name(f.name)) for f in Fund.objects.order_by("is_restricted", "slug")]


def ledger_head() -> tuple[int, str]:
    return head_of(LedgerEntry.chain_name)


def display_amount(account_type: str, cents: int) -> int:
    """Balances shown with their natural sign: income is a credit balance."""
    return -cents if account_type == AccountType.INCOME else cents


@dataclass
class BalanceRow:
    account: Account
    fund: Fund
    cents: int


def _cached(name: str, compute):
    """Aggregates over all postings change only when the ledger head moves, so
    they are cached under the head (seq and hash): a new posting, or another
    database, simply means another key."""
    seq, head_hash = ledger_head()
    return cache.get_or_set(f"treasury:{name}:{seq}:{head_hash[:16]}", compute, timeout=3600)


def balances() -> dict:
    return _cached("balances", _balances)


def income_by_source_and_month() -> dict:
    return _cached("income", _income_by_source_and_month)


def flows_by_month() -> list[dict]:
    return _cached("flows", _flows_by_month)


def _balances() -> dict:
    """Balance of every account in every fund, and totals (three queries)."""
    accounts = {a.pk: a for a in Account.objects.all()}
    funds = {f.pk: f for f in Fund.objects.all()}
    rows = []
    per_account: dict[int, int] = defaultdict(int)
    per_fund: dict[int, int] = defaultdict(int)
    # Only committed, posted transactions are visible to other connections; a
    # draft exists only inside the service's own database transaction.
    for item in (
        Posting.objects.values("account_id", "fund_id")
        .annotate(total=Sum("amount_cents"))
        .order_by("account_id", "fund_id")
    ):
        account = accounts[item["account_id"]]
        fund = funds[item["fund_id"]]
        rows.append(BalanceRow(account, fund, display_amount(account.type, item["total"])))
        per_account[account.pk] += item["total"]
        if account.type == AccountType.ASSET:
            per_fund[fund.pk] += item["total"]
    rows.sort(key=lambda r: (r.account.type, r.account.code, r.fund.slug))
    return {
        "rows": rows,
        "accounts": [
            {"account": a, "cents": display_amount(a.type, per_account.get(a.pk, 0))}
            for a in sorted(accounts.values(), key=lambda a: (a.type, a.code))
        ],
        "funds": [
            {"fund": f, "cents": per_fund.get(f.pk, 0)}
            for f in sorted(funds.values(), key=lambda f: (f.is_restricted, f.slug))
        ],
        "cash_cents": sum(per_fund.values()),
    }


def _monthly_totals() -> dict:
    """{(month "YYYY-MM", account): cents} over every posting (one query,
    grouped by day in the database and by month here, which needs no date
    function in SQL and stays fast at millions of postings)."""
    accounts = {a.pk: a for a in Account.objects.all()}
    totals: dict[tuple[str, Account], int] = defaultdict(int)
    for day, account_id, total in (
        Posting.objects.values_list("transaction__date", "account_id")
        .annotate(total=Sum("amount_cents"))
        .order_by()
    ):
        totals[(day.strftime("%Y-%m"), accounts[account_id])] += total
    return totals


def _income_by_source_and_month() -> dict:
    """Income (positive cents) by income account and calendar month."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sources: dict[str, str] = {}
    for (month, account), total in _cached("monthly", _monthly_totals).items():
        if account.type == AccountType.INCOME:
            table[month][account.code] += -total
            sources[account.code] = account.name
    months = sorted(table)
    codes = sorted(sources)
    return {
        "months": months,
        "sources": [(code, sources[code]) for code in codes],
        "rows": [
            {
                "month": m,
                "cells": [table[m].get(code, 0) for code in codes],
                "total": sum(table[m].values()),
            }
            for m in months
        ],
        "totals": [sum(table[m].get(code, 0) for m in months) for code in codes],
    }


def _flows_by_month() -> list[dict]:
    """Income and spending (both positive cents) per month, for the chart."""
    flows: dict[str, dict[str, int]] = defaultdict(lambda: {"income": 0, "spending": 0})
    for (month, account), total in _cached("monthly", _monthly_totals).items():
        if account.type == AccountType.INCOME:
            flows[month]["income"] += -total
        elif account.type == AccountType.EXPENSE:
            flows[month]["spending"] += total
    return [{"month": m, **flows[m]} for m in sorted(flows)]


@dataclass
class LineStatus:
    line: BudgetLine
    spent_cents: int
    pending_cents: int

    @property
    def remaining_cents(self) -> int:
        return self.line.amount_cents - self.spent_cents - self.pending_cents

    @property
    def percent_spent(self) -> int:
        if not self.line.amount_cents:
            return 0
        return round(100 * self.spent_cents / self.line.amount_cents)


def budget_lines(
    *,
    proposal_id: int | None = None,
    after: int = 0,
    limit: int | None = None,
    pk: int | None = None,
) -> list[LineStatus]:
    """Each voted line with what was spent and what awaits approval (3 queries)."""
    lines = (
        BudgetLine.objects.select_related("fund", "proposal").filter(pk__gt=after).order_by("pk")
    )
    if proposal_id is not None:
        lines = lines.filter(proposal_id=proposal_id)
    if pk is not None:
        lines = lines.filter(pk=pk)
    lines = list(lines[:limit] if limit else lines)
    ids = [line.pk for line in lines]
    spent = _spent_by_line(ids)
    pending = _pending_by_line(ids)
    return [LineStatus(line, spent.get(line.pk, 0), pending.get(line.pk, 0)) for line in lines]


def _spent_by_line(ids: list[int]) -> dict[int, int]:
    """Cents posted on each budget line's account, net of reversals."""
    return dict(
        Posting.objects.filter(account__budget_line_id__in=ids)
        .values_list("account__budget_line_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("account__budget_line_id", "total")
    )


def _pending_by_line(ids: list[int], *, excluding: Expense | None = None) -> dict[int, int]:
    """Cents of the expenses awaiting approval on each budget line."""
    pending = Expense.objects.filter(budget_line_id__in=ids, status=Expense.Status.PENDING)
    if excluding is not None:
        pending = pending.exclude(pk=excluding.pk)
    return dict(
        pending.values_list("budget_line_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("budget_line_id", "total")
    )


def budget_line_committed(line: BudgetLine, *, excluding: Expense | None = None) -> int:
    """Cents spent (posted, net of reversals) plus cents awaiting approval:
    the same sums as `budget_lines`, for the line a service has locked."""
    spent = _spent_by_line([line.pk]).get(line.pk, 0)
    return spent + _pending_by_line([line.pk], excluding=excluding).get(line.pk, 0)


def budget_line_status(pk: int) -> LineStatus | None:
    found = budget_lines(pk=pk)
    return found[0] if found else None


def transactions_queryset() -> QuerySet[Transaction]:
    return (
        Transaction.objects.filter(status=Transaction.Status.POSTED)
        .select_related("receipt", "proposal", "budget_line", "reverses", "ledger_entry")
        .prefetch_related(
            Prefetch(
                "postings",
                queryset=Posting.objects.select_related("account", "fund").order_by("pk"),
            ),
            Prefetch("reversed_by", queryset=Transaction.objects.only("pk", "reverses_id")),
        )
        .order_by("-pk")
    )


def encode_cursor(pk: int, *, key: str = "before") -> str:
    """An opaque keyset cursor: 'before:<pk>' (newest first) or 'after:<pk>'."""
    return base64.urlsafe_b64encode(f"{key}:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, key: str = "before") -> int | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        prefix, _sep, number = text.partition(":")
        if prefix != key:
            return None
        value = int(number)
        return value if value > 0 else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@dataclass
class TransactionPage:
    items: list[Transaction]
    next_cursor: str | None


def transactions_page(
    *, cursor: str | None = None, limit: int = PAGE_SIZE, kind: str = ""
) -> TransactionPage:
    """Newest first, keyset-paginated on the primary key (constant cost at any depth)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    queryset = transactions_queryset()
    before = decode_cursor(cursor)
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    if kind:
        queryset = queryset.filter(kind=kind)
    items = list(queryset[: limit + 1])
    next_cursor = encode_cursor(items[limit - 1].pk) if len(items) > limit else None
    return TransactionPage(items[:limit], next_cursor)


def transaction_detail(pk: int) -> Transaction | None:
    return transactions_queryset().select_related("expense__decided_by").filter(pk=pk).first()


def pending_expenses() -> QuerySet[Expense]:
    return (
        Expense.objects.filter(status=Expense.Status.PENDING)
        .select_related("budget_line", "budget_line__fund", "recorded_by", "receipt")
        .order_by("pk")
    )


def attestations() -> QuerySet[AuditAttestation]:
    return AuditAttestation.objects.select_related("auditor").order_by("-attested_at", "-pk")


def summary() -> dict:
    seq, head_hash = ledger_head()
    data = balances()
    lines = budget_lines()
    return {
        "ledger_head": {"seq": seq, "hash": head_hash},
        "cash_cents": data["cash_cents"],
        "accounts": [
            {
                "code": row["account"].code,
                "name": row["account"].name,
                "type": row["account"].type,
                "balance": row["cents"],
            }
            for row in data["accounts"]
        ],
        "funds": [
            {
                "slug": row["fund"].slug,
                "name": row["fund"].name,
                "restricted": row["fund"].is_restricted,
                "balance": row["cents"],
            }
            for row in data["funds"]
        ],
        "budget_lines": [
            {
                "id": s.line.pk,
                "purpose": s.line.purpose,
                "allocated": s.line.amount_cents,
                "spent": s.spent_cents,
                "pending": s.pending_cents,
                "remaining": s.remaining_cents,
            }
            for s in lines
        ],
        "income_by_month": flows_by_month(),
    }


EXPORT_CHUNK = 5000
CSV_HEADER = "seq,at,kind,actor,payload,prev,hash\r\n"


def _compact(payload) -> str:
    if isinstance(payload, str):
        if connection.vendor == "sqlite":  # stored as compact JSON (CompactJSONEncoder)
            return payload
        payload = json.loads(payload)  # PostgreSQL's jsonb text has spaces
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def export_chunk(*, after: int, through: int, fmt: str) -> tuple[str, int]:
    """Ledger entries with after < seq <= through, as JSON lines or CSV rows.

    The payload is streamed as stored (compact JSON) without decoding it:
    exports of a million entries stay fast and small in memory."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq, at, kind, actor, payload, prev, hash FROM treasury_ledgerentry "
            "WHERE seq > %s AND seq <= %s ORDER BY seq LIMIT %s",
            [after, through, EXPORT_CHUNK],
        )
        rows = cursor.fetchall()
    if not rows:
        return "", after
    if fmt == "jsonl":
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        text = "".join(
            f'{{"seq":{s},"at":{dumps(at)},"kind":{dumps(k)},"actor":{dumps(a)},'
            f'"payload":{_compact(p)},"prev":"{pv}","hash":"{h}"}}\n'
            for s, at, k, a, p, pv, h in rows
        )
    else:
        # RFC 4180, exactly as csv.writer's defaults would write it (minimal
        # quoting, CRLF), built with str operations because it is the hot path.
        text = "".join(
            f"{s},{_csv(at)},{_csv(k)},{_csv(a)},"
            f'"{_compact(p).replace(chr(34), chr(34) * 2)}",{pv},{h}\r\n'
            for s, at, k, a, p, pv, h in rows
        )
    return text, rows[-1][0]


def _csv(value: str) -> str:
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def export_lines(*, fmt: str, through: int) -> Iterator[str]:
    """The ledger up to seq `through`, in chunks (little memory at any size)."""
    if fmt == "csv":
        yield CSV_HEADER
    after = 0
    while True:
        text, after = export_chunk(after=after, through=through, fmt=fmt)
        if not text:
            return
        yield text


def accounts_after(*, after: int, limit: int) -> list[Account]:
    return list(Account.objects.filter(pk__gt=after).order_by("pk")[:limit])


def budget_lines_after(*, after: int, limit: int) -> list[LineStatus]:
    return budget_lines(after=after, limit=limit)


def glance(*, year: int) -> dict:
    """Money held, and the budget lines opened in ``year``: allocated and spent
    so far. Cached under the ledger head: one query while nothing moves."""

    def compute() -> dict:
        lines = list(
            BudgetLine.objects.filter(opened_at__year=year).values_list("pk", "amount_cents")
        )
        spent = _spent_by_line([pk for pk, _amount in lines])
        return {
            "cash_cents": _balances()["cash_cents"],
            "budgets": {
                "year": year,
                "lines": len(lines),
                "allocated_cents": sum(amount for _pk, amount in lines),
                "spent_cents": sum(spent.values()),
            },
        }

    return _cached(f"glance-{year}", compute)
