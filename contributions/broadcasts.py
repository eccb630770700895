"""What the marketplace publishes into its stream, so that new needs and
standing offers appear on every open marketplace page without a reload
(`realtime.events`: stored in the service's transaction, broadcast after
commit; clients catch up by sequence number after a reconnect).

Events carry only what the public page shows, with a pseudonymous member
named "a member" (`contributions.selectors.public_name`)."""

from __future__ import annotations

from django.urls import reverse

from contributions.models import Need, StandingOffer
from contributions.selectors import public_name
from realtime import events

NEED_POSTED = "contributions.need_posted"
NEED_CHANGED = "contributions.need_changed"
STANDING_OFFER_POSTED = "contributions.standing_offer_posted"
STANDING_OFFER_WITHDRAWN = "contributions.standing_offer_withdrawn"


def marketplace_key() -> str:
    return events.stream_key("contributions", "marketplace")


def need_data(need: Need, *, skills=None, accepted: int | None = None) -> dict:
    skills = list(need.skills.all()) if skills is None else skills
    if accepted is None:
        accepted = need.offers.filter(state="accepted").count()
    return {
        "id": need.pk,
        "url": reverse("contributions:need", args=[need.pk]),
        "title": need.title,
        "state": need.state,
        "state_label": str(need.get_state_display()),
        "skills": [{"slug": s.slug, "name": s.name} for s in skills],
        "place": need.place,
        "is_online": need.is_online,
        "starts_at": need.starts_at.isoformat(),
        "ends_at": need.ends_at.isoformat(),
        "deadline": need.deadline.isoformat() if need.deadline else None,
        "people_needed": need.people_needed,
        "accepted": accepted,
        "estimated_minutes": need.estimated_minutes,
        "is_community": need.is_community,
        "is_paid": need.is_paid,
        "posted_by": public_name(need.posted_by),
    }


def need_posted(need: Need, *, skills) -> None:
    events.publish(marketplace_key(), type=NEED_POSTED, data=need_data(need, skills=skills))


def need_changed(need: Need) -> None:
    events.publish(marketplace_key(), type=NEED_CHANGED, data=need_data(need))


def standing_offer_data(offer: StandingOffer, *, skills=None) -> dict:
    skills = list(offer.skills.all()) if skills is None else skills
    return {
        "id": offer.pk,
        "url": reverse("contributions:standing_offer", args=[offer.pk]),
        "title": offer.title,
        "availability": offer.availability,
        "skills": [{"slug": s.slug, "name": s.name} for s in skills],
        "member": public_name(offer.member),
        "is_active": offer.is_active,
    }


def standing_offer_posted(offer: StandingOffer, *, skills) -> None:
    events.publish(
        marketplace_key(),
        type=STANDING_OFFER_POSTED,
        data=standing_offer_data(offer, skills=skills),
    )


def standing_offer_withdrawn(offer: StandingOffer) -> None:
    events.publish(
        marketplace_key(), type=STANDING_OFFER_WITHDRAWN, data=standing_offer_data(offer)
    )
