"""Funds: general money, or money restricted to one purpose (e.g. a grant).

Rules enforced here: only a treasurer opens a fund; its short name is a
lowercase slug used once; a restricted fund states its purpose. A fund never
changes after it is opened (the ledger guard), and its opening is journaled.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from governance import journal
from kernel.errors import Conflict, InvalidInput
from treasury.models import Fund
from treasury.services._common import require_treasurer


@transaction.atomic
def create_fund(*, actor, slug: str, name: str, is_restricted: bool, purpose: str = "") -> Fund:
    """Open a fund (treasurers only) and journal it."""
    require_treasurer(actor)
    slug = (slug or "").strip().lower()
    name = (name or "").strip()
    if not slug or slugify(slug) != slug:
        raise InvalidInput(
            _("The fund's short name may hold only lowercase letters, digits and -.")
        )
    if not name:
        raise InvalidInput(_("Give the fund a name."))
    if is_restricted and not (purpose or "").strip():
        raise InvalidInput(_("A restricted fund needs the purpose it is restricted to."))
    if Fund.objects.filter(slug=slug).exists():
        raise Conflict(_("There is already a fund “%(fund)s”.") % {"fund": slug})
    fund = Fund.objects.create(
        slug=slug, name=name[:200], is_restricted=is_restricted, purpose=(purpose or "")[:500]
    )
    journal.record(
        kind="treasury.fund_created",
        actor=actor,
        payload={
            "fund": slug,
            "name": fund.name,
            "restricted": is_restricted,
            "purpose": fund.purpose,
        },
    )
    return fund
