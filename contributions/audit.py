"""What the audit recomputes for contributions, from the time ledger, the
journal and the record of hours (`manage.py audit --only time,hours`).

- ``time``: the time ledger verifies with `kernel/chain.py` (against a saved
  head, ``--expect-head time=SEQ:HASH``), the stored head names its last
  entry, every entry's postings are exactly its transfer's, every posted
  transfer has its entry; replayed in order with the Contributions article
  in force at each entry (from the journal), every entry earns what its
  minutes earn at that rate, no exchange takes a balance below that
  moment's floor, no rebate below zero, no month issues beyond its cap;
  every balance is the one the database holds.
- ``hours``: every confirmed contribution has its posted transfer, and every
  transfer's contribution is confirmed, by the one who authorized it.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from contributions import parameters, selectors
from contributions.models import (
    Contribution,
    ContributionState,
    TimeEntry,
    TimePosting,
    TimeTransfer,
    TransferKind,
)
from governance.audit import genesis_payload, journal_events
from kernel import chain
from kernel.audit import Audit, check

CHUNK = 5000


def _rules_in_force() -> tuple[list[str], list[parameters.ContributionRules]]:
    """When each version of the Contributions article came into force."""
    times, values = [""], [parameters.DEFAULTS]
    for article in genesis_payload().get("charter", []):
        if article["slug"] == parameters.ARTICLE and article.get("parameters"):
            values[0] = parameters.rules_from_json(article["parameters"])
    for _seq, at, _kind, _actor, payload in journal_events("bylaw.version_created"):
        if payload["article"] == parameters.ARTICLE and payload.get("parameters"):
            times.append(at)
            values.append(parameters.rules_from_json(payload["parameters"]))
    return times, values


def _entries():
    return (
        TimeEntry.objects.order_by("seq")
        .values_list("seq", "at", "kind", "transfer_id", "payload")
        .iterator(chunk_size=CHUNK)
    )


@check("time")
def verify_time_ledger(audit: Audit) -> None:
    seq, head = selectors.time_head()
    last = TimeEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    lines = (
        line
        for chunk in selectors.export_lines(fmt="jsonl", through=last)
        for line in chunk.splitlines(keepends=True)
    )
    result = chain.verify_lines(lines, expect_head=audit.expect_heads.get("time"))
    if not result.ok:
        audit.report("time ledger", result.describe())
        return
    if (seq, head) != (result.head_seq, result.head_hash):
        audit.report(
            "time ledger head",
            f"the stored head {seq}:{head} does not name the last entry "
            f"{result.head_seq}:{result.head_hash}",
        )
    _replay(audit)
    unchained = TimeTransfer.objects.filter(
        status=TimeTransfer.Status.POSTED, entry__isnull=True
    ).count()
    if unchained:
        audit.report("time ledger", f"{unchained} posted transfers have no entry")


def _stored_postings(transfer_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    stored: dict[int, list[tuple[str, int]]] = defaultdict(list)
    rows = (
        TimePosting.objects.filter(transfer_id__in=transfer_ids)
        .order_by("pk")
        .values_list("transfer_id", "account__reference", "amount")
    )
    for transfer_id, reference, amount in rows:
        stored[transfer_id].append((reference, amount))
    return stored


def _replay(audit: Audit) -> None:
    times, values = _rules_in_force()
    balances: dict[str, int] = defaultdict(int)
    issued: dict[str, int] = defaultdict(int)
    batch: list = []

    def settle(entries: list) -> None:
        stored = _stored_postings([transfer_id for _s, _a, _k, transfer_id, _p in entries])
        for entry_seq, at, kind, transfer_id, payload in entries:
            rules = values[bisect.bisect_right(times, at) - 1]
            subject = f"time ledger entry {entry_seq}"
            postings = [(p["account"], p["amount"]) for p in payload.get("postings", [])]
            if sorted(postings) != sorted(stored.get(transfer_id, [])):
                audit.report(subject, "its postings differ from its transfer's in the database")
            problem = _problem(kind, payload, postings, rules, balances, issued, at)
            if problem:
                audit.report(subject, problem)
            for account, amount in postings:
                balances[account] += amount

    for entry in _entries():
        batch.append(entry)
        if len(batch) == CHUNK:
            settle(batch)
            batch = []
    settle(batch)
    held = defaultdict(int)
    for reference, amount in TimePosting.objects.filter(
        transfer__status=TimeTransfer.Status.POSTED
    ).values_list("account__reference", "amount"):
        held[reference] += amount
    for reference in sorted(set(held) | set(balances)):
        if held[reference] != balances[reference]:
            audit.report(
                f"time account {reference}",
                f"balance {held[reference]} in the database, {balances[reference]} by the ledger",
            )


def _problem(kind, payload, postings, rules, balances, issued, at) -> str | None:
    """What is wrong with one entry, replayed under the rules in force then."""
    minutes = payload.get("minutes", 0)
    positive = [amount for _account, amount in postings if amount > 0]
    negative = [(account, amount) for account, amount in postings if amount < 0]
    if kind == f"time.{TransferKind.PAID}":
        return "paid work moved credits" if postings else None
    if len(positive) != 1 or len(negative) != 1:
        return "it does not move credits from one account to one other"
    credits = positive[0]
    source = negative[0][0]
    if kind in (f"time.{TransferKind.ISSUED}", f"time.{TransferKind.EXCHANGED}"):
        rate = payload.get("credit_hundredths_per_hour")
        if rate != rules.credit_hundredths_per_hour:
            return f"rate {rate} instead of the bylaws' {rules.credit_hundredths_per_hour}"
        if credits != parameters.credits_for(minutes, rate):
            return f"{credits} hundredths for {minutes} minutes at {rate}"
    if kind == f"time.{TransferKind.ISSUED}":
        month = at[:7]
        issued[month] += credits
        if source != "community":
            return "credits issued from an account other than the community's"
        if issued[month] > rules.monthly_cap_hundredths:
            return f"the community issued {issued[month]} in {month}, beyond its cap"
    elif kind == f"time.{TransferKind.EXCHANGED}":
        if balances[source] - credits < rules.floor:
            return f"the exchange took {source} below the floor {rules.floor}"
    elif kind == f"time.{TransferKind.REBATE}":
        if balances[source] - credits < 0:
            return f"the rebate took {source} below zero"
    else:
        return f"unknown kind {kind}"
    return None


@check("hours")
def verify_hours(audit: Audit) -> None:
    transfers = {
        contribution: authorized
        for contribution, authorized in TimeTransfer.objects.filter(
            status=TimeTransfer.Status.POSTED, contribution__isnull=False
        ).values_list("contribution_id", "authorized_by_id")
    }
    confirmed = Contribution.objects.filter(state=ContributionState.CONFIRMED).values_list(
        "pk", "confirmed_by_id", "contributor_id"
    )
    for pk, confirmer, contributor in confirmed.iterator(chunk_size=CHUNK):
        authorized = transfers.pop(pk, None)
        if authorized is None:
            audit.report(f"hours #{pk}", "confirmed without a posted transfer")
        elif authorized != confirmer:
            audit.report(f"hours #{pk}", "confirmed by someone other than who authorized them")
        if confirmer == contributor:
            audit.report(f"hours #{pk}", "confirmed by their own contributor")
    for pk in sorted(transfers):
        audit.report(f"hours #{pk}", "a transfer was posted for hours that are not confirmed")
