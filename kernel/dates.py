"""The one way Commons writes dates and times, in the reader's language and
the community's time zone (setting `TIME_ZONE`, named in every time).

Templates (`{{ moment|moment }}`, `{{ day|day }}`), notifications, emails and
the text the page scripts insert live all come from here. The scripts get the
same words and patterns from `script_table()` (rendered into the page) and
only compute the calendar fields in the community's time zone with the
browser's Intl API, so a moment reads exactly the same wherever it appears:

    en: 30 November 2026, 16:45 UTC        30 November 2026
    fr: 30 novembre 2026 à 16:45 UTC       30 novembre 2026

The words are Django's translations of the month names, so there is no
second list to keep in step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

# The patterns, per language: {d} day of the month, {month} its name,
# {y} year, {H}:{M} 24-hour time, {zone} the time zone's name.
DAY = {"en": "{d} {month} {y}", "fr": "{d} {month} {y}"}
MOMENT = {"en": "{d} {month} {y}, {H}:{M} {zone}", "fr": "{d} {month} {y} à {H}:{M} {zone}"}
# The first day of a month: "1 October", but "1er octobre".
FIRST = {"en": "1", "fr": "1er"}
# "Today" and relative words are avoided on purpose: a page stays right
# however long it stays open, and a digest read tomorrow says the same.

_FALLBACK = "en"


def _language() -> str:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in MOMENT else _FALLBACK


def zone_name() -> str:
    return settings.TIME_ZONE


def _month(number: int) -> str:
    # Django's own translations: "November", "novembre" (lower case in French).
    return str(MONTHS[number])


def day(value: dt.date | dt.datetime | None) -> str:
    """A calendar day: "30 November 2026". A datetime is first taken to the
    community's time zone."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, timezone.get_default_timezone()).date()
    language = _language()
    return DAY[language].format(d=_d(value.day, language), month=_month(value.month), y=value.year)


def moment(value: dt.datetime | None) -> str:
    """A moment: "30 November 2026, 16:45 UTC", in the community's zone."""
    if value is None:
        return ""
    if timezone.is_naive(value):
        raise ValueError("Commons only stores aware datetimes")
    local = timezone.localtime(value, timezone.get_default_timezone())
    language = _language()
    return MOMENT[language].format(
        d=_d(local.day, language),
        month=_month(local.month),
        y=local.year,
        H=f"{local.hour:02d}",
        M=f"{local.minute:02d}",
        zone=zone_name(),
    )


def _d(number: int, language: str) -> str:
    return FIRST[language] if number == 1 else str(number)


def month(year: int, number: int) -> str:
    """A calendar month: "May 2026", "mai 2026"."""
    return f"{_month(number)} {year}"


def iso(value: dt.datetime | dt.date | None) -> str:
    """For `<time datetime=…>` and machine-readable payloads."""
    return value.isoformat() if value is not None else ""


def script_table() -> dict[str, Any]:
    """What a page script needs to write moments exactly as `moment` does."""
    language = _language()
    return {
        "zone": zone_name(),
        "day": DAY[language],
        "moment": MOMENT[language],
        "first": FIRST[language],
        "months": [_month(n) for n in range(1, 13)],
    }


LABEL = _("All times are in %(zone)s.")
