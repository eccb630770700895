"""Helpers for members tests."""

from __future__ import annotations

import copy

from governance.charter import DEFAULT_CHARTER
from governance.models import JournalEntry
from governance.parameters import PARAMETERS_ARTICLE, GovernanceParameters
from members.services import found_community


def found_with_admission_by_approval(*, founders, appointments=None):
    """Found a community whose decision rules admit members by a steward's approval."""
    charter = copy.deepcopy(DEFAULT_CHARTER)
    for article in charter:
        if article["slug"] == PARAMETERS_ARTICLE:
            article["parameters"] = {**GovernanceParameters().to_json(), "admission": "approval"}
    return found_community(
        community="Approval Commons",
        founders=founders,
        appointments=appointments or {},
        charter=charter,
    )


def journal_kinds(after: int = 0) -> list[str]:
    return list(
        JournalEntry.objects.filter(seq__gt=after).order_by("seq").values_list("kind", flat=True)
    )


def journal_length() -> int:
    return JournalEntry.objects.count()
