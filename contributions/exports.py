"""Contributions' part of what Commons tells a person about themself: the
personal-data export (members/exports.py) and the daily digest
(proposals.services.notifications)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from contributions import selectors
from contributions.models import Contribution, Need, Offer, Profile, RebateClaim, StandingOffer


def contributions_export(*, member) -> dict:
    """Everything contributions store about ``member``."""
    profile = Profile.objects.filter(member=member).first()
    account = selectors.account_for_member(member)
    return {
        "contributions": {
            "profile": None
            if profile is None
            else {
                "skills": [s.name for s in selectors.profile_skills(member)],
                "is_pseudonymous": profile.is_pseudonymous,
                "notify_matching_needs": profile.notify_matching_needs,
            },
            "time_account": None
            if account is None
            else {"reference": account.reference, "balance_hundredths": selectors.balance(account)},
            "needs": [
                {
                    "id": n.pk,
                    "title": n.title,
                    "state": n.state,
                    "created_at": n.created_at.isoformat(),
                }
                for n in Need.objects.filter(posted_by=member).order_by("pk")
            ],
            "offers": [
                {
                    "id": o.pk,
                    "need": o.need_id,
                    "state": o.state,
                    "message": o.message,
                    "created_at": o.created_at.isoformat(),
                }
                for o in Offer.objects.filter(member=member).order_by("pk")
            ],
            "standing_offers": [
                {
                    "id": s.pk,
                    "title": s.title,
                    "availability": s.availability,
                    "is_active": s.is_active,
                }
                for s in StandingOffer.objects.filter(member=member).order_by("pk")
            ],
            "hours": [
                {
                    "id": c.pk,
                    "need": c.need_id,
                    "minutes": c.minutes,
                    "worked_on": c.worked_on.isoformat(),
                    "note": c.note,
                    "state": c.state,
                }
                for c in Contribution.objects.filter(contributor=member).order_by("pk")
            ],
            "rebate_requests": [
                {"id": r.pk, "credits_hundredths": r.credits, "state": r.state}
                for r in RebateClaim.objects.filter(member=member).order_by("pk")
            ],
        }
    }


def digest_lines(*, member, since, now) -> list[str]:
    """New needs matching the member's skills since the last digest (none
    if they turned the alerts off)."""
    lines = []
    for alert in selectors.alerts_since(member, since):
        url = settings.SITE_URL + reverse("contributions:need", args=[alert.need_id])
        lines.append(
            "- "
            + _("A need matches your skills: “%(title)s” %(url)s")
            % {"title": alert.need.title, "url": url}
        )
    return lines
