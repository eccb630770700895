"""The whole economy once, end to end, through the services."""

from __future__ import annotations

import pytest

from contributions import services
from contributions.models import ContributionState, NeedState, TimeEntry
from tests.contributions.factories import (
    CommunityNeedFactory,
    HoursFactory,
    NeedFactory,
    OfferFactory,
)
from tests.contributions.helpers import assert_time_ledger_invariants, balance_of

pytestmark = pytest.mark.django_db


def test_an_exchange_moves_credits_from_the_beneficiary_to_the_contributor(people):
    need = NeedFactory(posted_by=people["alice"])
    offer = OfferFactory(need=need, member=people["dave"], accepted=True)
    hours = HoursFactory(offer=offer, minutes=90)
    services.confirm_contribution(actor=people["alice"], contribution_id=hours.pk)
    hours.refresh_from_db()
    assert hours.state == ContributionState.CONFIRMED
    assert balance_of(people["dave"]) == 150
    assert balance_of(people["alice"]) == -150
    assert TimeEntry.objects.get().kind == "time.exchanged"
    need.refresh_from_db()
    assert need.state == NeedState.FILLED
    assert_time_ledger_invariants()


def test_a_community_need_issues_credits_from_the_community(people, gathering):
    need = CommunityNeedFactory(posted_by=people["carol"], proposal_id=gathering.pk)
    offer = OfferFactory(need=need, member=people["dave"], accepted=False)
    services.accept_offer(actor=people["carol"], offer_id=offer.pk)
    hours = HoursFactory(offer=offer, minutes=60)
    services.confirm_contribution(actor=people["carol"], contribution_id=hours.pk)
    assert balance_of(people["dave"]) == 100
    assert balance_of(people["carol"]) == 0
    assert TimeEntry.objects.get().kind == "time.issued"
    assert_time_ledger_invariants()
