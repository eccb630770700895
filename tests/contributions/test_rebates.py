"""Credits as a rebate on dues, when the bylaws say so: recorded in the
treasury with the rebate shown and in the time ledger, in one transaction."""

from __future__ import annotations

import pytest
from django.utils import timezone

from contributions import services
from contributions.errors import AlreadyDecided, RebateRefused
from contributions.models import RebateClaim, TimeEntry
from tests.contributions.factories import HoursFactory, NeedFactory, OfferFactory
from tests.contributions.helpers import adopt_article, assert_time_ledger_invariants, balance_of
from tests.treasury.helpers import assert_ledger_invariants
from treasury.errors import NotTreasurer
from treasury.models import Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def earned(people, voters):
    """Rebates on (5.00 a credit); Erin earned 3.00 credits helping Dave."""
    adopt_article(people["alice"], voters, dues_rebate=True, rebate_cents_per_credit=500)
    need = NeedFactory(posted_by=people["dave"])
    hours = HoursFactory(
        offer=OfferFactory(need=need, member=people["erin"], accepted=True), minutes=180
    )
    services.confirm_contribution(actor=people["dave"], contribution_id=hours.pk)
    assert balance_of(people["erin"]) == 300
    return people


def record(people, claim, dues=3_000):
    return services.record_dues_with_rebate(
        actor=people["bob"],
        claim_id=claim.pk,
        dues_cents=dues,
        date=timezone.now().date(),
        method="bank",
    )


def test_dues_with_a_rebate_are_recorded_in_the_treasury_and_the_time_ledger(earned):
    claim = services.claim_rebate(actor=earned["erin"], credits=200)
    income = record(earned, claim)
    assert income.kind == "dues" and income.postings.get(amount_cents__gt=0).amount_cents == 2_000
    assert "less a rebate of 10.00 EUR for 2.00 credits" in income.description
    claim.refresh_from_db()
    assert claim.state == "used" and claim.treasury_transaction == income
    entry = TimeEntry.objects.get(kind="time.rebate")
    assert entry.payload["references"]["treasury_transaction"] == income.pk
    assert entry.payload["references"]["rebate_cents"] == 1_000
    assert balance_of(earned["erin"]) == 100
    assert_time_ledger_invariants()
    assert_ledger_invariants()


def test_rebates_only_when_the_bylaws_allow_them(people):
    with pytest.raises(RebateRefused, match="not a rebate"):
        services.claim_rebate(actor=people["erin"], credits=100)
    assert not RebateClaim.objects.exists()


def test_a_rebate_uses_only_credits_the_member_has(earned):
    services.claim_rebate(actor=earned["erin"], credits=200)
    with pytest.raises(RebateRefused, match="only credits you have"):
        services.claim_rebate(actor=earned["erin"], credits=101)
    services.claim_rebate(actor=earned["erin"], credits=100)


def test_a_rebate_lowers_dues_but_never_pays_them_all(earned):
    claim = services.claim_rebate(actor=earned["erin"], credits=200)
    with pytest.raises(RebateRefused, match="whole dues"):
        record(earned, claim, dues=1_000)
    record(earned, claim, dues=1_001)


def test_only_another_treasurer_records_the_dues_once(earned):
    claim = services.claim_rebate(actor=earned["erin"], credits=100)
    with pytest.raises(NotTreasurer):
        services.record_dues_with_rebate(
            actor=earned["carol"],
            claim_id=claim.pk,
            dues_cents=3_000,
            date=timezone.now().date(),
            method="bank",
        )
    record(earned, claim)
    with pytest.raises(AlreadyDecided):
        record(earned, claim)
    assert Transaction.objects.filter(kind="dues").count() == 1


def test_a_withdrawn_request_is_not_used(earned):
    claim = services.claim_rebate(actor=earned["erin"], credits=100)
    services.withdraw_rebate_claim(actor=earned["erin"], claim_id=claim.pk)
    with pytest.raises(AlreadyDecided):
        record(earned, claim)


def test_the_pages_say_what_a_credit_takes_off_in_money(earned, client):
    client.force_login(earned["erin"])
    for path in ("/contributions/", "/contributions/me/", "/contributions/rebates/"):
        page = client.get(path).content.decode()
        assert "5.00 EUR off" in page, path
