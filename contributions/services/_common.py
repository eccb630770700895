"""What every contributions service checks the same way: standing, the
Contributions article in force, text, skills, and the database guards'
refusals turned into domain errors."""

from __future__ import annotations

import re

from django.db import IntegrityError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from contributions import parameters
from contributions.errors import (
    AlreadyDecided,
    BelowFloor,
    InvalidNeed,
    IssuanceCapReached,
    NotAMember,
    RulesUnreadable,
    TimeLedgerGuard,
)
from contributions.models import Skill
from contributions.permissions import can_take_part
from governance.selectors import parameters_in_force
from kernel.errors import Conflict, InvalidInput

MAX_SKILLS = 10
_SKILL_NAME = re.compile(r"^[\w][\w .'&+/-]{0,59}$")


def require_member(actor) -> None:
    if not can_take_part(actor):
        raise NotAMember(_("Only members in good standing take part in the marketplace."))


def rules() -> parameters.ContributionRules:
    """The Contributions article in force (its defaults until it is adopted)."""
    try:
        return parameters.rules_from_json(parameters_in_force(parameters.ARTICLE))
    except InvalidInput as error:
        raise RulesUnreadable(
            _(
                "The Contributions article cannot be read (%(problem)s); nothing is valued until "
                "an amendment fixes it."
            )
            % {"problem": error.message}
        ) from None


def clean_text(value, *, field: str, limit: int, required: bool = True, error=InvalidNeed) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise error(_("“%(field)s” must be text.") % {"field": field})
    value = value.replace("\r\n", "\n").strip()
    if required and not value:
        raise error(_("Give the %(field)s.") % {"field": field})
    if len(value) > limit:
        raise error(
            _("The %(field)s is too long (%(n)s characters; at most %(max)s).")
            % {"field": field, "n": len(value), "max": limit}
        )
    return value


def skills_named(names) -> list[Skill]:
    """Skills from tags as people type them ("Bookkeeping", "repair"), created
    on first use; at most MAX_SKILLS, each a short name."""
    if names is None:
        return []
    if isinstance(names, str):
        names = [part for part in re.split(r"[,;\n]", names)]
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise InvalidNeed(_("Skills are a list of short names."))
    cleaned: dict[str, str] = {}
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            continue
        slug = slugify(name)[:48]
        if not _SKILL_NAME.match(name) or not slug:
            raise InvalidNeed(
                _(
                    "“%(name)s” is not a skill name: use letters, digits and spaces, at most 60 "
                    "characters."
                )
                % {"name": name[:80]}
            )
        cleaned.setdefault(slug, name)
    if len(cleaned) > MAX_SKILLS:
        raise InvalidNeed(_("Name at most %(n)s skills.") % {"n": MAX_SKILLS})
    existing = {s.slug: s for s in Skill.objects.filter(slug__in=list(cleaned))}
    missing = [
        Skill(slug=slug, name=name) for slug, name in cleaned.items() if slug not in existing
    ]
    if missing:
        Skill.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {s.slug: s for s in Skill.objects.filter(slug__in=list(cleaned))}
    return [existing[slug] for slug in cleaned]


def guard_error(exc: IntegrityError) -> Exception:
    """The domain error for a write the database refused."""
    text = str(exc)
    if "one_per_account" in text or ("transfer_id" in text and "unique" in text.lower()):
        return AlreadyDecided(_("These hours have already been confirmed."))
    if "below the bylaws' floor" in text:
        return BelowFloor(_("This would take a balance below the floor the bylaws allow."))
    if "monthly issuance cap" in text:
        return IssuanceCapReached(_("The community has issued its monthly cap of credits."))
    if "UNIQUE" in text.upper() and "contribution" in text:
        return AlreadyDecided(_("These hours have already been confirmed."))
    if "time ledger guard:" in text or "contributions guard:" in text:
        marker = "time ledger guard:" if "time ledger guard:" in text else "contributions guard:"
        return TimeLedgerGuard(text[text.index(marker) :].splitlines()[0])
    return Conflict(
        _("The time ledger refused this write: %(error)s")
        % {"error": text.splitlines()[0] if text else exc}
    )
