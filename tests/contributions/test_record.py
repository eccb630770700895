"""Hours logged, confirmed or refused, and reviewed
(`contributions.services.record`), with the bylaws' floor and cap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contributions import services
from contributions.errors import (
    AlreadyDecided,
    BelowFloor,
    InvalidHours,
    InvalidReason,
    IssuanceCapReached,
    NeedClosed,
    NotBeneficiary,
    NotContributor,
    NotSteward,
    OwnContribution,
)
from contributions.models import Contribution, ContributionState, TimeEntry, TimeTransfer
from governance.models import JournalEntry
from members.roles import Role
from tests.contributions.factories import (
    CommunityNeedFactory,
    HoursFactory,
    NeedFactory,
    OfferFactory,
)
from tests.contributions.helpers import adopt_article, assert_time_ledger_invariants, balance_of
from tests.proposals.helpers import pass_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def helping(people):
    """Dave's need, Erin's accepted offer."""
    need = NeedFactory(posted_by=people["dave"], people_needed=3)
    return OfferFactory(need=need, member=people["erin"], accepted=True)


def log(offer, minutes=60, **fields):
    fields.setdefault("worked_on", timezone.now().date())
    return services.log_hours(actor=offer.member, offer_id=offer.pk, minutes=minutes, **fields)


@pytest.mark.parametrize("minutes", [0, -30, 1441, 60.5, "60", True, None])
def test_zero_negative_fractional_or_more_than_a_day_is_refused(helping, minutes):
    with pytest.raises(InvalidHours):
        log(helping, minutes)
    assert Contribution.objects.count() == 0


def test_a_whole_day_is_the_most_one_person_logs_for_one_day(people, helping):
    log(helping, 1000)
    other = OfferFactory(
        need=NeedFactory(posted_by=people["ada"]), member=people["erin"], accepted=True
    )
    with pytest.raises(InvalidHours, match="more than 24 hours"):
        log(other, 441)
    log(other, 440)
    yesterday = timezone.now().date() - timedelta(days=1)
    log(other, 1440, worked_on=yesterday)


def test_hours_are_logged_for_a_day_that_has_come_by_the_contributor(people, helping):
    with pytest.raises(InvalidHours, match="still to come"):
        log(helping, worked_on=timezone.now().date() + timedelta(days=1))
    with pytest.raises(NotContributor):
        services.log_hours(
            actor=people["ada"], offer_id=helping.pk, minutes=60, worked_on=timezone.now().date()
        )


def test_hours_on_a_cancelled_need_or_an_unaccepted_offer_are_refused(people, helping):
    pending = OfferFactory(need=helping.need, member=people["ada"])
    with pytest.raises(NeedClosed, match="accepted offer"):
        log(pending)
    services.close_need(actor=people["dave"], need_id=helping.need_id, state="cancelled")
    with pytest.raises(NeedClosed, match="cancelled"):
        log(helping)


def test_confirming_your_own_hours_is_refused(people, gathering):
    need = CommunityNeedFactory(posted_by=people["carol"], proposal_id=gathering.pk)
    offer = OfferFactory(need=need, member=people["alice"], accepted=True)
    hours = HoursFactory(offer=offer)
    # Carol appoints no one: the only other steward-like act is hers.
    mine = HoursFactory(
        offer=OfferFactory(
            need=NeedFactory(posted_by=people["dave"]), member=people["erin"], accepted=True
        )
    )
    with pytest.raises(OwnContribution):
        services.confirm_contribution(actor=people["erin"], contribution_id=mine.pk)
    with pytest.raises(NotBeneficiary):
        services.confirm_contribution(actor=people["bob"], contribution_id=hours.pk)
    assert TimeEntry.objects.count() == 0


def test_hours_are_confirmed_once(people, helping):
    hours = log(helping)
    services.confirm_contribution(actor=people["dave"], contribution_id=hours.pk)
    with pytest.raises(AlreadyDecided, match="already been confirmed"):
        services.confirm_contribution(actor=people["dave"], contribution_id=hours.pk)
    assert TimeEntry.objects.count() == 1


def test_an_exchange_cannot_go_below_the_floor_but_reaches_it(people, voters, helping):
    adopt_article(people["alice"], voters, lowest_balance_hundredths=-300)
    first = log(helping, 120)
    services.confirm_contribution(actor=people["dave"], contribution_id=first.pk)
    second = log(helping, 60, worked_on=timezone.now().date() - timedelta(days=1))
    services.confirm_contribution(actor=people["dave"], contribution_id=second.pk)
    assert balance_of(people["dave"]) == -300
    third = log(helping, 1, worked_on=timezone.now().date() - timedelta(days=2))
    with pytest.raises(BelowFloor, match=r"-3\.00"):
        services.confirm_contribution(actor=people["dave"], contribution_id=third.pk)
    assert Contribution.objects.get(pk=third.pk).state == ContributionState.LOGGED
    assert_time_ledger_invariants()


def test_when_members_may_not_go_below_zero_a_beneficiary_needs_credits(people, voters, helping):
    adopt_article(people["alice"], voters, below_zero_allowed=False, lowest_balance_hundredths=0)
    hours = log(helping)
    with pytest.raises(BelowFloor):
        services.confirm_contribution(actor=people["dave"], contribution_id=hours.pk)


def test_the_community_issues_up_to_its_monthly_cap(people, voters, gathering):
    adopt_article(people["alice"], voters, monthly_cap_hundredths=250)
    need = CommunityNeedFactory(
        posted_by=people["carol"], proposal_id=gathering.pk, people_needed=3
    )
    dave = OfferFactory(need=need, member=people["dave"], accepted=True)
    erin = OfferFactory(need=need, member=people["erin"], accepted=True)
    services.confirm_contribution(actor=people["carol"], contribution_id=log(dave, 90).pk)
    over = log(erin, 61)
    with pytest.raises(IssuanceCapReached, match=r"1\.50 are issued"):
        services.confirm_contribution(actor=people["carol"], contribution_id=over.pk)
    exact = log(erin, 60, worked_on=timezone.now().date() - timedelta(days=1))
    services.confirm_contribution(actor=people["carol"], contribution_id=exact.pk)
    assert balance_of(people["dave"]) + balance_of(people["erin"]) == 250
    assert_time_ledger_invariants()


def test_the_rate_in_force_at_confirmation_values_the_hours(people, voters, helping):
    adopt_article(people["alice"], voters, credit_hundredths_per_hour=150)
    hours = log(helping, 40)
    services.confirm_contribution(actor=people["dave"], contribution_id=hours.pk)
    transfer = TimeTransfer.objects.get()
    assert (transfer.rate, transfer.credits) == (150, 100)
    assert TimeEntry.objects.get().payload["credit_hundredths_per_hour"] == 150


def test_a_refusal_needs_a_reason_and_is_reviewed_by_another_steward(people, voters, gathering):
    need = CommunityNeedFactory(posted_by=people["carol"], proposal_id=gathering.pk)
    offer = OfferFactory(need=need, member=people["dave"], accepted=True)
    hours = log(offer, 90)
    with pytest.raises(InvalidReason):
        services.refuse_contribution(actor=people["carol"], contribution_id=hours.pk, reason=" ")
    services.refuse_contribution(
        actor=people["carol"], contribution_id=hours.pk, reason="I never saw you there."
    )
    with pytest.raises(AlreadyDecided):  # the contributor has not asked for a review
        services.decide_review(actor=people["carol"], contribution_id=hours.pk, confirm=True)
    with pytest.raises(NotContributor):
        services.request_review(actor=people["carol"], contribution_id=hours.pk)
    services.request_review(actor=people["dave"], contribution_id=hours.pk)
    with pytest.raises(AlreadyDecided):
        services.request_review(actor=people["dave"], contribution_id=hours.pk)
    with pytest.raises(NotSteward, match="Another steward"):
        services.decide_review(actor=people["carol"], contribution_id=hours.pk, confirm=True)
    with pytest.raises(NotSteward):
        services.decide_review(actor=people["erin"], contribution_id=hours.pk, confirm=True)
    pass_proposal(
        people["alice"],
        voters,
        kind="appointment",
        title="Erin steward",
        appointments=[{"member": "erin", "role": Role.STEWARD, "action": "grant"}],
    )
    services.decide_review(
        actor=people["erin"],
        contribution_id=hours.pk,
        confirm=True,
        reason="The sign-in sheet shows Dave.",
    )
    hours.refresh_from_db()
    assert hours.state == ContributionState.CONFIRMED
    assert hours.confirmed_by == hours.reviewed_by == people["erin"]
    assert balance_of(people["dave"]) == 150
    entry = JournalEntry.objects.filter(kind="contribution.reviewed").get()
    assert entry.payload["outcome"] == "confirmed" and entry.actor == "erin"
    assert TimeEntry.objects.get().payload["references"]["reviewed"] is True


def test_a_steward_upholds_a_refusal_with_a_public_reason(people, helping):
    hours = log(helping)
    services.refuse_contribution(actor=people["dave"], contribution_id=hours.pk, reason="No.")
    services.request_review(actor=people["erin"], contribution_id=hours.pk)
    with pytest.raises(InvalidReason):
        services.decide_review(actor=people["carol"], contribution_id=hours.pk, confirm=False)
    services.decide_review(
        actor=people["carol"],
        contribution_id=hours.pk,
        confirm=False,
        reason="The work was not done.",
    )
    hours.refresh_from_db()
    assert hours.state == ContributionState.REFUSAL_UPHELD
    assert TimeEntry.objects.count() == 0
    with pytest.raises(AlreadyDecided):
        services.decide_review(actor=people["carol"], contribution_id=hours.pk, confirm=True)
