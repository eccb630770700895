"""What the treasury puts on the dashboard (members/dashboard.py): the money
held and this year's budgets, for members and visitors alike (the treasury
is public). Cached under the ledger head: one query when nothing moved."""

from __future__ import annotations

from members.dashboard import MEMBERS, VISITORS, Section
from treasury import selectors


def at_a_glance(*, person, now, standing=None) -> dict | None:
    return selectors.glance(year=now.year)


SECTION = Section(
    "treasury.glance",
    "treasury/dashboard/glance.html",
    at_a_glance,
    audiences=(MEMBERS, VISITORS),
    order=60,
)
