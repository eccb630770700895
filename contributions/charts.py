"""Server-rendered SVG charts of the public contributions page. Each has a
<title> and a <desc>, and the page shows the same figures in a table as
their text alternative (as the treasury's charts do)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from contributions.selectors import shown_hours as hours
from kernel import dates

WIDTH = 640
BAR_AREA = 180
HOURS_COLOUR = "#1b5e8a"
SKILL_COLOUR = "#1b6e3a"


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text inside is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _empty(chart_id: str, title: str) -> SafeString:
    text = _("No hours confirmed yet.")
    return _svg(
        chart_id, title, text, 40, [f'<text x="10" y="25" font-size="14">{escape(text)}</text>']
    )


def month_label(month: str) -> str:
    """A ledger month ("2026-08") in the reader's words ("August 2026", "août 2026")."""
    year, number = month.split("-")
    return dates.month(int(year), int(number))


def hours_by_month(months: list[dict]) -> SafeString:
    """Hours confirmed each month (the last 24), as bars."""
    title = _("Hours given by month")
    if not months:
        return _empty("chart-months", title)
    shown = months[-24:]
    peak = max(m["minutes"] for m in shown) or 1
    slot = (WIDTH - 60) / len(shown)
    bar = max(2.0, slot - 4)
    body = [f'<line x1="50" y1="{BAR_AREA + 10}" x2="{WIDTH}" y2="{BAR_AREA + 10}" stroke="#555"/>']
    for index, month in enumerate(shown):
        x = 50 + index * slot
        height = BAR_AREA * month["minutes"] / peak
        label = _("%(month)s: %(hours)s hours") % {
            "month": month_label(month["month"]),
            "hours": hours(month["minutes"]),
        }
        body.append(
            f'<rect x="{x:.1f}" y="{BAR_AREA + 10 - height:.1f}" width="{bar:.1f}" '
            f'height="{height:.1f}" fill="{HOURS_COLOUR}"><title>{escape(label)}</title></rect>'
        )
        if len(shown) <= 12 or index % 3 == 0:
            body.append(
                f'<text x="{x + bar / 2:.1f}" y="{BAR_AREA + 28}" font-size="11" '
                f'text-anchor="middle">{escape(month_label(month["month"]))}</text>'
            )
    body.append(
        f'<text x="45" y="20" font-size="11" text-anchor="end">{escape(hours(peak))}</text>'
    )
    desc = _("Hours confirmed in each of the last %(n)s months; the table below gives them.") % {
        "n": len(shown)
    }
    return _svg("chart-months", title, desc, BAR_AREA + 40, body)


def hours_by_skill(skills: list[dict]) -> SafeString:
    """Hours confirmed for needs wanting each skill, as horizontal bars."""
    title = _("Hours given by skill")
    if not skills:
        return _empty("chart-skills", title)
    row = 26
    peak = max(s["minutes"] for s in skills) or 1
    body = []
    for index, skill in enumerate(skills):
        y = 10 + index * row
        width = (WIDTH - 260) * skill["minutes"] / peak
        label = _("%(skill)s: %(hours)s hours") % {
            "skill": skill["name"],
            "hours": hours(skill["minutes"]),
        }
        body.append(
            f'<text x="150" y="{y + 15}" font-size="13" text-anchor="end">'
            f"{escape(skill['name'][:22])}</text>"
            f'<rect x="160" y="{y}" width="{width:.1f}" height="{row - 8}" fill="{SKILL_COLOUR}">'
            f"<title>{escape(label)}</title></rect>"
            f'<text x="{166 + width:.1f}" y="{y + 15}" font-size="12">'
            f"{escape(hours(skill['minutes']))}</text>"
        )
    desc = _("Hours confirmed for needs wanting each skill; the table below gives them.")
    return _svg("chart-skills", title, desc, 20 + len(skills) * row, body)
