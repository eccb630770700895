"""The home of a logged-in member, "what needs me now", and the community at
a glance for visitors: sections that each app registers.

Members own the dashboard but know nothing of proposals, debates or the
treasury above them. Each of those apps registers a `Section` from its
`AppConfig.ready` (as for the personal-data export, members/exports.py); the
dashboard shows every section that has something to say, in order.

A section's `context(person=..., now=..., standing=...)` returns the
template's context, or None to stay hidden. `standing` is the member's
standing as the dashboard already read it (`members.selectors.standing_summary`:
whether they are in good standing, their roles), or None for a visitor, so
that no section asks the database again. Sections read with selectors only, in a fixed number
of queries each: the whole dashboard stays within its query budget whatever
the size of the community (tests/members/test_dashboard.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MEMBERS = "members"  # people with an account (members, applicants, former members)
VISITORS = "visitors"  # people without one: the community at a glance


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    context: Callable[..., dict[str, Any] | None]
    audiences: tuple[str, ...] = (MEMBERS,)
    order: int = 100


_SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> Section:
    _SECTIONS[section.name] = section
    return section


def sections_for(
    person, *, now: datetime, standing: dict[str, Any] | None = None
) -> list[tuple[Section, dict[str, Any]]]:
    """The sections this person sees now, with their contexts."""
    audience = MEMBERS if getattr(person, "is_authenticated", False) else VISITORS
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name)):
        if audience not in section.audiences:
            continue
        context = section.context(person=person, now=now, standing=standing)
        if context is not None:
            shown.append((section, context))
    return shown
