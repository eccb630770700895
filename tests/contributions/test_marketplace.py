"""Needs, offers and standing offers (`contributions.services.marketplace`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contributions import services
from contributions.errors import (
    AlreadyDecided,
    InvalidNeed,
    NeedClosed,
    NoAuthority,
    NoMoneyLeft,
    NotAMember,
    NotBeneficiary,
    OwnNeed,
)
from contributions.models import Need, NeedState, Offer, OfferState, SkillAlert
from tests.contributions.factories import CommunityNeedFactory, NeedFactory, OfferFactory
from tests.contributions.helpers import window
from tests.factories import make_member
from tests.treasury.factories import BudgetLineFactory

pytestmark = pytest.mark.django_db


def post(actor, **fields):
    values = {
        "title": "Repair evening helpers",
        "description": "Bring tools.",
        "estimated_minutes": 120,
        "place": "Workshop",
        **window(),
    }
    values.update(fields)
    return services.post_need(actor=actor, **values)


def test_a_member_posts_a_need_with_skills_created_on_first_use(people):
    need = post(people["dave"], skills=["Bike repair", "bike-repair", "Cooking"])
    assert need.state == NeedState.OPEN
    assert sorted(s.slug for s in need.skills.all()) == ["bike-repair", "cooking"]


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"place": "", "is_online": False}, "online"),
        ({"estimated_minutes": 0}, "estimated time"),
        ({"estimated_minutes": "60"}, "estimated time"),
        ({"people_needed": 0}, "people needed"),
        ({"people_needed": 1001}, "people needed"),
        ({"title": "x" * 201}, "too long"),
        ({"skills": ["<script>"]}, "not a skill name"),
        ({"skills": [f"skill {n}" for n in range(11)]}, "at most 10 skills"),
    ],
)
def test_a_need_without_what_it_needs_is_refused(people, fields, match):
    with pytest.raises(InvalidNeed, match=match):
        post(people["dave"], **fields)
    assert Need.objects.count() == 0


def test_the_window_ends_after_it_starts_and_in_the_future(people):
    now = timezone.now()
    with pytest.raises(InvalidNeed, match="ends after it starts"):
        post(people["dave"], starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=1))
    with pytest.raises(InvalidNeed, match="end in the future"):
        post(people["dave"], starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    with pytest.raises(InvalidNeed, match="deadline"):
        post(people["dave"], deadline=(now - timedelta(days=1)).date())
    with pytest.raises(InvalidNeed, match="date and time"):
        post(people["dave"], starts_at=now.replace(tzinfo=None))


def test_only_members_in_good_standing_post_needs(community):
    applicant = make_member("newcomer", status="applicant")
    with pytest.raises(NotAMember):
        post(applicant)


def test_a_member_need_names_no_role_authority_or_pay(people, gathering):
    with pytest.raises(InvalidNeed, match="Only a community need"):
        post(people["dave"], proposal_id=gathering.pk)


def test_a_community_need_is_posted_by_a_holder_of_its_role_on_an_enacted_authority(
    people, gathering
):
    need = post(
        people["carol"], is_community=True, beneficiary_role="steward", proposal_id=gathering.pk
    )
    assert need.is_community and need.proposal == gathering
    with pytest.raises(NoAuthority, match="holder of the role"):
        post(
            people["dave"], is_community=True, beneficiary_role="steward", proposal_id=gathering.pk
        )
    with pytest.raises(NoAuthority, match="enacted proposal or the budget line"):
        post(people["carol"], is_community=True, beneficiary_role="steward")
    from tests.proposals.helpers import draft

    drafted = draft(people["carol"])
    with pytest.raises(NoAuthority, match="enacted proposal"):
        post(people["carol"], is_community=True, beneficiary_role="steward", proposal_id=drafted.pk)
    with pytest.raises(InvalidNeed, match="names the role"):
        post(
            people["carol"], is_community=True, beneficiary_role="founder", proposal_id=gathering.pk
        )


def test_paid_work_draws_on_a_budget_line_with_the_money_and_is_posted_by_a_treasurer(people):
    line = BudgetLineFactory(purpose="Translation", amount_cents=30_000)
    need = post(
        people["bob"],
        is_community=True,
        beneficiary_role="treasurer",
        budget_line_id=line.pk,
        hourly_pay_cents=2_500,
        estimated_minutes=600,
    )
    assert need.is_paid and need.budget_line == line
    with pytest.raises(NoMoneyLeft, match=r"300\.00 EUR left"):
        post(
            people["bob"],
            is_community=True,
            beneficiary_role="treasurer",
            budget_line_id=line.pk,
            hourly_pay_cents=2_500,
            estimated_minutes=721,
        )
    with pytest.raises(InvalidNeed, match="received, confirmed and paid by the treasurers"):
        post(
            people["carol"],
            is_community=True,
            beneficiary_role="steward",
            budget_line_id=line.pk,
            hourly_pay_cents=100,
        )


def test_members_with_a_matching_skill_are_told_unless_they_opted_out(people):
    services.update_profile(actor=people["dave"], skills=["Childcare"])
    services.update_profile(actor=people["erin"], skills=["childcare"], notify_matching_needs=False)
    services.update_profile(actor=people["ada"], skills=["Accounting"])
    need = post(people["alice"], skills=["childcare"])
    assert list(SkillAlert.objects.values_list("recipient__username", flat=True)) == ["dave"]
    services.update_profile(actor=people["alice"], skills=["childcare"])
    post(people["alice"], skills=["childcare"], title="Another")
    assert not SkillAlert.objects.filter(recipient=people["alice"]).exists()
    assert SkillAlert.objects.filter(need=need).count() == 1


def test_an_offer_on_your_own_need_is_refused(people):
    need = NeedFactory(posted_by=people["dave"])
    with pytest.raises(OwnNeed):
        services.offer_help(actor=people["dave"], need_id=need.pk)
    assert Offer.objects.count() == 0


def test_one_active_offer_per_member_and_need(people):
    need = NeedFactory(posted_by=people["dave"])
    OfferFactory(need=need, member=people["erin"])
    with pytest.raises(AlreadyDecided, match="already offered"):
        services.offer_help(actor=people["erin"], need_id=need.pk)


def test_the_beneficiary_accepts_or_declines_once_and_a_need_fills(people):
    need = NeedFactory(posted_by=people["dave"], people_needed=2)
    first = OfferFactory(need=need, member=people["erin"])
    second = OfferFactory(need=need, member=people["ada"])
    third = OfferFactory(need=need, member=people["bob"])
    with pytest.raises(NotBeneficiary):
        services.accept_offer(actor=people["carol"], offer_id=first.pk)
    with pytest.raises(OwnNeed):
        services.accept_offer(actor=people["erin"], offer_id=first.pk)
    services.accept_offer(actor=people["dave"], offer_id=first.pk)
    with pytest.raises(AlreadyDecided):
        services.decline_offer(actor=people["dave"], offer_id=first.pk)
    services.decline_offer(actor=people["dave"], offer_id=third.pk)
    services.accept_offer(actor=people["dave"], offer_id=second.pk)
    need.refresh_from_db()
    assert need.state == NeedState.FILLED
    with pytest.raises(NeedClosed):
        services.offer_help(actor=people["carol"], need_id=need.pk)


def test_only_the_beneficiary_closes_a_need_and_a_closed_need_takes_no_offers(people):
    need = NeedFactory(posted_by=people["dave"])
    with pytest.raises(NotBeneficiary):
        services.close_need(actor=people["erin"], need_id=need.pk, state="cancelled")
    services.close_need(actor=people["dave"], need_id=need.pk, state="cancelled")
    with pytest.raises(NeedClosed):
        services.close_need(actor=people["dave"], need_id=need.pk, state="done")
    with pytest.raises(NeedClosed):
        services.offer_help(actor=people["erin"], need_id=need.pk)


def test_a_community_need_is_answered_by_any_holder_of_its_role(people, gathering):
    need = CommunityNeedFactory(posted_by=people["carol"], proposal_id=gathering.pk)
    offer = OfferFactory(need=need, member=people["dave"])
    with pytest.raises(NotBeneficiary):
        services.accept_offer(actor=people["bob"], offer_id=offer.pk)
    services.accept_offer(actor=people["carol"], offer_id=offer.pk)
    assert Offer.objects.get(pk=offer.pk).state == OfferState.ACCEPTED


def test_a_standing_offer_is_asked_for_and_the_giver_accepts(people):
    standing = services.post_standing_offer(
        actor=people["ada"],
        title="Bookkeeping",
        skills=["Accounting"],
        availability="4 hours a month",
    )
    with pytest.raises(OwnNeed):
        services.ask_standing_offer(
            actor=people["ada"],
            standing_offer_id=standing.pk,
            message="x",
            estimated_minutes=60,
            is_online=True,
            **window(),
        )
    asked = services.ask_standing_offer(
        actor=people["dave"],
        standing_offer_id=standing.pk,
        message="My association's books",
        estimated_minutes=120,
        is_online=True,
        **window(),
    )
    assert asked.state == OfferState.REQUESTED and asked.member == people["ada"]
    assert asked.need.posted_by == people["dave"] and asked.need.standing_offer == standing
    with pytest.raises(NotBeneficiary):
        services.accept_offer(actor=people["dave"], offer_id=asked.pk)
    services.accept_offer(actor=people["ada"], offer_id=asked.pk)
    services.withdraw_standing_offer(actor=people["ada"], standing_offer_id=standing.pk)
    with pytest.raises(NeedClosed, match="withdrawn"):
        services.ask_standing_offer(
            actor=people["erin"],
            standing_offer_id=standing.pk,
            message="x",
            estimated_minutes=60,
            is_online=True,
            **window(),
        )


def test_an_offer_is_withdrawn_only_by_its_giver_before_an_answer(people):
    need = NeedFactory(posted_by=people["dave"])
    offer = OfferFactory(need=need, member=people["erin"])
    with pytest.raises(Exception, match="Only the member who offered"):
        services.withdraw_offer(actor=people["dave"], offer_id=offer.pk)
    services.withdraw_offer(actor=people["erin"], offer_id=offer.pk)
    again = services.offer_help(actor=people["erin"], need_id=need.pk)
    assert again.state == OfferState.PENDING
