"""Factories for contributions, through the services (the guards refuse
rows written around them):

    need = NeedFactory(posted_by=alice)                        # a member's own need
    offer = OfferFactory(need=need, member=bob, accepted=True)
    hours = HoursFactory(offer=offer, minutes=90)               # logged today
    CommunityNeedFactory(posted_by=carol, role="steward", proposal=enacted)
"""

from __future__ import annotations

import factory
from django.utils import timezone

from contributions import services
from contributions.models import Contribution, Need, Offer
from tests.contributions.helpers import window
from tests.factories import make_member


class NeedFactory(factory.Factory):
    class Meta:
        model = Need

    posted_by = factory.LazyFunction(make_member)
    title = factory.Sequence(lambda n: f"Need {n}")
    description = "Help *wanted*."
    skills = ("gardening",)
    people_needed = 1
    estimated_minutes = 120
    place = "The community hall"
    is_online = False

    @classmethod
    def _create(cls, model_class, *, posted_by, **fields):
        return services.post_need(actor=posted_by, **window(), **fields)


class CommunityNeedFactory(NeedFactory):
    """A community need; give `proposal_id` or `budget_line_id` (its authority)."""

    is_community = True
    beneficiary_role = "steward"


class OfferFactory(factory.Factory):
    class Meta:
        model = Offer

    need = factory.SubFactory(NeedFactory)
    member = factory.LazyFunction(make_member)
    message = "I can help on Saturday."
    accepted = False

    @classmethod
    def _create(cls, model_class, *, need, member, message, accepted):
        offer = services.offer_help(actor=member, need_id=need.pk, message=message)
        if accepted:
            beneficiary = need.posted_by
            offer = services.accept_offer(actor=beneficiary, offer_id=offer.pk)
        return offer


class HoursFactory(factory.Factory):
    class Meta:
        model = Contribution

    offer = factory.SubFactory(OfferFactory, accepted=True)
    minutes = 60
    worked_on = factory.LazyFunction(lambda: timezone.now().date())
    note = "Done."

    @classmethod
    def _create(cls, model_class, *, offer, **fields):
        return services.log_hours(actor=offer.member, offer_id=offer.pk, **fields)
