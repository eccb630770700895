"""Helpers for contributions tests: moments, the Contributions article
adopted by a real vote, balances and the ledger's invariants."""

from __future__ import annotations

import json
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from contributions import parameters, selectors
from contributions.models import TimeAccount, TimeEntry, TimePosting, TimeTransfer
from kernel import chain
from tests.proposals.helpers import pass_proposal


def window(days: int = 7) -> dict:
    """A time window that started an hour ago and ends in ``days`` days."""
    now = timezone.now()
    return {"starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=days)}


def adopt_article(author, voters, **values):
    """Adopt (or amend) the Contributions article by an ordinary vote that
    passes and is enacted now; ``values`` change the defaults."""
    from governance.selectors import parameters_in_force

    current = parameters_in_force(parameters.ARTICLE)
    proposal = pass_proposal(
        author,
        voters,
        kind="amendment",
        title="What an hour is worth",
        amendments=[
            {
                "article_slug": parameters.ARTICLE,
                "new_title": parameters.TITLE,
                "new_class": "ordinary",
                "new_parameters": {**current, **values},
            }
        ],
    )
    assert proposal.state == "enacted", proposal.state
    return proposal


def balance_of(member) -> int:
    return selectors.balance(selectors.account_for_member(member))


def assert_time_ledger_invariants() -> None:
    """Postings of posted transfers sum to zero, each transfer balances, the
    chain verifies and names every posted transfer once."""
    posted = TimePosting.objects.filter(transfer__status=TimeTransfer.Status.POSTED)
    assert (posted.aggregate(total=Sum("amount"))["total"] or 0) == 0
    for transfer in TimeTransfer.objects.prefetch_related("postings"):
        amounts = [p.amount for p in transfer.postings.all()]
        assert transfer.status == TimeTransfer.Status.POSTED
        if transfer.kind == TimeTransfer.Kind.PAID:
            assert amounts == []
        else:
            assert len(amounts) == 2 and sum(amounts) == 0, (transfer.pk, amounts)
    lines = [json.dumps(e.as_export()) for e in TimeEntry.objects.order_by("seq")]
    result = chain.verify_lines(lines)
    assert result.ok, result.describe()
    assert TimeEntry.objects.count() == TimeTransfer.objects.count()
    total = sum(selectors.balance(account) for account in TimeAccount.objects.all())
    assert total == 0
