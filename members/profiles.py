"""What other apps show on a member's profile page, below their standing and
roles: sections each app registers from its `AppConfig.ready`, as for the
dashboard (members/dashboard.py) and the personal-data export. Members knows
nothing of the apps above it.

A section's `context(person=..., viewer=...)` returns the template's context,
or None to stay hidden; it reads with selectors only, in a fixed number of
queries (tests/contributions/test_profile.py holds the page to its budget).
"""

from __future__ import annotations

from typing import Any

from members.dashboard import Section

_SECTIONS: dict[str, Section] = {}


def register_profile_section(section: Section) -> Section:
    _SECTIONS[section.name] = section
    return section


def sections_for(*, person, viewer) -> list[tuple[Section, dict[str, Any]]]:
    """The sections of ``person``'s profile as ``viewer`` sees it."""
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name)):
        context = section.context(person=person, viewer=viewer)
        if context is not None:
            shown.append((section, context))
    return shown
