"""The one path into the time ledger: every transfer is posted here.

A transfer is written as a draft with its postings, then marked posted (the
database checks it on that update: its authority, its amounts, the floor,
the monthly cap) and appended to the "time" hash chain, all in the caller's
database transaction. Posted transfers never change.

Rules enforced here (and again by the guards): postings sum to zero, two of
them, never zero; accounts are named in the chain by their reference.
"""

from __future__ import annotations

import secrets
from datetime import UTC
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from contributions.models import (
    COMMUNITY_REFERENCE,
    TimeAccount,
    TimeEntry,
    TimePosting,
    TimeTransfer,
    TransferKind,
)
from contributions.services._common import guard_error
from kernel.chains import append_to_chain


def new_reference() -> str:
    """A member account's public name in the chain: random, so that it says
    nothing about the person, and stable for ever."""
    return f"m-{secrets.token_hex(6)}"


def account_of(member) -> TimeAccount:
    """The member's time account, opened on first use."""
    account = TimeAccount.objects.filter(member=member).first()
    if account is not None:
        return account
    with transaction.atomic():
        account, _created = TimeAccount.objects.get_or_create(
            member=member,
            defaults={"reference": new_reference(), "created_at": timezone.now()},
        )
    return account


def community_account() -> TimeAccount:
    account = TimeAccount.objects.filter(is_community=True).first()
    if account is not None:
        return account
    with transaction.atomic():
        account, _created = TimeAccount.objects.get_or_create(
            is_community=True,
            defaults={"reference": COMMUNITY_REFERENCE, "created_at": timezone.now()},
        )
    return account


def balance_of(account_id: int) -> int:
    """Hundredths of a credit on an account: its postings in posted transfers."""
    total = TimePosting.objects.filter(
        account_id=account_id, transfer__status=TimeTransfer.Status.POSTED
    ).aggregate(total=Sum("amount"))["total"]
    return total or 0


def month_of(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def issued_in(month: str) -> int:
    """Hundredths of a credit the community issued in a UTC month ("2025-03")."""
    total = TimeTransfer.objects.filter(
        kind=TransferKind.ISSUED, status=TimeTransfer.Status.POSTED, month=month
    ).aggregate(total=Sum("credits"))["total"]
    return total or 0


def post_transfer(
    *,
    kind: str,
    authorized_by,
    lines: list[tuple[TimeAccount, int]],
    references: dict[str, Any],
    contribution=None,
    rebate=None,
    expense=None,
    minutes: int = 0,
    rate: int = 0,
    credits: int = 0,
) -> TimeTransfer:
    """Write, post and chain one transfer (callers have checked its rules and
    locked the accounts it moves)."""
    now = timezone.now()
    authorizer = account_of(authorized_by)
    try:
        with transaction.atomic():
            transfer = TimeTransfer.objects.create(
                kind=kind,
                contribution=contribution,
                rebate=rebate,
                expense=expense,
                minutes=minutes,
                rate=rate,
                credits=credits,
                month=month_of(now),
                authorized_by=authorized_by,
                posted_at=now,
            )
            TimePosting.objects.bulk_create(
                TimePosting(transfer=transfer, account=account, amount=amount)
                for account, amount in lines
            )
            TimeTransfer.objects.filter(pk=transfer.pk).update(status=TimeTransfer.Status.POSTED)
            transfer.status = TimeTransfer.Status.POSTED
            payload: dict[str, Any] = {"transfer": transfer.pk, "kind": kind, "minutes": minutes}
            if rate:
                payload["credit_hundredths_per_hour"] = rate
            if lines:
                payload["postings"] = [
                    {"account": account.reference, "amount": amount} for account, amount in lines
                ]
            payload["references"] = references
            append_to_chain(
                model=TimeEntry,
                kind=f"time.{kind}",
                actor=authorizer.reference,
                payload=payload,
                transfer=transfer,
            )
    except IntegrityError as exc:
        raise guard_error(exc) from exc
    return transfer
