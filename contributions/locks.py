"""Row locks of contributions: every read-then-write of a service locks here.

Each lock is `select_for_update(of=("self",))`, and a service that locks
rows of several tables takes them in this order: the need, the offer, the
contribution, the rebate claim, then time accounts in primary-key order. So
two services never wait on each other in opposite orders. On SQLite
`select_for_update` does nothing: `BEGIN IMMEDIATE` serializes writers
there, so the same code is safe on both databases.

The time-ledger guard takes the same account locks in the database before
it checks a balance against the floor (`contributions/triggers/ledger.py`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from contributions.errors import Missing
from contributions.models import Contribution, Need, Offer, RebateClaim, StandingOffer, TimeAccount
from kernel.ids import as_id


def _one(queryset: QuerySet, pk, message: str):
    number = as_id(pk)
    found = None
    if number is not None:
        found = queryset.select_for_update(of=("self",)).filter(pk=number).first()
    if found is None:
        raise Missing(message)
    return found


def lock_need(pk) -> Need:
    return _one(Need.objects.all(), pk, _("There is no such need."))


def lock_offer(pk) -> Offer:
    return _one(Offer.objects.select_related("need"), pk, _("There is no such offer."))


def lock_standing_offer(pk) -> StandingOffer:
    return _one(StandingOffer.objects.all(), pk, _("There is no such standing offer."))


def lock_contribution(pk) -> Contribution:
    return _one(
        Contribution.objects.select_related("need", "offer", "contributor"),
        pk,
        _("There are no such logged hours."),
    )


def lock_claim(pk) -> RebateClaim:
    return _one(RebateClaim.objects.select_related("member"), pk, _("There is no such claim."))


def lock_accounts(pks: Iterable[int]) -> dict[int, TimeAccount]:
    """Time accounts, locked in primary-key order, by primary key."""
    rows = (
        TimeAccount.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(set(pks)))
        .order_by("pk")
    )
    return {account.pk: account for account in rows}
